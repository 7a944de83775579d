/**
 * The clearest counterexample (checker/trace/clearest.ts) against brute force: on small random systems,
 * every step sequence up to a depth is enumerated, and the trace check() prints must be one of the best of
 * them - under `shortest`, the least (length, switches); under `fewest-switches`, the least (switches,
 * length) - and must replay as the violation it claims.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { setup, type AnyStateMachine } from 'xstate';
import {
  bound,
  check,
  deadlockFreedom,
  int,
  invariant,
  transitionProperty,
  type ActorSpec,
  type CheckResult,
  type SystemSpec,
  type TraceOrder,
} from '../../../checker/index.js';
import { replay, resolveStep } from '../../../checker/search/replay.js';
import { SlotStateView } from '../../../checker/properties/property.js';
import { blockedActors } from '../../../checker/properties/deadlock.js';
import { Stepper, stepActor } from '../../../checker/system/step.js';
import { compileSystem, type CompiledSystem } from '../../../checker/system/system.js';
import { clearestTrace, contextSwitches } from '../../../checker/trace/clearest.js';
import { buildLock } from '../../../examples/peterson.scenario.js';

interface W {
  x: number;
  y: number;
}

/** One event of a random actor: from its state to `target` (-1: done), `v = (v * mul + add) % 4` on x or y, maybe guarded. */
interface EventSpec {
  readonly target: number;
  readonly onY: boolean;
  readonly mul: number;
  readonly add: number;
  readonly guard: number; // -1: none; else enabled while x !== guard
}
type ActorShape = readonly (readonly EventSpec[])[];
type Kind = 'invariant' | 'transition' | 'deadlock';

const STATES = 2;
const DEPTH = 6;

const eventSpec = fc.record({
  target: fc.integer({ min: -1, max: STATES - 1 }),
  onY: fc.boolean(),
  mul: fc.integer({ min: 1, max: 2 }),
  add: fc.integer({ min: 0, max: 3 }),
  guard: fc.integer({ min: -1, max: 3 }),
});
const actorShape = fc.array(fc.array(eventSpec, { minLength: 1, maxLength: 2 }), { minLength: STATES, maxLength: STATES });
const systemShape = fc.record({
  actors: fc.array(actorShape, { minLength: 2, maxLength: 3 }),
  kind: fc.constantFrom<Kind>('invariant', 'transition', 'deadlock'),
  bad: fc.integer({ min: 0, max: 15 }),
});

function randomActor(name: string, shape: ActorShape): ActorSpec {
  const guards: Record<string, (a: { event: { world: W } }) => boolean> = {};
  const actions: Record<string, (a: { event: { world: W } }) => void> = {};
  const states: Record<string, unknown> = { done: { type: 'final' } };
  shape.forEach((events, s) => {
    const on: Record<string, unknown> = {};
    events.forEach((e, i) => {
      const id = `e${s}_${i}`;
      actions[id] = ({ event }) => {
        const w = event.world;
        if (e.onY) w.y = (w.y * e.mul + e.add) % 4;
        else w.x = (w.x * e.mul + e.add) % 4;
      };
      if (e.guard >= 0) guards[id] = ({ event }) => event.world.x !== e.guard;
      on[id] = { target: e.target < 0 ? 'done' : `s${e.target}`, actions: id, ...(e.guard >= 0 ? { guard: id } : {}) };
    });
    states[`s${s}`] = { on };
  });
  const machine = setup({ guards, actions } as never).createMachine({ id: name, initial: 's0', states } as never) as unknown as AnyStateMachine;
  return { name, machine, fields: {} };
}

function randomSystem(shape: { actors: readonly ActorShape[]; kind: Kind; bad: number }): SystemSpec<W> {
  const [bx, by] = [shape.bad % 4, shape.bad >> 2];
  const property =
    shape.kind === 'invariant'
      ? invariant<W>('not bad', (s) => !(s.world.x === bx && s.world.y === by))
      : shape.kind === 'transition'
        ? transitionProperty<W>('x never jumps', (before, after) => !(before.world.x === bx && after.world.x === by))
        : deadlockFreedom();
  return {
    name: 'random',
    world: { x: int(0, 3), y: int(0, 3) },
    actors: shape.actors.map((a, i) => randomActor(`P${i}`, a)),
    properties: [property],
  };
}

/** Every counterexample of at most DEPTH steps, as (length, switches), by enumerating every step sequence. */
function bruteForce(system: CompiledSystem, kind: Kind, shape: { bad: number }): [number, number][] {
  const [bx, by] = [shape.bad % 4, shape.bad >> 2];
  const stepper = new Stepper(system);
  const view = new SlotStateView(system, stepper.S, stepper.world);
  const worldXY = (): [number, number] => [view.world.x as number, view.world.y as number];
  const found: [number, number][] = [];
  const walk = (path: number[]): void => {
    const here = Int32Array.from(stepper.S);
    const enabled = stepper.enabledSteps();
    if (kind === 'invariant' && worldXY()[0] === bx && worldXY()[1] === by) found.push([path.length, contextSwitches(path)]);
    if (kind === 'deadlock' && enabled.length === 0 && blockedActors(system, view).length) found.push([path.length, contextSwitches(path)]);
    if (path.length === DEPTH) return;
    for (const id of enabled) {
      stepper.load(here);
      const x0 = worldXY()[0];
      stepper.applyId(id);
      path.push(id);
      if (kind === 'transition' && x0 === bx && worldXY()[0] === by) found.push([path.length, contextSwitches(path)]);
      walk(path);
      path.pop();
    }
    stepper.load(here);
  };
  stepper.load(system.initial);
  walk([]);
  return found;
}

