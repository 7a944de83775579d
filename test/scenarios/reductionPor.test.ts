/**
 * Partial-order reduction over every shipped scenario variant (issue 9 item 6): at its default parameters
 * each gives the same verdict and the same first violated property with `reduce: 'por'` as without, on no
 * more states. A variant with progress properties is not reduced (reduce/por.ts): its run says so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, compileSystem } from '../../checker/index.js';
import { buildVariant, resolveParams } from '../../scenarios/index.js';
import { allScenarios } from './allScenarios.js';

const shipped = await allScenarios();

describe('partial-order reduction on every shipped scenario variant', () => {
  for (const { target, scenario } of shipped) {
    for (const variant of Object.keys(scenario.variants)) {
      it(`${target}:${variant}`, () => {
        const system = compileSystem(buildVariant(scenario, variant, resolveParams(scenario, {}, variant)));
        if (system.properties.some((p) => p.kind === 'progress')) {
          // The reduction stands down before the search: one state is enough to see the note.
          const r = check(system, { reduce: 'por', maxStates: 1 });
          assert.match((r.reduction?.notes ?? []).join('\n'), /off for this run: it checks progress properties/);
          return;
        }
        const none = check(system, { reduce: 'none' });
        const por = check(system, { reduce: 'por' });
        assert.equal(por.verdict, none.verdict);
        assert.equal(por.violations[0]?.property, none.violations[0]?.property);
        assert.ok(por.stats.states <= none.stats.states);
      });
    }
  }
});
