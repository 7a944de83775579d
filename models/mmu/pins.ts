/**
 * Folio references and pins in both kernel encodings, with tiny domains.
 *
 * The world keeps two small counters per folio: `folioRef` (plain references beyond the mapping's own:
 * FOLL_GET, get_page()) and `folioPins` (FOLL_PIN pins, the ground truth). The kernel's single refcount is
 * derived from them (`folioRefCount`):
 *   exact encoding (large folios, folio_has_pincount()): refcount = 1 + refs + pins, and _pincount = pins;
 *   bias encoding (small folios): refcount = 1 + refs + GUP_PIN_COUNTING_BIAS * pins.
 * The leading 1 stands for the mapping / page-cache reference. The bias is `m.pinBias` (default 1024, the
 * kernel's 1U << 10); scaling it down to a value the plain references can reach brings back the encoding's
 * false positives ("folio_maybe_dma_pinned() may report a folio with >= BIAS plain references as pinned").
 * GUP-fast's two-step grab (+1 speculative reference, then +BIAS-1 or _pincount++)
 * is `gupFastTryGetFolio` then `gupFastCompletePin`: in between the folio has one more plain reference and
 * no pin, exactly what folio_maybe_dma_pinned() sees in that window.
 */
import type { Mmu } from './config.js';
import { FOLL_GET, FOLL_PIN } from './constants.js';
import type { MmuWorld } from './world.js';

/** The folio's plain extra references (0 when refs are not modelled). */
export function folioRefs(w: MmuWorld, m: Mmu, f: number): number {
  return m.refs > 0 ? w.folioRef![f]! : 0;
}

/** The folio's pins (0 when pins are not modelled). */
export function folioPins(w: MmuWorld, m: Mmu, f: number): number {
  return m.pins > 0 ? w.folioPins![f]! : 0;
}

/** folio_ref_count() in the folio's encoding (see the file comment). */
export function folioRefCount(w: MmuWorld, m: Mmu, f: number): number {
  const pins = folioPins(w, m, f);
  return 1 + folioRefs(w, m, f) + (m.exactPins[f] ? pins : pins * m.pinBias);
}

/**
 * folio_maybe_dma_pinned() (include/linux/mm.h): exact `_pincount > 0` for folios with a pincount, else the
 * fuzzy `refcount >= GUP_PIN_COUNTING_BIAS`, which has false positives and never false negatives.
 */
export function folioMaybeDmaPinned(w: MmuWorld, m: Mmu, f: number): boolean {
  if (m.exactPins[f]) return folioPins(w, m, f) > 0;
  return folioRefCount(w, m, f) >= m.pinBias;
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what}: the world has no such counter (set the mmu option)`);
}

/** try_grab_folio() (mm/gup.c) for one folio: FOLL_GET adds a reference, FOLL_PIN a pin. */
export function grabFolio(w: MmuWorld, m: Mmu, f: number, flags: number): void {
  if (flags & FOLL_PIN) {
    need(m.pins > 0, 'grabFolio(FOLL_PIN)');
    w.folioPins![f] = w.folioPins![f]! + 1;
  } else if (flags & FOLL_GET) {
    need(m.refs > 0, 'grabFolio(FOLL_GET)');
    w.folioRef![f] = w.folioRef![f]! + 1;
  } else {
    throw new Error('grabFolio: flags need FOLL_GET or FOLL_PIN');
  }
}

/** gup_put_folio(): the exact inverse of grabFolio. Dropping what is not held is a model error. */
export function gupPutFolio(w: MmuWorld, m: Mmu, f: number, flags: number): void {
  if (flags & FOLL_PIN) {
    if (folioPins(w, m, f) === 0) throw new Error(`unpin_user_page: folio ${f} is not pinned`);
    w.folioPins![f] = w.folioPins![f]! - 1;
  } else {
    if (folioRefs(w, m, f) === 0) throw new Error(`put_page: folio ${f} has no extra reference`);
    w.folioRef![f] = w.folioRef![f]! - 1;
  }
}

/** get_page() / folio_get(): one plain reference. */
export function getPage(w: MmuWorld, m: Mmu, f: number): void {
  grabFolio(w, m, f, FOLL_GET);
}

/** put_page() / folio_put(). */
export function putPage(w: MmuWorld, m: Mmu, f: number): void {
  gupPutFolio(w, m, f, FOLL_GET);
}

/** unpin_user_page() (mm/gup.c). */
export function unpinUserPage(w: MmuWorld, m: Mmu, f: number): void {
  gupPutFolio(w, m, f, FOLL_PIN);
}

/**
 * pin_user_page() (John Hubbard's proposal: "mm/gup: introduce pin_user_page()", Feb 2022 and again with
 * "iov_iter: new iov_iter_pin_pages*() routines", Aug/Sep 2022; the pin-from-reference hazard): a drop-in
 * replacement for get_page() on a page the caller already holds a reference to. It adds a FOLL_PIN
 * reference (folio_ref_add(GUP_PIN_COUNTING_BIAS) on a small folio, +1 and _pincount++ on a large one)
 * without a page-table walk, so no ->page_mkwrite() and no PTE check; the caller's plain reference stays.
 * Never merged: the landed design (v6.3) gives non-user-backed iterators neither references nor pins.
 */
export function pinUserPageFromRef(w: MmuWorld, m: Mmu, f: number): void {
  grabFolio(w, m, f, FOLL_PIN);
}
