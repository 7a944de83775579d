/**
 * Every shipped scenario variant under `--reduce symmetry` (issue 9): where the reduction applies, the same
 * verdict and violated properties as the unreduced search, fewer states, and counterexamples that replay;
 * where it does not (no symmetric actors declared, a progress property, a property that names one
 * member), the run is the unreduced one and the result says why in a note. Default parameters, plus
 * the configurations where a scenario declares interchangeable actors: retry-ring with three readers,
 * stable-pages with two pinners.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, replay, resolveStep } from '../../checker/index.js';
import { planReduction } from '../../checker/reduce/plan.js';
import { resolveParams } from '../../scenarios/index.js';
import { buildScenario } from '../../scenarios/run.js';
import { allScenarios } from './allScenarios.js';

const shipped = await allScenarios();

describe('every shipped variant under reduce: symmetry', () => {
  const applied: string[] = [];
  for (const { target, scenario } of shipped) {
    for (const variant of Object.keys(scenario.variants)) {
      const points = [resolveParams(scenario, {}, variant)];
      if (scenario.id === 'retry-ring') points.push(resolveParams(scenario, { readers: 3, pages: 3 }, variant));
      if (scenario.id === 'stable-pages') points.push(resolveParams(scenario, { pinners: 2 }, variant));
      for (const params of points) {
        const name = `${target}:${variant} ${Object.values(params).join(',')}`;
        it(name, () => {
          const system = buildScenario(scenario, variant, params);
          const plan = planReduction(system, 'symmetry', true);
          if (!plan.flags.symmetry) {
            // The search runs with no reduction at all: the verdict is the unreduced one by construction.
            assert.equal(plan.report.applied, 'none');
            assert.match(plan.report.notes[0] ?? '', /^symmetry off: /);
            return;
          }
          applied.push(name);
          const none = check(system);
          const sym = check(system, { reduce: 'symmetry' });
          assert.equal(sym.verdict, none.verdict);
          assert.deepEqual(
            sym.violations.map((v) => v.property),
            none.violations.map((v) => v.property),
          );
          assert.ok(sym.stats.states < none.stats.states, `${sym.stats.states} < ${none.stats.states}`);
          for (const v of sym.violations) {
            const steps = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
            assert.equal(replay(system, steps, v.trace.loop, v, { xstate: true }).status, 'reproduced');
          }
        });
      }
    }
  }
  it('symmetry applies where actors are declared interchangeable and the properties allow it', () => {
    assert.deepEqual(applied, [
      'retry-ring:ring 2,4,2,2,2',
      'retry-ring:ring 3,3,2,2,2',
      ...['pin-from-ref', 'pin-via-fault', 'fast-no-recheck', 'fast-recheck', 'no-pin-check'].map((v) => `stable-pages:${v} 1,1,0,0,2`),
    ]);
  });
});
