/**
 * Moving an iterator: iov_iter_advance(), iov_iter_revert(), iov_iter_truncate(), iov_iter_reexpand()
 * (lib/iov_iter.c, include/linux/uio.h). All keep the canonical position (see iter.ts).
 */
import { iterConsumed, iterCount, ITER_DISCARD, setIterConsumed, setIterCount, type IovIter } from './iter.js';

/** iov_iter_advance(i, n): consumes min(n, count) units. */
export function iovIterAdvance(w: object, it: IovIter, n: number): void {
  const count = iterCount(w, it);
  if (n > count) n = count;
  if (n <= 0) return;
  setIterCount(w, it, count - n);
  if (it.type !== ITER_DISCARD) setIterConsumed(w, it, iterConsumed(w, it) + n);
}

/**
 * iov_iter_revert(i, n): gives back n units (count += n). Reverting past the start of the segment array is
 * the kernel's BUG() ("We should never go beyond the start of the specified range") and a model error here.
 */
export function iovIterRevert(w: object, it: IovIter, n: number): void {
  if (n <= 0) return;
  const count = iterCount(w, it);
  if (it.type === ITER_DISCARD) {
    setIterCount(w, it, count + n);
    return;
  }
  const consumed = iterConsumed(w, it);
  if (n > consumed) throw new Error(`iov_iter_revert(${it.prefix}, ${n}): only ${consumed} units were consumed (BUG() in lib/iov_iter.c)`);
  setIterCount(w, it, count + n);
  setIterConsumed(w, it, consumed - n);
}

/** iov_iter_truncate(i, n): count = min(count, n). */
export function iovIterTruncate(w: object, it: IovIter, n: number): void {
  if (iterCount(w, it) > n) setIterCount(w, it, n);
}

/** iov_iter_reexpand(i, n): count = n (n may not exceed what the segments hold past the position). */
export function iovIterReexpand(w: object, it: IovIter, n: number): void {
  const room = it.total - iterConsumed(w, it);
  if (n < 0 || n > room) throw new Error(`iov_iter_reexpand(${it.prefix}, ${n}): only ${room} units remain in the segments`);
  setIterCount(w, it, n);
}
