/**
 * Progress checking on generic models with known answers (issue #4): exact verdicts, golden lassos, the
 * fairness refinements, and environment budgets. The models are the example scenarios in examples/.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type CheckResult } from '../../../checker/index.js';
import { compileSystem } from '../../../checker/system/system.js';
import { formatTraceText } from '../../../checker/trace/traceText.js';
import { resolveParams } from '../../../scenarios/index.js';
import { buildScenario } from '../../../scenarios/run.js';
import { assertGolden } from '../../golden/golden.js';
import { allScenarios } from '../../scenarios/allScenarios.js';

const shipped = await allScenarios();
const example = (id: string) => shipped.find((s) => s.scenario.id === id)!.scenario;

function run(id: string, variant: string, params: Record<string, number> = {}): { r: CheckResult; text: string } {
  const s = example(id);
  const system = buildScenario(s, variant, resolveParams(s, params));
  const r = check(system);
  const v = r.violations[0];
  const text = v ? formatTraceText(v.trace, { actors: system.actors.map((a) => a.name) }) + '\n' : '';
  return { r, text };
}

describe('every shipped example variant gives its declared verdict and property', () => {
  for (const { target, scenario } of shipped) {
    if (!target.startsWith('examples/')) continue;
    for (const [variant, spec] of Object.entries(scenario.variants)) {
      it(`${scenario.id}:${variant} ${spec.expected.verdict}${spec.expected.property ? ` (${spec.expected.property})` : ''}`, () => {
        const { r } = run(scenario.id, variant);
        assert.equal(r.verdict, spec.expected.verdict);
        if (spec.expected.property) assert.equal(r.violations[0]!.property, spec.expected.property);
      });
    }
  }
});

describe('livelock: two threads that back off politely', () => {
  it('is found under weak fairness as a 6-step cycle from the initial state (golden lasso)', () => {
    const { r, text } = run('backoff', 'polite');
    const v = r.violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.equal(v.trace.loop, 0);
    assert.equal(v.trace.steps.length, 6);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      // Of the 6-step loops, one with three switches (the loop first walked, T0 and T1 alternating, had five).
      ['T0.raise', 'T1.raise', 'T1.check', 'T0.check', 'T0.lower', 'T1.lower'],
    );
    assertGolden('backoff-polite.lasso.txt', text);
  });
  it('the ordered variant terminates: 21 states, 30 transitions', () => {
    const { r } = run('backoff', 'ordered');
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [21, 30]);
  });
});

describe("Peterson's lock: starvation", () => {
  it('P0 is never starved under weak fairness', () => {
    assert.equal(run('peterson', 'peterson').r.verdict, 'holds');
  });
  it('with fairness off, P1 runs round its loop forever while P0 stays idle', () => {
    const { r } = run('peterson', 'peterson-unfair');
    const v = r.violations[0]!;
    assert.equal(v.property, 'P0 not starved');
    assert.equal(v.trace.loop, 0);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['P1.raiseFlag', 'P1.yieldTurn', 'P1.enter', 'P1.leave'],
    );
  });
});

describe('test-and-set lock: weak vs strong fairness', () => {
  it('weak fairness: P0 can starve (its acquire is disabled whenever P1 holds the lock)', () => {
    const { r } = run('spinlock', 'weak');
    const v = r.violations[0]!;
    assert.equal(v.trace.loop, 0);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['P1.lock', 'P1.unlock', 'P1.again'],
    );
  });
  it('strong fairness of P0: the Emerson-Lei refinement removes the starving cycle', () => {
    assert.equal(run('spinlock', 'strong').r.verdict, 'holds');
  });
  it('an explicit spin step satisfies actor-level strong fairness, so starvation is found again (golden)', () => {
    const { r, text } = run('spinlock', 'spin-strong');
    const v = r.violations[0]!;
    assert.ok(
      v.trace.steps.some((s) => s.actor === 'P0' && s.transition === 'tryLock'),
      'the fair cycle contains P0 spinning',
    );
    assertGolden('spinlock-spin-strong.lasso.txt', text);
  });
});

describe('a retry loop that terminates only because the environment acts finitely often', () => {
  it('holds for every reclaim budget from 0 to 12, and the worst run grows with the budget', () => {
    for (let budget = 0; budget <= 12; budget++) {
      const { r } = run('retry', 'budgeted', { budget });
      assert.equal(r.verdict, 'holds', `budget ${budget}`);
      // The longest run: copy fails, fault in, then per eviction (evict, copy fails, fault in), then copy.
      assert.equal(r.stats.depth, 3 * budget + 3, `budget ${budget}`);
    }
  });
  it('an unbudgeted evictor with no fairness makes it spin (golden lasso)', () => {
    const { r, text } = run('retry', 'adversary');
    const v = r.violations[0]!;
    assert.equal(v.property, 'CPU0 returns');
    assert.deepEqual(
      v.trace.steps.slice(v.trace.loop).map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.copyNofault', 'CPU0.faultIn', 'reclaim.evict'],
    );
    assertGolden('retry-adversary.lasso.txt', text);
  });
});

describe('progress checking is skipped, not guessed, when the search is incomplete', () => {
  it('max-states stops the run: inconclusive, no progress verdict', () => {
    const s = example('backoff');
    const r = check(compileSystem(s.build({}, 'polite')), { maxStates: 5 });
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(r.violations.length, 0);
  });
});
