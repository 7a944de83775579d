/**
 * The engine's compiled stepping agrees with xstate's own `transition()` (see conformance.ts): on
 * retry-ring at several sizes, on every Peterson variant, then lightly on every variant of every shipped
 * scenario so new actors are covered as soon as they are added. The helper itself is checked to catch
 * the two classic mistakes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { compileSystem, int, type StepEvent, type SystemSpec } from '../../checker/index.js';
import { XstateShadow } from '../../checker/system/shadow.js';
import { encodeStep, Stepper } from '../../checker/system/step.js';
import peterson, { buildLock } from '../../examples/peterson.scenario.js';
import { resolveParams } from '../../scenarios/index.js';
import { buildRetryRing } from '../../scenarios/retry-ring.js';
import { allScenarios } from '../scenarios/allScenarios.js';
import { assertConformance } from './conformance.js';
import { kitchenSink } from './kitchenSink.js';

const shipped = await allScenarios();

describe('conformance: compiled stepping = xstate transition()', () => {
  for (const p of [
    { readers: 1, pages: 3, capacity: 2, budget: 1, retries: 1 },
    { readers: 2, pages: 4, capacity: 2, budget: 2, retries: 2 },
    { readers: 2, pages: 3, capacity: 1, budget: 3, retries: 3 },
    { readers: 3, pages: 4, capacity: 3, budget: 2, retries: 1 },
  ]) {
    it(`retry-ring ${Object.values(p).join(',')}`, () => assertConformance(buildRetryRing(p), { runs: 60, maxSteps: 40 }));
  }

  it('a system using every supported machine feature (kitchenSink.ts)', () => assertConformance(kitchenSink(), { runs: 200, maxSteps: 40 }));

  for (const variant of Object.keys(peterson.variants)) {
    it(`peterson:${variant}`, () => assertConformance(buildLock(variant as Parameters<typeof buildLock>[0]), { runs: 60, maxSteps: 30 }));
  }

  describe('every variant of every shipped scenario, at its default parameters', () => {
    for (const { target, scenario } of shipped) {
      for (const variant of Object.keys(scenario.variants)) {
        it(`${target}:${variant}`, () => assertConformance(scenario.build(resolveParams(scenario, {}), variant), { runs: 15, maxSteps: 40 }));
      }
    }
  });
});

describe('conformance: the helper catches actors that are not ordinary xstate machines', () => {
  interface W {
    x: number;
  }
  type Ev = StepEvent<'go', W>;

  const system = (machine: SystemSpec['actors'][number]['machine'], fields: SystemSpec['actors'][number]['fields']): SystemSpec<W> => ({
    name: 'broken',
    world: { x: int(0, 3) },
    actors: [{ name: 'A', machine, fields }],
    properties: [],
  });

  it('an assign that reads a world field an earlier effect of the same transition wrote', () => {
    const machine = setup({
      types: { context: {} as { seen: number }, events: {} as Ev },
      actions: {
        bump: ({ event }) => {
          event.world.x = event.world.x + 1;
        },
      },
    }).createMachine({
      id: 'reads-after-effect',
      initial: 'run',
      context: { seen: 0 },
      // xstate defers `bump` until after transition() computed the assign (seen = old x); the engine runs
      // them in order (seen = new x).
      states: { run: { on: { go: { target: 'done', actions: ['bump', assign({ seen: ({ event }) => event.world.x })] } } }, done: { type: 'final' } },
    });
    assert.throws(() => assertConformance(system(machine, { seen: int(0, 3) }), { runs: 50, maxSteps: 3 }), /A\.seen/);
  });

  it('an effect that writes a non-integer into the world fails the step in both, with the same message (a model exception, not a mismatch)', () => {
    const machine = setup({
      types: { context: {} as Record<string, never>, events: {} as Ev },
      actions: {
        half: ({ event }) => {
          event.world.x = 1.5;
        },
      },
    }).createMachine({
      id: 'writes-fraction',
      initial: 'run',
      context: {},
      states: { run: { on: { go: { target: 'done', actions: 'half' } } }, done: { type: 'final' } },
    });
    const compiled = compileSystem(system(machine, {}));
    const stepper = new Stepper(compiled);
    stepper.load(compiled.initial);
    assert.throws(() => stepper.applyId(encodeStep(0, 0, 0)), { message: 'world.x = 1.5 is not an integer' });
    const shadow = new XstateShadow(compiled);
    assert.equal(shadow.step(compiled.actors[0]!, 'go', 0), 'world.x = 1.5 is not an integer');
    assert.doesNotThrow(() => assertConformance(system(machine, {}), { runs: 50, maxSteps: 3 }));
  });
});
