/**
 * fault-in-window: a nofault-copy + fault-in + retry read loop under memory pressure.
 * Faulting in a window larger than the resident capacity evicts its own first pages (deterministic LRU, no
 * adversary), so "fault in the whole buffer, retry" can repeat for ever; gfs2's should_fault_in_pages()
 * falls back to one page after a round without progress.
 */
import { deadlockFreedom, type SystemSpec } from '../checker/index.js';
import { gfs2ReadActor } from '../models/gfs2/read.js';
import type { WindowPolicy } from '../models/gfs2/window.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { defineIovIter, defineMmu, iterProgress, residentCapacity } from '../models/index.js';
import { defineScenario } from './scenario.js';

export type FaultInWindowVariant = 'whole-buffer' | 'shrinking' | 'fixed1';
type Params = 'pages' | 'capacity' | 'reclaim';

const POLICY: Record<FaultInWindowVariant, WindowPolicy> = { 'whole-buffer': 'whole', shrinking: 'shrinking', fixed1: 'fixed1' };

export function buildFaultInWindow(p: Readonly<Record<Params, number>>, variant: FaultInWindowVariant): SystemSpec {
  const m = defineMmu({ pages: p.pages, unitsPerPage: 1, capacity: p.capacity, staticVma: true });
  const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: p.pages }], warn: false });
  const actors: SystemSpec['actors'][number][] = [gfs2ReadActor(m, to, { faults: 'disabled', window: POLICY[variant] })];
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim }));
  return {
    name: `fault-in-window:${variant}`,
    world: { ...m.fields, ...to.fields },
    actors,
    properties: [residentCapacity(m), deadlockFreedom(), iterProgress(to, { actor: 'CPU0', name: 'the read makes progress' })],
  };
}

export const faultInWindow = defineScenario({
  id: 'fault-in-window',
  title: 'fault in the whole buffer under memory pressure: a livelock with no adversary; the shrinking window',
  source:
    'David Laight and Andreas Gruenbacher on the gfs2 v4 RFC (Jul 2021: "shrink the fault-in window on each retry until it\'s only one page"); ' +
    'gfs2 should_fault_in_pages(), 00bfe02f4796 (v5.16), bb7f5d96aaa8 "gfs2: Fix should_fault_in_pages() logic" and 324d116c5a5c (v5.18)',
  description:
    'CPU0 runs the gfs2 buffered read loop (no glock contention here, so the glock steps are left out): copy with page faults disabled, ' +
    'and on a short copy fault the buffer in and retry. The user buffer has `pages` pages, all absent, and at most `capacity` of them ' +
    'can be resident: faulting in one more evicts the least recently used (deterministic memory pressure). Reclaim may also evict any ' +
    'buffer page `reclaim` times. The read starts at the locked attempt: gfs2 first reads without the glock (IOCB_NOIO), with page ' +
    'faults enabled until 5.18 ("gfs2: Disable page faults during lockless buffered reads"), so this loop is reached only when the file ' +
    "data was not in the page cache when read() began. The eviction order is a strict LRU of the buffer's own pages: the livelock below " +
    'is that deterministic worst case of thrashing; real reclaim gives a just-faulted page with a young PTE a second pass and evicts ' +
    'system-wide, so in a kernel it is a likelihood, not a certainty.\n' +
    'whole-buffer (the gfs2 v4 RFC): fault in the whole remaining buffer every time. With capacity < pages the fault-in evicts the ' +
    'first page before the copy can use it, and the loop repeats for ever without an adversary (capacity 2, 3 pages).\n' +
    'shrinking (gfs2 since v5.18, bb7f5d96aaa8 "gfs2: Fix should_fault_in_pages() logic"): should_fault_in_pages() faults in 8 pages after a round that made progress and one page after a ' +
    'round that did not, so the next copy always gets the first page. Holds - the read makes progress, capacity is respected, no ' +
    'deadlock - for every capacity >= 1 and every reclaim budget up to 3 (pages up to 4), with weak fairness for CPU0 and reclaim ' +
    'acting finitely often; an unbounded evictor could still take page 0 between every fault-in and copy.\n' +
    'fixed1 (what v5.16 - v5.17 shipped: a shadowed `pages` made the window always one page, less the offset of the USER pointer ' +
    'in its page - the offset came from ki_pos only with 324d116c5a5c, v5.18; with one unit per page both offsets are 0 here, and ' +
    'test/models/gfs2/gfs2.test.ts checks the difference on a buffer that starts mid-page): holds too, one page per round.',
  params: {
    pages: { description: 'pages in the user buffer (W)', default: 3, min: 1, max: 8 },
    capacity: { description: 'resident capacity in pages (C)', default: 2, min: 1, max: 8 },
    reclaim: { description: 'reclaim budget (adversarial evictions)', default: 0, min: 0, max: 6 },
  },
  variants: {
    'whole-buffer': {
      description: 'fault in the whole remaining buffer every round (gfs2 v4 RFC): livelock when capacity < pages, no adversary needed',
      expected: { verdict: 'violated', property: 'the read makes progress' },
      provenance: {
        kind: 'proposal',
        thread:
          'Andreas Gruenbacher, "[PATCH v4 0/8] gfs2: Fix mmap + page fault deadlocks" (linux-fsdevel, Jul 2021), the unmerged RFC; David Laight\'s reply: "shrink the fault-in window on each retry until it\'s only one page"',
      },
    },
    shrinking: {
      description: 'gfs2 should_fault_in_pages(): 8 pages after progress, 1 page after none; holds for every reclaim budget up to 3',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.18+', commits: ['bb7f5d96aaa8', '72382264502d', '324d116c5a5c'] },
    },
    fixed1: {
      description: "one page less the user pointer's page offset per round (v5.16 - v5.17); holds for every reclaim budget up to 3",
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.16 - v5.17', commits: ['00bfe02f4796', 'bb7f5d96aaa8'] },
    },
  },
  defaultVariant: 'whole-buffer',
  validate: (p) => (p.capacity > p.pages ? `capacity (${p.capacity}) cannot exceed pages (${p.pages})` : null),
  build: (p, v) => buildFaultInWindow(p, v),
});
