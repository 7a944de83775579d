/**
 * Copies to and from an iterator: _copy_to_iter(), _copy_from_iter(), copy_folio_from_iter_atomic(),
 * copy_page_to_iter_nofault(), iov_iter_zero() (lib/iov_iter.c), with the direction checks of a41dad905e5a
 * ("iov_iter: saner checks for attempt to copy to/from iterator", v6.2): copying INTO an ITER_SOURCE
 * iterator or OUT OF an ITER_DEST one is WARN_ON_ONCE and returns 0; the WARN is recorded in the
 * iterator's `<prefix>Warn` field for `iterDirection` (models/properties).
 *
 * User-backed segments are copied with page faults disabled (pagefault_disable() in the caller, or the
 * _nofault / _atomic forms): the copy walks the segments from the current position; a segment chunk that
 * is fully accessible is copied whole; the first chunk that is not ends the copy, after copying an
 * inexact prefix of it (mmu/copy.ts; iterate_iovec() breaks out at the short segment). The choices of a
 * copy are those of that first short chunk. Copies with faults enabled are an actor's loop of a nofault
 * copy and handleMmFault at `iterAddr`.
 * Kernel-memory segments (BVEC, KVEC) always copy in full; a BVEC folio written to gets a new version.
 * ITER_DISCARD only counts. Every copy advances the iterator by what it copied and returns that.
 */
import { accessiblePrefix, touchUnits } from '../mmu/access.js';
import { writeUserUnits } from '../mmu/copy.js';
import { folioBumpVersion } from '../mmu/folio.js';
import type { MmuWorld } from '../mmu/world.js';
import { iovIterAdvance } from './advance.js';
import { ITER_BVEC, ITER_DISCARD, ITER_SOURCE, iterConsumed, iterCount, iterWarn, type IovIter } from './iter.js';

/** Raw inexact copy per chunk (copy_to_user / copy_from_user with faults disabled). */
const RAW = 0;
/** copy_to_user_nofault() per chunk: all or nothing (copy_to_user_iter_nofault()). */
const ALL_OR_NOTHING = 1;

function partialWriteMatters(it: IovIter): boolean {
  const m = it.mmu;
  return m.versions > 0 || m.dirty || m.touchOnAccess;
}

/** Choices of a user copy of n units from the position (see the file comment). */
function userCopyChoices(w: MmuWorld, it: IovIter, n: number, write: boolean, mode: number): number {
  const m = it.mmu;
  if (m.exactCopy) return 1;
  let pos = iterConsumed(w, it);
  let left = n;
  while (left > 0) {
    const s = it.segAt[pos]!;
    const chunk = Math.min(left, it.segLen[s]! - it.offAt[pos]!);
    const A = accessiblePrefix(w, m, it.addrAt[pos]!, chunk, write);
    if (A < chunk) {
      if (A === 0) return 1;
      if (mode === ALL_OR_NOTHING && !partialWriteMatters(it)) return 1;
      return A;
    }
    left -= chunk;
    pos += chunk;
  }
  return 1;
}

/** Units a user copy of n units copies for `choice`; applies the writes / touches when `apply`. */
function userCopy(w: MmuWorld, it: IovIter, n: number, write: boolean, mode: number, choice: number, apply: boolean): number {
  const m = it.mmu;
  let pos = iterConsumed(w, it);
  let left = n;
  let copied = 0;
  while (left > 0) {
    const s = it.segAt[pos]!;
    const a = it.addrAt[pos]!;
    const chunk = Math.min(left, it.segLen[s]! - it.offAt[pos]!);
    const A = accessiblePrefix(w, m, a, chunk, write);
    if (A === chunk) {
      if (apply) {
        if (write) writeUserUnits(w, m, a, chunk);
        else touchUnits(w, m, a, chunk);
      }
      copied += chunk;
      left -= chunk;
      pos += chunk;
      continue;
    }
    let k = A;
    if (A > 0 && !m.exactCopy && !(mode === ALL_OR_NOTHING && !partialWriteMatters(it))) {
      if (!(choice >= 0 && choice < A)) throw new RangeError(`iov_iter '${it.prefix}' copy: choice ${choice} is not one of 0..${A - 1}`);
      k = choice + 1;
    }
    if (apply) {
      if (write) writeUserUnits(w, m, a, k);
      else touchUnits(w, m, a, k);
    }
    if (mode === RAW) copied += k;
    break;
  }
  return copied;
}

function kernelCopy(w: MmuWorld, it: IovIter, n: number, writeFolios: boolean): void {
  if (!writeFolios || it.type !== ITER_BVEC) return;
  let pos = iterConsumed(w, it);
  let left = n;
  while (left > 0) {
    const s = it.segAt[pos]!;
    const chunk = Math.min(left, it.segLen[s]! - it.offAt[pos]!);
    const f = it.segFolio[s]!;
    if (f >= 0) folioBumpVersion(w, it.mmu, f);
    left -= chunk;
    pos += chunk;
  }
}

function choicesOf(w: MmuWorld, it: IovIter, n: number, write: boolean, mode: number, refused: boolean): number {
  if (refused || !it.userBacked) return 1;
  n = Math.min(n, iterCount(w, it));
  return n === 0 ? 1 : userCopyChoices(w, it, n, write, mode);
}

