/**
 * gfs2-mmap-deadlock: read(fd_F, buf, n) on gfs2 where buf = mmap(F), MAP_SHARED,
 * not yet faulted in. Up to v5.15 the copy runs with page faults enabled under the inode glock, and the
 * fault on buf runs gfs2_fault(), which asks for the same glock. The fix (00bfe02f4796, v5.16) copies with
 * page faults disabled, drops the glock, faults the buffer in and retries.
 *
 * The -abba variants are the "multiple glocks, processes" case of 00bfe02f4796's message: two files F and
 * G, CPU0 runs write(fd_F, buf0, n) with buf0 = mmap(G) and CPU1 write(fd_G, buf1, n) with buf1 = mmap(F).
 * Each holds its own file's glock in EX and its fault asks for the other's in SH: a real deadlock. With
 * reads=1 they are two reads: each holds its own glock in SH, its copy_to_user() write fault gets the
 * other's glock in SH for gfs2_fault() (SH shares with SH) and then asks for it in EX in
 * gfs2_page_mkwrite(), behind the other read's SH: the same deadlock through ->page_mkwrite().
 */
import { deadlockFreedom, invariant, terminates, type Property, type StateView, type SystemSpec } from '../checker/index.js';
import { gfs2ReadActor } from '../models/gfs2/read.js';
import { gfs2WriteActor } from '../models/gfs2/write.js';
import { glockContenderActor } from '../models/gfs2/glockContender.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { defineGlock, glockExclusion, noRecursiveGlock, type Glock } from '../models/gfs2/glock.js';
import { defineIovIter, iterConsumed, defineMmu, type IovIter } from '../models/index.js';
import { defineScenario } from './scenario.js';

export type Gfs2Variant =
  'faults-enabled' | 'nofault-retry' | 'faults-enabled-abba' | 'nofault-retry-abba' | 'nofault-may-demote' | 'nofault-may-demote-stealing-fix';
type Params = 'pages' | 'requests' | 'remote' | 'reclaim' | 'write' | 'reads' | 'cached';

/** Each variant: the code (page faults enabled under the glock, or the nofault retry loop) and how many files. */
const VARIANTS: Record<Gfs2Variant, { readonly faults: 'enabled' | 'disabled'; readonly files: 1 | 2; readonly autoDemote?: 'v5.16' | 'v6.0' }> = {
  'faults-enabled': { faults: 'enabled', files: 1 },
  'nofault-retry': { faults: 'disabled', files: 1 },
  'faults-enabled-abba': { faults: 'enabled', files: 2 },
  'nofault-retry-abba': { faults: 'disabled', files: 2 },
  'nofault-may-demote': { faults: 'disabled', files: 1, autoDemote: 'v5.16' },
  'nofault-may-demote-stealing-fix': { faults: 'disabled', files: 1, autoDemote: 'v6.0' },
};

/** The properties of the syscall threads: each returns exactly the bytes its iterator consumed, and returns. */
function syscallProperties(calls: readonly { readonly cpu: string; readonly it: IovIter; readonly field: 'read' | 'written' }[]): Property[] {
  const call = (c: (typeof calls)[number]): string => (c.field === 'read' ? 'read()' : 'write()');
  const one = calls.length === 1;
  const wrong = (s: StateView, c: (typeof calls)[number]): boolean => {
    const a = s.actor(c.cpu);
    return a.final && a.state === 'done' && a.context[c.field] !== iterConsumed(s.world, c.it);
  };
  return [
    invariant(
      'result = bytes consumed',
      (s) => {
        for (const c of calls) if (wrong(s, c)) return false;
        return true;
      },
      {
        description: 'the syscall returns exactly the bytes the iterator consumed (no range copied twice or skipped across retries)',
        explain: (s: StateView) => {
          const c = calls.find((x) => wrong(s, x)) ?? calls[0]!;
          return `${c.cpu} returned ${s.actor(c.cpu).context[c.field]} but consumed ${iterConsumed(s.world, c.it)}`;
        },
      },
    ),
    ...calls.map((c) =>
      terminates(c.cpu, {
        name: one ? 'the syscall returns' : `${c.cpu}'s ${call(c)} returns`,
        description: one
          ? 'read() / write() eventually returns (weak fairness for the threads; reclaim and the contender act finitely often)'
          : `${c.cpu}'s ${call(c)} eventually returns (weak fairness for the threads; reclaim acts finitely often)`,
      }),
    ),
  ];
}

