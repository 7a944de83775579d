/**
 * The lock holder (T1) of the fatal-signal-in-a-kernel-mode-fault protocol: a thread that takes a folio lock and keeps it
 * for an arbitrary time - read I/O in flight (filemap_read_folio() / page_cache_ra_unbounded() lock the
 * folio until the read completes and folio_end_read() unlocks it), or another thread faulting on or
 * truncating the same folio. Steps: `folioLock` (folio_lock(), enabled while the folio is unlocked; one
 * choice per folio it may lock) and `folioUnlock` (folio_unlock()), for at most `holds` rounds.
 *
 * Fairness is the point of this actor. The default is `none`: the checker never assumes that the holder
 * gets to run its folio_unlock(), which is how `killability` ("killable without T1 ever
 * releasing the lock") is stated. Give it `weak` to model a holder that always finishes its I/O.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Fairness, type Shape, type StepEvent } from '../../checker/index.js';
import { folioLock, folioLocked, folioUnlock, type Mmu, type MmuWorld } from '../mmu/index.js';

export interface FolioLockHolderOptions {
  readonly mmu: Mmu;
  /** The folios it may lock (default: all of them); `folioLock` has one choice per folio listed. */
  readonly folios?: readonly number[];
  /** Lock/unlock rounds, 1..8 (default 1). */
  readonly holds?: number;
}

/** Every option of folioLockHolderMachine and folioLockHolderActor: a key not listed is a typo, refused rather than left at its default. */
const LOCK_HOLDER_OPTIONS: Shape<FolioLockHolderOptions & { readonly name?: string; readonly fairness?: Fairness }> = {
  name: 'string',
  fairness: 'checked',
  mmu: 'object',
  folios: 'array',
  holds: 'checked',
};

interface Ctx {
  /** The folio it holds: 0 none, f + 1 folio f. */
  held: number;
  /** Rounds started. */
  rounds: number;
}

type Ev = StepEvent<'folioLock' | 'folioUnlock', MmuWorld>;

function resolve(o: FolioLockHolderOptions): { folios: readonly number[]; holds: number } {
  const m = o.mmu;
  if (!m.pageLock) throw new Error('folioLockHolder: the MMU has no folio locks (pageLock: true)');
  const folios = o.folios ?? Array.from({ length: m.folioCount }, (_, f) => f);
  if (folios.length === 0 || folios.some((f) => !Number.isInteger(f) || f < 0 || f >= m.folioCount)) {
    throw new RangeError(`folioLockHolder: folios [${folios.join(', ')}] must be folio indices 0..${m.folioCount - 1}`);
  }
  const holds = o.holds ?? 1;
  if (!Number.isInteger(holds) || holds < 1 || holds > 8) throw new RangeError(`folioLockHolder: holds must be 1..8, not ${holds}`);
  return { folios, holds };
}

/** The lock holder's machine: idle -folioLock-> holding -folioUnlock-> idle (or done after `holds` rounds). */
export function folioLockHolderMachine(o: FolioLockHolderOptions) {
  assertShape(o, LOCK_HOLDER_OPTIONS, 'folioLockHolderMachine() options');
  const m = o.mmu;
  const { folios, holds } = resolve(o);
  return setup({
    types: { context: {} as Ctx, events: {} as Ev },
    guards: {
      folioFree: ({ event }) => !folioLocked(event.world, m, folios[event.choice]!),
      lastRound: ({ context }) => context.rounds === holds,
    },
    actions: {
      lock: ({ event }) => folioLock(event.world, m, folios[event.choice]!),
      unlock: ({ context, event }) => folioUnlock(event.world, m, context.held - 1),
    },
  }).createMachine({
    id: 'folio-lock-holder',
    initial: 'idle',
    context: { held: 0, rounds: 0 },
    states: {
      idle: {
        on: {
          folioLock: {
            guard: 'folioFree',
            target: 'holding',
            actions: ['lock', assign({ held: ({ event }) => folios[event.choice]! + 1, rounds: ({ context }) => context.rounds + 1 })],
          },
        },
      },
      holding: {
        on: {
          folioUnlock: [
            { guard: 'lastRound', target: 'done', actions: ['unlock', assign({ held: 0 })] },
            { target: 'idle', actions: ['unlock', assign({ held: 0 })] },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

/**
 * The lock holder as an actor spec. `fairness` defaults to `none` (see the file comment). Trace labels:
 * `folio_lock(F0)` and `folio_unlock(F0)`.
 */
export function folioLockHolderActor(o: FolioLockHolderOptions & { readonly name?: string; readonly fairness?: Fairness }): ActorSpec {
  assertShape(o, LOCK_HOLDER_OPTIONS, 'folioLockHolderActor() options');
  const { folios, holds } = resolve(o);
  return {
    name: o.name ?? 'T1',
    machine: folioLockHolderMachine(o),
    fairness: o.fairness ?? 'none',
    fields: { held: int(0, o.mmu.folioCount), rounds: int(0, holds) },
    choices: { folioLock: folios.length },
    label: ({ context, event }) =>
      event.type === 'folioLock' ? `folio_lock(F${folios[event.choice]!}): read I/O in flight` : `folio_unlock(F${(context as Ctx).held - 1}): I/O done`,
  };
}
