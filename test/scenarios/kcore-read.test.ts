/**
 * kcore-read (scenarios/kcore-read.ts): each variant's verdict and violated
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
import { archMappingQuirkActor } from '../../models/actors/archMappingQuirk.js';
import { defineIovIter } from '../../models/iov-iter/iter.js';
import { defineKcore } from '../../models/kcore/vmalloc.js';
import { defineMmu } from '../../models/mmu/config.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('kcore-read')!;
const DEFAULTS = { chunks: 1, pageUnits: 3, quirk: 1, reclaim: 1 };
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
    assert.throws(() => resolveParams(scenario, { pageUnits: '0' }), /outside its domain 1..8/);
    assert.throws(() => resolveParams(scenario, { quirk: '3' }), /outside its domain 0..2/);
    assert.throws(() => resolveParams(scenario, { chunks: '7' }), /outside its domain 1..6/);
    assert.throws(() => resolveParams(scenario, { quirk: '2' }), /quirk \(2\) cannot exceed chunks \(1\)/);
    assert.throws(() => resolveParams(scenario, { quirk: '1' }, 'retry-forever-readv'), /does not apply to kcore-read:retry-forever-readv/);
  });

  const expected: Record<KcoreReadVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'retry-forever': { verdict: 'violated', property: 'read_kcore progress', states: 14, transitions: 22 },
    'bounce-buffer': { verdict: 'holds', states: 27, transitions: 35 },
    'retry-forever-readv': { verdict: 'violated', property: 'no spurious -EFAULT', states: 22, transitions: 23 },
    'retry-forever-hole': { verdict: 'violated', property: 'read_kcore progress', states: 12, transitions: 18 },
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

  it('retry-forever: the 6.13 /proc/kcore hang as a lasso - the module was loaded before the read, so from the first pass vread_iter() = 0 / fault-in = 0 forever', () => {
    const { r, actors } = run(buildKcoreRead(DEFAULTS, 'retry-forever'));
    const v = r.violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.equal(v.trace.loop, 2, 'the first fault-in maps the user pages; from then on nothing changes');
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.vreadIter', 'CPU0.faultInIovIterWriteable', 'CPU0.vreadIter', 'CPU0.faultInIovIterWriteable'],
      'no environment step: the direct-map alias was gone before read() started',
    );
    assert.match(v.trace.steps[0]!.label, /vmalloc page 0 has no direct map \(module text: execmem ROX\)/);
    assertGolden('kcore-read-retry-forever.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('retry-forever-readv: a partial pass, one eviction, a zero pass, then the wrong kernel bytes and -EFAULT on a valid buffer', () => {
    const { r, actors } = run(buildKcoreRead(DEFAULTS, 'retry-forever-readv'));
    const v = r.violations[0]!;
    assert.equal(v.property, 'no spurious -EFAULT');
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      [
        'CPU0.vreadIter',
        'CPU0.faultInIovIterWriteable',
        'reclaim.shrinkFolioList',
        'CPU0.vreadIter',
        'CPU0.faultInIovIterWriteable',
        'CPU0.vreadIter',
        'CPU0.faultInIovIterWriteable',
      ],
    );
    assert.match(v.trace.steps[5]!.label, /= 1: WRONG BYTES: buf\+1 gets start\+2, not start\+1$/);
    assert.match(v.trace.steps[6]!.label, /-EFAULT$/);
    assertGolden('kcore-read-retry-forever-readv.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('retry-forever-readv: the bookkeeping fails first (kcore accounting at the zero pass, kcore content at the wrong bytes); with 2 units no wrong bytes, only -EFAULT', () => {
    const all = buildReadKcore(DEFAULTS, { ...KCORE_READ_VARIANTS['retry-forever-readv'], userVisible: false });
    const r = check(all);
    assert.equal(r.violations[0]?.property, 'kcore accounting');
    assert.equal(r.violations[0]?.message, 'after read = 1: src = start+2, left = 1 (should be start+1, 2)');
    assert.equal(r.violations[0]?.trace.steps.length, 4);
    const content = check({ ...all, properties: all.properties.filter((p) => p.name !== 'kcore accounting') });
    assert.equal(content.violations[0]?.property, 'kcore content');
    assert.equal(content.violations[0]?.message, 'vread_iter() read from start+2 what belongs at start+1');
    assert.equal(content.violations[0]?.trace.steps.length, 6);
    const two = check(buildKcoreRead({ ...DEFAULTS, pageUnits: 2 }, 'retry-forever-readv'));
    assert.equal(two.violations[0]?.property, 'no spurious -EFAULT');
    assert.ok(two.violations[0]!.trace.steps.every((s) => !s.label.includes('WRONG BYTES')));
  });

  it('retry-forever-hole: fault_in_safe_writeable() claims success past the unmapped page, the all-or-nothing copy fails forever', () => {
    const { r, actors } = run(buildKcoreRead(DEFAULTS, 'retry-forever-hole'));
    const v = r.violations[0]!;
    assert.equal(v.trace.loop, 2, 'the first fault-in maps page 1 and claims page 2, the hole; from then on nothing changes');
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.vreadIter', 'CPU0.faultInIovIterWriteable', 'CPU0.vreadIter', 'CPU0.faultInIovIterWriteable'],
      'no environment step at all',
    );
    assertGolden('kcore-read-retry-forever-hole.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('retry-forever-hole with the fixed fault_in_safe_writeable() return (8c03ebd7cdc0) returns -EFAULT instead', () => {
    const r = check(buildReadKcore(DEFAULTS, { ...KCORE_READ_VARIANTS['retry-forever-hole'], faultInReturn: 'fixed' }));
    assert.equal(r.verdict, 'holds');
  });

  it(`bounce-buffer holds for every quirk up to ${QUIRK_BOUND} and reclaim budget up to ${RECLAIM_BOUND}, for read(), readv() and a buffer with a hole`, () => {
    for (const shape of [{}, { iter: 'IOVEC' as const }, { hole: true }]) {
      for (const chunks of [1, 2]) {
        for (let quirk = 0; quirk <= Math.min(QUIRK_BOUND, chunks); quirk++) {
          for (let reclaim = 0; reclaim <= RECLAIM_BOUND; reclaim++) {
            const p = { ...DEFAULTS, chunks, pageUnits: chunks === 1 ? 3 : 2, quirk, reclaim };
            const r = check(buildReadKcore(p, { ...KCORE_READ_VARIANTS['bounce-buffer'], ...shape }));
            assert.equal(r.verdict, 'holds', JSON.stringify({ ...p, ...shape }));
          }
        }
      }
    }
  });

  it('the shipped loop with read() and no non-fault failure holds for every reclaim budget up to the bound (livelock by eviction needs an unbounded evictor)', () => {
    for (let reclaim = 0; reclaim <= RECLAIM_BOUND; reclaim++) {
      const r = check(buildKcoreRead({ ...DEFAULTS, quirk: 0, reclaim }, 'retry-forever'));
      assert.equal(r.verdict, 'holds', `reclaim=${reclaim}`);
    }
  });

  it('a module loaded during the read (execmem actor, models/actors/archMappingQuirk.ts) makes the shipped loop spin too', () => {
    const spec = buildKcoreRead({ ...DEFAULTS, quirk: 0 }, 'retry-forever');
    const k = defineKcore(
      defineIovIter(defineMmu({ pages: 3, unitsPerPage: 1, staticVma: true }), 'iter', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 3 }] }),
      {
        pages: 1,
        pageUnits: 3,
      },
    );
    // The actor only needs the page count; the world is the scenario's own (directMap of 1 page).
    const midRead: SystemSpec = { ...spec, actors: [...spec.actors, archMappingQuirkActor(k, { budget: 1 })] };
    const r = check(midRead);
    assert.equal(r.violations[0]?.property, 'read_kcore progress');
    assert.ok(r.violations[0]!.trace.steps.some((s) => s.actor === 'execmem'));
    assertConformance(midRead, { runs: 40, maxSteps: 30 });
  });

  it('every actor conforms to xstate (read_kcore_iter in both forms, reclaim)', () => {
    for (const variant of Object.keys(expected) as KcoreReadVariant[]) {
      assertConformance(buildKcoreRead({ ...DEFAULTS, chunks: 2, pageUnits: 2, reclaim: 2 }, variant), { runs: 40, maxSteps: 30 });
    }
  });
});
