/**
 * The sampling strategies (random walk, PCT): they find every built-in scenario's bug, their
 * counterexamples replay, a run without a violation is inconclusive (never "holds"), and the same seed
 * gives the same result byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, compileSystem } from '../../checker/index.js';
import { replay } from '../../checker/search/replay.js';
import { encodeStep } from '../../checker/system/step.js';
import { resolveParams, scenarios } from '../../scenarios/index.js';

const strip = (r: ReturnType<typeof check>): string => JSON.stringify({ ...r, stats: { ...r.stats, seconds: 0, peakMemoryBytes: 0 } });

describe('sampling strategies', () => {
  for (const s of scenarios) {
    for (const [variant, spec] of Object.entries(s.variants)) {
      if (spec.expected.verdict !== 'violated') continue;
      for (const strategy of ['random', 'pct'] as const) {
        it(`${strategy} finds ${s.id}:${variant}, and its trace replays`, () => {
          const system = compileSystem(s.build(resolveParams(s, {}), variant));
          const r = check(system, { strategy, executions: 2000 });
          assert.equal(r.verdict, 'violated', `${strategy} found nothing in 2,000 executions`);
          assert.equal(r.seed, 1);
          const v = r.violations[0]!;
          const ids = v.trace.steps.map((step) => {
            const a = system.actors.find((x) => x.name === step.actor)!;
            return encodeStep(a.index, a.machine.eventTypes.indexOf(step.transition), step.choice);
          });
          assert.equal(replay(system, ids, v.trace.loop, v).status, 'reproduced');
        });
      }
    }
  }

  it('a variant that holds is inconclusive under sampling, never "holds"', () => {
    const s = scenarios.find((x) => x.id === 'fault-in-window')!;
    const r = check(compileSystem(s.build(resolveParams(s, {}), 'shrinking')), { strategy: 'pct', executions: 300 });
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(r.inconclusive!.reason, 'sampled');
    assert.match(r.inconclusive!.message, /^no violation in 300 executions of at most 1,000 steps \(pct, seed 1\); sampling proves nothing/);
    assert.ok(r.properties.every((p) => p.status === 'unknown'));
    assert.equal(r.stats.executions, 300);
  });

  it('the same seed gives byte-identical results; the seed is part of the result', () => {
    const s = scenarios.find((x) => x.id === 'retry-ring')!;
    const system = compileSystem(s.build(resolveParams(s, {}), 'ring'));
    for (const strategy of ['random', 'pct'] as const) {
      assert.equal(strip(check(system, { strategy, seed: 9, executions: 100 })), strip(check(system, { strategy, seed: 9, executions: 100 })));
    }
    assert.notEqual(
      strip(check(system, { strategy: 'random', seed: 9, executions: 100 })),
      strip(check(system, { strategy: 'random', seed: 10, executions: 100 })),
    );
  });
});
