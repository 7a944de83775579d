/**
 * get_user_pages: FOLL_GET references and FOLL_PIN pins, the GUP-fast path with its PTE re-check, the slow
 * path through a fault, FOLL_NOFAULT and FOLL_LONGTERM (mm/gup.c).
 *
 * GUP-fast, per page (gup_fast_pte_range()): read the PTE locklessly; it must be present and, for
 * FOLL_WRITE, writable (pte_access_permitted()), else fall back to the slow path. Grab the folio
 * speculatively (try_grab_folio_fast(): +1 reference, then for FOLL_PIN +BIAS-1 or _pincount++ - two
 * atomic adds), then re-read the PTE: if it changed, drop the folio and go slow
 * (the Dekker pattern against folio_mkclean()). FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE
 * on a file mapping that is not shmem is not allowed in the fast path (gup_fast_folio_allowed(),
 * a6e79df92e4a, v6.5): it drops the folio and falls back - it does not refuse.
 * Actors that race GUP-fast against writeback use the three steps `gupFastTryGetFolio`,
 * `gupFastCompletePin`, `gupFastPteUnchanged`; the others use the atomic `gupFast` or the whole call
 * `getUserPagesFast`.
 *
 * Slow path, per page (__get_user_pages() under mmap_lock): check_vma_flags() refuses a VMA without the
 * permission and FOLL_LONGTERM|FOLL_WRITE on a mapping that needs dirty tracking (8ac268436e6d);
 * follow_page_mask() takes the folio if the PTE allows; otherwise FOLL_NOFAULT fails with -EFAULT
 * (55b8fe703bc5), else faultin_page() runs handle_mm_fault() (FAULT_FLAG_ALLOW_RETRY|KILLABLE, WRITE for
 * FOLL_WRITE) and takes the folio when it is done. GUP never touches the data, so tags and poisoned units
 * of a mapped page do not stop it.
 */
import type { Mmu } from './config.js';
import {
  BACKING_FILE,
  BLOCKED,
  EFAULT,
  EHWPOISON,
  ENOMEM,
  FAULT_DONE,
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_WRITE,
  FAULT_HWPOISON,
  FAULT_OOM,
  FAULT_RETRY,
  FAULT_WAIT,
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_NOFAULT,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_BLOCKED,
  GUP_EFAULT,
  GUP_EHWPOISON,
  GUP_ENOMEM,
  GUP_NAMES,
  GUP_OK,
  GUP_RETRY,
  GUP_SLOW,
  PTE_PRESENT_RO,
  PTE_PRESENT_RW,
  VMA_NONE,
  VMA_RW,
} from './constants.js';
import { handleMmFault, handleMmFaultOutcome } from './fault.js';
import { folioLocked, folioMarkDirty } from './folio.js';
import { mmapReadLockable } from './mmapLock.js';
import { grabFolio, gupPutFolio } from './pins.js';
import { folioOf, type MmuWorld } from './world.js';

/**
 * pte_access_permitted(pte, FOLL_WRITE): present, and writable if FOLL_WRITE. A PTE under a PROT_NONE VMA
 * is a pte_protnone() entry in the kernel, which GUP-fast and follow_page() refuse too.
 */
export function gupPteAllows(w: MmuWorld, p: number, flags: number): boolean {
  const pte = w.pte[p]!;
  return w.vma[p] !== VMA_NONE && (pte === PTE_PRESENT_RW || (!(flags & FOLL_WRITE) && pte === PTE_PRESENT_RO));
}

/** gup_fast_folio_allowed(): false for FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE on a (non-shmem) file mapping. */
export function gupFastFolioAllowed(m: Mmu, p: number, flags: number): boolean {
  const all = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
  return (flags & all) !== all || m.backing[p] !== BACKING_FILE;
}

/** What GUP-fast does with page p now: GUP_OK (it would take the folio) or GUP_SLOW. */
export function gupFastOutcome(w: MmuWorld, m: Mmu, p: number, flags: number): number {
  return gupPteAllows(w, p, flags) && gupFastFolioAllowed(m, p, flags) ? GUP_OK : GUP_SLOW;
}

