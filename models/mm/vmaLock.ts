/**
 * Per-VMA locks (CONFIG_PER_VMA_LOCK, v6.4: 5e31275cc997 "mm: add per-VMA lock and helper functions to
 * control it") for one anonymous VMA - page 0 of an MMU built with `mmapLock` - as a world fragment: the
 * VMA's read/write semaphore, the sequence numbers that let mmap_write_unlock() drop every VMA write lock
 * at once, vma->anon_vma and vma->detached (include/linux/mm.h, the v6.4 form; later kernels rework it around a VMA reference count):
 *
 *   vma_start_read(vma):   if (READ_ONCE(vma->vm_lock_seq) == READ_ONCE(mm->mm_lock_seq)) return false;
 *                          if (!down_read_trylock(&vma->vm_lock->lock)) return false;
 *                          if (vma->vm_lock_seq == smp_load_acquire(&mm->mm_lock_seq)) { up_read(); return false; }
 *                          return true;
 *   vma_end_read(vma):     up_read(&vma->vm_lock->lock);
 *   vma_start_write(vma):  (mmap_lock held for write) if (vma->vm_lock_seq == mm->mm_lock_seq) return;
 *                          down_write(&vma->vm_lock->lock); vma->vm_lock_seq = mm->mm_lock_seq; up_write();
 *   mmap_write_unlock(mm): vma_end_write_all(mm): mm->mm_lock_seq++ - every VMA write-locked under this
 *                          mmap_lock session is unlocked at once; up_write(&mm->mmap_lock).
 *
 * So a VMA is write-locked from vma_start_write() to the writer's mmap_write_unlock(), and
 * vma_start_write() waits for the readers already in (its down_write()); a reader that comes later fails
 * its vma_start_read() and the fault falls back to mmap_lock. The seq counters start at vm_lock_seq = -1
 * (vma_lock_alloc()) and mm_lock_seq = 0, and grow by one per write session: `writes` bounds them (the
 * kernel's 32-bit wrap, and the false "locked" results it can give, are not modelled).
 *
 * World fields: `mmLockSeq` 0..writes, `vmLockSeq` -1..writes, `vmaReaders` (holders of the VMA read
 * lock), `vmaAnonVma` (vma->anon_vma is set), `vmaDetached` (the VMA was removed from the mm's tree), and
 * what the properties read: `vmaChanging` (an mmap_lock writer is in the middle of changing the VMA or its
 * page tables), the sticky ghosts `vmaRace` (a fault ran under the VMA lock while a writer was changing
 * the VMA), `vmaAnonPrepared` (a fault under only the VMA lock had to prepare an anon_vma) and
 * `vmaLockMisuse` (a vma_end_read() without a read lock held).
 */
import { assertShape, bool, int, invariant, type FieldSpecs, type InvariantProperty, type Shape } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { mmapHeld, mmapWriteUnlock } from '../mmu/mmapLock.js';
import type { MmuWorld } from '../mmu/world.js';
import { NAME_OPTIONS } from '../options.js';

export interface VmaLockOptions {
  /** Tasks that may hold the VMA read lock at once (fault threads), 1..3. */
  readonly faults: number;
  /** mmap_lock write sessions a run may have (bounds the seq counters), 1..4. */
  readonly writes: number;
  /** vma->anon_vma is set at the start (the VMA has been faulted before). Default true. */
  readonly anonVma?: boolean;
}

/** Every option of defineVmaLock: a key not listed is a typo, refused rather than left at its default. */
const VMA_LOCK_OPTIONS: Shape<VmaLockOptions> = { faults: 'checked', writes: 'checked', anonVma: 'boolean' };

export interface VmaLock {
  readonly mmu: Mmu;
  readonly faults: number;
  readonly writes: number;
  readonly fields: FieldSpecs;
}