/** The parameters; `cached` only matters to the -may-demote variants (default 1). */
export type Gfs2Params = Readonly<Record<Exclude<Params, 'cached'>, number>> & { readonly cached?: number };

/**
 * The system. `recursion: 'queue'` replaces add_to_queue()'s recursion trap by plain queueing - not a
 * kernel: it shows the single-file deadlock that was expected before the trap was read - for the test.
 * The -may-demote variants take CPU1 as a local task (do_promote(), where 0befb8511e6a's bug is);
 * `remoteCallback` makes it a remote node when remote=1 (gfs2_glock_cb()), for the tests.
 */
export function buildGfs2MmapDeadlock(p: Gfs2Params, variant: Gfs2Variant, recursion: 'trap' | 'queue' = 'trap', remoteCallback = false): SystemSpec {
  const { faults, files, autoDemote } = VARIANTS[variant];
  const remote = p.remote === 1 && (!autoDemote || remoteCallback);
  if (files === 2) return buildAbba(p, variant, faults, recursion);
  const pages = Array.from({ length: p.pages }, (_, i) => i);
  const m = defineMmu({ pages: p.pages, unitsPerPage: 1, backing: 'file', staticVma: true });
  const write = p.write === 1;
  const it = write
    ? defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: p.pages }], warn: false })
    : defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: p.pages }], warn: false });
  const own = write ? 'CPU0:EX' : 'CPU0:SH';
  // The read's copy_to_user() faults for write: gfs2_fault() (SH), then gfs2_page_mkwrite() (EX).
  const holders = [
    { name: own, owner: 'CPU0', state: write ? ('EX' as const) : ('SH' as const) },
    { name: 'CPU0/gfs2_fault:SH', owner: 'CPU0', state: 'SH' as const },
    ...(write ? [] : [{ name: 'CPU0/gfs2_page_mkwrite:EX', owner: 'CPU0', state: 'EX' as const }]),
    ...(p.requests > 0 ? [{ name: 'CPU1:EX', owner: 'CPU1', state: 'EX' as const, ...(autoDemote && remote ? { remote: true } : {}) }] : []),
  ];
  const g = defineGlock({ holders, recursion, ...(autoDemote ? { autoDemote, cached: (p.cached ?? 1) === 1 ? ('EX' as const) : ('UN' as const) } : {}) });
  const glock = { glock: g, holder: own, faultHolder: 'CPU0/gfs2_fault:SH', ...(write ? {} : { mkwriteHolder: 'CPU0/gfs2_page_mkwrite:EX' }) };
  const reader = write
    ? gfs2WriteActor(m, it, { faults, window: 'shrinking', glock })
    : gfs2ReadActor(m, it, { faults, window: 'shrinking', glock, ...(autoDemote ? { glockDuringFaultIn: 'allow-demote' as const } : {}) });
  const actors: SystemSpec['actors'][number][] = [reader];
  if (p.requests > 0) {
    actors.push(glockContenderActor({ glock: g, holder: 'CPU1:EX', requests: p.requests, ...(remote ? { invalidate: { mmu: m, pages } } : {}) }));
  }
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim, pages }));
  return {
    name: `gfs2-mmap-deadlock:${variant}`,
    world: { ...m.fields, ...it.fields, ...g.fields },
    actors,
    properties: [
      ...(recursion === 'trap' ? [noRecursiveGlock(g)] : []),
      ...(autoDemote ? [glockExclusion(g)] : []),
      deadlockFreedom(),
      ...syscallProperties([{ cpu: 'CPU0', it, field: write ? 'written' : 'read' }]),
    ],
  };
}

