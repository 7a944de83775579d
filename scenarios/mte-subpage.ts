/**
 * mte-subpage: the btrfs search ioctl livelock on arm64 MTE (Al Viro, "[RFC][arm64]
 * possible infinite loop in btrfs search_ioctl()", Aug-Oct 2021) and its fix, fault_in_subpage_writeable()
 * (v5.19). One thread runs search_ioctl() (models/actors/btrfsSearchIoctl.ts) over a user buffer of
 * `pages` pages of `granules` MTE granules each; `items` search results of one header (2 granules, 32
 * bytes) plus `itemLen` granules each go into it. Granule `badGranule` carries a mismatched MTE tag. A
 * Retag thread may retag granules and reclaim may evict pages, each a bounded number of times.
 *
 * Units: one unit is one 16-byte granule; a "page" of 2 granules stands for a 4 KiB page of 256. What
 * matters is only where the bad granule lies relative to the page start and the header.
 */
import { defineBtrfsSearch } from '../models/btrfs/search.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { mteRetagActor } from '../models/actors/mteRetag.js';
import { searchIoctlActor, searchIoctlProgress } from '../models/actors/btrfsSearchIoctl.js';
import { defineMmu } from '../models/mmu/config.js';
import type { ActorSpec, SystemSpec } from '../checker/index.js';
import { defineScenario } from './scenario.js';

export type MteSubpageVariant = 'fault-in-writeable' | 'fault-in-subpage-writeable' | 'fault-in-from-ubuf';
type Params = 'pages' | 'granules' | 'items' | 'itemLen' | 'badGranule' | 'retag' | 'reclaim';

export interface MteSubpageOptions {
  readonly faultInGranularity: 'page' | 'subpage';
  readonly faultInFrom: 'ubuf+sk_offset' | 'ubuf';
  /** The machine has MTE (system_supports_mte()). */
  readonly mte: boolean;
}

/** The kernel each variant stands for. */
export const MTE_SUBPAGE_VARIANTS: Readonly<Record<MteSubpageVariant, MteSubpageOptions>> = {
  'fault-in-writeable': { faultInGranularity: 'page', faultInFrom: 'ubuf+sk_offset', mte: true },
  'fault-in-subpage-writeable': { faultInGranularity: 'subpage', faultInFrom: 'ubuf+sk_offset', mte: true },
  'fault-in-from-ubuf': { faultInGranularity: 'page', faultInFrom: 'ubuf', mte: false },
};

/** The system for explicit options (the variants are three points of this space). */
export function buildSearchIoctl(p: Readonly<Record<Params, number>>, o: MteSubpageOptions): SystemSpec {
  const units = p.pages * p.granules;
  const m = defineMmu({
    pages: p.pages,
    unitsPerPage: p.granules,
    staticVma: true,
    ...(o.mte ? { mte: true, tagOK: Array.from({ length: units }, (_, u) => u !== p.badGranule) } : {}),
  });
  const s = defineBtrfsSearch(m, { bufSize: units, items: new Array<number>(p.items).fill(p.itemLen) });
  const actors: ActorSpec[] = [searchIoctlActor(s, { faultInGranularity: o.faultInGranularity, faultInFrom: o.faultInFrom })];
  if (o.mte && p.retag > 0) actors.push(mteRetagActor(m, { budget: p.retag }));
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim }));
  return {
    name: 'mte-subpage',
    world: m.fields,
    actors,
    properties: [searchIoctlProgress('CPU0')],
  };
}

export function buildMteSubpage(p: Readonly<Record<Params, number>>, variant: MteSubpageVariant): SystemSpec {
  return buildSearchIoctl(p, MTE_SUBPAGE_VARIANTS[variant]);
}

