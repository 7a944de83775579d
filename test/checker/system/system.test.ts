/** compileSystem (checker/system/system.ts): slot order, per-actor views, and what it refuses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { check, int, invariant, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import { Stepper } from '../../../checker/system/step.js';
import { compileSystem } from '../../../checker/system/system.js';
import { assertConformance } from '../conformance.js';

/** One machine, two actors. Each may step once, while its own `a` is 0. */
function sharedMachine(): SystemSpec['actors'][number]['machine'] {
  return setup({ types: { context: {} as { a: number; b: number }, events: {} as StepEvent<'go', unknown> } }).createMachine({
    id: 'shared',
    initial: 'run',
    context: { a: 0, b: 3 },
    states: { run: { on: { go: { guard: ({ context }) => context.a === 0, target: 'done', actions: assign({ a: 1 }) } } }, done: { type: 'final' } },
  });
}

describe('compileSystem', () => {
  it('lays out world fields, then per actor its state, budget and context, in declaration order', () => {
    const machine = sharedMachine();
    const env = setup({}).createMachine({ id: 'env', initial: 'run', states: { run: {} } });
    const system = compileSystem({
      name: 's',
      world: { x: int(0, 1), ys: { kind: 'array', length: 2, element: int(0, 3), init: [1, 2] } },
      actors: [
        { name: 'X', machine, fields: { a: int(0, 1), b: int(0, 3) } },
        { name: 'reclaim', kind: 'environment', budget: 2, machine: env, fields: {} },
      ],
      properties: [],
    });
    assert.deepEqual(
      system.layout.slots.map((s) => s.name),
      ['x', 'ys[0]', 'ys[1]', 'X@state', 'X.a', 'X.b', 'reclaim@state', 'reclaim@budget'],
    );
    assert.deepEqual(Array.from(system.initial), [0, 1, 2, 0, 0, 3, 0, 2]);
  });

  // BUG: compileSystem caches context views per machine (system.ts, `contextViews`), keyed by the machine
  // alone; an actor that shares the machine but declares its fields in another order gets the first
  // actor's view, so its guards (and properties) read `a` from its `b` slot. Here Y's guard sees a = 3,
  // Y can never step, and 'a stays 0 or 1' fails in the initial state. Fix: key the cache by machine and
  // field order (or build a view per actor).
  it('actors sharing a machine read their own fields, whatever order they declare them in', () => {
    const machine = sharedMachine();
    const spec: SystemSpec = {
      name: 'two-orders',
      world: {},
      actors: [
        { name: 'X', machine, fields: { a: int(0, 1), b: int(0, 3) } },
        { name: 'Y', machine, fields: { b: int(0, 3), a: int(0, 1) } },
      ],
      properties: [invariant('a stays 0 or 1', (s) => s.actors.every((x) => x.context.a <= 1))],
    };
    const system = compileSystem(spec);
    const stepper = new Stepper(system);
    stepper.load(system.initial);
    assert.equal(stepper.enabledSteps().length, 2, 'X go and Y go are both enabled initially');
    const r = check(spec);
    assert.equal(r.verdict, 'holds', r.violations[0]?.message);
    // X, Y in either order: run/run, done/run, run/done, done/done.
    assert.equal(r.stats.states, 4);
    assertConformance(spec, { runs: 10, maxSteps: 4 });
  });
});