const least = (xs: readonly [number, number][]): [number, number] => xs.reduce((m, c) => (c[0] < m[0] || (c[0] === m[0] && c[1] < m[1]) ? c : m));

function printed(system: CompiledSystem, r: CheckResult): number[] {
  return r.violations[0]!.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
}

describe('clearest counterexample (trace/clearest.ts)', () => {
  for (const order of ['shortest', 'fewest-switches'] as const satisfies readonly TraceOrder[]) {
    it(`${order}: the printed counterexample is one of the best of all sequences, by brute force, and replays`, () => {
      fc.assert(
        fc.property(systemShape, (shape) => {
          const spec = randomSystem(shape);
          const system = compileSystem(spec);
          const r = check(system, { trace: order });
          assert.equal(r.traceOrder, order);
          const all = bruteForce(system, shape.kind, shape);
          if (r.verdict !== 'violated') {
            assert.deepEqual(all, [], 'brute force found a counterexample the check missed');
            return;
          }
          const v = r.violations[0]!;
          const steps = printed(system, r);
          assert.equal(replay(system, steps, undefined, v).status, 'reproduced');
          const cost: [number, number] = [steps.length, contextSwitches(steps)];
          if (order === 'shortest') {
            if (cost[0] > DEPTH) return assert.ok(all.every(([len]) => len > DEPTH));
            assert.deepEqual(cost, least(all));
          } else {
            const swapped = all.map(([len, sw]): [number, number] => [sw, len]);
            if (swapped.length === 0) return;
            const best = least(swapped);
            // The answer is best over every length: no brute-force sequence beats it, and within the depth it is met.
            assert.ok(cost[1] < best[0] || (cost[1] === best[0] && cost[0] <= best[1]), `${String(cost)} vs ${String(best)}`);
            if (cost[0] <= DEPTH) assert.deepEqual([cost[1], cost[0]], best);
          }
          // Deterministic: the same trace again.
          assert.deepEqual(printed(system, check(system, { trace: order })), steps);
        }),
        { numRuns: 60 },
      );
    });
  }

  for (const order of ['shortest', 'fewest-switches'] as const satisfies readonly TraceOrder[]) {
    it(`${order}: a bound's worst-value trace is one of the best paths to a worst state, by brute force`, () => {
      fc.assert(
        fc.property(systemShape, (shape) => {
          const [bx, by] = [shape.bad % 4, shape.bad >> 2];
          const spec = { ...randomSystem(shape), properties: [bound<W>('at bad', (s) => (s.world.x === bx && s.world.y === by ? 1 : 0), 1)] };
          const system = compileSystem(spec);
          const r = check(system, { trace: order });
          const b = r.bounds[0]!;
          const steps = b.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
          // Brute force: every sequence within the depth that ends in a state of the worst value.
          const all = bruteForce(system, 'invariant', b.worst === 1 ? shape : { bad: -1 });
          if (b.worst === 0) return assert.deepEqual(steps, []);
          if (all.length === 0) return assert.ok(steps.length > DEPTH);
          const cost: [number, number] = [steps.length, contextSwitches(steps)];
          if (order === 'shortest') return assert.deepEqual(cost, least(all));
          const best = least(all.map(([len, sw]): [number, number] => [sw, len]));
          assert.ok(cost[1] < best[0] || (cost[1] === best[0] && cost[0] <= best[1]), `${String(cost)} vs ${String(best)}`);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('peterson:no-turn: of the four-step counterexamples, the one with two switches (the search found one with three)', () => {
    const system = compileSystem(buildLock('no-turn'));
    const steps = printed(system, check(system));
    assert.deepEqual(
      steps.map((id) => system.actors[stepActor(id)]!.name),
      ['P0', 'P1', 'P1', 'P0'],
    );
    assert.equal(contextSwitches(steps), 2);
  });

  it('bounded as the search is: past the state bound, or told to stop, it gives up (check then keeps the search trace)', () => {
    const system = compileSystem(buildLock('no-turn'));
    const property = system.properties.find((p) => p.kind === 'invariant')!;
    assert.equal(property.kind, 'invariant');
    const goal = { kind: 'invariant', property } as const;
    assert.equal(clearestTrace(system, goal, { order: 'shortest', maxLength: 4, maxStates: 1 }), null);
    assert.equal(clearestTrace(system, goal, { order: 'shortest', maxLength: 3, maxStates: 1000 }), null, 'none within 3 steps');
    assert.equal(clearestTrace(system, goal, { order: 'shortest', maxLength: 4, maxStates: 1000 })!.steps.length, 4);
  });
});
