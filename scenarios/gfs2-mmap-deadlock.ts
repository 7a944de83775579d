/**
 * gfs2-mmap-deadlock (kernel-protocols.md A): read(fd_F, buf, n) on gfs2 where buf = mmap(F), MAP_SHARED,
 * not yet faulted in. Up to v5.15 the copy runs with page faults enabled under the inode glock, and the
 * fault on buf runs gfs2_fault(), which asks for the same glock. The fix (00bfe02f4796, v5.16) copies with
 * page faults disabled, drops the glock, faults the buffer in and retries.
 */
import { deadlockFreedom, invariant, terminates, type StateView, type SystemSpec } from '../checker/index.js';
import { gfs2ReadActor } from '../models/actors/gfs2Read.js';
import { gfs2WriteActor } from '../models/actors/gfs2Write.js';
import { glockContenderActor } from '../models/actors/glockContender.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { defineGlock, noRecursiveGlock } from '../models/fs/glock.js';
import { defineIovIter, iterConsumed, defineMmu } from '../models/index.js';
import { defineScenario } from './scenario.js';

export type Gfs2Variant = 'faults-enabled' | 'nofault-retry';
type Params = 'pages' | 'requests' | 'remote' | 'reclaim' | 'write';

/**
 * The system. `recursion: 'queue'` replaces add_to_queue()'s recursion trap by plain queueing - not a
 * kernel, the assumption of kernel-protocols.md A.5 - for the test that shows the deadlock it describes.
 */
export function buildGfs2MmapDeadlock(p: Readonly<Record<Params, number>>, variant: Gfs2Variant, recursion: 'trap' | 'queue' = 'trap'): SystemSpec {
  const pages = Array.from({ length: p.pages }, (_, i) => i);
  const m = defineMmu({ pages: p.pages, unitsPerPage: 1, backing: 'file', staticVma: true });
  const write = p.write === 1;
  const it = write
    ? defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: p.pages }], warn: false })
    : defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: p.pages }], warn: false });
  const own = write ? 'CPU0:EX' : 'CPU0:SH';
  const holders = [
    { name: own, owner: 'CPU0', state: write ? ('EX' as const) : ('SH' as const) },
    { name: 'CPU0/gfs2_fault:SH', owner: 'CPU0', state: 'SH' as const },
    ...(p.requests > 0 ? [{ name: 'CPU1:EX', owner: 'CPU1', state: 'EX' as const }] : []),
  ];
  const g = defineGlock({ holders, recursion });
  const faults = variant === 'faults-enabled' ? ('enabled' as const) : ('disabled' as const);
  const glock = { glock: g, holder: own, faultHolder: 'CPU0/gfs2_fault:SH' };
  const reader = write ? gfs2WriteActor(m, it, { faults, window: 'shrinking', glock }) : gfs2ReadActor(m, it, { faults, window: 'shrinking', glock });
  const actors: SystemSpec['actors'][number][] = [reader];
  if (p.requests > 0) {
    actors.push(glockContenderActor({ glock: g, holder: 'CPU1:EX', requests: p.requests, ...(p.remote ? { invalidate: { mmu: m, pages } } : {}) }));
  }
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim, pages }));
  const result = (s: StateView): number => (write ? s.actor('CPU0').context.written : s.actor('CPU0').context.read);
  return {
    name: `gfs2-mmap-deadlock:${variant}`,
    world: { ...m.fields, ...it.fields, ...g.fields },
    actors,
    properties: [
      ...(recursion === 'trap' ? [noRecursiveGlock(g)] : []),
      deadlockFreedom(),
      invariant('result = bytes consumed', (s) => !(s.actor('CPU0').final && s.actor('CPU0').state === 'done') || result(s) === iterConsumed(s.world, it), {
        description: 'P-A2: the syscall returns exactly the bytes the iterator consumed (no range copied twice or skipped across retries)',
        explain: (s) => `CPU0 returned ${result(s)} but consumed ${iterConsumed(s.world, it)}`,
      }),
      terminates('CPU0', {
        name: 'the syscall returns',
        description: 'P-A3: read() / write() eventually returns (weak fairness for the threads; reclaim and the contender act finitely often)',
      }),
    ],
  };
}

export const gfs2MmapDeadlock = defineScenario({
  id: 'gfs2-mmap-deadlock',
  title: 'gfs2 buffered read/write on an mmap of the same file: the fault needs the glock the syscall holds',
  source:
    'Jan Kara\'s report; "gfs2: Fix mmap + page fault deadlocks for buffered I/O" 00bfe02f4796 (v5.16, merge c03098d4b9ad); e1fa9ea85ce8 (v5.18); fstests generic/647',
  description:
    'CPU0 runs read(fd_F, buf, n) - or, with write=1, write(fd_F, buf, n) - on gfs2 where buf = mmap(F, MAP_SHARED) is not faulted ' +
    'in (pages = n pages, one unit each; the file is in the page cache). CPU1 is another task or, with remote=1, another cluster node ' +
    "that takes the inode glock in EX `requests` times; a remote node's EX demotes the local glock and inode_go_inval() unmaps buf. " +
    "Reclaim may evict buf's pages `reclaim` times. The glock is modelled from fs/gfs2/glock.c: holders granted in FIFO order, no " +
    'barging past an incompatible waiter, and a request from a task that already has a holder on the glock trapped by add_to_queue() ' +
    'with BUG().\n' +
    'faults-enabled (<= v5.15): gfs2_glock_nq() (SH for read, EX for write), then the copy with page faults enabled; it faults on buf, ' +
    'and gfs2_fault() asks for the same glock from the same task: add_to_queue() -> trap_recursive -> BUG() (and the glock stays held, ' +
    "so CPU1 then hangs). kernel-protocols.md A.5 expects the fault's request to queue behind CPU1's EX and deadlock; the kernel traps " +
    "it first (the scenario's test shows the document's deadlock with the trap removed).\n" +
    'nofault-retry (v5.16 fix, current form since v5.18): copy with page faults disabled; read: on a short copy gfs2_glock_dq(), ' +
    'fault_in_iov_iter_writeable() over the should_fault_in_pages() window (8 pages after progress, 1 page after none), retry; ' +
    'write: fault_in_iov_iter_readable() over the window BEFORE taking the glock, clip the iterator to it, write, and go round again ' +
    'with the glock dropped. No fault handler ever runs under the glock. Holds: no recursive request, no deadlock, the result equals ' +
    'the bytes consumed, and the syscall returns - assuming weak fairness for CPU0 and CPU1, FIFO glock grants, and reclaim and CPU1 ' +
    'acting finitely often (checked for every reclaim budget and request count up to 3, local and remote, pages up to 2, read and write).',
  params: {
    pages: { description: 'pages in buf = mmap(F) (n)', default: 1, min: 1, max: 3 },
    requests: { description: 'times CPU1 takes the glock in EX (0: no contender)', default: 1, min: 0, max: 3 },
    remote: { description: "1: CPU1 is another node, its EX grant invalidates F's page cache and unmaps buf; 0: a local task", default: 1, min: 0, max: 1 },
    reclaim: { description: "reclaim budget: evictions of buf's pages", default: 1, min: 0, max: 4 },
    write: { description: '1: CPU0 runs write(fd_F, buf, n) (gfs2_file_buffered_write(), glock in EX) instead of read()', default: 0, min: 0, max: 1 },
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
