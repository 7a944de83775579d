/**
 * User copies with page faults disabled (pagefault_disable(), *_inatomic, *_nofault): the copy stops at the
 * first inaccessible unit, the exception-table fixup runs, and the copy returns the units NOT copied. Such
 * a copy never changes a PTE and never sleeps.
 *
 * Inexact-copy rule (Linus 11 Oct 2021, Catalin: "There is no requirement for the
 * arch implementation to be exact"): with A the accessible prefix of [a, a + n), the copy copies any k with
 *   k <= A (it may stop early), k >= 1 if A >= 1 (restarted where it faulted it makes progress), and
 *   k == n iff A == n.
 * So there are A outcomes when 0 < A < n (k = 1..A, choice c copies c + 1 units) and one outcome otherwise.
 * With `exactCopy` the copy always copies exactly A (one outcome). In units, "at least one byte" becomes
 * "at least one unit": the model's copies move whole units.
 *
 * A copy to user memory writes the units it copies: each folio touched gets a new data version and is
 * marked dirty (the PTE dirty bit, folded into PG_dirty).
 */
import { accessiblePrefix, touchUnits } from './access.js';
import type { Mmu } from './config.js';
import { EFAULT } from './constants.js';
import { folioWrite } from './folio.js';
import { checkRange, folioOfUnit, type MmuWorld } from './world.js';

/** Number of outcomes of a raw copy of [a, a + n) with faults disabled (for an actor's `choices`). */
export function rawCopyChoices(w: MmuWorld, m: Mmu, a: number, n: number, write: boolean): number {
  if (n === 0 || m.exactCopy) return 1;
  const A = accessiblePrefix(w, m, a, n, write);
  return A === 0 || A === n ? 1 : A;
}

/** The units outcome `choice` copies (see the rule in the file comment). */
export function rawCopyCopied(w: MmuWorld, m: Mmu, a: number, n: number, write: boolean, choice: number): number {
  const A = accessiblePrefix(w, m, a, n, write);
  if (A === n || A === 0 || m.exactCopy) return A;
  if (!(choice >= 0 && choice < A)) throw new RangeError(`raw copy of [${a}, ${a + n}): choice ${choice} is not one of 0..${A - 1}`);
  return choice + 1;
}

/** Writes units [a, a + k) of user memory: each folio touched gets one new version and PG_dirty. */
export function writeUserUnits(w: MmuWorld, m: Mmu, a: number, k: number): void {
  if (k <= 0) return;
  let last = -1;
  for (let u = a; u < a + k; u++) {
    const f = folioOfUnit(m, u);
    if (f !== last) {
      folioWrite(w, m, f);
      last = f;
    }
  }
  touchUnits(w, m, a, k);
}

/**
 * raw_copy_to_user() / __copy_to_user_inatomic() with page faults disabled: copies `rawCopyCopied(...,
 * choice)` units into [a, a + n) and returns the units NOT copied.
 */
export function rawCopyToUserNofault(w: MmuWorld, m: Mmu, a: number, n: number, choice: number): number {
  checkRange(m, a, n, 'raw_copy_to_user');
  const k = rawCopyCopied(w, m, a, n, true, choice);
  writeUserUnits(w, m, a, k);
  return n - k;
}

/** raw_copy_from_user() / __copy_from_user_inatomic() with page faults disabled: returns the units NOT copied. */
export function rawCopyFromUserNofault(w: MmuWorld, m: Mmu, a: number, n: number, choice: number): number {
  checkRange(m, a, n, 'raw_copy_from_user');
  const k = rawCopyCopied(w, m, a, n, false, choice);
  touchUnits(w, m, a, k);
  return n - k;
}

/**
 * Outcomes of copy_to_user_nofault(): the return value is all-or-nothing, but the units before the fault
 * may already be written, which matters only when the world tracks content, dirtiness
 * or access order. Otherwise one outcome (the exact prefix).
 */
export function copyToUserNofaultChoices(w: MmuWorld, m: Mmu, a: number, n: number): number {
  if (m.versions === 0 && !m.dirty && !m.touchOnAccess) return 1;
  return rawCopyChoices(w, m, a, n, true);
}

/** What copy_to_user_nofault() returns: 0, or -EFAULT when any unit of [a, a + n) is inaccessible. */
export function copyToUserNofaultResult(w: MmuWorld, m: Mmu, a: number, n: number): number {
  return accessiblePrefix(w, m, a, n, true) === n ? 0 : -EFAULT;
}

/**
 * copy_to_user_nofault() (mm/maccess.c): access_ok, pagefault_disable(), __copy_to_user_inatomic(),
 * pagefault_enable(); returns 0 or -EFAULT, throwing the partial count away. The partial prefix is still
 * written (choice as in `copyToUserNofaultChoices`).
 */
export function copyToUserNofault(w: MmuWorld, m: Mmu, a: number, n: number, choice: number): number {
  checkRange(m, a, n, 'copy_to_user_nofault');
  const k = copyToUserNofaultChoices(w, m, a, n) === 1 ? accessiblePrefix(w, m, a, n, true) : rawCopyCopied(w, m, a, n, true, choice);
  writeUserUnits(w, m, a, k);
  return k === n ? 0 : -EFAULT;
}

/** copy_from_user_nofault() (mm/maccess.c): 0 or -EFAULT. Reads change nothing (but the LRU, with touchOnAccess). */
export function copyFromUserNofault(w: MmuWorld, m: Mmu, a: number, n: number): number {
  checkRange(m, a, n, 'copy_from_user_nofault');
  const k = accessiblePrefix(w, m, a, n, false);
  touchUnits(w, m, a, k);
  return k === n ? 0 : -EFAULT;
}
