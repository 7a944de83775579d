/**
 * large-folio-write (scenarios/large-folio-write.ts): each variant's verdict and exact counts at the
 * defaults, the golden traces of the two spins (the retried short copy of 5d8edfb900d5 as merged, and the
 * chunk that never halves under memory pressure), every verdict over the parameter grid, and conformance
 * with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { buildLargeFolioWrite, type LargeFolioWriteVariant } from '../../scenarios/large-folio-write.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('large-folio-write')!;
const VARIANTS: readonly LargeFolioWriteVariant[] = ['retry-copied', 'recomputed-bytes', 'fixed-chunk', 'fault-after-zero'];
const DEFAULTS = { bad: 1, capacity: 1 };
/** One pass of the loop: prefault, ->write_begin(), the atomic copy, ->write_end(). */
const ROUND = ['faultInIovIterReadable', 'writeBegin', 'copyFolioFromIterAtomic', 'writeEnd'] as const;

describe('scenarios/large-folio-write.ts', () => {
  it('is registered with its defaults and a provenance on every variant', () => {
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.deepEqual(Object.keys(scenario.variants), VARIANTS);
    assert.equal(scenario.variants['fixed-chunk']!.provenance.kind, 'hypothetical');
    for (const v of VARIANTS.filter((x) => x !== 'fixed-chunk')) assert.equal(scenario.variants[v]!.provenance.kind, 'shipped', v);
  });

  const expected: Record<LargeFolioWriteVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'retry-copied': { verdict: 'holds', states: 18, transitions: 17 },
    'recomputed-bytes': { verdict: 'violated', property: 'write returns', states: 15, transitions: 15 },
    'fixed-chunk': { verdict: 'violated', property: 'write returns', states: 5, transitions: 5 },
    'fault-after-zero': { verdict: 'holds', states: 26, transitions: 25 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const r = check(compileSystem(buildLargeFolioWrite(DEFAULTS, v)));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.deepEqual(scenario.variants[v]!.expected, e.property ? { verdict: e.verdict, property: e.property } : { verdict: e.verdict });
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('the spins: the short copy inside the one-page chunk retried at the same size, and the chunk whose prefault evicts its own start', () => {
    const shapes: Partial<Record<LargeFolioWriteVariant, { steps: readonly string[]; loopStart: number }>> = {
      // chunk 4 -> 2 after the copy of 0, two units written, then the one-unit copy is rejected and retried at 2 units forever
      'recomputed-bytes': {
        steps: [...ROUND, ...ROUND, ...ROUND, ...ROUND.slice(0, 3)],
        loopStart: 11,
      },
      'fixed-chunk': { steps: [...ROUND, 'faultInIovIterReadable'], loopStart: 1 },
    };
    for (const [v, shape] of Object.entries(shapes) as [LargeFolioWriteVariant, { steps: readonly string[]; loopStart: number }][]) {
      const system = compileSystem(buildLargeFolioWrite(DEFAULTS, v));
      const violation = check(system).violations[0]!;
      assert.deepEqual(
        violation.trace.steps.map((s) => s.transition),
        shape.steps,
        v,
      );
      assert.equal(violation.trace.loop, shape.loopStart, v);
      assertGolden(`large-folio-write-${v}.lasso.txt`, formatTraceText(violation.trace, { actors: system.actors.map((a) => a.name) }) + '\n');
    }
  });

  it('every verdict over bad x capacity: the halving needs the resident pages one page of the file is copied from, the retry size needs a short copy', () => {
    // [bad][capacity - 1]: 'h' holds, 'v' violates "write returns"
    const table: Record<LargeFolioWriteVariant, readonly [string, string]> = {
      'retry-copied': ['vhh', 'hhh'],
      'recomputed-bytes': ['vhh', 'vvv'],
      'fixed-chunk': ['vvh', 'vhh'],
      'fault-after-zero': ['vhh', 'hhh'],
    };
    for (const v of VARIANTS)
      for (let bad = 0; bad <= 1; bad++)
        for (let capacity = 1; capacity <= 3; capacity++) {
          const r = check(buildLargeFolioWrite({ bad, capacity }, v));
          const want = table[v][bad]![capacity - 1] === 'h' ? 'holds' : 'violated';
          assert.equal(r.verdict, want, `${v} bad=${bad} capacity=${capacity}`);
          if (want === 'violated') assert.equal(r.violations[0]?.property, 'write returns');
        }
  });

  it('the writer conforms to xstate', () => {
    for (const v of VARIANTS) for (const p of [DEFAULTS, { bad: 0, capacity: 2 }]) assertConformance(buildLargeFolioWrite(p, v), { runs: 10, maxSteps: 30 });
  });
});
