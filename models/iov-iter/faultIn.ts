/**
 * fault_in_iov_iter_readable() / fault_in_iov_iter_writeable() (lib/iov_iter.c; a6294593e8a1 and
 * cdd591fc86e3, v5.16; the shape below is the v6.4+ mainline text). Both return units
 * NOT faulted in, relative to `size` - when size > iov_iter_count() the excess counts as not faulted in.
 * They stop at the first segment with any shortfall, skip empty segments, and
 * return 0 for iterators that are not user-backed.
 *   UBUF:  n = min(size, count); n -= fault_in_X(ubuf + iov_offset, n); return size - n;
 *   IOVEC: count = min(size, iov_iter_count); size -= count;
 *          for each segment from the current one: len = min(count, iov_len - skip); if (!len) continue;
 *              ret = fault_in_X(iov_base + skip, len); count -= len - ret; if (ret) break;
 *          return count + size;
 * X is fault_in_readable() for the readable form and fault_in_safe_writeable() (non-destructive, with the
 * MMU's choice of its v5.17 return-value bug) for the writeable one. One call is one atomic step.
 */
import { BLOCKED } from '../mmu/constants.js';
import { tryFaultInPages, tryFaultInSafeWriteable } from '../mmu/faultIn.js';
import type { MmuWorld } from '../mmu/world.js';
import { ITER_IOVEC, ITER_UBUF, iterConsumed, iterCount, type IovIter } from './iter.js';

function one(w: MmuWorld, it: IovIter, a: number, n: number, writeable: boolean): number {
  return writeable ? tryFaultInSafeWriteable(w, it.mmu, a, n) : tryFaultInPages(w, it.mmu, a, n, false);
}

function faultInIter(w: MmuWorld, it: IovIter, size: number, writeable: boolean): number {
  if (it.type === ITER_UBUF) {
    let n = Math.min(size, iterCount(w, it));
    const r = one(w, it, it.addrAt[iterConsumed(w, it)]!, n, writeable);
    if (r === BLOCKED) return BLOCKED;
    n -= r;
    return size - n;
  }
  if (it.type === ITER_IOVEC) {
    let count = Math.min(size, iterCount(w, it));
    size -= count;
    const pos = iterConsumed(w, it);
    let skip = it.offAt[pos]!;
    for (let s = it.segAt[pos]!; count > 0 && s < it.nrSegs; s++, skip = 0) {
      const len = Math.min(count, it.segLen[s]! - skip);
      if (len === 0) continue;
      const ret = one(w, it, it.segBase[s]! + skip, len, writeable);
      if (ret === BLOCKED) return BLOCKED;
      count -= len - ret;
      if (ret) break;
    }
    return count + size;
  }
  return 0;
}

function unblocked(r: number, what: string, it: IovIter, size: number): number {
  if (r === BLOCKED) throw new Error(`${what}(${it.prefix}, ${size}) would sleep here: guard the step with its Result function (BLOCKED)`);
  return r;
}

/** fault_in_iov_iter_readable(i, size): units not faulted in. A call that would sleep is a model error. */
export function faultInIovIterReadable(w: MmuWorld, it: IovIter, size: number): number {
  return unblocked(faultInIter(w, it, size, false), 'fault_in_iov_iter_readable', it, size);
}

/** What fault_in_iov_iter_readable(i, size) would return now, or BLOCKED. Dry run. */
export function faultInIovIterReadableResult(w: MmuWorld, it: IovIter, size: number): number {
  return faultInIter(it.shadow.load(w), it, size, false);
}

/** fault_in_iov_iter_writeable(i, size): units not faulted in. A call that would sleep is a model error. */
export function faultInIovIterWriteable(w: MmuWorld, it: IovIter, size: number): number {
  return unblocked(faultInIter(w, it, size, true), 'fault_in_iov_iter_writeable', it, size);
}

/** What fault_in_iov_iter_writeable(i, size) would return now, or BLOCKED. Dry run. */
export function faultInIovIterWriteableResult(w: MmuWorld, it: IovIter, size: number): number {
  return faultInIter(it.shadow.load(w), it, size, true);
}
