/**
 * mmap_lock as a reader/writer semaphore (include/linux/mmap_lock.h over kernel/locking/rwsem.c), for the
 * `mmapLock: { owners }` option. Each actor that takes the lock has an owner index 0..owners-1; the world
 * holds the holders as a bitmask, whether the holder is a writer, and how many writers are queued.
 *
 * Fairness: a reader does not barge past a queued writer (rwsem_read_trylock() fails while
 * RWSEM_FLAG_WAITERS is set, so the reader queues), which is what makes a recursive mmap_read_lock() with a
 * writer waiting a deadlock. Writers are two steps so that the queue is visible: `mmapWriteLockQueue`,
 * then `mmapWriteLockAcquire` once `mmapWriteLockable`.
 *
 * Discipline (`mmap_lock discipline`: "released exactly once per acquisition"): an unlock by an owner
 * that does not hold the lock, or a second acquisition by an owner that holds it, sets the sticky
 * `mmapMisuse` flag instead of changing the lock, so `mmapLockDiscipline` (models/properties) reports it
 * with a trace. When the world has no mmap_lock every operation here is a no-op and every test passes.
 */
import type { Mmu } from './config.js';
import type { MmuWorld } from './world.js';

/** mmap_read_lock() would not sleep: no writer holds the lock and none is queued. */
export function mmapReadLockable(w: MmuWorld, m: Mmu): boolean {
  return m.mmapOwners === 0 || (w.mmapWriter === 0 && w.mmapWritersWaiting === 0);
}

/** mmap_write_lock() may take the lock now: nobody holds it. */
export function mmapWriteLockable(w: MmuWorld, m: Mmu): boolean {
  return m.mmapOwners === 0 || w.mmapHolders === 0;
}

/** `owner` holds mmap_lock (for read or write). */
export function mmapHeld(w: MmuWorld, m: Mmu, owner: number): boolean {
  return m.mmapOwners > 0 && owner >= 0 && (w.mmapHolders! & (1 << owner)) !== 0;
}

/** Number of read holders. */
export function mmapReaders(w: MmuWorld, m: Mmu): number {
  if (m.mmapOwners === 0 || w.mmapWriter === 1) return 0;
  let x = w.mmapHolders!;
  let n = 0;
  while (x) {
    x &= x - 1;
    n++;
  }
  return n;
}

function misuse(w: MmuWorld): void {
  w.mmapMisuse = 1;
}

/** mmap_read_lock(): guard the step with `mmapReadLockable`. A second acquisition by the same owner is misuse. */
export function mmapReadLock(w: MmuWorld, m: Mmu, owner: number): void {
  if (m.mmapOwners === 0 || owner < 0) return;
  const bit = 1 << owner;
  if (w.mmapWriter === 1 || (w.mmapHolders! & bit) !== 0) {
    misuse(w);
    return;
  }
  w.mmapHolders = w.mmapHolders! | bit;
}

/** mmap_read_unlock(): misuse unless `owner` holds it for read. */
export function mmapReadUnlock(w: MmuWorld, m: Mmu, owner: number): void {
  if (m.mmapOwners === 0 || owner < 0) return;
  const bit = 1 << owner;
  if (w.mmapWriter === 1 || (w.mmapHolders! & bit) === 0) {
    misuse(w);
    return;
  }
  w.mmapHolders = w.mmapHolders! & ~bit;
}

/** mmap_write_lock(), first half: join the writer queue (readers stop getting in). */
export function mmapWriteLockQueue(w: MmuWorld, m: Mmu, owner: number): void {
  if (m.mmapOwners === 0 || owner < 0) return;
  if ((w.mmapHolders! & (1 << owner)) !== 0) {
    misuse(w);
    return;
  }
  w.mmapWritersWaiting = w.mmapWritersWaiting! + 1;
}

/** mmap_write_lock(), second half: a queued writer takes the lock; guard with `mmapWriteLockable`. */
export function mmapWriteLockAcquire(w: MmuWorld, m: Mmu, owner: number): void {
  if (m.mmapOwners === 0 || owner < 0) return;
  if (w.mmapHolders !== 0 || w.mmapWritersWaiting === 0) {
    misuse(w);
    return;
  }
  w.mmapWritersWaiting = w.mmapWritersWaiting! - 1;
  w.mmapHolders = 1 << owner;
  w.mmapWriter = 1;
}

/** mmap_write_lock() as one step, for writers whose queueing does not matter; guard with `mmapWriteLockable`. */
export function mmapWriteLock(w: MmuWorld, m: Mmu, owner: number): void {
  if (m.mmapOwners === 0 || owner < 0) return;
  if (w.mmapHolders !== 0) {
    misuse(w);
    return;
  }
  w.mmapHolders = 1 << owner;
  w.mmapWriter = 1;
}

/** mmap_write_unlock(): misuse unless `owner` holds it for write. */
export function mmapWriteUnlock(w: MmuWorld, m: Mmu, owner: number): void {
  if (m.mmapOwners === 0 || owner < 0) return;
  if (w.mmapWriter !== 1 || w.mmapHolders !== 1 << owner) {
    misuse(w);
    return;
  }
  w.mmapHolders = 0;
  w.mmapWriter = 0;
}

/** mmap_write_downgrade(): the writer keeps the lock as a reader. */
export function mmapWriteDowngrade(w: MmuWorld, m: Mmu, owner: number): void {
  if (m.mmapOwners === 0 || owner < 0) return;
  if (w.mmapWriter !== 1 || w.mmapHolders !== 1 << owner) {
    misuse(w);
    return;
  }
  w.mmapWriter = 0;
}
