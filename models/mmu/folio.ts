/**
 * Folio flags and content: PG_locked, PG_dirty, PG_writeback, buffers, the data version, and the
 * writeback-side operations of the stable-pages protocol (Jan Kara's protocol):
 * lock, folio_clear_dirty_for_io() -> folio_mkclean(), the pin check, folio_start_writeback(), unlock,
 * folio_end_writeback(); and ->page_mkwrite() on the fault side. Flags that the world does not carry read
 * as 0 and their setters do nothing.
 */
import type { Mmu } from './config.js';
import { FAULT_DONE, FAULT_WAIT, PTE_MIGRATION_RW, PTE_PRESENT_RO, PTE_PRESENT_RW } from './constants.js';
import { folioMaybeDmaPinned } from './pins.js';
import type { MmuWorld } from './world.js';

export function folioLocked(w: MmuWorld, m: Mmu, f: number): boolean {
  return m.pageLock && w.folioLocked![f] === 1;
}

export function folioDirty(w: MmuWorld, m: Mmu, f: number): boolean {
  return m.dirty && w.folioDirty![f] === 1;
}

export function folioWriteback(w: MmuWorld, m: Mmu, f: number): boolean {
  return m.writeback && w.folioWriteback![f] === 1;
}

export function folioHasBuffers(w: MmuWorld, m: Mmu, f: number): boolean {
  return m.buffers && w.folioBuffers![f] === 1;
}

/** The folio's data version (0 when content is not tracked). */
export function folioVersion(w: MmuWorld, m: Mmu, f: number): number {
  return m.versions > 0 ? w.folioVersion![f]! : 0;
}

/** folio_trylock(): takes the lock and returns true, or returns false if it is held. */
export function folioTrylock(w: MmuWorld, m: Mmu, f: number): boolean {
  if (!m.pageLock) return true;
  if (w.folioLocked![f] === 1) return false;
  w.folioLocked![f] = 1;
  return true;
}

/** folio_lock(): guard the step with `!folioLocked` (the sleep); locking a held folio is a model error. */
export function folioLock(w: MmuWorld, m: Mmu, f: number): void {
  if (!m.pageLock) return;
  if (w.folioLocked![f] === 1) throw new Error(`folio_lock: folio ${f} is already locked (guard the step with !folioLocked)`);
  w.folioLocked![f] = 1;
}

/** folio_unlock(): unlocking an unlocked folio is a model error (the kernel would BUG). */
export function folioUnlock(w: MmuWorld, m: Mmu, f: number): void {
  if (!m.pageLock) return;
  if (w.folioLocked![f] !== 1) throw new Error(`folio_unlock: folio ${f} is not locked`);
  w.folioLocked![f] = 0;
}

/** folio_mark_dirty() / set_page_dirty(). */
export function folioMarkDirty(w: MmuWorld, m: Mmu, f: number): void {
  if (m.dirty) w.folioDirty![f] = 1;
}

/** The folio's data changed: bump its version (modulo `versions`, so any single change is visible). */
export function folioBumpVersion(w: MmuWorld, m: Mmu, f: number): void {
  if (m.versions > 0) w.folioVersion![f] = (w.folioVersion![f]! + 1) % m.versions;
}

/** A CPU store into the folio through a user mapping or the kernel mapping: new data, folio dirty. */
export function folioWrite(w: MmuWorld, m: Mmu, f: number): void {
  folioBumpVersion(w, m, f);
  folioMarkDirty(w, m, f);
}

/**
 * A device writes into the folio by DMA (the `DMA` environment agent of the stable-pages protocol): new data,
 * and nothing marks the folio dirty (the pinner does that at unpin time, set_page_dirty_lock()).
 */
export function dmaWrite(w: MmuWorld, m: Mmu, f: number): void {
  folioBumpVersion(w, m, f);
}

/**
 * folio_mkclean() (mm/rmap.c): write-protect every PTE that maps the folio (rmap walk, ptep_clear_flush,
 * pte_wrprotect(pte_mkclean())). Returns how many PTEs were writable. Migration entries are left alone.
 */
export function folioMkclean(w: MmuWorld, m: Mmu, f: number): number {
  const first = m.folioFirstPage[f]!;
  const end = first + m.folioNrPages[f]!;
  let cleaned = 0;
  for (let p = first; p < end; p++) {
    if (w.pte[p] === PTE_PRESENT_RW) {
      w.pte[p] = PTE_PRESENT_RO;
      cleaned++;
    }
  }
  return cleaned;
}