export const mteSubpage = defineScenario({
  id: 'mte-subpage',
  title: 'btrfs search_ioctl() livelock on arm64 MTE: fault_in_writeable() is blind to a tag fault inside a page',
  source:
    'Al Viro, "[RFC][arm64] possible infinite loop in btrfs search_ioctl()" (Aug-Oct 2021); a48b73eca4ce (v5.9), ' +
    '1c78544eaa46 (v5.9-rc6, 5.8.10 stable); fix 18788e34642e with da32b5817253 and f3ba50a7a100 (v5.19)',
  description:
    'search_ioctl() copies search results into the user buffer under btrfs tree locks, so with page faults disabled: ' +
    'copy_to_user_nofault() of each 32-byte header (and read_extent_buffer_to_user_nofault() of each item). A failed copy makes ' +
    'copy_to_sk() return 0 - "continue" - and the loop faults the rest of the buffer in with fault_in_writeable(ubuf + sk_offset, ' +
    'buf_size - sk_offset) and searches again from the failing item (key and sk_offset say where; the items before it stay copied). ' +
    'fault_in_writeable() probes the exact first byte and then one byte per page. On arm64 with MTE a granule inside the first page ' +
    'can carry a mismatched tag: the fault-in succeeds, the header copy faults on the tag at every pass, nothing changes - a livelock ' +
    'with no adversary (v5.10 - v5.18: user MTE came in v5.10; it needs the task to have enabled synchronous tag checks, ' +
    'PR_MTE_TCF_SYNC, on a PROT_MTE buffer through a tagged pointer - with asynchronous checks the copy does not fault, the ' +
    'mismatch is reported later as SIGSEGV, and there is no loop). fault_in_subpage_writeable() also reads every granule of the range ' +
    '(mte_probe_user_range()), so the bad granule makes it fail and the ioctl returns -EFAULT.\n\n' +
    'Variant fault-in-from-ubuf is a48b73eca4ce as merged, on a machine without MTE: it faulted in ' +
    'fault_in_pages_writeable(ubuf, buf_size - sk_offset), the head of the buffer, never the tail where the next header goes. ' +
    'One eviction of the tail page between passes (reclaim) then makes the loop spin (the commit says compsize and bees "operate ' +
    'incorrectly" on 5.8.x stable; the spin is the model\'s reading of why) ' +
    'until 1c78544eaa46.\n\n' +
    'Assumptions of the fixed variant: none for a static tag layout; retagging (Retag) and eviction (reclaim) act finitely often ' +
    '(FO): it holds for every retag and reclaim budget up to 3 (checked in test/scenarios/mte-subpage.test.ts). ' +
    'A retag between the probe and the copy costs one more pass; no probe-then-copy scheme survives an unbounded retagger. ' +
    'The tree does not change during the ioctl; one leaf holds every item; items never exceed the buffer (no -EOVERFLOW).',
  params: {
    pages: { description: 'pages of the user buffer (ubuf = page 0, buf_size = all of them)', default: 2, min: 1, max: 8 },
    granules: { description: 'MTE granules per page (16 bytes each; a real 4 KiB page has 256)', default: 2, min: 2, max: 8 },
    items: { description: 'items the search finds (one leaf)', default: 2, min: 1, max: 6 },
    itemLen: { description: 'item_len of every item, in granules (0: header only)', default: 0, min: 0, max: 8 },
    badGranule: { description: 'the granule with a mismatched MTE tag (MTE variants)', default: 1, min: 0, max: 31 },
    retag: { description: 'Retag budget: granule retags by another thread (MTE variants)', default: 1, min: 0, max: 4 },
    reclaim: { description: 'reclaim budget: page evictions', default: 1, min: 0, max: 6 },
  },
  variants: {
    'fault-in-writeable': {
      description: 'fault_in_writeable(ubuf + sk_offset, ...) probes page starts only (v5.10 - v5.18, sync MTE): livelock with no adversary',
      expected: { verdict: 'violated', property: 'search_ioctl progress' },
      provenance: { kind: 'shipped', versions: 'v5.10 - v5.18 (arm64 with synchronous MTE tag checks)', commits: ['1c78544eaa46', '18788e34642e'] },
    },
    'fault-in-subpage-writeable': {
      description: 'fault_in_subpage_writeable() also probes every granule (18788e34642e, v5.19): returns; FO(Retag), FO(reclaim)',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.19+', commits: ['da32b5817253', 'f3ba50a7a100', '18788e34642e'] },
    },
    'fault-in-from-ubuf': {
      description: 'a48b73eca4ce as merged (no MTE): faults in from ubuf, not ubuf + sk_offset: one eviction of the tail makes it spin',
      expected: { verdict: 'violated', property: 'search_ioctl progress' },
      provenance: { kind: 'shipped', versions: 'v5.9-rc1 - v5.9-rc5, 5.8.y stable before 5.8.10', commits: ['a48b73eca4ce', '1c78544eaa46'] },
    },
  },
  defaultVariant: 'fault-in-writeable',
  validate: (p) => {
    const units = p.pages * p.granules;
    if (p.badGranule >= units) return `badGranule (${p.badGranule}) must be a granule of the buffer (0..${units - 1})`;
    if (2 + p.itemLen > units) return `an item (header 2 + itemLen ${p.itemLen} granules) must fit the ${units}-granule buffer`;
    return null;
  },
  build: (p, v) => buildMteSubpage(p, v),
});
