/**
 * The btrfs tree search ioctl's copy loop: search_ioctl() and copy_to_sk() of fs/btrfs/ioctl.c, from
 * a48b73eca4ce ("btrfs: fix potential deadlock in the search ioctl", v5.9) on. The copy runs under btrfs
 * tree locks, so it cannot take page faults: every user copy is a `_nofault` one, and the loop faults the
 * buffer in before each search:
 *
 *   while (1) {
 *       ret = -EFAULT;
 *       if (fault_in_writeable(ubuf + sk_offset, *buf_size - sk_offset))          // faultInWriteable
 *           break;
 *       ret = btrfs_search_forward(root, &key, path, sk->min_transid);            // btrfsSearchForward
 *       if (ret != 0) { if (ret > 0) ret = 0; goto err; }
 *       ret = copy_to_sk(path, &key, sk, buf_size, ubuf, &sk_offset, &num_found);
 *       btrfs_release_path(path);
 *       if (ret) break;
 *   }
 *   copy_to_sk(), per item i from the found slot:  btrfs_item_key_to_cpu(leaf, key, i);
 *       if (sizeof(sh) + item_len + *sk_offset > *buf_size) return 1;
 *       if (copy_to_user_nofault(ubuf + *sk_offset, &sh, sizeof(sh))) return 0;   // copyToUserNofault
 *       *sk_offset += sizeof(sh);
 *       if (item_len && read_extent_buffer_to_user_nofault(leaf, ubuf + *sk_offset, ..., item_len)) {
 *           *sk_offset -= sizeof(sh); return 0; }                                   // readExtentBufferToUserNofault
 *       *sk_offset += item_len; (*num_found)++; if (*num_found >= sk->nr_items) return 1;
 *   advance_key: key->offset++; return 0;
 *
 * A failed copy returns 0 - "continue with next" - so the loop faults in again and searches again from
 * `key`, which now names the failing item: the items before it stay copied, only the failing item's
 * header is redone. Whether that loop terminates depends on the fault-in seeing
 * every unit the copy can fail on. Variant switches:
 * - `faultInGranularity`: 'page' = fault_in_writeable() (bb523b406c84; fault_in_pages_writeable() before
 *   v5.16): probes the exact first byte, then one byte per page - blind to an MTE tag mismatch inside a
 *   page, so copy_to_user_nofault() can fail where the fault-in succeeded (the MTE livelock, v5.10 - v5.18: user MTE came in v5.10).
 *   'subpage' = fault_in_subpage_writeable() (18788e34642e with da32b5817253 / f3ba50a7a100, v5.19 -
 *   not v5.18): also probes every MTE granule of the range.
 * - `faultInFrom`: 'ubuf+sk_offset' (1c78544eaa46, "btrfs: fix wrong address when faulting in pages in
 *   the search ioctl", v5.9-rc6) or 'ubuf', what a48b73eca4ce shipped:
 *   `fault_in_pages_writeable(ubuf, *buf_size - sk_offset)` - after the first leaf it faults in the wrong
 *   range, never the tail where the next header goes (compsize / bees hangs).
 *   The caller test is "any shortfall -> -EFAULT" in every version.
 * fault_in_pages_writeable() (v5.9 - v5.15) returned 0 / -EFAULT where fault_in_writeable() returns units
 * not faulted in; it probed `uaddr + k*PAGE_SIZE` and the last byte instead of page starts. Under the
 * all-or-nothing caller test both give the same answer at page granularity, so the model uses one. Not at
 * MTE granule granularity: with the bad granule holding the buffer's last byte (or a later uaddr +
 * k*PAGE_SIZE) the v5.10 - v5.15 probe would catch it and return -EFAULT where the model spins; the model
 * is the v5.16 - v5.18 probe set for those granules.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, progress, type ActorSpec, type ProgressProperty, type Shape, type StepEvent } from '../../checker/index.js';
import { btrfsSearchForwardSlot, searchBufferFull, type BtrfsSearch } from '../btrfs/search.js';
import { copyToUserNofault, copyToUserNofaultChoices, copyToUserNofaultResult } from '../mmu/copy.js';
import { faultInSubpageWriteable, faultInSubpageWriteableResult, faultInWriteable, faultInWriteableResult } from '../mmu/faultIn.js';
import { BLOCKED } from '../mmu/constants.js';
import type { MmuWorld } from '../mmu/world.js';
import { uaccessFailure } from './uaccessText.js';
import { NAME_OPTIONS, oneOf } from '../options.js';

export interface SearchIoctlOptions {
  /** Column name in traces. Default 'CPU0'. */
  readonly name?: string;
  /** 'page': fault_in_writeable() (fault_in_pages_writeable() v5.9 - v5.15); 'subpage': fault_in_subpage_writeable() (v5.19). */
  readonly faultInGranularity: 'page' | 'subpage';
  /** Where the fault-in starts: 'ubuf+sk_offset' (1c78544eaa46 on) or 'ubuf' (a48b73eca4ce as merged). Default 'ubuf+sk_offset'. */
  readonly faultInFrom?: 'ubuf+sk_offset' | 'ubuf';
}