/** What folio_clear_dirty_for_io() will return: the folio is dirty. */
export function folioClearDirtyForIoResult(w: MmuWorld, m: Mmu, f: number): boolean {
  return folioDirty(w, m, f);
}

/**
 * folio_clear_dirty_for_io() (mm/page-writeback.c): folio_mkclean() the mappings, then test-and-clear
 * PG_dirty. Returns whether it was dirty. (The PTE dirty bits are already folded into PG_dirty here.)
 */
export function folioClearDirtyForIo(w: MmuWorld, m: Mmu, f: number): boolean {
  const was = folioDirty(w, m, f);
  folioMkclean(w, m, f);
  if (m.dirty) w.folioDirty![f] = 0;
  return was;
}

/**
 * folio_start_writeback(): PG_writeback set. The world also records the data version the I/O will checksum
 * (`folioWbSnapshot`, for the property "stable pages") and whether folio_maybe_dma_pinned() was false at
 * this moment (`folioWbChecked`, for no pin after a negative check: no pin may appear after a negative check until the end).
 */
export function folioStartWriteback(w: MmuWorld, m: Mmu, f: number): void {
  if (!m.writeback) throw new Error('folio_start_writeback: the world has no writeback flag (set writeback: true)');
  w.folioWriteback![f] = 1;
  if (m.wbSnapshot) w.folioWbSnapshot![f] = w.folioVersion![f]!;
  if (m.wbChecked) w.folioWbChecked![f] = folioMaybeDmaPinned(w, m, f) ? 0 : 1;
}

/** folio_end_writeback(): PG_writeback cleared; the snapshot and the check ghost reset to 0. */
export function folioEndWriteback(w: MmuWorld, m: Mmu, f: number): void {
  if (!m.writeback) return;
  if (w.folioWriteback![f] !== 1) throw new Error(`folio_end_writeback: folio ${f} is not under writeback`);
  w.folioWriteback![f] = 0;
  if (m.wbSnapshot) w.folioWbSnapshot![f] = 0;
  if (m.wbChecked) w.folioWbChecked![f] = 0;
}

/** folio_wait_stable() would sleep: the mapping needs stable writes and the folio is under writeback. */
export function folioWaitStableNeeded(w: MmuWorld, m: Mmu, f: number): boolean {
  return m.stableWrites && folioWriteback(w, m, f);
}

/**
 * Whether ->page_mkwrite() (filemap_page_mkwrite(), mm/filemap.c; the shape ext4/iomap share) can run
 * now: it sleeps in folio_lock() and, with the folio locked, in folio_wait_stable(). FAULT_DONE or
 * FAULT_WAIT.
 */
export function pageMkwriteOutcome(w: MmuWorld, m: Mmu, f: number): number {
  if (folioLocked(w, m, f) || folioWaitStableNeeded(w, m, f)) return FAULT_WAIT;
  return FAULT_DONE;
}

/**
 * ->page_mkwrite() as one step (lock, mark dirty, wait stable, unlock in the caller's finish_mkwrite):
 * the folio becomes dirty and, when the world tracks buffers, gets them (block_page_mkwrite() /
 * ext4_page_mkwrite() attach buffers: "the fs was told"). Guard with `pageMkwriteOutcome === FAULT_DONE`.
 */
export function pageMkwrite(w: MmuWorld, m: Mmu, f: number): void {
  if (pageMkwriteOutcome(w, m, f) !== FAULT_DONE)
    throw new Error(`page_mkwrite: folio ${f} is locked or under stable writeback (guard with pageMkwriteOutcome)`);
  folioMarkDirty(w, m, f);
  if (m.buffers) w.folioBuffers![f] = 1;
}

/** filemap_release_folio() / try_to_release_folio() succeeds: buffers, and neither dirty nor under writeback. */
export function folioReleaseBuffersOk(w: MmuWorld, m: Mmu, f: number): boolean {
  return folioHasBuffers(w, m, f) && !folioDirty(w, m, f) && !folioWriteback(w, m, f);
}

/** Release the folio's buffers (the truncate/reclaim step of the stable-pages protocol before the ext4 dirty file folio has buffers counterexample). */
export function folioReleaseBuffers(w: MmuWorld, m: Mmu, f: number): boolean {
  if (!folioReleaseBuffersOk(w, m, f)) return false;
  w.folioBuffers![f] = 0;
  return true;
}

/** Restore a migration entry to the PTE it stands for (remove_migration_pte()). */
export function migrationEntryToPte(pte: number): number {
  return pte === PTE_MIGRATION_RW ? PTE_PRESENT_RW : PTE_PRESENT_RO;
}
