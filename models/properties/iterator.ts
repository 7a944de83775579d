/**
 * Iterator properties: progress of a syscall over its iterator (kernel-protocols.md 0.2 Liveness, P-E1,
 * P-C1) and the direction discipline of a41dad905e5a (P-I1).
 */
import { invariant, progress, type Property, type ProgressProperty, type StateView } from '../../checker/index.js';
import { iterCount, iterWarned, type IovIter } from '../iov-iter/iter.js';

/**
 * Progress: no fair cycle in which `actor` has not finished and the iterator's count never decreases
 * ("every syscall eventually returns", with iov_iter_count() as the progress measure). A lasso is a
 * livelock: an infinite retry loop that copies nothing.
 */
export function iterProgress(it: IovIter, options: { readonly actor: string; readonly name?: string }): ProgressProperty {
  const actor = options.actor;
  return progress(options.name ?? `${actor} progress`, {
    description: `${actor} returns, or iov_iter_count(${it.prefix}) keeps decreasing (no retry loop without progress)`,
    inFlight: (s: StateView) => !s.actor(actor).final,
    progress: (b: StateView, a: StateView) => iterCount(a.world, it) < iterCount(b.world, it),
  });
}

/**
 * Direction: no copy_to_iter() on an ITER_SOURCE iterator and no copy_from_iter() on an ITER_DEST one
 * (the WARN_ON_ONCE of a41dad905e5a never fires; kernel-protocols.md P-I1).
 */
export function iterDirection(it: IovIter, options: { readonly name?: string } = {}): Property {
  if (!it.kWarn) throw new Error(`iterDirection: iov_iter '${it.prefix}' records no WARNs (warn: false)`);
  return invariant(options.name ?? `${it.prefix} direction`, (s) => !iterWarned(s.world, it), {
    description: `no copy against the declared direction of ${it.prefix} (WARN_ON_ONCE(i->data_source), a41dad905e5a)`,
    explain: () => `a copy went against ${it.prefix}'s declared direction: WARN_ON_ONCE fired and the copy returned 0`,
  });
}