/** Every option of searchIoctlMachine and searchIoctlActor: a key not listed is a typo, refused rather than left at its default. */
const SEARCH_IOCTL_OPTIONS: Shape<SearchIoctlOptions> = { name: 'string', faultInGranularity: 'checked', faultInFrom: 'checked' };

export interface SearchIoctlContext {
  /** The search key: the index of the next item to look at (n = past the last item). */
  key: number;
  /** sk_offset: units of ubuf filled with complete results. */
  skOffset: number;
  /** num_found: items copied. */
  numFound: number;
}

type SearchEvent = StepEvent<string, MmuWorld>;

/** The range the loop's fault-in covers for this context: [start, start + size). */
function faultInRange(s: BtrfsSearch, from: 'ubuf+sk_offset' | 'ubuf', skOffset: number): { start: number; size: number } {
  return { start: from === 'ubuf' ? s.ubuf : s.ubuf + skOffset, size: s.bufSize - skOffset };
}

/** The search_ioctl() machine (see the file comment). */
export function searchIoctlMachine(s: BtrfsSearch, options: SearchIoctlOptions) {
  assertShape(options, SEARCH_IOCTL_OPTIONS, 'searchIoctlMachine() options');
  const m = s.mmu;
  const subpage = oneOf('searchIoctl', 'faultInGranularity', options.faultInGranularity, ['page', 'subpage']) === 'subpage';
  const from = oneOf('searchIoctl', 'faultInFrom', options.faultInFrom, ['ubuf+sk_offset', 'ubuf'], 'ubuf+sk_offset');
  const faultInEvent = subpage ? 'faultInSubpageWriteable' : 'faultInWriteable';
  const faultInResult = subpage ? faultInSubpageWriteableResult : faultInWriteableResult;
  const faultIn = subpage ? faultInSubpageWriteable : faultInWriteable;
  const hdr = s.headerUnits;
  const n = s.nrLeafItems;
  const len = (key: number): number => s.itemLen[key]!;
  type Args = { context: SearchIoctlContext; event: SearchEvent };
  const faultInNow = ({ context, event }: Args): number => {
    const r = faultInRange(s, from, context.skOffset);
    return faultInResult(event.world, m, r.start, r.size);
  };
  // After an item is complete (header and body copied): num_found++, then stop (nr_items reached),
  // go on with the next item of the leaf, or advance_key past the leaf and loop again. `effect` is the
  // copy that completed the item, `grown` what it adds to sk_offset.
  const itemDone = (effect: 'copyHeader' | 'copyItem', grown: (c: SearchIoctlContext) => number) =>
    [
      {
        guard: ({ context }: Args) => context.numFound + 1 >= s.nrItems,
        target: 'done',
        actions: [
          effect,
          assign({ skOffset: ({ context }: Args) => context.skOffset + grown(context), numFound: ({ context }: Args) => context.numFound + 1 }),
        ],
        description: 'num_found >= sk->nr_items: copy_to_sk() returns 1',
      },
      {
        guard: ({ context }: Args) => context.key + 1 < n,
        target: 'copyHeader',
        actions: [
          effect,
          assign({
            skOffset: ({ context }: Args) => context.skOffset + grown(context),
            numFound: ({ context }: Args) => context.numFound + 1,
            key: ({ context }: Args) => context.key + 1,
          }),
        ],
        description: 'next item of the leaf (btrfs_item_key_to_cpu)',
      },
      {
        target: 'faultIn',
        actions: [
          effect,
          assign({
            skOffset: ({ context }: Args) => context.skOffset + grown(context),
            numFound: ({ context }: Args) => context.numFound + 1,
            key: () => n,
          }),
        ],
        description: 'advance_key: copy_to_sk() returns 0, next leaf',
      },
    ] as any[]; // built by a helper: xstate's config types want each transition literal in place
  return setup({
    types: { context: {} as SearchIoctlContext, events: {} as SearchEvent },
    guards: {
      faultInFails: (a) => {
        const r = faultInNow(a);
        return r !== BLOCKED && r !== 0;
      },
      faultInOk: (a) => faultInNow(a) === 0,
      nothingFound: ({ context }) => btrfsSearchForwardSlot(s, context.key) < 0,
      bufferFull: ({ context }) => searchBufferFull(s, context.key, context.skOffset),
      headerCopyFails: ({ context, event }) => copyToUserNofaultResult(event.world, m, s.ubuf + context.skOffset, hdr) !== 0,
      itemHasBody: ({ context }) => len(context.key) > 0,
      itemCopyFails: ({ context, event }) => copyToUserNofaultResult(event.world, m, s.ubuf + context.skOffset, len(context.key)) !== 0,
    },
    actions: {
      faultIn: ({ context, event }) => {
        const r = faultInRange(s, from, context.skOffset);
        faultIn(event.world, m, r.start, r.size);
      },
      copyHeader: ({ context, event }) => {
        copyToUserNofault(event.world, m, s.ubuf + context.skOffset, hdr, event.choice);
      },
      copyItem: ({ context, event }) => {
        copyToUserNofault(event.world, m, s.ubuf + context.skOffset, len(context.key), event.choice);
      },
    },
  }).createMachine({
    id: options.name ?? 'search_ioctl',
    initial: 'faultIn',
    context: { key: 0, skOffset: 0, numFound: 0 },
    states: {
      faultIn: {
        on: {
          [faultInEvent]: [
            { guard: 'faultInFails', target: 'efault', actions: 'faultIn', description: 'fault-in short: search_ioctl() returns -EFAULT' },
            { guard: 'faultInOk', target: 'search', actions: 'faultIn', description: 'fault-in complete' },
          ],
        },
      },
      search: {
        on: {
          btrfsSearchForward: [
            { guard: 'nothingFound', target: 'done', description: 'btrfs_search_forward() > 0: no more items, returns 0' },
            { target: 'copyHeader', description: 'btrfs_search_forward() == 0: leaf found, copy_to_sk()' },
          ],
        },
      },
      copyHeader: {
        on: {
          copyToUserNofault: [
            { guard: 'bufferFull', target: 'done', description: 'sizeof(sh) + item_len + sk_offset > buf_size: copy_to_sk() returns 1' },
            { guard: 'headerCopyFails', target: 'faultIn', actions: 'copyHeader', description: 'copy_to_user_nofault() == -EFAULT: copy_to_sk() returns 0' },
            {
              guard: 'itemHasBody',
              target: 'copyItem',
              actions: ['copyHeader', assign({ skOffset: ({ context }) => context.skOffset + hdr })],
              description: 'header copied',
            },
            ...itemDone('copyHeader', () => hdr),
          ],
        },
      },
      copyItem: {
        on: {
          readExtentBufferToUserNofault: [
            {
              guard: 'itemCopyFails',
              target: 'faultIn',
              actions: ['copyItem', assign({ skOffset: ({ context }) => context.skOffset - hdr })],
              description: 'read_extent_buffer_to_user_nofault() fails: sk_offset -= sizeof(sh), copy_to_sk() returns 0',
            },
            ...itemDone('copyItem', (c) => len(c.key)),
          ],
        },
      },
      done: { type: 'final' },
      efault: { type: 'final' },
    },
  });
}

