/**
 * handle_mm_fault() for one page, as a pure outcome function and an effect that applies it. The outcome is
 * a function of the world and the fault flags only (no signals: the arch handler decides what a signal
 * does with VM_FAULT_RETRY, fault_signal_pending()).
 *
 * In front of handle_mm_fault() sits the arch code's VMA check (lock_mm_and_find_vma(), access_error()):
 * no VMA permission is FAULT_SIGSEGV here. Then, by PTE state (mm/memory.c handle_pte_fault()):
 * - migration entry: migration_entry_wait() sleeps until the migration ends: FAULT_WAIT.
 * - present with the needed permission: a spurious fault, FAULT_DONE with no change.
 * - absent on a userfaultfd page: handle_userfault() drops mmap_lock and waits for the handler:
 *   FAULT_RETRY with FAULT_FLAG_ALLOW_RETRY, else VM_FAULT_SIGBUS.
 * - absent or swapped out with a poisoned unit in the page: VM_FAULT_HWPOISON.
 * - absent / swap entry and the folio is locked (filemap_fault()'s lock_folio_maybe_drop_mmap(),
 *   do_swap_page()'s folio_lock_or_retry()): FAULT_RETRY with ALLOW_RETRY (mmap_lock dropped unless
 *   RETRY_NOWAIT; the kernel then sleeps until the folio is unlocked), FAULT_WAIT without.
 * - write to a read-only file PTE (wp_page_shared() -> ->page_mkwrite()): folio_lock() and
 *   folio_wait_stable() sleep uninterruptibly: FAULT_WAIT while the folio is locked or under stable
 *   writeback. A write fault on an absent file page runs ->page_mkwrite() too (do_shared_fault()).
 * - the page must become resident and the LRU is full with nothing evictable: VM_FAULT_OOM.
 * - otherwise FAULT_DONE: the PTE is installed (read faults map file pages read-only, for write-notify, and
 *   anon/shmem pages writable when the VMA is; write faults map writable), the page enters the LRU.
 *
 * Simplifications, stated: anonymous read faults map the page itself (no shared zero page); COW between
 * address spaces is not modelled (one mm); a write fault dirties the folio.
 */
import type { Mmu } from './config.js';
import {
  BACKING_ANON,
  BACKING_FILE,
  BACKING_UFFD,
  FAULT_DONE,
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_WRITE,
  FAULT_HWPOISON,
  FAULT_NAMES,
  FAULT_OOM,
  FAULT_RETRY,
  FAULT_SIGBUS,
  FAULT_SIGSEGV,
  FAULT_WAIT,
  PTE_ABSENT,
  PTE_PRESENT_RO,
  PTE_PRESENT_RW,
  PTE_SWAP,
  VMA_NONE,
  VMA_RW,
  pteMigration,
  pteResident,
} from './constants.js';
import { folioLocked, folioMarkDirty, folioWaitStableNeeded } from './folio.js';
import { lruCanMakeResident, lruMakeResident, lruTouch } from './lru.js';
import { mmapReadUnlock } from './mmapLock.js';
import { folioOf, type MmuWorld } from './world.js';

/** Some unit of page p is poisoned. */
export function pagePoisoned(w: MmuWorld, m: Mmu, p: number): boolean {
  if (!m.poison) return false;
  const u = m.unitsPerPage;
  for (let a = p * u; a < (p + 1) * u; a++) if (w.poison![a] === 1) return true;
  return false;
}

/** The PTE a successful fault installs. */
function faultedPte(w: MmuWorld, m: Mmu, p: number, write: boolean): number {
  if (write) return PTE_PRESENT_RW;
  if (m.backing[p] === BACKING_FILE) return PTE_PRESENT_RO;
  return w.vma[p] === VMA_RW ? PTE_PRESENT_RW : PTE_PRESENT_RO;
}