export interface VmaLockWorld extends MmuWorld {
  mmLockSeq: number;
  vmLockSeq: number;
  vmaReaders: number;
  vmaAnonVma: number;
  vmaDetached: number;
  vmaChanging: number;
  vmaRace: number;
  vmaAnonPrepared: number;
  vmaLockMisuse: number;
}

/** The VMA lock of page 0's VMA; the MMU needs `mmapLock` (vma_start_write() asserts mmap_lock held for write). */
export function defineVmaLock(m: Mmu, o: VmaLockOptions): VmaLock {
  assertShape(o, VMA_LOCK_OPTIONS, 'defineVmaLock() options');
  if (m.mmapOwners === 0) throw new RangeError('vma lock: the MMU needs mmapLock: { owners } (vma_start_write() runs under mmap_write_lock())');
  if (!Number.isInteger(o.faults) || o.faults < 1 || o.faults > 3) throw new RangeError(`vma lock: faults ${o.faults} is not 1..3`);
  if (!Number.isInteger(o.writes) || o.writes < 1 || o.writes > 4) throw new RangeError(`vma lock: writes ${o.writes} is not 1..4`);
  const fields: FieldSpecs = {
    mmLockSeq: int(0, o.writes),
    vmLockSeq: int(-1, o.writes, -1),
    vmaReaders: int(0, o.faults),
    vmaAnonVma: bool(o.anonVma ?? true),
    vmaDetached: bool(),
    vmaChanging: bool(),
    vmaRace: bool(),
    vmaAnonPrepared: bool(),
    vmaLockMisuse: bool(),
  };
  return { mmu: m, faults: o.faults, writes: o.writes, fields };
}

/** vma->vm_lock_seq == mm->mm_lock_seq: the VMA is write-locked in the current mmap_lock write session. */
export function vmaWriteLocked(w: VmaLockWorld): boolean {
  return w.vmLockSeq === w.mmLockSeq;
}

/** vma_start_read() would succeed now. Pure. */
export function vmaStartReadOk(w: VmaLockWorld): boolean {
  return !vmaWriteLocked(w);
}

/** vma_start_read(): guard the step with `vmaStartReadOk` (a failing vma_start_read() is the caller's branch). */
export function vmaStartRead(w: VmaLockWorld): void {
  if (!vmaStartReadOk(w)) throw new Error('vma_start_read() fails here (the VMA is write-locked): branch on vmaStartReadOk');
  w.vmaReaders += 1;
}

/** vma_end_read(); one with no read lock held sets the sticky `vmaLockMisuse` (lockdep's "bad unlock balance"). */
export function vmaEndRead(w: VmaLockWorld): void {
  if (w.vmaReaders === 0) w.vmaLockMisuse = 1;
  else w.vmaReaders -= 1;
}

/** vma_start_write() would not sleep: the VMA is already write-locked, or no reader holds its lock. Pure. */
export function vmaStartWriteOk(w: VmaLockWorld): boolean {
  return vmaWriteLocked(w) || w.vmaReaders === 0;
}

/** vma_start_write() by mmap_lock owner `owner` (holding it for write; else a model error). Guard with `vmaStartWriteOk`. */
export function vmaStartWrite(w: VmaLockWorld, v: VmaLock, owner: number): void {
  if (w.mmapWriter !== 1 || !mmapHeld(w, v.mmu, owner)) throw new Error(`vma_start_write(): mmap_lock owner ${owner} does not hold mmap_lock for write`);
  if (!vmaStartWriteOk(w)) throw new Error('vma_start_write() must wait for the VMA readers here: guard the step with vmaStartWriteOk');
  w.vmLockSeq = w.mmLockSeq;
}

/** mmap_write_unlock(): vma_end_write_all() (mm_lock_seq++), then up_write(&mmap_lock). */
export function vmaMmapWriteUnlock(w: VmaLockWorld, v: VmaLock, owner: number): void {
  if (w.mmLockSeq >= v.writes) throw new Error(`mmap_write_unlock(): more than ${v.writes} mmap_lock write sessions (raise the VMA lock's writes)`);
  w.mmLockSeq += 1;
  mmapWriteUnlock(w, v.mmu, owner);
}