/**
 * Two files, two writers: CPU0 write(fd_F, buf0 = mmap(G)), CPU1 write(fd_G, buf1 = mmap(F)); buf0 is
 * user pages 0..n-1, buf1 pages n..2n-1. Glock F (fields glockF*) and glock G (glockG*) each have the
 * writer's EX holder and the other task's gfs2_fault() SH holder. With reads=1, two readers instead:
 * CPU0 read(fd_F, buf0 = mmap(G)), CPU1 read(fd_G, buf1 = mmap(F)); each glock has the reader's SH holder
 * and the other task's gfs2_fault() SH and gfs2_page_mkwrite() EX holders. No contender (the syscalls
 * contend with each other): `requests`, `remote` and `write` do not apply; reclaim may evict pages of both
 * buffers.
 */
function buildAbba(p: Gfs2Params, variant: Gfs2Variant, faults: 'enabled' | 'disabled', recursion: 'trap' | 'queue'): SystemSpec {
  const n = p.pages;
  const read = p.reads === 1;
  const own = read ? 'SH' : 'EX';
  const m = defineMmu({ pages: 2 * n, unitsPerPage: 1, backing: 'file', staticVma: true });
  const file = (name: 'F' | 'G', caller: string, faulter: string) =>
    defineGlock({
      prefix: `glock${name}`,
      display: name,
      holders: [
        { name: `${caller}:${own}`, owner: caller, state: own },
        { name: `${faulter}/gfs2_fault:SH`, owner: faulter, state: 'SH' },
        ...(read ? [{ name: `${faulter}/gfs2_page_mkwrite:EX`, owner: faulter, state: 'EX' as const }] : []),
      ],
      recursion,
    });
  const gF = file('F', 'CPU0', 'CPU1');
  const gG = file('G', 'CPU1', 'CPU0');
  const syscall = (cpu: 'CPU0' | 'CPU1', base: number, mine: Glock, mapped: Glock) => {
    const glock = {
      glock: mine,
      holder: `${cpu}:${own}`,
      faultGlock: mapped,
      faultHolder: `${cpu}/gfs2_fault:SH`,
      ...(read ? { mkwriteHolder: `${cpu}/gfs2_page_mkwrite:EX` } : {}),
    };
    const o = { name: cpu, faults, window: 'shrinking' as const, glock };
    const it = read
      ? defineIovIter(m, `to${cpu.slice(3)}`, { type: 'UBUF', dir: 'DEST', segments: [{ base, len: n }], warn: false })
      : defineIovIter(m, `from${cpu.slice(3)}`, { type: 'UBUF', dir: 'SOURCE', segments: [{ base, len: n }], warn: false });
    return { it, actor: read ? gfs2ReadActor(m, it, o) : gfs2WriteActor(m, it, o) };
  };
  const c0 = syscall('CPU0', 0, gF, gG);
  const c1 = syscall('CPU1', n, gG, gF);
  const actors: SystemSpec['actors'][number][] = [c0.actor, c1.actor];
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim, pages: Array.from({ length: 2 * n }, (_, i) => i) }));
  const field = read ? ('read' as const) : ('written' as const);
  return {
    name: `gfs2-mmap-deadlock:${variant}`,
    world: { ...m.fields, ...c0.it.fields, ...c1.it.fields, ...gF.fields, ...gG.fields },
    actors,
    properties: [
      ...(recursion === 'trap' ? [noRecursiveGlock([gF, gG])] : []),
      deadlockFreedom(),
      ...syscallProperties([
        { cpu: 'CPU0', it: c0.it, field },
        { cpu: 'CPU1', it: c1.it, field },
      ]),
    ],
  };
}

