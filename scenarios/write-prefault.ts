/**
 * write-prefault: a buffered write() whose user buffer starts in a MAP_SHARED mapping of the very folio
 * being written and runs into a page it cannot read - where the fault-in sits in the write loop.
 *
 *   copy-faults-enabled  up to v2.6.23: prefault, then the copy under the page lock falls back to faults
 *                        enabled; reclaim between the two makes the fault wait for the writer's own lock
 *                        (fixed by 08291429cfa6 "mm: fix pagecache write deadlocks", v2.6.24);
 *   prefault-each        v5.18 .. v6.13: fault_in_iov_iter_readable() before every ->write_begin();
 *   fault-after-zero     665575cff098 (v6.14): fault in only after a copy that made no progress;
 *   no-fault-in          hypothetical: 665575cff098 without its fault-in;
 *   fuse-prefault        fuse_fill_write_pages() before faa794dd2e17: prefault, -EFAULT on any shortfall;
 *   fuse-fault-after     faa794dd2e17 (v6.16): the same test, after a copy of 0.
 *
 * World: user pages p0 (the file mapping, or anonymous with `src` 0) and p1 of 2 units each; the buffer
 * is u1..u3 (one unit in p0, p1 whole - "write(fd, a + PAGE_SIZE - 1, ...)"); the file is one page-cache
 * folio of 4 units in two blocks, written from offset 0. Actor: models/actors/bufferedWrite.ts over
 * models/pagecache/folio.ts; environment: reclaim of p0 or p1.
 */
import { type ActorSpec, type SystemSpec } from '../checker/index.js';
import { bufferedWriteActor, bufferedWriteProperties, type BufferedWriteWorld, type WriteLoop } from '../models/actors/bufferedWrite.js';
import { pageCacheEvictActor } from '../models/actors/pageCacheEvict.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { defineIovIter } from '../models/iov-iter/iter.js';
import { defineMmu } from '../models/mmu/index.js';
import { definePageCache } from '../models/pagecache/folio.js';
import { defineScenario } from './scenario.js';

export type WritePrefaultVariant = WriteLoop;
type Params = 'src' | 'bad' | 'reclaim' | 'aops' | 'uptodate' | 'present' | 'evict';

export function buildWritePrefault(p: Readonly<Record<Params, number>>, variant: WritePrefaultVariant): SystemSpec<BufferedWriteWorld> {
  const mapped = p.src === 1;
  const m = defineMmu({
    pages: 2,
    unitsPerPage: 2,
    backing: [mapped ? 'file' : 'anon', 'anon'],
    vma: ['RW', p.bad === 1 ? 'NONE' : 'RW'],
    staticVma: true,
    pte: [p.present === 1 ? (mapped ? 'PRESENT_RO' : 'PRESENT_RW') : 'ABSENT', 'ABSENT'],
    pageLock: true,
    ...(p.bad >= 2 ? { mte: true, tagOK: [true, true, p.bad !== 3, p.bad !== 2] } : {}),
  });
  const pc = definePageCache({
    folios: 1,
    folioUnits: 4,
    blockUnits: 2,
    aops: p.aops === 0 ? 'block' : 'simple',
    uptodate: p.uptodate === 1,
    ...(mapped ? { lock: { mmu: m, folios: [0] } } : {}),
    ...(p.evict > 0 ? { evict: { refs: 0 } } : {}),
  });
  const from = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 1, len: 3 }], warn: false });
  const writer = bufferedWriteActor(from, pc, { loop: variant, ...(mapped ? { mapping: [{ page: 0, folio: 0 }] } : {}) });
  const actors: ActorSpec<any, any>[] = [writer];
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim }));
  if (p.evict > 0) actors.push(pageCacheEvictActor(pc, { budget: p.evict, ...(mapped ? { mmu: m, mapping: [{ page: 0, folio: 0 }] } : {}) }));
  return {
    name: `write-prefault:${variant}`,
    world: { ...m.fields, ...pc.fields, ...from.fields },
    actors,
    properties: bufferedWriteProperties(from, pc),
  };
}