function resultOf(w: MmuWorld, it: IovIter, n: number, write: boolean, mode: number, choice: number, refused: boolean): number {
  if (refused) return 0;
  n = Math.min(n, iterCount(w, it));
  if (n === 0 || !it.userBacked) return n;
  return userCopy(w, it, n, write, mode, choice, false);
}

function copyInto(w: MmuWorld, it: IovIter, n: number, mode: number, choice: number): number {
  n = Math.min(n, iterCount(w, it));
  if (n === 0) return 0;
  let copied = n;
  if (it.userBacked) copied = userCopy(w, it, n, true, mode, choice, true);
  else if (it.type !== ITER_DISCARD) kernelCopy(w, it, n, true);
  iovIterAdvance(w, it, copied);
  return copied;
}

function copyOut(w: MmuWorld, it: IovIter, n: number, choice: number, dstFolio: number): number {
  n = Math.min(n, iterCount(w, it));
  if (n === 0) return 0;
  const copied = it.userBacked ? userCopy(w, it, n, false, RAW, choice, true) : n;
  if (copied > 0 && dstFolio >= 0) folioBumpVersion(w, it.mmu, dstFolio);
  iovIterAdvance(w, it, copied);
  return copied;
}

/** Outcomes of copy_to_iter(n) (for an actor's `choices`). */
export function copyToIterChoices(w: MmuWorld, it: IovIter, n: number): number {
  return choicesOf(w, it, n, true, RAW, it.dataSource === ITER_SOURCE);
}

/** What copy_to_iter(n) with `choice` returns (units copied). Pure. */
export function copyToIterResult(w: MmuWorld, it: IovIter, n: number, choice: number): number {
  return resultOf(w, it, n, true, RAW, choice, it.dataSource === ITER_SOURCE);
}

/**
 * _copy_to_iter(addr, n, i) with page faults disabled: the kernel's data goes INTO the iterator (a read()).
 * WARN and 0 on an ITER_SOURCE iterator. Returns units copied; the iterator advances by them.
 */
export function copyToIter(w: MmuWorld, it: IovIter, n: number, choice: number): number {
  if (it.dataSource === ITER_SOURCE) {
    iterWarn(w, it);
    return 0;
  }
  return copyInto(w, it, n, RAW, choice);
}

/** Outcomes of copy_from_iter(n). */
export function copyFromIterChoices(w: MmuWorld, it: IovIter, n: number): number {
  return choicesOf(w, it, n, false, RAW, it.dataSource !== ITER_SOURCE);
}

/** What copy_from_iter(n) with `choice` returns. Pure. */
export function copyFromIterResult(w: MmuWorld, it: IovIter, n: number, choice: number): number {
  return resultOf(w, it, n, false, RAW, choice, it.dataSource !== ITER_SOURCE);
}

/**
 * _copy_from_iter(addr, n, i) with page faults disabled: data comes OUT OF the iterator (a write()). WARN
 * and 0 on an ITER_DEST iterator. `dstFolio` (or -1) is the MMU folio the data lands in - the page-cache
 * folio of copy_folio_from_iter_atomic() in generic_perform_write() - which gets a new version.
 */
export function copyFromIter(w: MmuWorld, it: IovIter, n: number, choice: number, dstFolio = -1): number {
  if (it.dataSource !== ITER_SOURCE) {
    iterWarn(w, it);
    return 0;
  }
  return copyOut(w, it, n, choice, dstFolio);
}

/** copy_folio_from_iter_atomic() / copy_page_from_iter_atomic(): copyFromIter with faults disabled (the same check). */
export const copyFolioFromIterAtomic = copyFromIter;

/** Outcomes of copy_page_to_iter_nofault(n). */
export function copyPageToIterNofaultChoices(w: MmuWorld, it: IovIter, n: number): number {
  return choicesOf(w, it, n, true, ALL_OR_NOTHING, it.dataSource === ITER_SOURCE);
}

/** What copy_page_to_iter_nofault(n) with `choice` returns. Pure. */
export function copyPageToIterNofaultResult(w: MmuWorld, it: IovIter, n: number, choice: number): number {
  return resultOf(w, it, n, true, ALL_OR_NOTHING, choice, it.dataSource === ITER_SOURCE);
}

/**
 * copy_page_to_iter_nofault() (4f80818b4a58, v6.4; the /proc/kcore reader): WARN and 0 on an ITER_SOURCE
 * iterator; otherwise each user segment chunk goes through copy_to_user_nofault() and counts all or
 * nothing (a chunk that meets a fault copies 0, though its leading units may already
 * be written). One call is one source-page chunk: n at most a page.
 */
export function copyPageToIterNofault(w: MmuWorld, it: IovIter, n: number, choice: number): number {
  if (it.dataSource === ITER_SOURCE) {
    iterWarn(w, it);
    return 0;
  }
  return copyInto(w, it, n, ALL_OR_NOTHING, choice);
}

/** Outcomes of iov_iter_zero(n). */
export function iovIterZeroChoices(w: MmuWorld, it: IovIter, n: number): number {
  return choicesOf(w, it, n, true, RAW, false);
}

/**
 * iov_iter_zero(n, i) with page faults disabled (the iomap direct-I/O hole path): writes zeros into the
 * iterator like copy_to_iter() but has no direction check.
 */
export function iovIterZero(w: MmuWorld, it: IovIter, n: number, choice: number): number {
  return copyInto(w, it, n, RAW, choice);
}
