/**
 * The fault-in window of gfs2's buffered read and write (fs/gfs2/file.c should_fault_in_pages()): how many
 * units the syscall faults in after a short copy with page faults disabled, under three policies:
 * - 'shrinking' (v5.18+): `bigWindow` pages (max(nr_dirtied_pause - nr_dirtied, 8), capped at 1 MiB) while
 *   the last round made progress (prev_count != count), one page when it did not; minus
 *   offset_in_page(ki_pos), the FILE position's offset into its page (324d116c5a5c "gfs2: Align read and
 *   write chunks to the page cache", v5.18);
 * - 'whole': the whole remaining buffer every time (the gfs2 v4 RFC of July 2021);
 * - 'fixed1': one page minus the offset, always (what v5.16 - v5.17 shipped: an inner `int pages` shadowed
 *   the outer one until bb7f5d96aaa8 "gfs2: Fix should_fault_in_pages() logic"); the offset is the USER
 *   pointer's, offset_in_page(i->iov[0].iov_base + i->iov_offset), as before 324d116c5a5c.
 * And the fault-in contract: 'bytesNotFaulted' (cdd591fc86e3 "iov_iter: Introduce
 * fault_in_iov_iter_writeable": the units NOT faulted in) or 'allOrNothing' (the v4 RFC's
 * iov_iter_fault_in_writeable(): anything short of the whole window is failure).
 */
export type WindowPolicy = 'whole' | 'shrinking' | 'fixed1';

/** The window policy of a gfs2 read or write, checked once: `who` names the actor in error messages. */
export function windowOptions(who: string, o: { readonly window?: WindowPolicy; readonly bigWindow?: number }): { window: WindowPolicy; bigWindow: number } {
  const window = o.window ?? 'shrinking';
  if (!['whole', 'shrinking', 'fixed1'].includes(window)) throw new RangeError(`${who}: window '${window}' is not whole, shrinking or fixed1`);
  const bigWindow = o.bigWindow ?? 8;
  if (!Number.isInteger(bigWindow) || bigWindow < 1) throw new RangeError(`${who}: bigWindow must be a whole number of pages >= 1, not ${bigWindow}`);
  return { window, bigWindow };
}

/**
 * should_fault_in_pages() (fs/gfs2/file.c): the fault-in window in units for `count` units left at file
 * offset `pos` with the iterator at user address `userAddr`, given the count of the previous attempt; 0
 * when nothing is left. 'shrinking' is gfs2's since v5.18: bigWindow pages after progress, one page after
 * none, less the file offset's offset into the page (324d116c5a5c); 'whole' faults in everything left
 * (the v4 RFC); 'fixed1' one page less the user pointer's offset into its page (v5.16 - v5.17).
 */
export function faultInWindow(
  policy: WindowPolicy,
  bigWindow: number,
  unitsPerPage: number,
  count: number,
  pos: number,
  prevCount: number,
  userAddr: number,
): number {
  if (count === 0) return 0;
  if (policy === 'whole') return count;
  if (policy === 'fixed1') return unitsPerPage - (userAddr % unitsPerPage);
  return (prevCount !== count ? bigWindow * unitsPerPage : unitsPerPage) - (pos % unitsPerPage);
}

/** The largest window faultInWindow() can return (the field's domain); 0 with faults enabled. */
export function maxFaultInWindow(faults: 'enabled' | 'disabled', policy: WindowPolicy, bigWindow: number, unitsPerPage: number, total: number): number {
  if (faults === 'enabled') return 0;
  return policy === 'whole' ? total : policy === 'fixed1' ? unitsPerPage : Math.max(unitsPerPage, bigWindow * unitsPerPage);
}
export type FaultInContract = 'allOrNothing' | 'bytesNotFaulted';
