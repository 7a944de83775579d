/**
 * Pages out of an iterator, for direct I/O and the block layer. Each call takes one segment's worth
 * (first_iovec_segment() / first_bvec_segment()), advances the iterator by what it took and returns those
 * units, or -errno; one call is one atomic step.
 *
 * - iovIterGetPages: iov_iter_get_pages2() (v6.0; pre-6.3 direct I/O). User-backed: get_user_pages_fast()
 *   with FOLL_GET, FOLL_WRITE iff ITER_DEST ("iov_iter_rw(i) != WRITE"), FOLL_NOFAULT iff i->nofault -
 *   plain references, which writeback cannot tell from DMA (the short-term pin problem). BVEC: get_page() on
 *   the segment's page. KVEC and DISCARD: -EFAULT.
 * - iovIterExtractPages: iov_iter_extract_pages() (v6.3). User-backed: pin_user_pages_fast() with
 *   FOLL_PIN, FOLL_WRITE iff ITER_DEST, FOLL_NOFAULT iff i->nofault. BVEC / KVEC: the pages are only
 *   listed, no reference, no pin (iov_iter_extract_will_pin() == user_backed_iter()). DISCARD: -EFAULT.
 * - iovIterPinPages: the Aug 2022 proposal "iov_iter: new iov_iter_pin_pages*() routines" (John Hubbard):
 *   user-backed as extract; BVEC pages pinned with pin_user_page() on the existing reference when
 *   `pinFromRef` (the pin-from-reference hazard: a pin without a page-table walk, after writeback's check), else like
 *   extract.
 * A user-backed call covers [addr, addr + len) with len = min(max, count, rest of the segment); the pages
 * it takes are the pages of that range, one reference or pin per page; it returns
 * min(len, pages_taken * PAGE - offset_in_page(addr)) units.
 */
import { BLOCKED, EFAULT, FOLL_GET, FOLL_NOFAULT, FOLL_PIN, FOLL_WRITE } from '../mmu/constants.js';
import { tryGetUserPagesFast } from '../mmu/gup.js';
import { grabFolio, gupPutFolio } from '../mmu/pins.js';
import { folioOf, type MmuWorld } from '../mmu/world.js';
import { iovIterAdvance } from './advance.js';
import { ITER_BVEC, ITER_DEST, ITER_KVEC, iterConsumed, iterCount, iterNofault, type IovIter } from './iter.js';

const GET = 0;
const EXTRACT = 1;
const PIN = 2;

/** The FOLL_* flags a user-backed get (FOLL_GET) or extract/pin (FOLL_PIN) uses for this iterator now. */
export function iterGupFlags(w: MmuWorld, it: IovIter, pin: boolean): number {
  return (pin ? FOLL_PIN : FOLL_GET) | (it.dataSource === ITER_DEST ? FOLL_WRITE : 0) | (iterNofault(w, it) ? FOLL_NOFAULT : 0);
}

/** iov_iter_extract_will_pin(): user_backed_iter(). */
export function iovIterExtractWillPin(it: IovIter): boolean {
  return it.userBacked;
}

function takePages(w: MmuWorld, it: IovIter, max: number, how: number, pinFromRef: boolean): number {
  const m = it.mmu;
  const maxsize = Math.min(max, iterCount(w, it));
  if (maxsize <= 0) return 0;
  const pos = iterConsumed(w, it);
  const s = it.segAt[pos]!;
  const len = Math.min(maxsize, it.segLen[s]! - it.offAt[pos]!);
  if (it.userBacked) {
    const addr = it.addrAt[pos]!;
    const U = m.unitsPerPage;
    const offset = addr % U;
    const first = (addr / U) | 0;
    const npages = Math.ceil((offset + len) / U);
    const r = tryGetUserPagesFast(w, m, first, npages, iterGupFlags(w, it, how !== GET));
    if (r === BLOCKED || r <= 0) return r;
    const got = Math.min(len, r * U - offset);
    iovIterAdvance(w, it, got);
    return got;
  }
  if (it.type === ITER_BVEC) {
    const f = it.segFolio[s]!;
    if (f >= 0) {
      if (how === GET) grabFolio(w, m, f, FOLL_GET);
      else if (how === PIN && pinFromRef) grabFolio(w, m, f, FOLL_PIN);
    }
    iovIterAdvance(w, it, len);
    return len;
  }
  if (it.type === ITER_KVEC && how !== GET) {
    iovIterAdvance(w, it, len);
    return len;
  }
  return -EFAULT;
}

function unblocked(r: number, what: string, it: IovIter): number {
  if (r === BLOCKED) throw new Error(`${what}(${it.prefix}) would sleep here: guard the step with its Result function (BLOCKED)`);
  return r;
}

/** iov_iter_get_pages2(i, max): units taken (plain references), or -EFAULT / -ENOMEM. */
export function iovIterGetPages(w: MmuWorld, it: IovIter, max: number): number {
  return unblocked(takePages(w, it, max, GET, false), 'iov_iter_get_pages2', it);
}

/** What iov_iter_get_pages2(i, max) would return now, or BLOCKED. Dry run. */
export function iovIterGetPagesResult(w: MmuWorld, it: IovIter, max: number): number {
  return takePages(it.shadow.load(w), it, max, GET, false);
}

/** iov_iter_extract_pages(i, max): units taken (pins iff user-backed), or -errno. */
export function iovIterExtractPages(w: MmuWorld, it: IovIter, max: number): number {
  return unblocked(takePages(w, it, max, EXTRACT, false), 'iov_iter_extract_pages', it);
}

/** What iov_iter_extract_pages(i, max) would return now, or BLOCKED. Dry run. */
export function iovIterExtractPagesResult(w: MmuWorld, it: IovIter, max: number): number {
  return takePages(it.shadow.load(w), it, max, EXTRACT, false);
}

/** The proposed iov_iter_pin_pages(i, max): see the file comment; `pinFromRef` pins BVEC pages. */
export function iovIterPinPages(w: MmuWorld, it: IovIter, max: number, pinFromRef: boolean): number {
  return unblocked(takePages(w, it, max, PIN, pinFromRef), 'iov_iter_pin_pages', it);
}

/** What iov_iter_pin_pages(i, max) would return now, or BLOCKED. Dry run. */
export function iovIterPinPagesResult(w: MmuWorld, it: IovIter, max: number, pinFromRef: boolean): number {
  return takePages(it.shadow.load(w), it, max, PIN, pinFromRef);
}

/**
 * Releases what one get/extract/pin call took: `startPos` is the iterator's consumed count before the
 * call, `units` its return value, `flags` FOLL_GET (put_page) or FOLL_PIN (unpin_user_page) - for BVEC
 * pages only what was taken (a reference for get, a pin for pin-from-ref; nothing for extract).
 */
export function iovIterReleasePages(w: MmuWorld, it: IovIter, startPos: number, units: number, flags: number): void {
  if (units <= 0) return;
  const m = it.mmu;
  if (it.userBacked) {
    const addr = it.addrAt[startPos]!;
    const U = m.unitsPerPage;
    const first = (addr / U) | 0;
    const last = ((addr + units - 1) / U) | 0;
    for (let p = first; p <= last; p++) gupPutFolio(w, m, folioOf(m, p), flags);
    return;
  }
  if (it.type === ITER_BVEC) {
    const f = it.segFolio[it.segAt[startPos]!]!;
    if (f >= 0) gupPutFolio(w, m, f, flags);
  }
}