/** GUP-fast for one page as one atomic step: grabs the folio (FOLL_GET or FOLL_PIN) and returns GUP_OK, or GUP_SLOW. */
export function gupFast(w: MmuWorld, m: Mmu, p: number, flags: number): number {
  const o = gupFastOutcome(w, m, p, flags);
  if (o === GUP_OK) grabFolio(w, m, folioOf(m, p), flags);
  return o;
}

/** GUP-fast step 1: the speculative reference (try_get_folio(): +1 plain reference, for GET and PIN alike). */
export function gupFastTryGetFolio(w: MmuWorld, m: Mmu, p: number): void {
  grabFolio(w, m, folioOf(m, p), FOLL_GET);
}

/**
 * GUP-fast step 2 for FOLL_PIN: the speculative reference becomes a pin (+GUP_PIN_COUNTING_BIAS-1 on a
 * small folio, _pincount++ on a large one). Until this step folio_maybe_dma_pinned() cannot see the pin.
 */
export function gupFastCompletePin(w: MmuWorld, m: Mmu, p: number): void {
  const f = folioOf(m, p);
  gupPutFolio(w, m, f, FOLL_GET);
  grabFolio(w, m, f, FOLL_PIN);
}

/** GUP-fast step 3: the re-check `pte_val(pte) == pte_val(ptep_get(ptep))` against the value read in step 0. */
export function gupFastPteUnchanged(w: MmuWorld, p: number, pteSeen: number): boolean {
  return w.pte[p] === pteSeen;
}

/** The slow path for page p now: GUP_OK, GUP_EFAULT, GUP_ENOMEM, GUP_EHWPOISON, GUP_RETRY or GUP_BLOCKED. Pure. */
export function gupSlowOutcome(w: MmuWorld, m: Mmu, p: number, flags: number): number {
  const write = (flags & FOLL_WRITE) !== 0;
  const vma = w.vma[p]!;
  if (vma === VMA_NONE || (write && vma !== VMA_RW)) return GUP_EFAULT;
  if (write && flags & FOLL_LONGTERM && m.backing[p] === BACKING_FILE) return GUP_EFAULT;
  if (gupPteAllows(w, p, flags)) return GUP_OK;
  if (flags & FOLL_NOFAULT) return GUP_EFAULT;
  const o = handleMmFaultOutcome(w, m, p, FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | (write ? FAULT_FLAG_WRITE : 0));
  if (o === FAULT_DONE) return GUP_OK;
  if (o === FAULT_RETRY) return GUP_RETRY;
  if (o === FAULT_WAIT) return GUP_BLOCKED;
  if (o === FAULT_HWPOISON) return GUP_EHWPOISON;
  if (o === FAULT_OOM) return GUP_ENOMEM;
  return GUP_EFAULT;
}

/**
 * The slow path for page p applied (the caller holds mmap_lock as `owner`, or -1): faults the page in if
 * needed and grabs the folio on GUP_OK; on GUP_RETRY the fault dropped mmap_lock. GUP_BLOCKED is a model
 * error (guard with `gupSlowOutcome`).
 */
export function gupSlow(w: MmuWorld, m: Mmu, p: number, flags: number, owner: number): number {
  const o = gupSlowOutcome(w, m, p, flags);
  if (o === GUP_BLOCKED) throw new Error(`__get_user_pages(p${p}) would sleep here (${GUP_NAMES[o]}): guard with gupSlowOutcome`);
  const faultFlags = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | (flags & FOLL_WRITE ? FAULT_FLAG_WRITE : 0);
  if (o === GUP_RETRY) {
    handleMmFault(w, m, p, faultFlags, owner);
    return o;
  }
  if (o !== GUP_OK) return o;
  if (!gupPteAllows(w, p, flags)) handleMmFault(w, m, p, faultFlags, owner);
  grabFolio(w, m, folioOf(m, p), flags);
  return o;
}

function errno(o: number): number {
  return o === GUP_ENOMEM ? -ENOMEM : o === GUP_EHWPOISON ? -EHWPOISON : -EFAULT;
}

