/**
 * The generated expand function (checker/system/codegen.ts) is an optimisation of Stepper (step.ts): for
 * every reachable state of every shipped scenario variant (default parameters, up to a size limit), it
 * must emit exactly the step ids Stepper.enabledSteps() lists, in the same order, each leading to the
 * same successor state, and report the same number of enabled steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpand } from '../../../checker/system/codegen.js';
import { Stepper } from '../../../checker/system/step.js';
import { StateStore } from '../../../checker/store/stateStore.js';
import type { CompiledSystem } from '../../../checker/system/system.js';
import { resolveParams } from '../../../scenarios/index.js';
import { buildScenario } from '../../../scenarios/run.js';
import { allScenarios } from '../../scenarios/allScenarios.js';

const LIMIT = 20_000;

function compare(system: CompiledSystem): number {
  const layout = system.layout;
  const ref = new Stepper(system);
  const gen = new Stepper(system);
  const expand = compileExpand(system, gen);
  const store = new StateStore(layout.words, 12);
  const vec = new Uint32Array(layout.words);
  const pre = layout.buffer();
  ref.load(system.initial);
  layout.pack(ref.S, vec, 0);
  store.findOrInsert(vec, 0, 0);
  for (let i = 0; i < store.size && store.size < LIMIT; i++) {
    layout.unpack(store.chunkOf(i), store.offsetOf(i), pre);
    // Reference: Stepper, one step at a time.
    ref.load(pre);
    const expected: string[] = [];
    for (const id of ref.enabledSteps()) {
      ref.load(pre);
      let outcome: string;
      try {
        ref.applyId(id);
        const bad = layout.pack(ref.S, vec, 0);
        outcome = bad >= 0 ? `overflow ${bad}` : [...vec].join(',');
        if (bad < 0) store.findOrInsert(vec, 0, i);
      } catch (e) {
        outcome = `throws ${(e as Error).message}`;
      }
      expected.push(`${id}:${outcome}`);
    }
    // Generated: one call of expand, collecting what it emits.
    gen.load(pre);
    const got: string[] = [];
    const enabled = expand(
      (id) => {
        const bad = layout.pack(gen.S, vec, 0);
        got.push(`${id}:${bad >= 0 ? `overflow ${bad}` : [...vec].join(',')}`);
        gen.load(pre);
        return false;
      },
      (e, id) => {
        got.push(`${id}:throws ${(e as Error).message.replace(/^actor '[^']*': /, '')}`);
        gen.load(pre);
        return false;
      },
    );
    assert.deepEqual(
      got,
      expected.map((x) => x.replace(/:throws actor '[^']*': /, ':throws ')),
      `state #${i}`,
    );
    assert.equal(enabled, expected.length, `enabled count, state #${i}`);
  }
  return store.size;
}

describe('generated expand == Stepper on every reachable state', async () => {
  for (const { target, scenario } of await allScenarios()) {
    for (const variant of Object.keys(scenario.variants)) {
      it(`${target}:${variant}`, () => {
        const system = buildScenario(scenario, variant, resolveParams(scenario, {}));
        assert.ok(compare(system) > 0);
      });
    }
  }
});
