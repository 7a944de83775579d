/**
 * dirty-pipe (scenarios/dirty-pipe.ts, CVE-2022-0847): the verdict of each variant, exact state and
 * transition counts at the defaults, the golden counterexample (fill, drain, splice, write), every parameter
 * combination, and conformance of the pipe tasks with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildDirtyPipe, type DirtyPipeParams, type DirtyPipeVariant } from '../../scenarios/dirty-pipe.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('dirty-pipe')!;
const DEFAULTS: DirtyPipeParams = { slots: 1, pageUnits: 2 };
const VARIANTS = ['stale-flags', 'flags-initialised', 'merge-by-ops'] as const;

function run(p: DirtyPipeParams, variant: DirtyPipeVariant) {
  const system = compileSystem(buildDirtyPipe(p, variant));
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

describe('scenarios/dirty-pipe.ts', () => {
  it('is registered with its defaults and rejects values outside the domains', () => {
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { slots: '8' }), /outside its domain 1..7/);
  });

  const expected: Record<DirtyPipeVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'stale-flags': { verdict: 'violated', property: 'page cache intact', states: 25, transitions: 26 },
    'flags-initialised': { verdict: 'holds', states: 28, transitions: 32 },
    'merge-by-ops': { verdict: 'holds', states: 28, transitions: 32 },
  };
  for (const variant of VARIANTS) {
    const e = expected[variant];
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(DEFAULTS, variant);
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.deepEqual(scenario.variants[variant]!.expected, e.property ? { verdict: e.verdict, property: e.property } : { verdict: e.verdict });
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('stale-flags: W fills the slot, R drains it, S splices f0 into it with CAN_MERGE left, W writes into f0', () => {
    const { r, actors } = run(DEFAULTS, 'stale-flags');
    const v = r.violations[0]!;
    assert.equal(v.message, "a pipe write landed in page-cache page f0: the file's cached data changed without a write to the file");
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['W.pipeWrite', 'R.pipeRead', 'S.splice', 'W.pipeWrite'],
    );
    assertGolden('dirty-pipe-stale-flags.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('every slots <= 4 and pageUnits <= 4: stale-flags is violated in slots + 3 steps (the writer fills every slot first), the others hold', () => {
    for (let slots = 1; slots <= 4; slots++) {
      for (let pageUnits = 2; pageUnits <= 4; pageUnits++) {
        const p = { slots, pageUnits };
        const bug = run(p, 'stale-flags').r;
        assert.equal(bug.violations[0]?.property, 'page cache intact', JSON.stringify(p));
        assert.equal(bug.violations[0]!.trace.steps.length, slots + 3, JSON.stringify(p));
        assert.equal(run(p, 'flags-initialised').r.verdict, 'holds', JSON.stringify(p));
        assert.equal(run(p, 'merge-by-ops').r.verdict, 'holds', JSON.stringify(p));
      }
    }
  });

  for (const variant of VARIANTS) {
    it(`${variant}: the pipe tasks conform to xstate`, () => {
      assertConformance(buildDirtyPipe({ slots: 2, pageUnits: 3 }, variant), { runs: 30, maxSteps: 20 });
    });
  }
});
