/**
 * vma-lock-fault (scenarios/vma-lock-fault.ts): each variant's verdict and exact counts at the defaults,
 * the golden traces of the three bugs, the fixes over every parameter setting, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { VMA_FAULT_COMPLETED, VMA_FAULT_DONE, VMA_FAULT_RETRY } from '../../models/actors/vmaLockFault.js';
import type { VmaLockWorld } from '../../models/mm/vmaLock.js';
import { buildVmaLockFault, type VmaLockFaultVariant } from '../../scenarios/vma-lock-fault.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('vma-lock-fault')!;
const VARIANTS: readonly VmaLockFaultVariant[] = [
  'fork-unlocked',
  'anon-check-unlocked',
  'anon-check-locked',
  'retry-drops-vma-lock',
  'end-read-after-retry',
  'file-no-vma-lock',
  'file-retry',
  'file-vma-lock',
  'end-read-after-completed',
];
const DEFAULTS = { writes: 1, retry: 1, present: 1 };

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

describe('scenarios/vma-lock-fault.ts', () => {
  it('is registered with its defaults and provenance', () => {
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { writes: '3' }), /outside its domain 1..2/);
    const kinds = VARIANTS.map((v) => scenario.variants[v]!.provenance?.kind);
    assert.deepEqual(kinds, ['shipped', 'shipped', 'shipped', 'shipped', 'proposal', 'shipped', 'shipped', 'shipped', 'hypothetical']);
  });

  const expected: Record<VmaLockFaultVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'fork-unlocked': { verdict: 'violated', property: 'VMA lock isolation', states: 23, transitions: 31 },
    'anon-check-unlocked': { verdict: 'violated', property: 'anon_vma under mmap_lock', states: 80, transitions: 110 },
    'anon-check-locked': { verdict: 'holds', states: 103, transitions: 135 },
    'retry-drops-vma-lock': { verdict: 'holds', states: 111, transitions: 152 },
    'end-read-after-retry': { verdict: 'violated', property: 'VMA lock balance', states: 28, transitions: 36 },
    'file-no-vma-lock': { verdict: 'holds', states: 32, transitions: 39 },
    'file-retry': { verdict: 'holds', states: 64, transitions: 87 },
    'file-vma-lock': { verdict: 'holds', states: 98, transitions: 135 },
    'end-read-after-completed': { verdict: 'violated', property: 'VMA lock balance', states: 22, transitions: 27 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions`, () => {
      const { r } = run(buildVmaLockFault(DEFAULTS, v));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[v]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[v]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('fork-unlocked: fork takes mmap_lock and copies the page tables without vma_start_write(); the fault gets the VMA lock meanwhile', () => {
    const { r, actors } = run(buildVmaLockFault(DEFAULTS, 'fork-unlocked'));
    const t = r.violations[0]!.trace;
    assert.deepEqual(
      t.steps.map((s) => `${s.actor}.${s.transition}`),
      ['writer.mmapWriteLock', 'writer.dupMmap', 'CPU0.lockVmaUnderRcu', 'CPU0.vmaStartRead', 'CPU0.handleMmFaultVmaLock'],
    );
    assertGolden('vma-lock-fault-fork-unlocked.txt', formatTraceText(t, { actors }) + '\n');
  });

  it('anon-check-unlocked: the anon_vma test passes, mremap() unlinks it and unlocks, vma_start_read() succeeds, __anon_vma_prepare() runs under the VMA lock', () => {
    const { r, actors } = run(buildVmaLockFault(DEFAULTS, 'anon-check-unlocked'));
    const t = r.violations[0]!.trace;
    assert.deepEqual(
      t.steps.map((s) => `${s.actor}.${s.transition}`),
      [
        'CPU0.lockVmaUnderRcu',
        'writer.mmapWriteLock',
        'writer.vmaStartWrite',
        'writer.moveVma',
        'writer.mmapWriteUnlock',
        'CPU0.vmaStartRead',
        'CPU0.handleMmFaultVmaLock',
      ],
    );
    assertGolden('vma-lock-fault-anon-check-unlocked.txt', formatTraceText(t, { actors }) + '\n');
  });

  const doubleEnd = [
    ['end-read-after-retry', 'VM_FAULT_RETRY dropped the VMA lock', /VM_FAULT_RETRY/],
    ['end-read-after-completed', 'fault_dirty_shared_page() dropped the VMA lock with VM_FAULT_COMPLETED', /VM_FAULT_COMPLETED$/],
  ] as const;
  for (const [variant, how, outcome] of doubleEnd)
    it(`${variant}: ${how}, the arch code ends the read again`, () => {
      const { r, actors } = run(buildVmaLockFault(DEFAULTS, variant));
      const t = r.violations[0]!.trace;
      assert.deepEqual(
        t.steps.map((s) => s.transition),
        ['lockVmaUnderRcu', 'vmaStartRead', 'handleMmFaultVmaLock', 'vmaEndRead'],
      );
      assert.match(t.steps[2]!.label, outcome);
      assertGolden(`vma-lock-fault-${variant}.txt`, formatTraceText(t, { actors }) + '\n');
    });

  it('file VMAs: v6.4 - v6.5 never take the VMA lock; v6.6 takes it and always retries under mmap_lock; v6.7 maps the page under it and may return VM_FAULT_COMPLETED', () => {
    const fault = (want: number) => invariant<VmaLockWorld>('not that outcome', (st) => st.actor('CPU0').context.fault !== want);
    const taken = invariant<VmaLockWorld>('VMA lock never taken', (st) => st.world.vmaReaders === 0);
    const spec = (v: VmaLockFaultVariant) => buildVmaLockFault(DEFAULTS, v);
    assert.equal(check({ ...spec('file-no-vma-lock'), properties: [taken] }).verdict, 'holds');
    assert.equal(check({ ...spec('file-retry'), properties: [fault(VMA_FAULT_DONE)] }).verdict, 'holds');
    assert.equal(check({ ...spec('file-retry'), properties: [fault(VMA_FAULT_RETRY)] }).verdict, 'violated');
    for (const f of [VMA_FAULT_DONE, VMA_FAULT_RETRY, VMA_FAULT_COMPLETED])
      assert.equal(check({ ...spec('file-vma-lock'), properties: [fault(f)] }).verdict, 'violated', String(f));
  });

  it('the fixes hold for every parameter setting; each bug needs what it needs (fork, mremap, a RETRY)', () => {
    for (let writes = 1; writes <= 2; writes++)
      for (let retry = 0; retry <= 1; retry++)
        for (let present = 0; present <= 1; present++) {
          const p = { writes, retry, present };
          for (const v of ['anon-check-locked', 'retry-drops-vma-lock'] as const)
            assert.equal(check(buildVmaLockFault(p, v)).verdict, 'holds', `${v} ${JSON.stringify(p)}`);
          assert.equal(check(buildVmaLockFault(p, 'end-read-after-retry')).verdict, retry === 1 ? 'violated' : 'holds', JSON.stringify(p));
          assert.equal(check(buildVmaLockFault(p, 'fork-unlocked')).violations[0]?.property, 'VMA lock isolation', JSON.stringify(p));
          assert.equal(check(buildVmaLockFault(p, 'anon-check-unlocked')).violations[0]?.property, 'anon_vma under mmap_lock', JSON.stringify(p));
        }
    // The file variants do not take `present` (a first write to the page).
    for (let writes = 1; writes <= 2; writes++)
      for (let retry = 0; retry <= 1; retry++) {
        const p = { writes, retry, present: 0 };
        for (const v of ['file-no-vma-lock', 'file-retry', 'file-vma-lock'] as const)
          assert.equal(check(buildVmaLockFault(p, v)).verdict, 'holds', `${v} ${JSON.stringify(p)}`);
        assert.equal(check(buildVmaLockFault(p, 'end-read-after-completed')).violations[0]?.property, 'VMA lock balance', JSON.stringify(p));
      }
  });

  it('munmap() before the walk: lock_vma_under_rcu() finds no VMA, the mmap_lock path ends in bad_area()', () => {
    const spec = buildVmaLockFault(DEFAULTS, 'retry-drops-vma-lock');
    const noSegv = invariant<VmaLockWorld>('no SIGSEGV', (st) => st.actor('CPU0').context.segv === 0);
    const r = check({ ...spec, properties: [noSegv] });
    assert.deepEqual(
      r.violations[0]!.trace.steps.map((st) => `${st.actor}.${st.transition}`),
      [
        'writer.mmapWriteLock',
        'writer.vmaStartWrite',
        'writer.munmapVma',
        'writer.mmapWriteUnlock',
        'CPU0.lockVmaUnderRcu',
        'CPU0.lockMmAndFindVma',
        'CPU0.handleMmFault',
      ],
    );
  });

  it('the fault and the writer conform to xstate', () => {
    for (const v of VARIANTS) assertConformance(buildVmaLockFault({ writes: 2, retry: 1, present: 0 }, v), { runs: 15, maxSteps: 25 });
  });
});
