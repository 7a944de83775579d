/**
 * Scenario definitions are checked when loaded (scenarioDefinitionProblem): every shipped scenario passes,
 * and each kind of mistake is named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scenarioDefinitionProblem, scenarios, type AnyScenario } from '../../scenarios/index.js';
import { allScenarios } from './allScenarios.js';

const base: AnyScenario = {
  id: 'toy',
  title: 'toy',
  source: 'test',
  description: 'toy',
  params: { n: { description: 'n', default: 2, min: 1, max: 3 }, m: { description: 'm', default: 1, min: 0, max: 2 } },
  variants: {
    a: { description: 'a', expected: { verdict: 'holds' }, provenance: { kind: 'shipped', versions: 'v5.16+', commits: ['00bfe02f4796'] } },
    b: { description: 'b', expected: { verdict: 'holds' }, params: ['n'], provenance: { kind: 'proposal', thread: 'a thread' } },
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
        { variants: { a: { description: 'a', expected: { verdict: 'holds' }, params: ['k'], provenance: { kind: 'hypothetical', why: 'w' } } } },
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

  it('needs a sound provenance on every variant, built-in or from a file', () => {
    const forms = "{ kind: 'shipped', versions, commits: [...] }, { kind: 'proposal', thread } or { kind: 'hypothetical', why }";
    const withA = (provenance: unknown): AnyScenario => ({
      ...base,
      variants: { ...base.variants, a: { description: 'a', expected: { verdict: 'holds' }, provenance } as never },
    });
    const cases: readonly [unknown, string | null][] = [
      [undefined, `variant 'a': it has no provenance (add provenance: ${forms})`],
      [null, `variant 'a': its provenance must be ${forms}`],
      [{ kind: 'merged' }, `variant 'a': its provenance must be ${forms}`],
      [{ kind: 'proposal' }, "variant 'a': its 'proposal' provenance needs a thread (where it was posted)"],
      [{ kind: 'hypothetical', why: ' ' }, "variant 'a': its 'hypothetical' provenance needs a why (what it is modelled to show)"],
      [{ kind: 'shipped', commits: [] }, "variant 'a': its 'shipped' provenance needs versions (e.g. 'v5.16 - v5.17', 'v6.15+')"],
      [{ kind: 'shipped', versions: 'v6.1' }, "variant 'a': its 'shipped' provenance needs commits: an array of hashes (may be empty)"],
      [
        { kind: 'shipped', versions: 'v6.1', commits: ['v6.1-rc1'] },
        `variant 'a': its 'shipped' provenance lists "v6.1-rc1", which is not a commit hash (7-40 lowercase hex digits)`,
      ],
      [{ kind: 'shipped', versions: 'vendor 5.10.y', commits: [] }, null],
    ];
    for (const [provenance, message] of cases) assert.equal(scenarioDefinitionProblem(withA(provenance)), message, JSON.stringify(provenance));
  });

  it('every built-in shipped variant names its commits', () => {
    for (const s of scenarios) {
      for (const [name, v] of Object.entries(s.variants)) {
        if (v.provenance.kind === 'shipped') assert.ok(v.provenance.commits.length > 0, `${s.id}:${name} is shipped but names no commit`);
      }
    }
  });
});
