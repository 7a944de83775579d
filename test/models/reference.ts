/**
 * Brute-force references for the MMU tests, written from the kernel text and the mailing-list descriptions, not from
 * the model code: they read the test's own option arrays and compute what the kernel function returns.
 * They assume a world without capacity limits, folio locks, userfaultfd or mmap_lock contention (the cases
 * where the model's fault-in steps would sleep or evict), which is how the property tests build worlds.
 */
import type { MmuOptions } from '../../models/index.js';

export interface RefWorld {
  readonly U: number;
  readonly vma: readonly string[];
  readonly pte: readonly string[];
  readonly tagOK: readonly boolean[];
  readonly poison: ReadonlySet<number>;
}

export function refWorld(o: MmuOptions): RefWorld {
  const P = o.pages;
  const U = o.unitsPerPage ?? 4;
  const arr = <T>(v: T | readonly T[] | undefined, d: T): T[] =>
    v === undefined ? new Array<T>(P).fill(d) : Array.isArray(v) ? [...v] : new Array<T>(P).fill(v as T);
  const tag = o.tagOK;
  return {
    U,
    vma: arr(o.vma, 'RW'),
    pte: arr(o.pte, 'ABSENT'),
    tagOK: tag === undefined ? new Array<boolean>(P * U).fill(true) : typeof tag === 'boolean' ? new Array<boolean>(P * U).fill(tag) : [...tag],
    poison: new Set(Array.isArray(o.poison) ? (o.poison as number[]) : []),
  };
}

const vmaAllows = (r: RefWorld, a: number, write: boolean): boolean => {
  const v = r.vma[Math.floor(a / r.U)];
  return v === 'RW' || (v === 'RO' && !write);
};

/** The unit can be accessed with page faults disabled, right now. */
export function refAccessible(r: RefWorld, a: number, write: boolean): boolean {
  const pte = r.pte[Math.floor(a / r.U)];
  const pteOk = pte === 'PRESENT_RW' || (pte === 'PRESENT_RO' && !write);
  return vmaAllows(r, a, write) && pteOk && r.tagOK[a]! && !r.poison.has(a);
}

const pagePoisoned = (r: RefWorld, p: number): boolean => [...r.poison].some((u) => Math.floor(u / r.U) === p);
const pteMapped = (r: RefWorld, p: number): boolean => r.pte[p] === 'PRESENT_RO' || r.pte[p] === 'PRESENT_RW';

/** A kernel-mode access with faults enabled succeeds (the fault, if any, is handled first). */
export function refProbeOk(r: RefWorld, a: number, write: boolean): boolean {
  const p = Math.floor(a / r.U);
  if (!vmaAllows(r, a, write)) return false;
  if (!refAccessibleAfterFault(r, p, write)) return false;
  return r.tagOK[a]! && !r.poison.has(a);
}

/** handle_mm_fault() on the page succeeds or is not needed. */
function refAccessibleAfterFault(r: RefWorld, p: number, write: boolean): boolean {
  const pte = r.pte[p];
  if (pte === 'PRESENT_RW' || (pte === 'PRESENT_RO' && !write)) return true;
  return pteMapped(r, p) || !pagePoisoned(r, p);
}

/** The probe addresses of fault_in_readable/writeable(a, size), in order. */
export function refProbeAddresses(r: RefWorld, a: number, size: number): number[] {
  if (size === 0) return [];
  const out = [a];
  const end = Math.ceil((a + size) / r.U) * r.U;
  for (let q = Math.ceil((a + 1) / r.U) * r.U; q < end; q += r.U) out.push(q);
  return out;
}

/** fault_in_readable / fault_in_writeable(a, size): units not faulted in. */
export function refFaultIn(r: RefWorld, a: number, size: number, write: boolean): number {
  if (size === 0) return 0;
  const bad = refProbeAddresses(r, a, size).find((q) => !refProbeOk(r, q, write));
  if (bad === undefined) return 0;
  // A failing first probe leaves uaddr at the start; a later one at its page start.
  return Math.max(0, size - (bad - a));
}

/** fault_in_safe_writeable(a, size): page by page with fixup_user_fault(WRITE). */
export function refFaultInSafeWriteable(r: RefWorld, a: number, size: number, buggy: boolean): number {
  if (size === 0) return 0;
  const end = Math.ceil((a + size) / r.U) * r.U;
  let start = a;
  while (start !== end) {
    const p = Math.floor(start / r.U);
    const ok = r.vma[p] === 'RW' && refAccessibleAfterFault(r, p, true);
    if (!ok) break;
    start = (Math.floor(start / r.U) + 1) * r.U;
  }
  if (buggy) return start === a ? size : 0;
  return Math.max(0, size - (start - a));
}

/** fault_in_subpage_writeable(a, size). */
export function refFaultInSubpageWriteable(r: RefWorld, a: number, size: number, mte: boolean): number {
  let faulted = size - refFaultIn(r, a, size, true);
  if (faulted && mte) {
    let probed = 0;
    if (refProbeOk(r, a, false)) {
      probed = faulted;
      for (let u = a; u < a + faulted; u++) {
        if (!refProbeOk(r, u, false)) {
          probed = u - a;
          break;
        }
      }
    }
    faulted = probed;
  }
  return size - faulted;
}
