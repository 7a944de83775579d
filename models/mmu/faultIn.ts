/**
 * The fault-in primitives of mm/gup.c and their arm64 sub-page probe. All return units NOT faulted in
 * (like copy_to_user()), and each is one atomic step that faults pages in as it goes (LRU evictions
 * included). A call is enabled only when it can run to the end without sleeping: its `...Result` dry run
 * returns BLOCKED otherwise (a locked folio, a migration entry, an unresolved userfaultfd page, mmap_lock
 * held or wanted by a writer), and applying a blocked call is a model error. Actors that need the sleep in
 * the middle of a call, or a signal, step page by page with `faultInProbe` / `fixupUserFault`.
 *
 * Probes are kernel-mode uaccesses with page faults enabled: an mm fault goes through handle_mm_fault()
 * (FAULT_FLAG_DEFAULT, no FAULT_FLAG_USER); bad VMAs, tag mismatches, poison and fault errors fail the
 * probe (the exception-table fixup). Kernel-mode faults always take mmap_lock.
 */
import { unitAccess, unitContentAccess, touchUnits } from './access.js';
import type { Mmu } from './config.js';
import {
  ACCESS_FAULT,
  ACCESS_OK,
  BLOCKED,
  FAULT_DONE,
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_KILLABLE,
  FAULT_FLAG_WRITE,
  FAULT_RETRY,
  FAULT_WAIT,
  VMA_NONE,
  VMA_RW,
} from './constants.js';
import { writeUserUnits } from './copy.js';
import { handleMmFault, handleMmFaultOutcome } from './fault.js';
import { mmapReadLockable } from './mmapLock.js';
import { checkRange, pageAlignDown, pageAlignUp, pageOf, type MmuWorld } from './world.js';

/** A probe succeeded. */
export const PROBE_OK = 0;
/** A probe failed (fixup): bad VMA, tag mismatch, poison, or a fault error. */
export const PROBE_FAIL = 1;
/** A probe would sleep (see the file comment). */
export const PROBE_BLOCKED = 2;
export const PROBE_NAMES = ['ok', 'fail', 'blocked'] as const;

/** How one probe of unit `a` (unsafe_get_user / unsafe_put_user with faults enabled) ends now: PROBE_*. Pure. */
export function faultInProbeOutcome(w: MmuWorld, m: Mmu, a: number, write: boolean): number {
  const acc = unitAccess(w, m, a, write);
  if (acc === ACCESS_OK) return PROBE_OK;
  if (acc !== ACCESS_FAULT) return PROBE_FAIL;
  if (!mmapReadLockable(w, m)) return PROBE_BLOCKED;
  const o = handleMmFaultOutcome(w, m, pageOf(m, a), FAULT_FLAG_DEFAULT | (write ? FAULT_FLAG_WRITE : 0));
  if (o === FAULT_DONE) return unitContentAccess(w, m, a) === ACCESS_OK ? PROBE_OK : PROBE_FAIL;
  if (o === FAULT_RETRY || o === FAULT_WAIT) return PROBE_BLOCKED;
  return PROBE_FAIL;
}

/**
 * One probe applied: faults the page in if needed; a successful write probe stores a zero (destructive:
 * the folio gets a new version and PG_dirty), a read probe only touches. Returns PROBE_OK or PROBE_FAIL;
 * a blocked probe returns PROBE_BLOCKED and changes nothing (guard with `faultInProbeOutcome`).
 */
export function faultInProbe(w: MmuWorld, m: Mmu, a: number, write: boolean): number {
  const r = faultInProbeOutcome(w, m, a, write);
  if (r === PROBE_BLOCKED) return r;
  if (unitAccess(w, m, a, write) === ACCESS_FAULT) handleMmFault(w, m, pageOf(m, a), FAULT_FLAG_DEFAULT | (write ? FAULT_FLAG_WRITE : 0), -1);
  if (r === PROBE_OK) {
    if (write) writeUserUnits(w, m, a, 1);
    else touchUnits(w, m, a, 1);
  }
  return r;
}

/** The next address a page-granular fault-in probes after `uaddr`: the next page start. */
export function faultInNextAddress(m: Mmu, uaddr: number): number {
  return pageAlignDown(m, uaddr) + m.unitsPerPage;
}