/** The outcome handle_mm_fault(page p, flags) would have now (FAULT_*); see the file comment. Pure. */
export function handleMmFaultOutcome(w: MmuWorld, m: Mmu, p: number, flags: number): number {
  const write = (flags & FAULT_FLAG_WRITE) !== 0;
  const vma = w.vma[p]!;
  if (vma === VMA_NONE || (write && vma !== VMA_RW)) return FAULT_SIGSEGV;
  const pte = w.pte[p]!;
  if (pteMigration(pte)) return FAULT_WAIT;
  if (pte === PTE_PRESENT_RW || (!write && pte === PTE_PRESENT_RO)) return FAULT_DONE;
  const b = m.backing[p]!;
  const f = folioOf(m, p);
  if (pte === PTE_ABSENT && b === BACKING_UFFD) return flags & FAULT_FLAG_ALLOW_RETRY ? FAULT_RETRY : FAULT_SIGBUS;
  if ((pte === PTE_ABSENT || pte === PTE_SWAP) && pagePoisoned(w, m, p)) return FAULT_HWPOISON;
  const locked = folioLocked(w, m, f);
  if (locked && (pte === PTE_SWAP || (pte === PTE_ABSENT && b !== BACKING_ANON))) {
    // filemap_fault() / do_swap_page(): lock the folio or retry.
    return flags & FAULT_FLAG_ALLOW_RETRY ? FAULT_RETRY : FAULT_WAIT;
  }
  if (write && b === BACKING_FILE && (locked || folioWaitStableNeeded(w, m, f))) return FAULT_WAIT; // ->page_mkwrite()
  if (!pteResident(pte) && !lruCanMakeResident(w, m, p)) return FAULT_OOM;
  return FAULT_DONE;
}

/**
 * handle_mm_fault(page p, flags) applied: returns the outcome and makes its changes. FAULT_DONE installs the
 * PTE (and runs ->page_mkwrite() for a file write fault: folio dirty, buffers attached); FAULT_RETRY drops
 * `owner`'s mmap_lock (the core mm unlocks for the caller) unless FAULT_FLAG_RETRY_NOWAIT; error outcomes
 * change nothing. Applying a FAULT_WAIT outcome is a model error: guard the step with the outcome.
 * `owner` is the caller's mmap_lock owner index, or -1 when the caller does not track mmap_lock.
 */
export function handleMmFault(w: MmuWorld, m: Mmu, p: number, flags: number, owner: number): number {
  const o = handleMmFaultOutcome(w, m, p, flags);
  if (o === FAULT_WAIT) throw new Error(`handle_mm_fault(p${p}) must sleep here (${FAULT_NAMES[o]}): guard the step with handleMmFaultOutcome`);
  if (o === FAULT_RETRY) {
    if (!(flags & FAULT_FLAG_RETRY_NOWAIT)) mmapReadUnlock(w, m, owner);
    return o;
  }
  if (o !== FAULT_DONE) return o;
  const write = (flags & FAULT_FLAG_WRITE) !== 0;
  const pte = w.pte[p]!;
  if (pte === PTE_PRESENT_RW || (!write && pte === PTE_PRESENT_RO)) {
    if (m.touchOnAccess) lruTouch(w, m, p);
    return o;
  }
  if (!pteResident(pte)) lruMakeResident(w, m, p);
  else lruTouch(w, m, p);
  w.pte[p] = faultedPte(w, m, p, write);
  if (write) folioMarkDirty(w, m, folioOf(m, p));
  if (write && m.backing[p] === BACKING_FILE && m.buffers) w.folioBuffers![folioOf(m, p)] = 1;
  return o;
}

/** UFFDIO_COPY can resolve page p: a userfaultfd page still missing, and room to make it resident. */
export function uffdioCopyOk(w: MmuWorld, m: Mmu, p: number): boolean {
  return m.backing[p] === BACKING_UFFD && w.pte[p] === PTE_ABSENT && w.vma[p] !== VMA_NONE && lruCanMakeResident(w, m, p);
}

/**
 * UFFDIO_COPY (mfill_atomic_copy()): the userfaultfd handler fills page p and maps it (writable if the VMA
 * is), which wakes the faulting thread. The new content bumps the data version. Guard with `uffdioCopyOk`.
 */
export function uffdioCopy(w: MmuWorld, m: Mmu, p: number): void {
  if (!uffdioCopyOk(w, m, p)) throw new Error(`UFFDIO_COPY(p${p}): not a missing userfaultfd page, or no room (guard with uffdioCopyOk)`);
  lruMakeResident(w, m, p);
  w.pte[p] = w.vma[p] === VMA_RW ? PTE_PRESENT_RW : PTE_PRESENT_RO;
  if (m.versions > 0) {
    const f = folioOf(m, p);
    w.folioVersion![f] = (w.folioVersion![f]! + 1) % m.versions;
  }
}
