/**
 * Scenario definitions are checked when loaded (scenarioDefinitionProblem): every shipped scenario passes,
 * and each kind of mistake is named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scenarioDefinitionProblem, type AnyScenario } from '../../scenarios/index.js';
import { allScenarios } from './allScenarios.js';

const base: AnyScenario = {
  id: 'toy',
  title: 'toy',
  source: 'test',
  description: 'toy',
  params: { n: { description: 'n', default: 2, min: 1, max: 3 }, m: { description: 'm', default: 1, min: 0, max: 2 } },
  variants: {
    a: { description: 'a', expected: { verdict: 'holds' } },
    b: { description: 'b', expected: { verdict: 'holds' }, params: ['n'] },
  },
  defaultVariant: 'a',
  build: () => {
    throw new Error('not built');
  },
};

describe('scenario definitions', () => {
  it('every registry and examples/ scenario is sound', async () => {
    for (const { target, scenario } of await allScenarios()) assert.equal(scenarioDefinitionProblem(scenario), null, target);
  });

  it('names each mistake', () => {
    const cases: readonly [Partial<AnyScenario>, string][] = [
      [{ defaultVariant: 'bugy' }, "defaultVariant 'bugy' is not one of its variants (a, b)"],
      [{ variants: {} }, 'it has no variants'],
      [{ params: { n: { description: 'n', default: 4, min: 1, max: 3 } } }, "parameter 'n': default 4 is outside its domain 1..3"],
      [{ params: { n: { description: 'n', default: 2, min: 3, max: 1 } } }, "parameter 'n': min 3 is above max 1"],
      [{ params: { n: { description: 'n', default: 1.5, min: 1, max: 3 } } }, "parameter 'n': default must be a whole number, not 1.5"],
      [
        { variants: { a: { description: 'a', expected: { verdict: 'holds' }, params: ['k'] } } },
        "variant 'a' takes parameter 'k', which is not declared (parameters: n, m)",
      ],
      [
        { validate: (p) => (p.n! > p.m! ? `n (${p.n}) cannot exceed m (${p.m})` : null) },
        "the default parameters are invalid for variant 'a': n (2) cannot exceed m (1)",
      ],
    ];
    assert.equal(scenarioDefinitionProblem(base), null);
    for (const [change, message] of cases) assert.equal(scenarioDefinitionProblem({ ...base, ...change }), message);
  });
});