/** Where a fault-in of [a, a + size) stops probing: PAGE_ALIGN(a + size). */
export function faultInEnd(m: Mmu, a: number, size: number): number {
  return pageAlignUp(m, a + size);
}

/** The fault_in_*() return: `size > uaddr - start ? size - (uaddr - start) : 0`, uaddr the first unprobed address. */
export function faultInNotFaulted(size: number, start: number, uaddr: number): number {
  return size > uaddr - start ? size - (uaddr - start) : 0;
}

/**
 * fault_in_readable() (write false) or fault_in_writeable() (write true) applied, returning BLOCKED instead
 * of throwing when a probe would sleep (with the earlier probes applied). For dry runs on a shadow and for
 * callers that checked the Result first.
 */
export function tryFaultInPages(w: MmuWorld, m: Mmu, a: number, size: number, write: boolean): number {
  if (size === 0) return 0;
  let uaddr = a;
  if (uaddr % m.unitsPerPage !== 0) {
    const r = faultInProbe(w, m, uaddr, write);
    if (r === PROBE_BLOCKED) return BLOCKED;
    if (r !== PROBE_OK) return size;
    uaddr = pageAlignUp(m, uaddr);
  }
  const end = faultInEnd(m, a, size);
  while (uaddr !== end) {
    const r = faultInProbe(w, m, uaddr, write);
    if (r === PROBE_BLOCKED) return BLOCKED;
    if (r !== PROBE_OK) break;
    uaddr += m.unitsPerPage;
  }
  return faultInNotFaulted(size, a, uaddr);
}

function unblocked(r: number, what: string, a: number, size: number): number {
  if (r === BLOCKED) throw new Error(`${what}(${a}, ${size}) would sleep here: guard the step with its Result function (BLOCKED)`);
  return r;
}

/**
 * fault_in_readable() (mm/gup.c, bb523b406c84, v5.16): probes the exact first unit, then one unit at each
 * later page start, with reads; returns units not faulted in (page granularity: a page whose start was
 * read counts as a whole).
 */
export function faultInReadable(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_readable');
  return unblocked(tryFaultInPages(w, m, a, size, false), 'fault_in_readable', a, size);
}

/** What fault_in_readable() would return now, or BLOCKED. Dry run; changes nothing. */
export function faultInReadableResult(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_readable');
  return tryFaultInPages(m.shadow.load(w), m, a, size, false);
}

/**
 * fault_in_writeable() (mm/gup.c, bb523b406c84): like fault_in_readable() but DESTRUCTIVE - each probe
 * stores a zero (unsafe_put_user(0, ...)), so a probed folio gets a new version and PG_dirty.
 */
export function faultInWriteable(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_writeable');
  return unblocked(tryFaultInPages(w, m, a, size, true), 'fault_in_writeable', a, size);
}

/** What fault_in_writeable() would return now, or BLOCKED. */
export function faultInWriteableResult(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_writeable');
  return tryFaultInPages(m.shadow.load(w), m, a, size, true);
}

/**
 * How fixup_user_fault() (mm/gup.c) ends for page p now: PROBE_OK, PROBE_FAIL (vma_permits_fault() fails,
 * or handle_mm_fault() returns an error), or PROBE_BLOCKED (VM_FAULT_RETRY: it re-takes mmap_lock and
 * retries after the sleep). It is a real fault with FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE, not an
 * access: it never sees MTE tags or poisoned units of a mapped page.
 */
export function fixupUserFaultOutcome(w: MmuWorld, m: Mmu, p: number, write: boolean): number {
  const vma = w.vma[p]!;
  if (vma === VMA_NONE || (write && vma !== VMA_RW)) return PROBE_FAIL;
  const o = handleMmFaultOutcome(w, m, p, FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | (write ? FAULT_FLAG_WRITE : 0));
  if (o === FAULT_DONE) return PROBE_OK;
  if (o === FAULT_RETRY || o === FAULT_WAIT) return PROBE_BLOCKED;
  return PROBE_FAIL;
}

/** fixup_user_fault() applied to page p (the caller holds mmap_lock). Returns PROBE_*; blocked changes nothing. */
export function fixupUserFault(w: MmuWorld, m: Mmu, p: number, write: boolean): number {
  const r = fixupUserFaultOutcome(w, m, p, write);
  if (r === PROBE_OK) handleMmFault(w, m, p, FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | (write ? FAULT_FLAG_WRITE : 0), -1);
  return r;
}

