/**
 * The control states of an environment agent that changes the address space under mmap_lock, one page per
 * call: shared by munmap() / madvise(MADV_DONTNEED) (munmap.ts) and mprotect() (mprotect.ts).
 *
 * Without an mmap_lock owner a call is one atomic step, offered only when it changes something. With an
 * owner index of an MMU built with `mmapLock`, a call is three steps:
 * - write (munmap(), mprotect()): mmap_write_lock() - queue (mmapWriteLockQueue), then take it once no
 *   reader holds it (mmapWriteLockAcquire) - the change, mmap_write_unlock();
 * - read (madvise(MADV_DONTNEED)): mmap_read_lock() when it is free of writers, the change,
 *   mmap_read_unlock().
 * Under the lock the change always runs (an unchanged page is a no-op, as in the kernel), so the agent never
 * sits on the lock. The actor charges its budget unit at the lock step.
 *
 * `mmapLockedEnv(m, call)` returns the states (idle, [queued,] locked, unlocking) and the guard `lockable`
 * and actions `lock`, `acquire`, `unlock` they name; the machine supplies the call's own guard and action.
 */
import type { StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import {
  mmapReadLock,
  mmapReadLockable,
  mmapReadUnlock,
  mmapWriteLockAcquire,
  mmapWriteLockable,
  mmapWriteLockQueue,
  mmapWriteUnlock,
} from '../mmu/mmapLock.js';
import type { MmuWorld } from '../mmu/world.js';

export interface MmapLockedCall {
  /** The actor, for option errors ('munmap', 'mprotect'). */
  readonly who: string;
  /** Its mmap_lock owner index, or undefined: one atomic step per call. */
  readonly owner: number | undefined;
  /** mmap_write_lock() (true) or mmap_read_lock() (false). */
  readonly write: boolean;
  /** The event of the lock step ('mmapLock', 'mmapWriteLock'). */
  readonly lockEvent: string;
  /** The event of the change ('munmap', 'mprotect'), the machine's action that applies it and its description. */
  readonly event: string;
  readonly action: string;
  readonly description: string;
  /** The machine's guard that offers the one-step call only when it changes something. */
  readonly changes: string;
}

type Args = { readonly event: StepEvent<string, MmuWorld> };

/** The states, guards and actions of an mmap_lock-taking environment call (validates the owner index). */
export function mmapLockedEnv(m: Mmu, call: MmapLockedCall) {
  const { owner, write } = call;
  if (owner !== undefined && (m.mmapOwners === 0 || !Number.isInteger(owner) || owner < 0 || owner >= m.mmapOwners)) {
    throw new RangeError(`${call.who}: mmapOwner ${owner} needs an MMU with mmapLock and an owner index below ${m.mmapOwners}`);
  }
  const change = { actions: call.action, description: call.description, target: 'unlocking' };
  let states: Record<string, any>;
  if (owner === undefined) {
    states = { idle: { on: { [call.event]: { guard: call.changes, actions: call.action, description: call.description } } } };
  } else if (!write) {
    states = {
      idle: { on: { [call.lockEvent]: { guard: 'lockable', target: 'locked', actions: 'lock', description: 'mmap_read_lock()' } } },
      locked: { on: { [call.event]: change } },
      unlocking: { on: { mmapUnlock: { target: 'idle', actions: 'unlock', description: 'mmap_read_unlock()' } } },
    };
  } else {
    states = {
      idle: { on: { [call.lockEvent]: { target: 'queued', actions: 'lock', description: 'mmap_write_lock(): queued' } } },
      queued: {
        meta: { waitsFor: 'mmap_lock for write' },
        on: { mmapLockAcquired: { guard: 'lockable', target: 'locked', actions: 'acquire', description: 'mmap_write_lock(): acquired' } },
      },
      locked: { on: { [call.event]: change } },
      unlocking: { on: { mmapUnlock: { target: 'idle', actions: 'unlock', description: 'mmap_write_unlock()' } } },
    };
  }
  return {
    states,
    guards: {
      lockable: ({ event }: Args) => (write ? mmapWriteLockable(event.world, m) : mmapReadLockable(event.world, m)),
    },
    actions: {
      lock: ({ event }: Args) => {
        if (write) mmapWriteLockQueue(event.world, m, owner!);
        else mmapReadLock(event.world, m, owner!);
      },
      acquire: ({ event }: Args) => mmapWriteLockAcquire(event.world, m, owner!),
      unlock: ({ event }: Args) => {
        if (write) mmapWriteUnlock(event.world, m, owner!);
        else mmapReadUnlock(event.world, m, owner!);
      },
    },
  };
}
