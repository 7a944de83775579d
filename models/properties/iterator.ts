/**
 * Iterator properties: progress of a syscall over its iterator (the count decreases
 * or the call returns) and the direction discipline of a41dad905e5a (`direction`).
 */
import { assertShape, invariant, terminates, type ProgressProperty, type Property } from '../../checker/index.js';
import { iterWarned, type IovIter } from '../iov-iter/iter.js';
import { ACTOR_PROPERTY_OPTIONS, NAME_OPTIONS } from '../options.js';

/**
 * Progress: no fair cycle in which `actor` has not finished ("every syscall eventually returns"; a lasso
 * is a livelock, a retry loop that gets nowhere). No step counts as progress, not even one that lowers
 * iov_iter_count(): the count is part of the state, so a cycle that lowers it also raises it again - an
 * iov_iter_revert() undoing a copy on every round, which is a livelock too (advance-then-revert).
 */
export function iterProgress(it: IovIter, options: { readonly actor: string; readonly name?: string }): ProgressProperty {
  assertShape(options, ACTOR_PROPERTY_OPTIONS, 'iterProgress() options');
  return terminates(options.actor, {
    name: options.name ?? `${options.actor} progress`,
    description: `${options.actor} returns: no retry loop runs forever, whether it copies nothing or reverts what it copied (iov_iter_count(${it.prefix}))`,
  });
}

/**
 * Direction: no copy_to_iter() on an ITER_SOURCE iterator and no copy_from_iter() on an ITER_DEST one
 * (the WARN_ON_ONCE of a41dad905e5a never fires).
 */
export function iterDirection(it: IovIter, options: { readonly name?: string } = {}): Property {
  assertShape(options, NAME_OPTIONS, 'iterDirection() options');
  if (!it.kWarn) throw new Error(`iterDirection: iov_iter '${it.prefix}' records no WARNs (warn: false)`);
  return invariant(options.name ?? `${it.prefix} direction`, (s) => !iterWarned(s.world, it), {
    description: `no copy against the declared direction of ${it.prefix} (WARN_ON_ONCE(i->data_source), a41dad905e5a)`,
    explain: () => `a copy went against ${it.prefix}'s declared direction: WARN_ON_ONCE fired and the copy returned 0`,
  });
}