/** The search_ioctl() actor: a thread (weakly fair). */
export function searchIoctlActor(s: BtrfsSearch, options: SearchIoctlOptions): ActorSpec<SearchIoctlContext, MmuWorld> {
  assertShape(options, SEARCH_IOCTL_OPTIONS, 'searchIoctlActor() options');
  const m = s.mmu;
  const from = oneOf('searchIoctl', 'faultInFrom', options.faultInFrom, ['ubuf+sk_offset', 'ubuf'], 'ubuf+sk_offset');
  const subpage = oneOf('searchIoctl', 'faultInGranularity', options.faultInGranularity, ['page', 'subpage']) === 'subpage';
  const n = s.nrLeafItems;
  const faultInName = subpage ? 'fault_in_subpage_writeable' : from === 'ubuf' ? 'fault_in_pages_writeable' : 'fault_in_writeable';
  const faultInResult = subpage ? faultInSubpageWriteableResult : faultInWriteableResult;
  const at = (off: number): string => (off === 0 ? 'ubuf' : `ubuf+${off}`);
  const copyResult = (w: MmuWorld, a: number, l: number): string =>
    copyToUserNofaultResult(w, m, a, l) === 0 ? '0' : `-EFAULT: ${uaccessFailure(w, m, a, l, true, s.ubuf)}`;
  return {
    name: options.name ?? 'CPU0',
    machine: searchIoctlMachine(s, options),
    fields: { key: int(0, n), skOffset: int(0, s.bufSize), numFound: int(0, n) },
    choices: {
      copyToUserNofault: ({ context, event }) => copyToUserNofaultChoices(event.world, m, s.ubuf + context.skOffset, s.headerUnits),
      readExtentBufferToUserNofault: ({ context, event }) => copyToUserNofaultChoices(event.world, m, s.ubuf + context.skOffset, s.itemLen[context.key]!),
    },
    label: ({ context, event }, description) => {
      const w = event.world;
      const c = context;
      switch (event.type) {
        case 'faultInWriteable':
        case 'faultInSubpageWriteable': {
          const r = faultInRange(s, from, c.skOffset);
          const res = faultInResult(w, m, r.start, r.size);
          return `${faultInName}(${at(r.start - s.ubuf)}, ${r.size}) = ${res}${res !== 0 ? ': -EFAULT' : ''}`;
        }
        case 'btrfsSearchForward':
          return btrfsSearchForwardSlot(s, c.key) < 0
            ? `btrfs_search_forward(key ${c.key}) = 1: no more items`
            : `btrfs_search_forward(key ${c.key}) = 0: item ${c.key}`;
        case 'copyToUserNofault':
          if (searchBufferFull(s, c.key, c.skOffset)) return `copy_to_sk(): buffer full at sk_offset ${c.skOffset}, returns 1`;
          return `copy_to_user_nofault(${at(c.skOffset)}, &sh, ${s.headerUnits}) = ${copyResult(w, s.ubuf + c.skOffset, s.headerUnits)}`;
        case 'readExtentBufferToUserNofault': {
          const l = s.itemLen[c.key]!;
          return `read_extent_buffer_to_user_nofault(${at(c.skOffset)}, ${l}) = ${copyResult(w, s.ubuf + c.skOffset, l)}`;
        }
        default:
          return description ?? event.type;
      }
    },
  };
}

/**
 * search_ioctl progress (no livelock): search_ioctl() returns, or its progress measure (key, num_found)
 * advances. Both only ever grow - sk_offset does not: a failed item copy takes its header back - so a
 * lasso in which the ioctl is in flight is a livelock.
 */
export function searchIoctlProgress(actor: string, options: { readonly name?: string } = {}): ProgressProperty {
  assertShape(options, NAME_OPTIONS, 'searchIoctlProgress() options');
  return progress(options.name ?? 'search_ioctl progress', {
    description: `${actor}: search_ioctl() returns, or (key, num_found) advances`,
    inFlight: (s) => !s.actor(actor).final,
    progress: (b, a) => {
      const before = b.actor(actor).context;
      const numFound = before.numFound!;
      const key = before.key!;
      const after = a.actor(actor).context;
      return after.numFound! > numFound || after.key! > key;
    },
  });
}