export const gfs2MmapDeadlock = defineScenario({
  id: 'gfs2-mmap-deadlock',
  title: 'gfs2 buffered read/write on an mmap of a gfs2 file: the page fault needs a glock a syscall holds (same file: recursion; two files: ABBA)',
  source:
    'Jan Kara\'s report; "gfs2: Fix mmap + page fault deadlocks for buffered I/O" 00bfe02f4796 (v5.16, merge c03098d4b9ad); dc732906c245 (v5.16); e1fa9ea85ce8 (v5.18); 0befb8511e6a (v6.0); fstests generic/647',
  description:
    'CPU0 runs read(fd_F, buf, n) - or, with write=1, write(fd_F, buf, n) - on gfs2 where buf = mmap(F, MAP_SHARED) is not faulted ' +
    "in (pages = n pages, one unit each). The read starts at gfs2_file_read_iter()'s locked attempt: its first, lockless IOCB_NOIO " +
    'attempt (20f829999c38) returned because the data was not cached yet - with the data cached, the read copies without the glock ' +
    'and its fault runs with nothing held. CPU1 is another task or, with remote=1, another cluster node ' +
    "that takes the inode glock in EX `requests` times; a remote node's EX demotes the local glock and inode_go_inval() unmaps buf. " +
    "Reclaim may evict buf's pages `reclaim` times. The glock is modelled from fs/gfs2/glock.c: holders granted in FIFO order, no " +
    'barging past an incompatible waiter, and a request from a task that already has a holder on the glock trapped by add_to_queue() ' +
    'with BUG().\n' +
    'faults-enabled (<= v5.15): gfs2_glock_nq() (SH for read, EX for write), then the copy with page faults enabled (for the write: ' +
    "iomap_write_iter()'s pre-fault of each source page, iov_iter_fault_in_readable()); it faults on buf. The write's pre-fault is a " +
    "read fault: gfs2_fault() takes the mapped file's glock in SH (caveat: do_read_fault() first tries do_fault_around() -> " +
    'filemap_map_pages(), which maps an uptodate, unlocked page-cache page without calling ->fault; the model leaves fault-around ' +
    "out, so the write's cases assume buf's page is not uptodate in the page cache). The read's copy_to_user() is a write fault on a MAP_SHARED " +
    'mapping: do_shared_fault() runs gfs2_fault() (SH, filemap_fault(), dq) and then do_page_mkwrite() -> gfs2_page_mkwrite(), which ' +
    "takes the glock in EX before finish_fault() maps the page writable. gfs2_fault()'s SH comes first, and it asks for the same " +
    'glock from the same task: add_to_queue() -> trap_recursive -> BUG() (and the glock stays held, ' +
    "so CPU1 then hangs). one might expect the fault's request to queue behind CPU1's EX and deadlock; the kernel traps " +
    "it first (the scenario's test shows that deadlock with the trap removed).\n" +
    'nofault-retry (v5.16 fix, current form since v5.18): copy with page faults disabled; read: on a short copy gfs2_glock_dq(), ' +
    'fault_in_iov_iter_writeable() over the should_fault_in_pages() window (8 pages after progress, 1 page after none), retry; ' +
    'write: fault_in_iov_iter_readable() over the window BEFORE taking the glock, clip the iterator to it, write, and go round again ' +
    'with the glock dropped. (v5.16 - v5.17 kept the glock during the fault-in, marked HIF_MAY_DEMOTE for auto-demotion, ' +
    '00bfe02f4796 / dc732906c245; e1fa9ea85ce8 stopped using it in v5.18 over a do_promote() bug fixed later by 0befb8511e6a; ' +
    'the -may-demote variants model that form.) No fault handler ever runs under the glock. Holds: no recursive request, no deadlock, the result equals ' +
    'the bytes consumed, and the syscall returns - assuming weak fairness for CPU0 and CPU1, FIFO glock grants, and reclaim and CPU1 ' +
    'acting finitely often (checked for every reclaim budget and request count up to 3, local and remote, pages up to 2, read and write).\n' +
    '-abba variants: the "more complex scenarios ... that involve multiple glocks, processes" of 00bfe02f4796\'s message, with two ' +
    'files F and G and their inode glocks F and G. CPU0 runs write(fd_F, buf0, n) with buf0 = mmap(G, MAP_SHARED) and CPU1 runs ' +
    'write(fd_G, buf1, n) with buf1 = mmap(F) (n = pages each, not faulted in); with reads=1, read(fd_F, buf0, n) and ' +
    'read(fd_G, buf1, n). No contender: the two syscalls contend with each other, so requests, remote and write do not apply; reclaim ' +
    'may evict pages of both buffers. faults-enabled-abba (<= v5.15): each write ' +
    "holds its own file's glock in EX; iomap_write_iter() pre-faults buf under it and gfs2_fault() asks for the other file's glock in SH, " +
    "queued behind the other write's EX (may_grant(): nothing shares with an EX head): each task waits for the other - a deadlock, " +
    'with no recursion anywhere (different glocks, different tasks). With reads=1 each read holds its own glock in SH, which ' +
    "the other read's gfs2_fault() SH shares, but its write fault then asks for that glock in EX in gfs2_page_mkwrite(), queued " +
    "behind the other read's SH: the same ABBA deadlock, one step pair later. nofault-retry-abba (v5.16+): each write pre-faults " +
    'buf before gfs2_glock_nq() and copies with page faults disabled; each read copies with page faults disabled, drops its glock ' +
    'and then faults buf in (gfs2_fault() SH and gfs2_page_mkwrite() EX on the other glock, with nothing held). No task waits for a ' +
    'glock while holding one. Holds: no deadlock, each result equals the bytes consumed, both syscalls return - ' +
    'assuming weak fairness for CPU0 and CPU1, FIFO glock grants and reclaim acting finitely often (checked for pages up to 3 and ' +
    'every reclaim budget up to 4, reads and writes).\n' +
    '-may-demote variants: the v5.16 - v5.17 read (00bfe02f4796 with dc732906c245 "gfs2: Introduce flag for glock holder ' +
    'auto-demotion"): after a short nofault copy it keeps its holder, gfs2_holder_allow_demote(), faults the window in, ' +
    'gfs2_holder_disallow_demote(), and goes on under the glock if gfs2_holder_queued(), else takes it again. The fault-in runs ' +
    "gfs2_fault() (SH) and gfs2_page_mkwrite() (EX) as the task's own requests, which a weak holder does not make recursive. " +
    'CPU1 is a local task asking for EX (remote does not apply; requests = 1); cached=1 (default) starts with the glock cached ' +
    "in EX, no holder - the file was just written on this node, as generic/647 does - so the read's SH is granted without a state " +
    'change. nofault-may-demote (v5.16 do_promote()): with only weak holders granted, may_grant(gl, NULL, gh) compares with the ' +
    "lock state, EX, and grants CPU1's EX, and demote_incompat_holders(gl, NULL) finds no weak holder incompatible: CPU1 holds EX " +
    "while CPU0's weak SH is still granted, and CPU0 then reads under it (3 steps, property glock exclusion) - the bug " +
    '0befb8511e6a "gfs2: do_promote glock holder stealing fix" fixed in v6.0 (merged August 2022), after e1fa9ea85ce8 "gfs2: Stop using glock ' +
    'holder auto-demotion for now" (v5.18) had switched the feature off over "unresolved issues". ' +
    "nofault-may-demote-stealing-fix (never shipped together) passes the new holder, which dequeues CPU0's weak SH first; with " +
    'cached=1 it holds (pages up to 3, reclaim up to 2). Both deadlock with cached=0: the read takes the glock from UN to SH, ' +
    "CPU1's EX queues behind CPU0's weak SH (a local EX never passes may_grant() against SH, so nothing demotes the weak " +
    "holder), and CPU0's own gfs2_fault() SH queues behind CPU1 (5 steps) - in the kernel text as read here too.",
  params: {
    pages: { description: 'pages in buf = mmap(F) (n); -abba: in each of buf0 and buf1', default: 1, min: 1, max: 6 },
    requests: { description: 'times CPU1 takes the glock in EX (0: no contender)', default: 1, min: 0, max: 4 },
    remote: {
      description: "1: CPU1 is another node, its EX grant invalidates F's page cache and unmaps buf; 0: a local task",
      default: 1,
      min: 0,
      max: 1,
    },
    reclaim: { description: "reclaim budget: evictions of buf's pages (-abba: of buf0's and buf1's)", default: 1, min: 0, max: 8 },
    write: {
      description: '1: CPU0 runs write(fd_F, buf, n) (gfs2_file_buffered_write(), glock in EX) instead of read()',
      default: 0,
      min: 0,
      max: 1,
    },
    cached: {
      description:
        '-may-demote: 1 = the node holds glock G in EX at the start, no holder (F was just written here, as fstests generic/647 does first); 0 = unlocked',
      default: 1,
      min: 0,
      max: 1,
    },
    reads: {
      description: '-abba: 1 = two reads, read(fd_F, mmap(G)) on CPU0 and read(fd_G, mmap(F)) on CPU1; 0 = two writes',
      default: 0,
      min: 0,
      max: 1,
    },
  },
  variants: {
    'faults-enabled': {
      description: '<= v5.15: copy with page faults enabled under the glock; gfs2_fault() requests the glock again: BUG() in add_to_queue()',
      expected: { verdict: 'violated', property: 'no recursive glock' },
      provenance: {
        kind: 'shipped',
        versions: 'v5.8 - v5.15 (the read; the write pre-faults under the glock up to v5.15 too)',
        commits: ['20f829999c38', '00bfe02f4796'],
      },
      params: ['pages', 'requests', 'remote', 'reclaim', 'write'],
    },
    'nofault-retry': {
      description: 'v5.18+: nofault copy, drop the glock, fault in a shrinking window, retry; holds with weak fairness, reclaim and CPU1 finitely often',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'shipped',
        versions: 'v5.18+ (v5.16 - v5.17 kept the glock with HIF_MAY_DEMOTE)',
        commits: ['00bfe02f4796', 'e1fa9ea85ce8', 'bb7f5d96aaa8', '324d116c5a5c'],
      },
      params: ['pages', 'requests', 'remote', 'reclaim', 'write'],
    },
    'faults-enabled-abba': {
      description:
        '<= v5.15, two files: write(F) from mmap(G) on CPU0, write(G) from mmap(F) on CPU1; each gfs2_fault() waits for the glock the other write holds in EX: deadlock (reads=1: two reads, each gfs2_page_mkwrite() waits behind the SH the other read holds)',
      expected: { verdict: 'violated', property: 'deadlock' },
      provenance: { kind: 'shipped', versions: 'v5.8 - v5.15', commits: ['20f829999c38', '00bfe02f4796'] },
      params: ['pages', 'reclaim', 'reads'],
    },
    'nofault-retry-abba': {
      description:
        'v5.18+, the same two writes (or reads, reads=1): nofault copy, fault-in with no glock held; no fault under a glock; holds with weak fairness and finite reclaim',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.18+', commits: ['00bfe02f4796', 'e1fa9ea85ce8', 'bb7f5d96aaa8'] },
      params: ['pages', 'reclaim', 'reads'],
    },
    'nofault-may-demote': {
      description:
        "v5.16 - v5.17: nofault copy; the holder is kept, marked HIF_MAY_DEMOTE, during the fault-in; with no strong holder do_promote() grants CPU1's EX next to CPU0's weak SH: two incompatible holders",
      expected: { verdict: 'violated', property: 'glock exclusion' },
      provenance: { kind: 'shipped', versions: 'v5.16 - v5.17', commits: ['00bfe02f4796', 'dc732906c245', 'e1fa9ea85ce8'] },
      params: ['pages', 'reclaim', 'cached'],
    },
    'nofault-may-demote-stealing-fix': {
      description:
        "the v5.16 read with 0befb8511e6a's do_promote(): CPU1's EX demotes CPU0's weak holder first; holds with the glock cached in EX (cached=1), deadlocks with cached=0",
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'hypothetical',
        why: 'never shipped together: 0befb8511e6a landed in v6.0, after e1fa9ea85ce8 had stopped gfs2 from using auto-demotion in v5.18',
      },
      params: ['pages', 'reclaim', 'cached'],
    },
  },
  defaultVariant: 'faults-enabled',
  validate: (p) => (p.remote === 1 && p.requests === 0 ? 'remote=1 needs a contender (requests >= 1)' : null),
  build: (p, v) => buildGfs2MmapDeadlock(p, v),
});
