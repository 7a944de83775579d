/**
 * One unit access as the MMU and the arch fault handler see it ("byte access by
 * user copy"): it succeeds iff the VMA permits it, the PTE is present with the right permission, the unit
 * is not poisoned and (with MTE) its tag matches. What a failure means:
 * - ACCESS_BAD_VMA: bad_area / access_error, never handle_mm_fault(); a uaccess takes the fixup.
 * - ACCESS_FAULT: an mm fault; with faults enabled the arch code calls handle_mm_fault().
 * - ACCESS_TAG: an MTE tag-check fault, "not an mm fault": straight to the fixup, no handle_mm_fault().
 * - ACCESS_POISON: a hardware memory error; no fault can repair it.
 * The VMA is checked first (a PROT_NONE or unmapped range fails whatever its PTE says), then the PTE, then
 * poison and tags (those are only seen once a translation exists).
 */
import type { Mmu } from './config.js';
import { ACCESS_BAD_VMA, ACCESS_FAULT, ACCESS_OK, ACCESS_POISON, ACCESS_TAG, PTE_PRESENT_RO, PTE_PRESENT_RW, VMA_NONE, VMA_RW } from './constants.js';
import { lruTouch } from './lru.js';
import { pageOf, type MmuWorld } from './world.js';

/** How an access to unit `a` ends right now (no fault handled): ACCESS_*. */
export function unitAccess(w: MmuWorld, m: Mmu, a: number, write: boolean): number {
  const p = pageOf(m, a);
  const vma = w.vma[p]!;
  if (vma === VMA_NONE || (write && vma !== VMA_RW)) return ACCESS_BAD_VMA;
  const pte = w.pte[p]!;
  if (!(pte === PTE_PRESENT_RW || (!write && pte === PTE_PRESENT_RO))) return ACCESS_FAULT;
  return unitContentAccess(w, m, a);
}

/** Poison and tag checks only (the translation is assumed to exist): ACCESS_OK, ACCESS_POISON or ACCESS_TAG. */
export function unitContentAccess(w: MmuWorld, m: Mmu, a: number): number {
  if (m.poison && w.poison![a] === 1) return ACCESS_POISON;
  if (m.mte && w.tagOK![a] !== 1) return ACCESS_TAG;
  return ACCESS_OK;
}

/**
 * The number of leading units of [a, a + n) accessible with page faults disabled (firstBad(a, n) - a).
 */
export function accessiblePrefix(w: MmuWorld, m: Mmu, a: number, n: number, write: boolean): number {
  let k = 0;
  while (k < n && unitAccess(w, m, a + k, write) === ACCESS_OK) k++;
  return k;
}

/**
 * The number of leading units of [a, a + n) a fault could make accessible right now: the VMA permits the
 * access and the unit is neither poisoned nor tag-mismatched (whatever its PTE). This is the accessible prefix
 * that `no spurious -EFAULT` and `fault-in never overclaims` judge against, for a static environment; it ignores capacity and userfaultfd waits.
 */
export function faultablePrefix(w: MmuWorld, m: Mmu, a: number, n: number, write: boolean): number {
  let k = 0;
  while (k < n) {
    const u = a + k;
    const vma = w.vma[pageOf(m, u)]!;
    if (vma === VMA_NONE || (write && vma !== VMA_RW)) break;
    if (unitContentAccess(w, m, u) !== ACCESS_OK) break;
    k++;
  }
  return k;
}

/**
 * Like `faultablePrefix`, at page granularity: the number of units of [a, a + n) in the leading pages whose
 * VMA permits the access, poison and tags ignored. This is what a page-granular fault-in (fault_in_safe_
 * writeable(), or fault_in_readable() probing page starts) can honestly claim.
 */
export function faultablePagePrefix(w: MmuWorld, m: Mmu, a: number, n: number, write: boolean): number {
  let k = 0;
  while (k < n) {
    const vma = w.vma[pageOf(m, a + k)]!;
    if (vma === VMA_NONE || (write && vma !== VMA_RW)) break;
    k++;
  }
  return k;
}

/** With `touchOnAccess`, the pages of [a, a + k) move to the LRU head, in address order. */
export function touchUnits(w: MmuWorld, m: Mmu, a: number, k: number): void {
  if (!m.touchOnAccess || k <= 0 || m.capacity === 0) return;
  const first = pageOf(m, a);
  const last = pageOf(m, a + k - 1);
  for (let p = first; p <= last; p++) lruTouch(w, m, p);
}
