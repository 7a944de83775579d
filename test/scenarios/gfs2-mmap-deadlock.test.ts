/**
 * gfs2-mmap-deadlock (scenarios/gfs2-mmap-deadlock.ts): the <= v5.15 read traps a recursive glock request
 * in add_to_queue() (BUG), the single-glock deadlock as first described needs that trap removed, and the v5.16+ nofault retry
 * loop holds for every contender and reclaim budget up to the declared bound. With two files (-abba), the
 * <= v5.15 writes deadlock for real (ABBA on glocks F and G, no recursion) and the fixed writes hold; so do
 * two reads (reads=1), through the write fault's gfs2_page_mkwrite() (EX) behind the other read's SH.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { buildGfs2MmapDeadlock } from '../../scenarios/gfs2-mmap-deadlock.js';
import { defineGlock, defineIovIter, defineMmu, gfs2ReadActor } from '../../models/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('gfs2-mmap-deadlock')!;
const defaults = resolveParams(scenario, {}) as {
  pages: number;
  requests: number;
  remote: number;
  reclaim: number;
  write: number;
  reads: number;
  cached: number;
};

function text(system: ReturnType<typeof compileSystem>, trace: Parameters<typeof formatTraceText>[0]): string {
  return formatTraceText(trace, { actors: system.actors.map((a) => a.name) }) + '\n';
}

/**
 * faults-enabled-abba at the defaults (reads 0 or 1): a deadlock in which each CPU waits in `state` for
 * the other's glock (`waits`, CPU0's then CPU1's), reached by the steps `labels`, with these state and
 * transition counts and the golden trace.
 */
function assertAbbaDeadlock(o: {
  reads: number;
  state: string;
  waits: readonly [string, string];
  labels: readonly string[];
  counts: readonly [number, number];
  golden: string;
}): void {
  const system = compileSystem(scenario.build({ ...defaults, reads: o.reads }, 'faults-enabled-abba'));
  const r = check(system);
  assert.equal(r.verdict, 'violated');
  const v = r.violations[0]!;
  assert.equal(v.property, 'deadlock');
  assert.equal(v.kind, 'deadlock');
  assert.deepEqual(
    v.blocked?.map((b) => [b.actor, b.state, b.waitsFor]),
    [
      ['CPU0', o.state, o.waits[0]],
      ['CPU1', o.state, o.waits[1]],
    ],
  );
  assert.equal(v.message, `CPU0 is stuck in '${o.state}', waiting for ${o.waits[0]}; CPU1 is stuck in '${o.state}', waiting for ${o.waits[1]}`);
  assert.deepEqual(
    v.trace.steps.map((x) => `${x.actor}: ${x.label}`),
    o.labels,
  );
  assert.deepEqual([r.stats.states, r.stats.transitions], o.counts);
  assertGolden(o.golden, text(system, v.trace));
}