/** A writer starts changing the VMA or its page tables (what its VMA write lock is for). */
export function vmaBeginChange(w: VmaLockWorld): void {
  w.vmaChanging = 1;
}

/** The writer is done with the VMA (it still holds mmap_lock). */
export function vmaEndChange(w: VmaLockWorld): void {
  w.vmaChanging = 0;
}

/**
 * What handle_mm_fault() under FAULT_FLAG_VMA_LOCK records when it runs (before its effect on the page):
 * a writer in the middle of changing the VMA (`vmaRace`), and an anonymous fault that finds no anon_vma -
 * do_anonymous_page() -> anon_vma_prepare() -> __anon_vma_prepare() -> find_mergeable_anon_vma(), which
 * looks at neighbouring VMAs nobody locked (`vmaAnonPrepared`; anon_vma_prepare() installs one).
 * `mapsPage` false: the fault returns VM_FAULT_RETRY before it gets that far.
 */
export function vmaLockedFaultRuns(w: VmaLockWorld, mapsPage = true): void {
  if (w.vmaChanging === 1) w.vmaRace = 1;
  if (mapsPage && w.vmaAnonVma === 0) {
    w.vmaAnonPrepared = 1;
    w.vmaAnonVma = 1;
  }
}

/** `VMA lock isolation`: no fault runs under the VMA lock while an mmap_lock writer is changing the VMA. */
export function vmaLockIsolation(options: { readonly name?: string } = {}): InvariantProperty<VmaLockWorld> {
  assertShape(options, NAME_OPTIONS, 'vmaLockIsolation() options');
  return invariant<VmaLockWorld>(options.name ?? 'VMA lock isolation', (s) => s.world.vmaRace === 0, {
    description:
      'no page fault runs under the VMA lock (FAULT_FLAG_VMA_LOCK) while an mmap_lock writer is changing that VMA: every writer calls vma_start_write() first',
    explain: () =>
      'a fault ran under the VMA lock while an mmap_lock writer was changing the VMA: the writer never called vma_start_write(), so vma_start_read() let the fault in',
  });
}

/** `anon_vma under mmap_lock`: a fault holding only the VMA lock never prepares an anon_vma. */
export function anonVmaUnderMmapLock(options: { readonly name?: string } = {}): InvariantProperty<VmaLockWorld> {
  assertShape(options, NAME_OPTIONS, 'anonVmaUnderMmapLock() options');
  return invariant<VmaLockWorld>(options.name ?? 'anon_vma under mmap_lock', (s) => s.world.vmaAnonPrepared === 0, {
    description:
      'lock_vma_under_rcu() hands out only VMAs with an anon_vma: __anon_vma_prepare() -> find_mergeable_anon_vma() reads neighbouring VMAs, which only mmap_lock keeps alive',
    explain: () =>
      'a fault under only the VMA lock found vma->anon_vma NULL and ran __anon_vma_prepare(): find_mergeable_anon_vma() walks VMAs nobody locked (a use-after-free if one is unmapped meanwhile)',
  });
}

/** `VMA lock balance`: vma_end_read() only of a VMA read lock the task holds. */
export function vmaLockBalance(options: { readonly name?: string } = {}): InvariantProperty<VmaLockWorld> {
  assertShape(options, NAME_OPTIONS, 'vmaLockBalance() options');
  return invariant<VmaLockWorld>(options.name ?? 'VMA lock balance', (s) => s.world.vmaLockMisuse === 0, {
    description: 'every vma_end_read() releases a VMA read lock the task holds (released exactly once per vma_start_read())',
    explain: () => 'vma_end_read() of a VMA lock no one holds: lockdep reports "bad unlock balance", the rwsem count goes negative',
  });
}