export const writePrefault = defineScenario({
  id: 'write-prefault',
  title: 'buffered write: prefault before every copy, or fault in after a zero-progress copy (665575cff098, faa794dd2e17)',
  source:
    '665575cff098 "filemap: move prefaulting out of hot write path" (Dave Hansen, v6.14) and faa794dd2e17 "fuse: Move prefaulting out of hot write path" (v6.16); ' +
    '08291429cfa6 "mm: fix pagecache write deadlocks" (Nick Piggin, Andrew Morton, v2.6.24); 631f871f0717 (v5.18, the `== bytes` test)',
  description:
    'generic_perform_write() copies with page faults disabled while it holds the folio lock: a fault on a mapping of that folio would wait for the lock the writer holds. ' +
    'It used to fault the source in before every ->write_begin() (prefault-each); 665575cff098 faults in only after ->write_end() rejected a copy that made no progress, ' +
    '"\'folio\' is now unlocked and faults on it can be handled". Both make progress under reclaim, inexact copies and MTE: a copy of 0 means the first unit is bad, ' +
    'and fault_in_readable() probes that exact unit. block_write_end() turns a short copy into a folio that is not uptodate into 0 (the loop retries with bytes = copied); ' +
    'simple_write_end() keeps it and zeroes the rest. Without the fault-in (no-fault-in) the loop spins. Up to v2.6.23 the copy fell back to faults enabled under the ' +
    'page lock (copy-faults-enabled): reclaim after the prefault makes the fault wait for the writer itself. fuse tests `fault_in_iov_iter_readable() != 0`, ' +
    'before and after faa794dd2e17: a buffer that runs into an unreadable page gets -EFAULT although its first unit could be read (the inconsistency 631f871f0717 ' +
    'removed from the generic loop). Parameters: src 1 = p0 is a MAP_SHARED mapping of the folio being written, 0 = anonymous; bad 0 = none, 1 = p1 PROT_NONE, ' +
    "2 = MTE tag mismatch at u3 (inside p1), 3 = at u2 (p1's first granule); reclaim = evictions of p0 or p1; aops 0 = block_write_begin/end, 1 = simple_write_begin/end; " +
    "uptodate = the folio starts uptodate; present = p0 is mapped at the start. Not modelled: large folios (their copy chunk is large-folio-write), fatal signals, balance_dirty_pages(), fuse's read of the folio from the server.",
  params: {
    src: { description: 'p0: 0 = anonymous memory, 1 = MAP_SHARED mapping of the folio being written', default: 1, min: 0, max: 1 },
    bad: { description: 'the unreadable part: 0 none, 1 p1 PROT_NONE, 2 MTE mismatch at u3, 3 MTE mismatch at u2', default: 1, min: 0, max: 3 },
    reclaim: { description: 'reclaim evictions (FO(Reclaim))', default: 1, min: 0, max: 4 },
    aops: { description: '0 = block_write_begin/end (fs/buffer.c), 1 = simple_write_begin/end (fs/libfs.c)', default: 0, min: 0, max: 1 },
    uptodate: { description: 'the page-cache folio starts uptodate (1) or not (0)', default: 0, min: 0, max: 1 },
    present: { description: 'p0 is mapped when write() starts (1: the program just touched its buffer) or not (0)', default: 0, min: 0, max: 1 },
    evict: {
      description:
        'evictions of the written folio from the page cache (shrink_folio_list() -> __remove_mapping(): only while clean, unlocked; after try_to_unmap() of p0)',
      default: 0,
      min: 0,
      max: 4,
    },
  },
  validate: (p) =>
    p.src === 1 && p.present === 1 && p.uptodate === 0 ? 'present=1 with src=1 needs uptodate=1: filemap_fault() maps only an uptodate folio' : null,
  variants: {
    'copy-faults-enabled': {
      description:
        '<= v2.6.23: a short atomic copy is redone with faults enabled under the page lock; reclaim after the prefault: the fault waits for the writer',
      expected: { verdict: 'violated', property: 'deadlock' },
      provenance: {
        kind: 'shipped',
        versions: '<= v2.6.23: the form 08291429cfa6 ("mm: fix pagecache write deadlocks", v2.6.24) replaced',
        commits: ['08291429cfa6'],
      },
      // The commit after the slow copy is today's ->write_end(), not 2.6.23's ->commit_write() (which took a
      // short copy into a page that is not uptodate): the deadlock is this variant's only claim, so it keeps
      // the mapped buffer, whose prefault reads the folio uptodate, and the other defaults.
      params: ['reclaim'],
    },
    'prefault-each': {
      description: 'v5.18 .. v6.13: fault_in_iov_iter_readable() == bytes is -EFAULT, before every ->write_begin()',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.18 .. v6.13', commits: ['631f871f0717'] },
    },
    'fault-after-zero': {
      description: '665575cff098 (v6.14): fault in only after a copy of 0, with the folio unlocked',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.14+', commits: ['665575cff098'] },
    },
    'no-fault-in': {
      description: 'hypothetical: 665575cff098 without the fault-in after a copy of 0 - the loop never faults the source in',
      expected: { verdict: 'violated', property: 'write returns' },
      provenance: {
        kind: 'hypothetical',
        why: 'shows what the fault-in after a zero-progress copy is for ("Ensure forward progress by trying to fault it in now"): without it an absent source page is never mapped',
      },
    },
    'fuse-prefault': {
      description: 'fuse_fill_write_pages() before faa794dd2e17: prefault with `!= 0`: -EFAULT when the buffer runs into an unreadable page, 0 units written',
      expected: { verdict: 'violated', property: 'no spurious -EFAULT' },
      provenance: {
        kind: 'shipped',
        versions: 'v5.16 .. v6.15 (before v5.16 iov_iter_fault_in_readable() was all-or-nothing: the same answer)',
        commits: ['a6294593e8a1'],
      },
    },
    'fuse-fault-after': {
      description:
        'faa794dd2e17 (v6.16): the same `!= 0` test after a copy of 0: -EFAULT while the first page is not mapped yet (present=0), the short write otherwise',
      expected: { verdict: 'violated', property: 'no spurious -EFAULT' },
      provenance: { kind: 'shipped', versions: 'v6.16+', commits: ['faa794dd2e17'] },
    },
  },
  defaultVariant: 'fault-after-zero',
  build: (p, v) => buildWritePrefault(p, v),
});
