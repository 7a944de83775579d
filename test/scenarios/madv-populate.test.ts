/**
 * madv-populate (scenarios/madv-populate.ts): each variant's verdict, exact counts at the defaults, the
 * golden lasso of the endless VM_FAULT_RETRY loop, the fix's -EFAULT, every read-failure setting, and
 * conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildMadvPopulate, type MadvPopulateVariant } from '../../scenarios/madv-populate.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('madv-populate')!;
const VARIANTS: readonly MadvPopulateVariant[] = ['retry-forever', 'foll-tried'];

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

describe('scenarios/madv-populate.ts', () => {
  it('is registered with its defaults and provenance', () => {
    assert.deepEqual(resolveParams(scenario, {}), { readFails: 2 });
    assert.throws(() => resolveParams(scenario, { readFails: '3' }), /outside its domain 0..2/);
    for (const v of VARIANTS) assert.equal(scenario.variants[v]!.provenance?.kind, 'shipped', v);
  });

  const expected: Record<MadvPopulateVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'retry-forever': { verdict: 'violated', property: 'madvise returns', states: 4, transitions: 4 },
    'foll-tried': { verdict: 'holds', states: 6, transitions: 5 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions on a bad block`, () => {
      const { r } = run(buildMadvPopulate({ readFails: 2 }, v));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[v]!.expected.verdict, e.verdict);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('retry-forever: filemap_fault() drops mmap_lock, the read fails, VM_FAULT_RETRY, relock, again - never FAULT_FLAG_TRIED', () => {
    const { r, actors } = run(buildMadvPopulate({ readFails: 2 }, 'retry-forever'));
    const v = r.violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.deepEqual(
      v.trace.steps.map((s) => s.transition),
      ['mmapReadLock', 'faultinPage', 'mmapReadLock', 'faultinPage'],
    );
    assertGolden('madv-populate-retry-forever.lasso.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('foll-tried returns -EFAULT on a bad block, and 0 with the page mapped when a read succeeds; retry-forever is fine unless every read fails', () => {
    for (let readFails = 0; readFails <= 2; readFails++) {
      const fixed = run(buildMadvPopulate({ readFails }, 'foll-tried')).r;
      assert.equal(fixed.verdict, 'holds', `readFails ${readFails}`);
      assert.equal(check(buildMadvPopulate({ readFails }, 'retry-forever')).verdict, readFails === 2 ? 'violated' : 'holds', `readFails ${readFails}`);
    }
  });

  it('the madvise actor conforms to xstate', () => {
    for (const v of VARIANTS)
      for (let readFails = 0; readFails <= 2; readFails++) assertConformance(buildMadvPopulate({ readFails }, v), { runs: 10, maxSteps: 20 });
  });
});
