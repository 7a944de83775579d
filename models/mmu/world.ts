/**
 * The shape of the world the MMU operations read and write, and address arithmetic in units.
 *
 * Every operation takes the world `w` first and the `Mmu` descriptor second. `w` is the engine's world view
 * (scalars as getters/setters, arrays as Int32Array windows) or, under xstate's own interpreter, a plain
 * object of numbers and number[]: the operations only index arrays and assign numbers, so both work.
 * Optional fields exist only when the descriptor says so (`m.refs > 0`, `m.pageLock`, ...).
 */
import type { Mmu } from './config.js';

export type Ints = Int32Array | number[];

export interface MmuWorld {
  /** Per page: VMA_*. */
  readonly vma: Ints;
  /** Per page: PTE_*. */
  readonly pte: Ints;
  /** Resident LRU, most recent first: 0 = empty slot, p + 1 = page p (when `capacity`). */
  readonly lru?: Ints;
  /** Per folio: extra plain references beyond the mapping's own (when `refs`). */
  readonly folioRef?: Ints;
  /** Per folio: FOLL_PIN pins, the ground truth in both encodings (when `pins`). */
  readonly folioPins?: Ints;
  readonly folioLocked?: Ints;
  readonly folioDirty?: Ints;
  readonly folioWriteback?: Ints;
  readonly folioBuffers?: Ints;
  /** Per folio: content version modulo `versions`; every write of the folio's data bumps it. */
  readonly folioVersion?: Ints;
  /** Per folio: the version folio_start_writeback() saw (0 while not under writeback). */
  readonly folioWbSnapshot?: Ints;
  /** Per folio: writeback started after folio_maybe_dma_pinned() said no (cleared at end of writeback). */
  readonly folioWbChecked?: Ints;
  /** Per unit: MTE tag matches (when `mte`). */
  readonly tagOK?: Ints;
  /** Per unit: hardware-poisoned (when `poison`). */
  readonly poison?: Ints;
  /** mmap_lock: bitmask of owners holding it (read holders, or the one writer). */
  mmapHolders?: number;
  /** mmap_lock is held for write. */
  mmapWriter?: number;
  /** Writers queued for mmap_lock (readers do not barge past them). */
  mmapWritersWaiting?: number;
  /** Sticky: an mmap_lock operation broke the discipline (unlock without lock, double lock). */
  mmapMisuse?: number;
}

/** The page that holds unit `a`. */
export function pageOf(m: Mmu, a: number): number {
  return (a / m.unitsPerPage) | 0;
}

/** The folio that backs page `p`. */
export function folioOf(m: Mmu, p: number): number {
  return m.folioOfPage[p]!;
}

/** The folio that backs unit `a`. */
export function folioOfUnit(m: Mmu, a: number): number {
  return m.folioOfPage[(a / m.unitsPerPage) | 0]!;
}

/** PAGE_ALIGN(a): the first page start at or after `a`. */
export function pageAlignUp(m: Mmu, a: number): number {
  const u = m.unitsPerPage;
  return Math.ceil(a / u) * u;
}

/** a & PAGE_MASK: the start of a's page. */
export function pageAlignDown(m: Mmu, a: number): number {
  const u = m.unitsPerPage;
  return ((a / u) | 0) * u;
}

/** offset_in_page(a). */
export function offsetInPage(m: Mmu, a: number): number {
  return a % m.unitsPerPage;
}

/** Throws unless [a, a + n) lies inside the modelled user address space. */
export function checkRange(m: Mmu, a: number, n: number, what: string): void {
  if (!(a >= 0 && n >= 0 && a + n <= m.units && Number.isInteger(a) && Number.isInteger(n))) {
    throw new RangeError(`${what}: units [${a}, ${a + n}) are outside the modelled user memory [0, ${m.units})`);
  }
}
