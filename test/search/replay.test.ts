/**
 * replay({ xstate: true }): every step is re-executed through xstate's own transition() as well, so a
 * counterexample is a run of the xstate machines and not only of their compiled copy. A model that
 * breaks the engine's rule (an assign reading a world field an earlier effect of the same transition
 * wrote: xstate defers the effect, the engine runs actions in order) replays in the engine alone, and is
 * caught as a disagreement at the very step where the two part.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { check, int, invariant, type StepEvent, type SystemSpec } from '../../checker/index.js';
import { replay, resolveStep } from '../../checker/search/replay.js';
import { compileSystem } from '../../checker/system/system.js';
import { XstateShadow } from '../../checker/system/shadow.js';
import { Stepper } from '../../checker/system/step.js';

type W = { x: number };
type Ev = StepEvent<'bump', W>;

/** One actor: `bump` adds 1 to world.x and records it in `seen`; the invariant fails once x reaches 2. */
function system(order: 'by-rule' | 'reads-after-effect'): SystemSpec<W> {
  const machine = setup({
    types: { context: {} as { seen: number }, events: {} as Ev },
    actions: {
      bump: ({ event }) => {
        event.world.x = event.world.x + 1;
      },
    },
  }).createMachine({
    id: `bump-${order}`,
    initial: 'run',
    context: { seen: 0 },
    states: {
      run: {
        on: {
          bump:
            order === 'by-rule'
              ? { actions: [assign({ seen: ({ event }) => event.world.x + 1 }), 'bump'] }
              : // The engine runs 'bump' first and the assign sees the new x; xstate's assign sees the old one.
                { actions: ['bump', assign({ seen: ({ event }) => event.world.x })] },
        },
      },
    },
  });
  return {
    name: order,
    world: { x: int(0, 3) },
    actors: [{ name: 'A', machine, fields: { seen: int(0, 3) } }],
    properties: [invariant('x stays below 2', (s) => s.world.x < 2)],
  };
}

function counterexample(spec: SystemSpec<W>) {
  const compiled = compileSystem(spec);
  const r = check(compiled);
  assert.equal(r.verdict, 'violated');
  const v = r.violations[0]!;
  return {
    compiled,
    ids: v.trace.steps.map((s) => resolveStep(compiled, s.actor, s.transition, s.choice) as number),
    claim: { property: v.property, kind: v.kind },
  };
}

describe('replay through xstate', () => {
  it('a model that keeps the rule replays the same in both (reproduced)', () => {
    const { compiled, ids, claim } = counterexample(system('by-rule'));
    assert.deepEqual(replay(compiled, ids, undefined, claim, { xstate: true }), {
      status: 'reproduced',
      message: "after 2 steps invariant 'x stays below 2' is violated",
    });
  });

  it('an assign that reads what an earlier effect wrote: reproduced by the engine alone, a disagreement at step 1 through xstate', () => {
    const { compiled, ids, claim } = counterexample(system('reads-after-effect'));
    assert.equal(replay(compiled, ids, undefined, claim).status, 'reproduced');
    assert.deepEqual(replay(compiled, ids, undefined, claim, { xstate: true }), {
      status: 'diverged',
      step: 1,
      message: "step 1 (A bump(0)): the compiled model and xstate's own transition() disagree: A.seen: 1 in the engine, 0 in xstate",
    });
  });

  it('the shadow starts where the engine starts, and names the first field that differs', () => {
    const compiled = compileSystem(system('reads-after-effect'));
    const stepper = new Stepper(compiled);
    stepper.load(compiled.initial);
    const shadow = new XstateShadow(compiled);
    assert.equal(shadow.difference(stepper), null);
    shadow.world.x = 3;
    assert.equal(shadow.difference(stepper), 'world.x: 0 in the engine, 3 in xstate');
  });
});

describe('replay on the execution core', () => {
  it('a claimed property whose own code throws on the trace is a model error, not a verdict on the claim', () => {
    const { compiled, ids, claim } = counterexample(system('by-rule'));
    const spec = system('by-rule');
    const throwing = compileSystem({
      ...spec,
      properties: [
        invariant<W>('x stays below 2', (s) => {
          if (s.world.x === 1) throw new Error('x is 1');
          return true;
        }),
      ],
    });
    assert.equal(replay(compiled, ids, undefined, claim).status, 'reproduced');
    assert.deepEqual(replay(throwing, ids, undefined, claim), { status: 'model-error', message: "property 'x stays below 2' threw: x is 1" });
  });
});
