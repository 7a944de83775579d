/**
 * iter-direction (scenarios/iter-direction.ts): each variant's verdict and violated
 * property, the exact state and transition counts at the defaults, the golden counterexamples (the COW
 * leak, the WARN, and the retry loop's lasso), that a41dad905e5a's check does not see the get_pages misuse,
 * the fixes for every buffer size and reclaim budget up to the bounds, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildIterDirection, type IterDirectionVariant } from '../../scenarios/iter-direction.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('iter-direction')!;
const DEFAULTS = { units: 1, reclaim: 1 };
const BOUND = 3;

function run(spec: SystemSpec, all = false) {
  const system = compileSystem(spec);
  const r = check(system, { stopAtFirstViolation: !all });
  return { r, actors: system.actors.map((a) => a.name) };
}

describe('scenarios/iter-direction.ts', () => {
  it('is registered with its defaults and rejects values outside the domains', () => {
    assert.ok(scenario);
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { units: '0' }), /outside its domain 1..8/);
    assert.throws(() => resolveParams(scenario, { reclaim: '7' }), /outside its domain 0..6/);
  });

  const expected: Record<IterDirectionVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    swapped: { verdict: 'violated', property: 'COW isolation', states: 7, transitions: 7 },
    correct: { verdict: 'holds', states: 14, transitions: 16 },
    'swapped-zero-page': { verdict: 'violated', property: 'zero page intact', states: 4, transitions: 3 },
    'correct-zero-page': { verdict: 'holds', states: 5, transitions: 4 },
    'swapped-copy': { verdict: 'violated', property: 'iter direction', states: 3, transitions: 2 },
    'correct-copy': { verdict: 'holds', states: 10, transitions: 9 },
  };
  for (const [variant, e] of Object.entries(expected) as [IterDirectionVariant, (typeof expected)[IterDirectionVariant]][]) {
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildIterDirection(DEFAULTS, variant));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[variant]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[variant]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('swapped: the COW isolation counterexample - fork(), iov_iter_init(WRITE), get_pages without FOLL_WRITE takes folio A, the DMA lands in the child', () => {
    const { r, actors } = run(buildIterDirection(DEFAULTS, 'swapped'));
    const v = r.violations[0]!;
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.fork', 'CPU0.iovIterInit', 'CPU0.iovIterGetPages', 'device.dmaWrite'],
    );
    assertGolden('iter-direction-swapped.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it("swapped: a41dad905e5a's direction check never fires - it guards the copies, not get_pages", () => {
    const { r } = run(buildIterDirection(DEFAULTS, 'swapped'), true);
    assert.deepEqual(
      r.violations.map((v) => v.property),
      ['COW isolation'],
    );
  });

  it('swapped-copy: the WARN on the first copy, then the retry loop spins (copy 0, fault-in 0) - both violations', () => {
    const { r, actors } = run(buildIterDirection(DEFAULTS, 'swapped-copy'), true);
    assert.deepEqual(
      r.violations.map((v) => `${v.kind} ${v.property}`),
      ['invariant iter direction', 'progress CPU0 progress'],
    );
    const [warn, spin] = r.violations;
    assert.deepEqual(
      warn!.trace.steps.map((s) => s.transition),
      ['iovIterInit', 'copyToIter'],
    );
    assert.equal(spin!.trace.loop, 3);
    assert.deepEqual(
      spin!.trace.steps.map((s) => s.transition),
      ['iovIterInit', 'copyToIter', 'faultInIovIterWriteable', 'copyToIter', 'faultInIovIterWriteable'],
    );
    assertGolden('iter-direction-swapped-copy.txt', formatTraceText(warn!.trace, { actors }) + '\n');
    assertGolden('iter-direction-swapped-copy.lasso.txt', formatTraceText(spin!.trace, { actors }) + '\n');
  });

  it('swapped-zero-page: no fork needed - the GUP read fault maps the shared zero page and the DMA lands in it', () => {
    const { r, actors } = run(buildIterDirection(DEFAULTS, 'swapped-zero-page'));
    const v = r.violations[0]!;
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.iovIterInit', 'CPU0.iovIterGetPages', 'device.dmaWrite'],
    );
    assert.match(v.trace.steps[1]!.label, /\[FOLL_GET\]: read fault, do_anonymous_page\(\): the shared zero page/);
    assertGolden('iter-direction-swapped-zero-page.txt', formatTraceText(v.trace, { actors }) + '\n');
    for (let units = 1; units <= BOUND; units++) {
      assert.equal(check(buildIterDirection({ ...DEFAULTS, units }, 'correct-zero-page')).verdict, 'holds', `correct-zero-page units=${units}`);
    }
  });

  it('swapped: the leak needs nothing from the child but that it still maps A when the DMA lands', () => {
    const { r } = run(buildIterDirection(DEFAULTS, 'swapped'), true);
    const leak = r.violations[0]!;
    assert.ok(!leak.trace.steps.some((s) => s.actor === 'child'), 'the shortest leak has no child step');
  });

  it(`correct holds for every buffer size up to ${BOUND} units; correct-copy for every size and reclaim budget up to ${BOUND}`, () => {
    for (let units = 1; units <= BOUND; units++) {
      assert.equal(check(buildIterDirection({ ...DEFAULTS, units }, 'correct')).verdict, 'holds', `correct units=${units}`);
      for (let reclaim = 0; reclaim <= BOUND; reclaim++) {
        assert.equal(check(buildIterDirection({ units, reclaim }, 'correct-copy')).verdict, 'holds', `correct-copy units=${units} reclaim=${reclaim}`);
      }
    }
  });

  it('every actor conforms to xstate (the iterator user in both uses, the device, the fork child, reclaim)', () => {
    for (const variant of Object.keys(expected) as IterDirectionVariant[]) {
      assertConformance(buildIterDirection({ units: 2, reclaim: 2 }, variant), { runs: 40, maxSteps: 20 });
    }
  });
});
