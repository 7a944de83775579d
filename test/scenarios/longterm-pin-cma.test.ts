/**
 * longterm-pin-cma (scenarios/longterm-pin-cma.ts): each variant's verdict and violated property, exact
 * counts at the defaults, the golden counterexamples (1aaf8c122918's pin on an isolated CMA folio; the
 * retry loop on a driver page never on an LRU), the retry over every parameter, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildLongtermPinCma, type LongtermPinCmaVariant } from '../../scenarios/longterm-pin-cma.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('longterm-pin-cma')!;
const DEFAULTS = { isolations: 1, batched: 0 };
const VARIANTS: readonly LongtermPinCmaVariant[] = ['retry', 'pin-anyway', 'retry-driver-page'];

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

const steps = (r: ReturnType<typeof check>) => r.violations[0]!.trace.steps.map((s) => `${s.actor}.${s.transition}`);

describe('scenarios/longterm-pin-cma.ts', () => {
  it('is registered with its defaults and provenance; the driver-page variant takes no parameters', () => {
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { isolations: '4' }), /outside its domain 0..3/);
    assert.throws(() => resolveParams(scenario, { batched: '1' }, 'retry-driver-page'), /does not apply to longterm-pin-cma:retry-driver-page/);
    assert.equal(scenario.defaultVariant, 'pin-anyway');
    for (const v of VARIANTS) assert.equal(scenario.variants[v]!.provenance?.kind, 'shipped', v);
  });

  const expected: Record<LongtermPinCmaVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    retry: { verdict: 'holds', states: 26, transitions: 38 },
    'pin-anyway': { verdict: 'violated', property: 'no longterm pin in CMA', states: 11, transitions: 13 },
    'retry-driver-page': { verdict: 'violated', property: 'pin returns', states: 6, transitions: 6 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildLongtermPinCma(DEFAULTS, v));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[v]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[v]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('pin-anyway: a racing path has the CMA folio off the LRU, folio_isolate_lru() fails, and the empty list returns the pin (517f496e1e61)', () => {
    const { r, actors } = run(buildLongtermPinCma(DEFAULTS, 'pin-anyway'));
    const v = r.violations[0]!;
    assert.equal(
      v.message,
      'pin_user_pages(FOLL_LONGTERM) returned with a pin on a CMA folio that is ISOLATED: cma_alloc() of this range now fails for as long as the pin lives',
    );
    assert.deepEqual(steps(r), ['isolator.folioIsolateLru', 'pinner.getUserPagesLocked', 'pinner.collectLongtermUnpinnableFolios', 'pinner.folioIsolateLru']);
    assertGolden('longterm-pin-cma-pin-anyway.txt', formatTraceText(v.trace, { actors }) + '\n');
    // Nobody racing: the folio is isolated, migrated out of CMA and pinned there; a per-CPU batch is drained first.
    assert.equal(check(buildLongtermPinCma({ isolations: 0, batched: 0 }, 'pin-anyway')).verdict, 'holds');
    assert.equal(check(buildLongtermPinCma({ isolations: 0, batched: 1 }, 'pin-anyway')).verdict, 'holds');
  });

  it("retry-driver-page: 1aaf8c122918's case - pin, collect, unpin, -EAGAIN forever on a page never on an LRU", () => {
    const { r, actors } = run(buildLongtermPinCma(DEFAULTS, 'retry-driver-page'));
    const v = r.violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.deepEqual(steps(r), [
      'pinner.getUserPagesLocked',
      'pinner.collectLongtermUnpinnableFolios',
      'pinner.folioIsolateLru',
      'pinner.migrateLongtermUnpinnableFolios',
      'pinner.getUserPagesLocked',
      'pinner.collectLongtermUnpinnableFolios',
    ]);
    assertGolden('longterm-pin-cma-retry-driver-page.lasso.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('retry holds for every number of racing isolations and with the folio in a per-CPU batch; pin-anyway is violated whenever someone races', () => {
    for (let isolations = 0; isolations <= 3; isolations++)
      for (const batched of [0, 1]) {
        const p = { isolations, batched };
        assert.equal(check(buildLongtermPinCma(p, 'retry')).verdict, 'holds', JSON.stringify(p));
        assert.equal(check(buildLongtermPinCma(p, 'pin-anyway')).verdict, isolations > 0 ? 'violated' : 'holds', JSON.stringify(p));
      }
  });

  it('the pinner and the isolator conform to xstate', () => {
    for (const v of VARIANTS) assertConformance(buildLongtermPinCma({ isolations: 2, batched: 1 }, v), { runs: 25, maxSteps: 30 });
  });
});