describe('scenarios/gfs2-mmap-deadlock.ts', () => {
  it('defaults: one page, one remote EX request, reclaim budget 1', () => {
    assert.deepEqual(defaults, { pages: 1, requests: 1, remote: 1, reclaim: 1, write: 0, reads: 0, cached: 1 });
    assert.throws(() => resolveParams(scenario, { requests: '0' }), /remote=1 needs a contender/);
  });

  it('the -abba variants take pages, reclaim and reads only (no contender; writes, or reads with reads=1); the others are not theirs to set', () => {
    assert.deepEqual(resolveParams(scenario, { reclaim: '2' }, 'faults-enabled-abba'), { pages: 1, reclaim: 2, reads: 0 });
    assert.deepEqual(resolveParams(scenario, { reads: '1' }, 'nofault-retry-abba'), { pages: 1, reclaim: 1, reads: 1 });
    const { reads: _reads, cached: _cached, ...single } = defaults;
    assert.deepEqual(resolveParams(scenario, {}, 'faults-enabled'), single);
    assert.deepEqual(resolveParams(scenario, {}, 'nofault-retry'), single);
    for (const k of ['requests', 'remote', 'write']) {
      assert.throws(
        () => resolveParams(scenario, { [k]: '0' }, 'nofault-retry-abba'),
        new RegExp(
          `^ScenarioInputError: parameter '${k}' does not apply to gfs2-mmap-deadlock:nofault-retry-abba \\(its parameters: pages, reclaim, reads\\)$`,
        ),
      );
    }
    assert.throws(
      () => resolveParams(scenario, { reads: '1' }, 'faults-enabled'),
      /^ScenarioInputError: parameter 'reads' does not apply to gfs2-mmap-deadlock:faults-enabled \(its parameters: pages, requests, remote, reclaim, write\)$/,
    );
  });

  it('faults-enabled: gfs2_fault() asks for the glock the read holds: BUG() in add_to_queue(), 3 steps, 8 states', () => {
    const system = compileSystem(scenario.build(defaults, 'faults-enabled'));
    const r = check(system);
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.equal(v.property, 'no recursive glock');
    assert.equal(v.message, 'a task requested glock G while holding it: add_to_queue() -> trap_recursive -> BUG()');
    assert.deepEqual(
      v.trace.steps.map((s) => s.actor),
      ['CPU0', 'CPU0', 'CPU0'],
    );
    assert.deepEqual([r.stats.states, r.stats.transitions], [8, 7]);
    assertGolden('gfs2-mmap-deadlock-faults-enabled.txt', text(system, v.trace));
  });

  it('faults-enabled: the BUG leaves the glock held, so CPU1 then hangs behind the dead holder', () => {
    const r = check(scenario.build(defaults, 'faults-enabled'), { stopAtFirstViolation: false });
    const d = r.violations.find((x) => x.property === 'deadlock')!;
    assert.deepEqual(
      d.blocked?.map((b) => [b.actor, b.state, b.waitsFor]),
      [
        ['CPU0', 'BUG', 'nothing: add_to_queue() hit BUG() (recursive glock request) and the task died holding the glock'],
        ['CPU1', 'waiting', 'glock G in EX behind CPU0:SH'],
      ],
    );
    assert.equal(d.trace.steps.length, 4);
  });

  it("the expected single-file deadlock appears only with add_to_queue()'s recursion trap removed (not a kernel)", () => {
    // 17 states / 19 transitions (18 / 20 before gfs2_page_mkwrite() was modelled): the same 4-step
    // deadlock, found from a BFS frontier one state smaller, because filemap_fault() no longer maps the
    // page writable under gfs2_fault()'s SH - do_shared_fault() goes on to gfs2_page_mkwrite() first.
    const system = compileSystem(buildGfs2MmapDeadlock(defaults, 'faults-enabled', 'queue'));
    const r = check(system);
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.equal(v.property, 'deadlock');
    assert.deepEqual(
      v.blocked?.map((b) => [b.actor, b.state, b.waitsFor]),
      [
        ['CPU0', 'faultGlockWait', 'glock G in SH behind CPU0:SH, CPU1:EX in gfs2_fault(), while holding it in SH'],
        ['CPU1', 'waiting', 'glock G in EX behind CPU0:SH'],
      ],
    );
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}: ${s.label}`),
      [
        'CPU0: gfs2_glock_nq(SH): granted',
        'CPU0: generic_file_read_iter(): copy_to_user() copies 0, #PF at p0',
        'CPU1: gfs2_glock_nq(EX): queued',
        'CPU0: handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(SH): queued',
      ],
    );
    assert.deepEqual([r.stats.states, r.stats.transitions], [17, 19]);
  });

  it('without the trap, a read that gets past gfs2_fault() waits in gfs2_page_mkwrite() for EX behind its own SH (not a kernel)', () => {
    // The whole space shrinks from 52 to 22 states: no run gets past the first fault any more, since the
    // read's write fault asks for EX while the read holds SH (the one-task case).
    const r = check(buildGfs2MmapDeadlock(defaults, 'faults-enabled', 'queue'), { stopAtFirstViolation: false });
    // The deadlocked state is also where a maximal run ends with the read in flight: it never returns.
    assert.deepEqual(
      r.violations.map((x) => x.property),
      ['deadlock', 'the syscall returns'],
    );
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.terminalStates], [22, 24, 4]);
    const self = check(buildGfs2MmapDeadlock({ ...defaults, requests: 0, remote: 0 }, 'faults-enabled', 'queue'));
    const v = self.violations[0]!;
    assert.deepEqual(
      v.blocked?.map((b) => [b.actor, b.state, b.waitsFor]),
      [['CPU0', 'mkwriteGlockWait', 'glock G in EX behind CPU0:SH in gfs2_page_mkwrite(), while holding it in SH']],
    );
    assert.deepEqual(
      v.trace.steps.map((x) => x.label),
      [
        'gfs2_glock_nq(SH): granted',
        'generic_file_read_iter(): copy_to_user() copies 0, #PF at p0',
        'handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(SH): granted',
        'filemap_fault(); gfs2_glock_dq()',
        'do_shared_fault() -> gfs2_page_mkwrite(): gfs2_glock_nq(EX): queued',
      ],
    );
  });

  it('nofault-retry holds at the defaults: 68 states, 93 transitions', () => {
    const r = check(scenario.build(defaults, 'nofault-retry'));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.terminalStates], [68, 93, 3]);
  });

  it('nofault-retry holds for every request count up to 3, local or remote, every reclaim budget up to 3, pages up to 2, read and write', () => {
    for (let write = 0; write <= 1; write++) {
      for (let pages = 1; pages <= 2; pages++) {
        for (let requests = 0; requests <= 3; requests++) {
          for (let remote = 0; remote <= (requests ? 1 : 0); remote++) {
            for (let reclaim = 0; reclaim <= 3; reclaim++) {
              const p = { pages, requests, remote, reclaim, write, reads: 0 };
              const r = check(buildGfs2MmapDeadlock(p, 'nofault-retry'));
              assert.equal(r.verdict, 'holds', `${JSON.stringify(p)}: ${r.violations[0]?.message}`);
            }
          }
        }
      }
    }
  });

  it("write=1: the <= v5.15 write traps the same way (gfs2_fault() SH under the write's EX); the fixed write holds (counts)", () => {
    const bad = check(buildGfs2MmapDeadlock({ ...defaults, write: 1 }, 'faults-enabled'));
    assert.equal(bad.violations[0]!.property, 'no recursive glock');
    assert.deepEqual(
      bad.violations[0]!.trace.steps.map((s) => s.label),
      [
        'gfs2_glock_nq(EX): granted',
        'iomap_write_iter(): iov_iter_fault_in_readable(): #PF at p0',
        'handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(SH): recursive -> BUG()',
      ],
    );
    const good = check(buildGfs2MmapDeadlock({ ...defaults, write: 1 }, 'nofault-retry'));
    assert.equal(good.verdict, 'holds');
    assert.deepEqual([good.stats.states, good.stats.transitions], [63, 87]);
  });

  it('faults-enabled-abba: write(F) from mmap(G) and write(G) from mmap(F) deadlock on glocks F and G, 6 steps, 54 states', () => {
    assertAbbaDeadlock({
      reads: 0,
      state: 'faultGlockWait',
      waits: [
        'glock G in SH behind CPU1:EX in gfs2_fault(), while holding glock F in EX',
        'glock F in SH behind CPU0:EX in gfs2_fault(), while holding glock G in EX',
      ],
      labels: [
        'CPU0: gfs2_glock_nq(F, EX): granted',
        'CPU0: iomap_write_iter(): iov_iter_fault_in_readable(): #PF at p0',
        'CPU1: gfs2_glock_nq(G, EX): granted',
        'CPU1: iomap_write_iter(): iov_iter_fault_in_readable(): #PF at p1',
        'CPU1: handle_mm_fault(p1) -> gfs2_fault(): gfs2_glock_nq(F, SH): queued',
        'CPU0: handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(G, SH): queued',
      ],
      counts: [54, 75],
      golden: 'gfs2-mmap-deadlock-faults-enabled-abba.txt',
    });
  });

  it('faults-enabled-abba: the whole state space has the deadlock and what it implies, nothing else - never the recursion trap (different glocks, different tasks), writes and reads', () => {
    // A deadlocked state ends a maximal run with both calls in flight, so neither returns either.
    const deadlockAndStuck = (call: string): string[] => ['deadlock', `CPU0's ${call} returns`, `CPU1's ${call} returns`];
    const r = check(scenario.build(defaults, 'faults-enabled-abba'), { stopAtFirstViolation: false });
    assert.deepEqual(
      r.violations.map((x) => x.property),
      deadlockAndStuck('write()'),
    );
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.terminalStates], [145, 246, 5]);
    const reads = check(scenario.build({ ...defaults, reads: 1 }, 'faults-enabled-abba'), { stopAtFirstViolation: false });
    assert.deepEqual(
      reads.violations.map((x) => x.property),
      deadlockAndStuck('read()'),
    );
    assert.deepEqual([reads.stats.states, reads.stats.transitions, reads.stats.terminalStates], [241, 426, 5]);
    const states: number[] = [];
    for (let reads = 0; reads <= 1; reads++) {
      for (let pages = 1; pages <= 3; pages++) {
        for (let reclaim = 0; reclaim <= 4; reclaim++) {
          const p = { ...defaults, pages, reclaim, reads };
          const all = check(buildGfs2MmapDeadlock(p, 'faults-enabled-abba'), { stopAtFirstViolation: false });
          assert.deepEqual(
            all.violations.map((x) => x.property),
            deadlockAndStuck(reads ? 'read()' : 'write()'),
            JSON.stringify(p),
          );
          if (reads) states.push(all.stats.states);
        }
      }
    }
    assert.deepEqual(states, [97, 241, 388, 535, 682, 189, 591, 1093, 1623, 2158, 281, 1053, 2268, 3761, 5387]);
  });

  it('faults-enabled-abba, reads=1: read(F) from mmap(G) and read(G) from mmap(F) deadlock in gfs2_page_mkwrite(), 10 steps, 126 states', () => {
    // Each read holds its own glock in SH; gfs2_fault()'s SH on the other glock is granted (SH shares with
    // SH), but the write fault's gfs2_page_mkwrite() then asks for EX, behind the other read's SH.
    assertAbbaDeadlock({
      reads: 1,
      state: 'mkwriteGlockWait',
      waits: [
        'glock G in EX behind CPU1:SH in gfs2_page_mkwrite(), while holding glock F in SH',
        'glock F in EX behind CPU0:SH in gfs2_page_mkwrite(), while holding glock G in SH',
      ],
      labels: [
        'CPU0: gfs2_glock_nq(F, SH): granted',
        'CPU0: generic_file_read_iter(): copy_to_user() copies 0, #PF at p0',
        'CPU0: handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(G, SH): granted',
        'CPU0: filemap_fault(); gfs2_glock_dq()',
        'CPU1: gfs2_glock_nq(G, SH): granted',
        'CPU1: generic_file_read_iter(): copy_to_user() copies 0, #PF at p1',
        'CPU1: handle_mm_fault(p1) -> gfs2_fault(): gfs2_glock_nq(F, SH): granted',
        'CPU1: filemap_fault(); gfs2_glock_dq()',
        'CPU1: do_shared_fault() -> gfs2_page_mkwrite(): gfs2_glock_nq(F, EX): queued',
        'CPU0: do_shared_fault() -> gfs2_page_mkwrite(): gfs2_glock_nq(G, EX): queued',
      ],
      counts: [126, 212],
      golden: 'gfs2-mmap-deadlock-faults-enabled-abba-reads.txt',
    });
  });

  it('nofault-retry-abba holds at the defaults: 121 states, 218 transitions; reads=1: 208 states, 394 transitions', () => {
    const r = check(scenario.build(defaults, 'nofault-retry-abba'));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.terminalStates], [121, 218, 3]);
    // The v5.16+ read drops its glock before fault_in_iov_iter_writeable(), whose gfs2_fault() (SH) and
    // gfs2_page_mkwrite() (EX) on the other glock then run with nothing held.
    const reads = check(scenario.build({ ...defaults, reads: 1 }, 'nofault-retry-abba'));
    assert.equal(reads.verdict, 'holds');
    assert.deepEqual([reads.stats.states, reads.stats.transitions, reads.stats.terminalStates], [208, 394, 3]);
  });

  it('nofault-retry-abba holds for pages up to 3 and every reclaim budget up to 4 (the declared bounds), writes and reads', () => {
    const states: number[][] = [[], []];
    for (let reads = 0; reads <= 1; reads++) {
      for (let pages = 1; pages <= 3; pages++) {
        for (let reclaim = 0; reclaim <= 4; reclaim++) {
          const p = { ...defaults, pages, reclaim, reads };
          const r = check(buildGfs2MmapDeadlock(p, 'nofault-retry-abba'));
          assert.equal(r.verdict, 'holds', `${JSON.stringify(p)}: ${r.violations[0]?.message}`);
          states[reads]!.push(r.stats.states);
        }
      }
    }
    assert.deepEqual(states, [
      [25, 121, 289, 485, 685, 25, 225, 1005, 2841, 5789, 25, 345, 2249, 8881, 24185],
      [64, 208, 388, 568, 748, 64, 368, 1248, 2928, 5360, 64, 560, 2768, 9088, 22180],
    ]);
  });

  it('conforms to xstate', () => {
    for (const write of [0, 1]) {
      for (const v of ['faults-enabled', 'nofault-retry'] as const)
        assertConformance(buildGfs2MmapDeadlock({ pages: 2, requests: 2, remote: 1, reclaim: 2, write, reads: 0 }, v), { runs: 60, maxSteps: 40 });
    }
    assertConformance(buildGfs2MmapDeadlock(defaults, 'faults-enabled', 'queue'), { runs: 40, maxSteps: 20 });
    for (const v of ['faults-enabled-abba', 'nofault-retry-abba'] as const) {
      for (const reads of [0, 1]) assertConformance(buildGfs2MmapDeadlock({ ...defaults, pages: 2, reclaim: 2, reads }, v), { runs: 60, maxSteps: 40 });
    }
  });
});

describe('scenarios/gfs2-mmap-deadlock.ts: the v5.16 - v5.17 auto-demotion form (HIF_MAY_DEMOTE)', () => {
  const labels = (r: ReturnType<typeof check>): string[] => r.violations[0]!.trace.steps.map((x) => `${x.actor}: ${x.label}`);
  const allowDemote = 'CPU0: pagefault_disable(); generic_file_read_iter() = -EFAULT; should_fault_in_pages(): window 8; gfs2_holder_allow_demote()';

  it('the -may-demote variants take pages, reclaim and cached (CPU1 is one local EX request)', () => {
    assert.deepEqual(resolveParams(scenario, {}, 'nofault-may-demote'), { pages: 1, reclaim: 1, cached: 1 });
    assert.throws(() => resolveParams(scenario, { remote: '0' }, 'nofault-may-demote-stealing-fix'), /parameter 'remote' does not apply/);
  });

  it("nofault-may-demote: v5.16's do_promote() grants CPU1's EX next to CPU0's weak SH - the bug 0befb8511e6a fixed - in 3 steps, 9 states", () => {
    const system = compileSystem(scenario.build(defaults, 'nofault-may-demote'));
    const r = check(system);
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations[0]!.property, 'glock exclusion');
    assert.equal(r.violations[0]!.message, 'glock G is granted to CPU0:SH and CPU1:EX at once: incompatible holders');
    assert.deepEqual(labels(r), ['CPU0: gfs2_glock_nq(SH): granted', allowDemote, 'CPU1: gfs2_glock_nq(EX): granted']);
    assert.deepEqual([r.stats.states, r.stats.transitions], [9, 8]);
    assertGolden('gfs2-mmap-deadlock-nofault-may-demote.txt', text(system, r.violations[0]!.trace));
    // Nothing else goes wrong in the whole space (the model tracks no file data, so the bytes still add up).
    const all = check(system, { stopAtFirstViolation: false });
    assert.deepEqual(
      all.violations.map((x) => x.property),
      ['glock exclusion'],
    );
    assert.deepEqual([all.stats.states, all.stats.transitions], [95, 149]);
  });

  it('nofault-may-demote-stealing-fix: the new holder demotes the weak one first; holds for pages up to 3 and every reclaim budget up to 2', () => {
    const r = check(scenario.build(defaults, 'nofault-may-demote-stealing-fix'));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [107, 160]);
    for (let pages = 1; pages <= 3; pages++)
      for (let reclaim = 0; reclaim <= 2; reclaim++) {
        const x = check(scenario.build({ ...defaults, pages, reclaim }, 'nofault-may-demote-stealing-fix'));
        assert.equal(x.verdict, 'holds', `pages=${pages} reclaim=${reclaim}`);
      }
  });

  it("cached=0: both forms deadlock - CPU1's EX queues behind CPU0's weak SH (may_grant() against gl_state SH) and CPU0's own gfs2_fault() SH queues behind CPU1", () => {
    for (const v of ['nofault-may-demote', 'nofault-may-demote-stealing-fix'] as const) {
      const r = check(scenario.build({ ...defaults, cached: 0 }, v));
      assert.equal(r.violations[0]?.property, 'deadlock', v);
      assert.equal(
        r.violations[0]!.message,
        "CPU0 is stuck in 'weakFaultGlockWait', waiting for glock G in SH behind CPU0:SH, CPU1:EX in gfs2_fault(), holding G with HIF_MAY_DEMOTE; CPU1 is stuck in 'waiting', waiting for glock G in EX behind CPU0:SH",
      );
      assert.deepEqual(labels(r), [
        'CPU0: gfs2_glock_nq(SH): granted',
        allowDemote,
        'CPU1: gfs2_glock_nq(EX): queued',
        'CPU0: handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(SH): queued',
      ]);
    }
  });

  it('a remote request that arrives while the holder is still strong is never granted: the weak holder is not demoted later and the own fault waits behind it (both forms)', () => {
    const fixed = check(buildGfs2MmapDeadlock(defaults, 'nofault-may-demote-stealing-fix', 'trap', true));
    assert.equal(fixed.violations[0]?.property, 'deadlock');
    assert.deepEqual(labels(fixed), [
      'CPU0: gfs2_glock_nq(SH): granted',
      'CPU1: gfs2_glock_nq(EX): queued',
      allowDemote,
      'CPU0: handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(SH): queued',
    ]);
    // v5.16 first shows the bug on CPU0 alone: its own gfs2_page_mkwrite() EX is granted next to its weak SH.
    const buggy = check(buildGfs2MmapDeadlock(defaults, 'nofault-may-demote', 'trap', true));
    assert.equal(buggy.violations[0]?.property, 'glock exclusion');
    assert.equal(labels(buggy).at(-1), 'CPU0: filemap_fault(); gfs2_glock_dq(); gfs2_page_mkwrite(): gfs2_glock_nq(EX): granted');
  });

  it('the read actor checks its glockDuringFaultIn option', () => {
    const g = defineGlock({
      holders: [
        { name: 'CPU0:SH', owner: 'CPU0', state: 'SH' },
        { name: 'f', owner: 'CPU0', state: 'SH' },
      ],
    });
    const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', staticVma: true });
    const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 1 }], warn: false });
    const glock = { glock: g, holder: 'CPU0:SH', faultHolder: 'f' };
    assert.throws(
      () => gfs2ReadActor(m, to, { faults: 'disabled', glock, glockDuringFaultIn: 'allow-demote' }),
      /needs faults 'disabled', a glock with autoDemote/,
    );
    assert.throws(() => gfs2ReadActor(m, to, { faults: 'disabled', glock, glockDuringFaultIn: 'keep' as 'dq' }), /glockDuringFaultIn 'keep'/);
  });
});
