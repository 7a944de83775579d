/**
 * kcore-read (scenarios/kcore-read.ts, kernel-protocols.md F): each variant's verdict and violated
 * property, the exact state and transition counts at the defaults, the golden counterexamples of the three
 * buggy variants, the bounce buffer over every quirk and reclaim budget up to the declared bounds (2, 3),
 * what the shipped loop does without a non-fault failure, and conformance of the actors with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildKcoreRead, buildReadKcore, KCORE_READ_VARIANTS, type KcoreReadVariant } from '../../scenarios/kcore-read.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('kcore-read')!;
const DEFAULTS = { chunks: 1, pageUnits: 2, quirk: 1, reclaim: 1 };
const QUIRK_BOUND = 2;
const RECLAIM_BOUND = 3;

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  const r = check(system);
  return { r, actors: system.actors.map((a) => a.name) };
}

describe('scenarios/kcore-read.ts', () => {
  it('is registered with its defaults and rejects values outside the domains', () => {
    assert.ok(scenario);
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { pageUnits: '0' }), /outside its domain 1..4/);
    assert.throws(() => resolveParams(scenario, { quirk: '3' }), /outside its domain 0..2/);
    assert.throws(() => resolveParams(scenario, { chunks: '4' }), /outside its domain 1..3/);
  });

  const expected: Record<KcoreReadVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'retry-forever': { verdict: 'violated', property: 'read_kcore progress', states: 30, transitions: 50 },
    'bounce-buffer': { verdict: 'holds', states: 34, transitions: 57 },
    'retry-forever-readv': { verdict: 'violated', property: 'kcore accounting', states: 13, transitions: 14 },
    'retry-forever-hole': { verdict: 'violated', property: 'read_kcore progress', states: 6, transitions: 8 },
  };
  for (const [variant, e] of Object.entries(expected) as [KcoreReadVariant, (typeof expected)[KcoreReadVariant]][]) {
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildKcoreRead(DEFAULTS, variant));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[variant]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[variant]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('retry-forever: the F1 lasso - execmem takes the direct map once, then vread_iter() = 0 / fault-in = 0 forever', () => {
    const { r, actors } = run(buildKcoreRead(DEFAULTS, 'retry-forever'));
    const v = r.violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.equal(v.trace.loop, 3);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.vreadIter', 'CPU0.faultInIovIterWriteable', 'execmem.setDirectMapInvalid', 'CPU0.vreadIter', 'CPU0.faultInIovIterWriteable'],
    );
    assertGolden('kcore-read-retry-forever.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('retry-forever-readv: a partial pass, one eviction, a zero pass - and src already points past what was delivered', () => {
    const { r, actors } = run(buildKcoreRead(DEFAULTS, 'retry-forever-readv'));
    const v = r.violations[0]!;
    assert.equal(v.kind, 'invariant');
    assert.equal(v.message, 'after read = 1: src = start+2, left = 0 (should be start+1, 1)');
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.vreadIter', 'CPU0.faultInIovIterWriteable', 'reclaim.shrinkFolioList', 'CPU0.vreadIter'],
    );
    assertGolden('kcore-read-retry-forever-readv.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('retry-forever-readv with 3 iovecs: what the user sees - kernel bytes from the wrong offset (P-F2), then -EFAULT on a valid buffer (P-F3)', () => {
    const spec = buildKcoreRead({ ...DEFAULTS, pageUnits: 3 }, 'retry-forever-readv');
    const without = (...names: string[]) => check({ ...spec, properties: spec.properties.filter((p) => !names.includes(p.name)) });
    const content = without('kcore accounting');
    assert.equal(content.violations[0]?.property, 'kcore content');
    assert.equal(content.violations[0]?.message, 'vread_iter() read from start+2 what belongs at start+1');
    assert.equal(content.violations[0]?.trace.steps.length, 6);
    assert.equal(without('kcore accounting', 'kcore content').violations[0]?.property, 'no spurious -EFAULT');
  });

  it('retry-forever-hole: fault_in_safe_writeable() claims success past the unmapped page, the all-or-nothing copy fails forever', () => {
    const { r, actors } = run(buildKcoreRead(DEFAULTS, 'retry-forever-hole'));
    const v = r.violations[0]!;
    assert.equal(v.trace.loop, 0, 'the very first pass is already the loop: page 0 is mapped, page 1 is the hole');
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.vreadIter', 'CPU0.faultInIovIterWriteable'],
      'no environment step at all',
    );
    assertGolden('kcore-read-retry-forever-hole.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('retry-forever-hole with the fixed fault_in_safe_writeable() return (8c03ebd7cdc0) returns -EFAULT instead', () => {
    const r = check(buildReadKcore(DEFAULTS, { ...KCORE_READ_VARIANTS['retry-forever-hole'], faultInReturn: 'fixed' }));
    assert.equal(r.verdict, 'holds');
  });

  it(`bounce-buffer holds for every quirk budget up to ${QUIRK_BOUND} and reclaim budget up to ${RECLAIM_BOUND}, for read(), readv() and a buffer with a hole`, () => {
    for (const shape of [{}, { iter: 'IOVEC' as const }, { hole: true }]) {
      for (const chunks of [1, 2]) {
        for (let quirk = 0; quirk <= QUIRK_BOUND; quirk++) {
          for (let reclaim = 0; reclaim <= RECLAIM_BOUND; reclaim++) {
            const p = { ...DEFAULTS, chunks, pageUnits: chunks === 1 ? 3 : 2, quirk, reclaim };
            const r = check(buildReadKcore(p, { ...KCORE_READ_VARIANTS['bounce-buffer'], ...shape }));
            assert.equal(r.verdict, 'holds', JSON.stringify({ ...p, ...shape }));
          }
        }
      }
    }
  });

  it('the shipped loop with read() and no non-fault failure holds for every reclaim budget up to the bound (F2 needs an unbounded evictor)', () => {
    for (let reclaim = 0; reclaim <= RECLAIM_BOUND; reclaim++) {
      const r = check(buildKcoreRead({ ...DEFAULTS, quirk: 0, reclaim }, 'retry-forever'));
      assert.equal(r.verdict, 'holds', `reclaim=${reclaim}`);
    }
  });

  it('every actor conforms to xstate (read_kcore_iter in both forms, execmem, reclaim)', () => {
    for (const variant of Object.keys(expected) as KcoreReadVariant[]) {
      assertConformance(buildKcoreRead({ ...DEFAULTS, chunks: 2, pageUnits: 2, reclaim: 2 }, variant), { runs: 40, maxSteps: 30 });
    }
  });
});