/** fault_in_safe_writeable() applied, returning BLOCKED instead of throwing (see tryFaultInPages). */
export function tryFaultInSafeWriteable(w: MmuWorld, m: Mmu, a: number, size: number): number {
  if (size === 0) return 0;
  if (!mmapReadLockable(w, m)) return BLOCKED;
  const end = faultInEnd(m, a, size);
  let start = a;
  do {
    const r = fixupUserFault(w, m, pageOf(m, start), true);
    if (r === PROBE_BLOCKED) return BLOCKED;
    if (r !== PROBE_OK) break;
    start = faultInNextAddress(m, start);
  } while (start !== end);
  if (m.faultInSafeWriteableBuggy) return start === a ? size : 0;
  return faultInNotFaulted(size, a, start);
}

/**
 * fault_in_safe_writeable() (mm/gup.c, fe673d3f5bf1, v5.17): non-destructive; under mmap_read_lock() it
 * runs fixup_user_fault(FAULT_FLAG_WRITE) on each page from `a`, stopping at the first failure. Page
 * granularity, no sub-page (MTE) probe. Returns units not faulted in: `size - (start - a)`, or with the
 * `faultInSafeWriteableReturn: 'v5.17-buggy'` option the form shipped from fe673d3f5bf1 until 8c03ebd7cdc0
 * (Apr 2025): `size` if the first page failed, else 0 ("everything faulted in" after any success).
 */
export function faultInSafeWriteable(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_safe_writeable');
  return unblocked(tryFaultInSafeWriteable(w, m, a, size), 'fault_in_safe_writeable', a, size);
}

/** What fault_in_safe_writeable() would return now, or BLOCKED. */
export function faultInSafeWriteableResult(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_safe_writeable');
  return tryFaultInSafeWriteable(m.shadow.load(w), m, a, size);
}

function probeSubpage(w: MmuWorld, m: Mmu, a: number, size: number): number {
  if (!m.mte) return 0;
  const end = a + size;
  const r0 = faultInProbe(w, m, a, false);
  if (r0 === PROBE_BLOCKED) return BLOCKED;
  if (r0 !== PROBE_OK) return size;
  for (let u = a; u < end; u++) {
    const r = faultInProbe(w, m, u, false);
    if (r === PROBE_BLOCKED) return BLOCKED;
    if (r !== PROBE_OK) return end - u;
  }
  return 0;
}

/**
 * probe_subpage_writeable() (include/linux/uaccess.h; arm64 f3ba50a7a100, v5.19): 0 without MTE; with MTE,
 * mte_probe_user_range(): read the exact first unit (failure: `size`), then every granule from there
 * (failure at u: `end - u`). Reads suffice for MTE: tag checks apply to loads and stores alike.
 */
export function probeSubpageWriteable(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'probe_subpage_writeable');
  return unblocked(probeSubpage(w, m, a, size), 'probe_subpage_writeable', a, size);
}

/** fault_in_subpage_writeable() applied, returning BLOCKED instead of throwing (see tryFaultInPages). */
export function tryFaultInSubpageWriteable(w: MmuWorld, m: Mmu, a: number, size: number): number {
  const r = tryFaultInPages(w, m, a, size, true);
  if (r === BLOCKED) return BLOCKED;
  let faultedIn = size - r;
  if (faultedIn) {
    const p = probeSubpage(w, m, a, faultedIn);
    if (p === BLOCKED) return BLOCKED;
    faultedIn -= p;
  }
  return size - faultedIn;
}

/**
 * fault_in_subpage_writeable() (mm/gup.c, da32b5817253, v5.19: not v5.18):
 * fault_in_writeable() at page granularity, then probe_subpage_writeable() over what it faulted in.
 */
export function faultInSubpageWriteable(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_subpage_writeable');
  return unblocked(tryFaultInSubpageWriteable(w, m, a, size), 'fault_in_subpage_writeable', a, size);
}

/** What fault_in_subpage_writeable() would return now, or BLOCKED. */
export function faultInSubpageWriteableResult(w: MmuWorld, m: Mmu, a: number, size: number): number {
  checkRange(m, a, size, 'fault_in_subpage_writeable');
  return tryFaultInSubpageWriteable(m.shadow.load(w), m, a, size);
}
