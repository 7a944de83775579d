/**
 * The btrfs tree search ioctl's static world (fs/btrfs/ioctl.c search_ioctl() / copy_to_sk(),
 * BTRFS_IOC_TREE_SEARCH and _V2): the user buffer `ubuf` of `*buf_size` units and the items the search
 * finds, in key order. The ioctl's locals - `key`, `sk_offset`, `num_found` - are the actor's context
 * (models/actors/btrfsSearchIoctl.ts); the tree does not change while the ioctl runs, so this fragment
 * adds no world fields.
 *
 * Abstractions, stated:
 * - Keys are item indices 0..n-1 in one leaf (`btrfs_search_forward(root, &key, ...)` finds the first
 *   item whose key is >= key; all items lie inside the search key range, key_in_sk() is always true).
 *   copy_to_sk() overwrites `*key` with each item's key as it goes (btrfs_item_key_to_cpu(leaf, key, i)),
 *   so after a failed copy the next search resumes AT the failing item, with the
 *   items before it kept in the buffer. After the last item, advance_key makes key = n (`key->offset++`).
 * - Sizes are in units (one unit = one 16-byte MTE granule): sizeof(struct btrfs_ioctl_search_header) is
 *   32 bytes = 2 units; item lengths are whole units.
 * - The -EOVERFLOW path (an item larger than the whole buffer) is excluded: every item fits alone.
 */
import { assertShape, type Shape } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';

export interface BtrfsSearchOptions {
  /** The user buffer's first unit (ubuf). Default 0. */
  readonly ubuf?: number;
  /** *buf_size, in units. */
  readonly bufSize: number;
  /** item_len of each item the search finds, in key order (units; 0 allowed). At least one item. */
  readonly items: readonly number[];
  /** sizeof(struct btrfs_ioctl_search_header) in units. Default 2 (32 bytes). */
  readonly headerUnits?: number;
  /** sk->nr_items: stop after this many items. Default: all of them. */
  readonly nrItems?: number;
}

/** Every option of defineBtrfsSearch: a key not listed is a typo, refused rather than left at its default. */
const SEARCH_OPTIONS: Shape<BtrfsSearchOptions> = { ubuf: 'checked', bufSize: 'checked', items: 'array', headerUnits: 'checked', nrItems: 'checked' };

export interface BtrfsSearch {
  readonly mmu: Mmu;
  readonly ubuf: number;
  readonly bufSize: number;
  readonly headerUnits: number;
  /** Number of items (n); keys are 0..n-1 and n means "past the last item". */
  readonly nrLeafItems: number;
  readonly itemLen: Int32Array;
  readonly nrItems: number;
}

/** Builds the descriptor; throws a RangeError naming the bad option. */
export function defineBtrfsSearch(m: Mmu, o: BtrfsSearchOptions): BtrfsSearch {
  assertShape(o, SEARCH_OPTIONS, 'defineBtrfsSearch() options');
  const ubuf = o.ubuf ?? 0;
  const hdr = o.headerUnits ?? 2;
  const n = o.items.length;
  if (n < 1) throw new RangeError('btrfs search: at least one item');
  if (!Number.isInteger(hdr) || hdr < 1) throw new RangeError(`btrfs search: headerUnits ${hdr} must be a positive whole number`);
  if (!Number.isInteger(o.bufSize) || o.bufSize < hdr) throw new RangeError(`btrfs search: buf_size ${o.bufSize} is smaller than the search header (${hdr})`);
  if (!(Number.isInteger(ubuf) && ubuf >= 0 && ubuf + o.bufSize <= m.units)) {
    throw new RangeError(`btrfs search: the buffer [${ubuf}, ${ubuf + o.bufSize}) is outside the user memory [0, ${m.units})`);
  }
  for (const len of o.items) {
    if (!Number.isInteger(len) || len < 0) throw new RangeError(`btrfs search: item length ${len} must be a whole number >= 0`);
    if (hdr + len > o.bufSize)
      throw new RangeError(`btrfs search: an item of ${len} units does not fit a ${o.bufSize}-unit buffer (the -EOVERFLOW path is not modelled)`);
  }
  const nrItems = o.nrItems ?? n;
  if (!Number.isInteger(nrItems) || nrItems < 1) throw new RangeError(`btrfs search: nr_items ${nrItems} must be at least 1`);
  return { mmu: m, ubuf, bufSize: o.bufSize, headerUnits: hdr, nrLeafItems: n, itemLen: Int32Array.from(o.items), nrItems };
}

/** btrfs_search_forward(root, &key, ...): the first item at or after `key`, or -1 (ret > 0: nothing left). */
export function btrfsSearchForwardSlot(s: BtrfsSearch, key: number): number {
  return key < s.nrLeafItems ? key : -1;
}

/** copy_to_sk(): `sizeof(sh) + item_len + *sk_offset > *buf_size` - the unused buffer is too small, return 1. */
export function searchBufferFull(s: BtrfsSearch, slot: number, skOffset: number): boolean {
  return s.headerUnits + s.itemLen[slot]! + skOffset > s.bufSize;
}