/** get_user_pages_fast() applied, returning BLOCKED instead of throwing (with the pages before it taken). */
export function tryGetUserPagesFast(w: MmuWorld, m: Mmu, first: number, n: number, flags: number): number {
  let i = 0;
  for (; i < n; i++) {
    const p = first + i;
    if (gupFastOutcome(w, m, p, flags) !== GUP_OK) break;
    grabFolio(w, m, folioOf(m, p), flags);
  }
  if (i === n) return n;
  if (!mmapReadLockable(w, m)) return BLOCKED;
  for (; i < n; i++) {
    const o = gupSlowOutcome(w, m, first + i, flags);
    if (o === GUP_RETRY || o === GUP_BLOCKED) return BLOCKED;
    if (o !== GUP_OK) return i > 0 ? i : errno(o);
    gupSlow(w, m, first + i, flags, -1);
  }
  return n;
}

/**
 * get_user_pages_fast() / pin_user_pages_fast() (mm/gup.c) on pages [first, first + n) as one atomic step:
 * GUP-fast takes the leading pages it can, the slow path (mmap_read_lock) the rest, stopping at the first
 * failure. Returns the number of pages taken, or -errno if none (-EFAULT, -ENOMEM, -EHWPOISON). `flags`
 * must hold FOLL_GET or FOLL_PIN. A call that would sleep is a model error: guard with the Result.
 */
export function getUserPagesFast(w: MmuWorld, m: Mmu, first: number, n: number, flags: number): number {
  if (!(first >= 0 && n >= 1 && first + n <= m.pages)) throw new RangeError(`get_user_pages_fast: pages [${first}, ${first + n}) are outside [0, ${m.pages})`);
  const r = tryGetUserPagesFast(w, m, first, n, flags);
  if (r === BLOCKED) throw new Error(`get_user_pages_fast(p${first}, ${n}) would sleep here: guard the step with getUserPagesFastResult`);
  return r;
}

/** What get_user_pages_fast() would return now, or BLOCKED. Dry run. */
export function getUserPagesFastResult(w: MmuWorld, m: Mmu, first: number, n: number, flags: number): number {
  if (!(first >= 0 && n >= 1 && first + n <= m.pages)) throw new RangeError(`get_user_pages_fast: pages [${first}, ${first + n}) are outside [0, ${m.pages})`);
  return tryGetUserPagesFast(m.shadow.load(w), m, first, n, flags);
}

/** Drops what getUserPagesFast took on pages [first, first + count): put_page() or unpin_user_page() each. */
export function releaseUserPages(w: MmuWorld, m: Mmu, first: number, count: number, flags: number): void {
  for (let i = 0; i < count; i++) gupPutFolio(w, m, folioOf(m, first + i), flags);
}

/** unpin_user_pages_dirty_lock() for one folio would sleep: folio_lock() in set_page_dirty_lock(). */
export function unpinDirtyLockBlocked(w: MmuWorld, m: Mmu, f: number): boolean {
  return folioLocked(w, m, f);
}

/**
 * unpin_user_page_range_dirty_lock() / unpin_user_pages_dirty_lock() for one folio: set_page_dirty_lock()
 * (under the folio lock; no ->page_mkwrite(), which is how a folio gets dirty without buffers, dirty file folio has buffers), then
 * unpin. Guard with `!unpinDirtyLockBlocked`.
 */
export function unpinUserPageDirtyLock(w: MmuWorld, m: Mmu, f: number): void {
  if (folioLocked(w, m, f)) throw new Error(`set_page_dirty_lock: folio ${f} is locked (guard with unpinDirtyLockBlocked)`);
  folioMarkDirty(w, m, f);
  gupPutFolio(w, m, f, FOLL_PIN);
}

/** set_page_dirty_lock() for a FOLL_GET reference holder, then put_page() (the pre-FOLL_PIN pattern of the short-term pin problem). */
export function putPageDirtyLock(w: MmuWorld, m: Mmu, f: number): void {
  if (folioLocked(w, m, f)) throw new Error(`set_page_dirty_lock: folio ${f} is locked (guard with unpinDirtyLockBlocked)`);
  folioMarkDirty(w, m, f);
  gupPutFolio(w, m, f, FOLL_GET);
}
