/**
 * Fault-in contract properties: a partial fault-in must lead to a partial result,
 * not -EFAULT (`no spurious -EFAULT`), and a fault-in never claims more than it faulted in (`fault-in never overclaims`).
 */
import { assertShape, invariant, transitionProperty, type Property, type Shape, type StateView } from '../../checker/index.js';
import { faultablePrefix } from '../mmu/access.js';
import { ITER_DEST, iterConsumed, iterCount, type IovIter } from '../iov-iter/iter.js';
import type { MmuWorld } from '../mmu/world.js';

/**
 * The faultable prefix of the iterator's remaining range: units from the current position, across
 * segments, that a fault could make accessible for the iterator's direction (writes for ITER_DEST) - VMA
 * permission, no poison, matching tag. This is the accessible prefix of `no spurious -EFAULT` for a static environment.
 */
export function iterFaultablePrefix(w: MmuWorld, it: IovIter): number {
  if (!it.userBacked) return iterCount(w, it);
  const write = it.dataSource === ITER_DEST;
  let pos = iterConsumed(w, it);
  let left = iterCount(w, it);
  let total = 0;
  while (left > 0) {
    const s = it.segAt[pos]!;
    const chunk = Math.min(left, it.segLen[s]! - it.offAt[pos]!);
    const k = faultablePrefix(w, it.mmu, it.addrAt[pos]!, chunk, write);
    total += k;
    if (k < chunk) break;
    left -= chunk;
    pos += chunk;
  }
  return total;
}

/** The options of noSpuriousEfault. */
const EFAULT_OPTIONS: Shape<Parameters<typeof noSpuriousEfault>[0]> = { actor: 'string', failed: 'function', it: 'object', prefix: 'function', name: 'string' };

/**
 * No spurious -EFAULT (static environment): when `actor` has finished and `failed` says its result is -EFAULT, nothing of
 * the buffer was accessible: `prefix` (default `iterFaultablePrefix(it)`, evaluated in the final state, where
 * a failed call has copied nothing) is 0.
 */
export function noSpuriousEfault(options: {
  readonly actor: string;
  readonly failed: (s: StateView) => boolean;
  readonly it?: IovIter;
  readonly prefix?: (s: StateView) => number;
  readonly name?: string;
}): Property {
  assertShape(options, EFAULT_OPTIONS, 'noSpuriousEfault() options');
  const { actor, failed, it } = options;
  const prefix = options.prefix ?? (it ? (s: StateView) => iterFaultablePrefix(s.world, it) : undefined);
  if (!prefix) throw new Error('noSpuriousEfault: give the iterator or a prefix function');
  return invariant(options.name ?? 'no spurious -EFAULT', (s) => !(s.actor(actor).final && failed(s)) || prefix(s) === 0, {
    description: `${actor} returns -EFAULT only when no prefix of its buffer was accessible`,
    explain: (s) => `${actor} returned -EFAULT although ${prefix(s)} leading units could be faulted in`,
  });
}

/** The options of faultInNoOverclaim. */
const OVERCLAIM_OPTIONS: Shape<Parameters<typeof faultInNoOverclaim>[0]> = {
  actor: 'string',
  event: 'string',
  size: 'function',
  result: 'function',
  prefix: 'function',
  name: 'string',
};

/**
 * Fault-in never overclaims: every `event` step of `actor` (a fault-in whose size and result the actor records) satisfies
 * size - result <= prefix, with size and prefix read before the step and the result after it. `prefix`
 * is the honest claim at the fault-in's granularity (mmu/access.ts faultablePrefix / faultablePagePrefix).
 */
export function faultInNoOverclaim(options: {
  readonly actor: string;
  readonly event: string;
  readonly size: (before: StateView) => number;
  readonly result: (after: StateView) => number;
  readonly prefix: (before: StateView) => number;
  readonly name?: string;
}): Property {
  assertShape(options, OVERCLAIM_OPTIONS, 'faultInNoOverclaim() options');
  const { actor, event, size, result, prefix } = options;
  return transitionProperty(
    options.name ?? 'fault-in never overclaims',
    (b, a, step) => step.actor !== actor || step.event !== event || size(b) - result(a) <= prefix(b),
    {
      description: `${actor}'s ${event} never reports more units faulted in than were faultable`,
      explain: (b, a) => `${event} reported ${size(b) - result(a)} units faulted in, but only ${prefix(b)} were faultable`,
    },
  );
}
