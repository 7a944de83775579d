/**
 * Only actions write the world (issue 14, item 2): a guard, an `assign` function, a choices function or a
 * property that writes a world field - a scalar or an array element - is reported, naming the function
 * and the field, under every strategy; never a silent write into the state, never a silent drop. A
 * property's array write is found when the property returns (SlotStateView.readOnly).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { array, check, int, invariant, transitionProperty, type StepEvent, type SystemSpec } from '../../../checker/index.js';

interface W {
  x: number;
  a: number[];
}
type Mistake =
  | 'guard-scalar'
  | 'guard-array'
  | 'guard-array-disabled'
  | 'assign'
  | 'choices'
  | 'property-scalar'
  | 'property-array'
  | 'transition-scalar'
  | 'transition-array'
  | 'none';

/** x counts 0..3; at x = 2 (x = 1 for assign and choices) the named function writes the world. */
function counter(mistake: Mistake): SystemSpec<W> {
  const machine = setup({
    types: { context: {} as { n: number }, events: {} as StepEvent<'step' | 'idle', W> },
    guards: {
      go: ({ event }) => {
        const w = event.world;
        if (w.x === 2 && mistake === 'guard-scalar') w.x = 1;
        if (w.x === 2 && mistake === 'guard-array') return (w.a[0] = 1) === 1;
        return w.x < 3;
      },
      never: ({ event }) => {
        if (event.world.x === 2 && mistake === 'guard-array-disabled') event.world.a[1] = 1;
        return false;
      },
    },
    actions: {
      count: ({ event }) => {
        event.world.x += 1;
      },
    },
  }).createMachine({
    id: 'counter',
    initial: 'run',
    context: { n: 0 },
    states: {
      run: {
        on: {
          idle: { guard: 'never' },
          step: {
            guard: 'go',
            actions: [
              'count',
              assign({
                n: ({ event }) => {
                  if (mistake === 'assign' && event.world.x === 2) event.world.a[0] = 1;
                  return 0;
                },
              }),
            ],
          },
        },
      },
    },
  });
  const writes = (s: { world: W }): boolean => {
    if (s.world.x === 2 && mistake === 'property-scalar') s.world.x = 0;
    if (s.world.x === 2 && mistake === 'property-array') s.world.a[0] = 3;
    return true;
  };
  return {
    name: 'counter',
    world: { x: int(0, 3), a: array(2, int(0, 3)) },
    actors: [
      {
        name: 'P0',
        machine,
        fields: { n: int(0, 1) },
        ...(mistake === 'choices'
          ? {
              choices: {
                step: ({ event }: { event: { world: W } }) => {
                  if (event.world.x === 1) event.world.a[1] = 2;
                  return 1;
                },
              },
            }
          : {}),
      },
    ],
    properties: [
      invariant<W>('reads only', writes),
      transitionProperty<W>('steps read only', (before, after) => {
        if (after.world.x === 2 && mistake === 'transition-scalar') after.world.x = 0;
        if (after.world.x === 2 && mistake === 'transition-array') before.world.a[1] = 3;
        return true;
      }),
    ],
  };
}

const tail = ': guards, assign and choices functions and properties only read the world; write it in an action';
const steps: [Mistake, string, number][] = [
  ['guard-scalar', 'world.x = 1 is written by guard [go] of actor P0, event step', 3],
  ['guard-array', 'world.a[0] = 1 is written by guard [go] of actor P0, event step', 3],
  ['guard-array-disabled', 'world.a[1] = 1 is written by guard [never] of actor P0, event idle', 3],
  ['assign', "world.a[0] = 1 is written by assign 'inline assign' of actor P0, event step", 2],
  ['choices', "world.a[1] = 2 is written by the choices function of 'step' (actor P0)", 2],
];

describe('only actions write the world', () => {
  it('a model that writes only in its actions holds, with its exact count', () => {
    const r = check(counter('none'));
    assert.deepEqual([r.verdict, r.stats.states], ['holds', 4]);
  });

  for (const strategy of ['bfs', 'dfs', 'random', 'pct'] as const) {
    for (const [mistake, message, length] of steps) {
      // A sampling run skips an event whose choices function throws (search/sampling.ts, Stepper.enabledSteps).
      if (mistake === 'choices' && (strategy === 'random' || strategy === 'pct')) continue;
      it(`${mistake} (${strategy}): an assertion violation naming the function and the field, with its trace`, () => {
        const r = check(counter(mistake), { strategy, executions: 20 });
        assert.equal(r.verdict, 'violated');
        const v = r.violations[0]!;
        assert.equal(v.property, 'assertion');
        if (mistake === 'guard-array-disabled' && (strategy === 'random' || strategy === 'pct')) {
          // Found at the next guard that reads the array (a sampling run re-runs no step to name the writer).
          assert.match(v.message, /^P0, event \w+: world\.a\[1\] = 1 is written /);
        } else {
          assert.equal(v.message, `P0, event ${mistake === 'guard-array-disabled' ? 'idle' : 'step'}: ${message}${tail}`);
        }
        if (strategy === 'bfs') assert.equal(v.trace.steps.length, length);
      });
    }

    it(`property-scalar (${strategy}): a model error naming the property and the field`, () => {
      const r = check(counter('property-scalar'), { strategy, executions: 20 });
      assert.equal(r.verdict, 'model-error');
      assert.deepEqual([r.modelError?.kind, r.modelError?.subject], ['property-threw', 'reads only']);
      assert.match(r.modelError!.message, /^property 'reads only' threw: world\.x = 0 is written outside an action/);
    });

    it(`property-array (${strategy}): a model error naming the property and the field`, () => {
      // Found when the property returns (SlotStateView.readOnly, after every property call).
      const r = check(counter('property-array'), { strategy, executions: 20 });
      assert.equal(r.verdict, 'model-error');
      assert.deepEqual([r.modelError?.kind, r.modelError?.subject], ['property-threw', 'reads only']);
      assert.match(r.modelError!.message, /^property 'reads only' threw: world\.a\[0\] = 3 is written outside an action/);
    });

    it(`transition-scalar (${strategy}): a model error naming the transition property and the field`, () => {
      const r = check(counter('transition-scalar'), { strategy, executions: 20 });
      assert.equal(r.verdict, 'model-error');
      assert.deepEqual([r.modelError?.kind, r.modelError?.subject], ['property-threw', 'steps read only']);
      assert.match(r.modelError!.message, /^property 'steps read only' threw: world\.x = 0 is written outside an action/);
    });

    it(`transition-array (${strategy}): a model error naming the transition property and the field`, () => {
      const r = check(counter('transition-array'), { strategy, executions: 20 });
      assert.equal(r.verdict, 'model-error');
      assert.deepEqual([r.modelError?.kind, r.modelError?.subject], ['property-threw', 'steps read only']);
      assert.match(r.modelError!.message, /world\.a\[1\] = 3 is written outside an action/);
    });
  }
});
