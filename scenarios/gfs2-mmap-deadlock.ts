/**
 * gfs2-mmap-deadlock (kernel-protocols.md A): read(fd_F, buf, n) on gfs2 where buf = mmap(F), MAP_SHARED,
 * not yet faulted in. Up to v5.15 the copy runs with page faults enabled under the inode glock, and the
 * fault on buf runs gfs2_fault(), which asks for the same glock. The fix (00bfe02f4796, v5.16) copies with
 * page faults disabled, drops the glock, faults the buffer in and retries.
 */
import { deadlockFreedom, invariant, terminates, type SystemSpec } from '../checker/index.js';
import { gfs2ReadActor } from '../models/actors/gfs2Read.js';
import { glockContenderActor } from '../models/actors/glockContender.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { defineGlock, noRecursiveGlock } from '../models/fs/glock.js';
import { defineIovIter, iterConsumed, defineMmu } from '../models/index.js';
import { defineScenario } from './scenario.js';

export type Gfs2Variant = 'faults-enabled' | 'nofault-retry';
type Params = 'pages' | 'requests' | 'remote' | 'reclaim';

/**
 * The system. `recursion: 'queue'` replaces add_to_queue()'s recursion trap by plain queueing - not a
 * kernel, the assumption of kernel-protocols.md A.5 - for the test that shows the deadlock it describes.
 */
export function buildGfs2MmapDeadlock(p: Readonly<Record<Params, number>>, variant: Gfs2Variant, recursion: 'trap' | 'queue' = 'trap'): SystemSpec {
  const pages = Array.from({ length: p.pages }, (_, i) => i);
  const m = defineMmu({ pages: p.pages, unitsPerPage: 1, backing: 'file', staticVma: true });
  const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: p.pages }], warn: false });
  const holders = [
    { name: 'CPU0:SH', owner: 'CPU0', state: 'SH' as const },
    { name: 'CPU0/gfs2_fault:SH', owner: 'CPU0', state: 'SH' as const },
    ...(p.requests > 0 ? [{ name: 'CPU1:EX', owner: 'CPU1', state: 'EX' as const }] : []),
  ];
  const g = defineGlock({ holders, recursion });
  const reader = gfs2ReadActor(m, to, {
    faults: variant === 'faults-enabled' ? 'enabled' : 'disabled',
    window: 'shrinking',
    glock: { glock: g, holder: 'CPU0:SH', faultHolder: 'CPU0/gfs2_fault:SH' },
  });
  const actors: SystemSpec['actors'][number][] = [reader];
  if (p.requests > 0) {
    actors.push(glockContenderActor({ glock: g, holder: 'CPU1:EX', requests: p.requests, ...(p.remote ? { invalidate: { mmu: m, pages } } : {}) }));
  }
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim, pages }));
  return {
    name: `gfs2-mmap-deadlock:${variant}`,
    world: { ...m.fields, ...to.fields, ...g.fields },
    actors,
    properties: [
      ...(recursion === 'trap' ? [noRecursiveGlock(g)] : []),
      deadlockFreedom(),
      invariant('read() result', (s) => !(s.actor('CPU0').final && s.actor('CPU0').state === 'done') || s.actor('CPU0').context.read === iterConsumed(s.world, to), {
        description: 'P-A2: read() returns exactly the bytes the iterator consumed (no range copied twice or skipped across retries)',
        explain: (s) => `CPU0 returned ${s.actor('CPU0').context.read} but consumed ${iterConsumed(s.world, to)}`,
      }),
      terminates('CPU0', { name: 'the read returns', description: 'P-A3: read() eventually returns (weak fairness for the threads; reclaim and the contender act finitely often)' }),
    ],
  };
}

export const gfs2MmapDeadlock = defineScenario({
  id: 'gfs2-mmap-deadlock',
  title: 'gfs2 buffered read into an mmap of the same file: the fault needs the glock the read holds',
  source: 'Jan Kara\'s report; "gfs2: Fix mmap + page fault deadlocks for buffered I/O" 00bfe02f4796 (v5.16, merge c03098d4b9ad); e1fa9ea85ce8 (v5.18); fstests generic/647',
  description:
    'CPU0 runs read(fd_F, buf, n) on gfs2 where buf = mmap(F, MAP_SHARED) is not faulted in (pages = n pages, one unit each; the file is in ' +
    'the page cache). CPU1 is another task or, with remote=1, another cluster node that takes the inode glock in EX `requests` times; a ' +
    "remote node's EX demotes the local glock and inode_go_inval() unmaps buf. Reclaim may evict buf's pages `reclaim` times. The glock " +
    'is modelled from fs/gfs2/glock.c: holders granted in FIFO order, no barging past an incompatible waiter, and a request from a task ' +
    "that already has a holder on the glock trapped by add_to_queue() with BUG().\n" +
    'faults-enabled (<= v5.15): gfs2_glock_nq(SH), then generic_file_read_iter() with page faults enabled; the copy faults on buf, and ' +
    'gfs2_fault() asks for the same glock from the same task: add_to_queue() -> trap_recursive -> BUG() (and the glock stays held, so ' +
    'CPU1 then hangs). kernel-protocols.md A.5 expects the fault\'s request to queue behind CPU1\'s EX and deadlock; the kernel traps it ' +
    'first (see the test for the document\'s deadlock with the trap removed).\n' +
    'nofault-retry (v5.16 fix, current form since v5.18): copy with page faults disabled, and on a short copy gfs2_glock_dq(), ' +
    'fault_in_iov_iter_writeable() over the should_fault_in_pages() window (8 pages after progress, 1 page after none), retry. ' +
    'No fault handler ever runs under the glock. Holds: no recursive request, no deadlock, the result equals the bytes consumed, and ' +
    'the read returns - assuming weak fairness for CPU0 and CPU1, FIFO glock grants, and reclaim and CPU1 acting finitely often ' +
    '(checked for every reclaim budget and request count up to 3, pages up to 2).',
  params: {
    pages: { description: 'pages in buf = mmap(F) (n)', default: 1, min: 1, max: 3 },
    requests: { description: 'times CPU1 takes the glock in EX (0: no contender)', default: 1, min: 0, max: 3 },
    remote: { description: "1: CPU1 is another node, its EX grant invalidates F's page cache and unmaps buf; 0: a local task", default: 1, min: 0, max: 1 },
    reclaim: { description: "reclaim budget: evictions of buf's pages", default: 1, min: 0, max: 4 },
  },
  variants: {
    'faults-enabled': {
      description: '<= v5.15: copy with page faults enabled under the glock; gfs2_fault() requests the glock again: BUG() in add_to_queue()',
      expected: { verdict: 'violated', property: 'no recursive glock' },
    },
    'nofault-retry': {
      description: 'v5.16+: nofault copy, drop the glock, fault in a shrinking window, retry; holds with weak fairness, reclaim and CPU1 finitely often',
      expected: { verdict: 'holds' },
    },
  },
  defaultVariant: 'faults-enabled',
  validate: (p) => (p.remote === 1 && p.requests === 0 ? 'remote=1 needs a contender (requests >= 1)' : null),
  build: (p, v) => buildGfs2MmapDeadlock(p, v),
});
