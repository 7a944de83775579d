/**
 * The conformance check of DESIGN.md ("The machine stays an ordinary xstate machine"): the engine compiles
 * each actor's xstate machine into flat step functions over the packed state, and this helper checks,
 * with fast-check random walks, that the compiled stepping and xstate's own pure `transition()` agree.
 *
 * How to use it (every actor added to models/ must pass it; put the call in the actor's or scenario's
 * test file):
 *
 *   import { assertConformance } from '../checker/conformance.js';   // path relative to your test
 *   it('conforms to xstate', () => assertConformance(buildMySystem(params), { runs: 100, maxSteps: 40 }));
 *
 * Pass a SystemSpec whose actors include yours (a scenario's `build(params, variant)` is the easy way),
 * with parameters small enough that walks reach the interesting states. `maxSteps` should exceed the
 * system's depth so walks reach terminal states; `runs` is the number of walks. A failure prints the
 * walk (fast-check's seed and path replay it: pass `seed` and `path` back in to reproduce).
 *
 * What one walk does, from the initial state:
 *  1. In every state, for every actor, every event type its machine knows and every choice of it (the
 *     actor's `choices`, computed on the xstate side), ask xstate whether the event has a transition
 *     (`machine.getTransitionData`): it must be enabled in xstate iff the engine lists the step among
 *     `Stepper.enabledSteps()` (an environment actor out of budget is the one exception, a checker
 *     concept xstate does not know). For a disabled step xstate's `transition()` must return the same
 *     snapshot with no actions, and `snapshot.can(event)` must be false.
 *  2. Pick one enabled step (the walk's random number modulo their count) and apply it twice: with the
 *     engine (`Stepper.applyId`) on the packed state, and with `transition(machine, snapshot, { type,
 *     choice, world })` over a plain copy of the world (numbers and number[]), then run the returned
 *     actions in order, `action.exec?.(action.info, action.params)`, so effects mutate the copy.
 *  3. Compare everything: every actor's control state (and final-ness), context, remaining budget, and
 *     every world field. A step that throws must throw the same message on both sides (the walk ends
 *     there: the engine reports it as an assertion violation); a value out of its domain ends the walk
 *     too (the engine reports that as a violation; xstate knows no domains).
 *
 * Typical findings: an `assign` that reads a world field an earlier effect of the same transition wrote
 * (xstate defers effects, the engine runs them in order); an effect writing a non-integer or a boolean
 * into the world (the engine's Int32Array truncates it); a guard or effect that keeps state outside the
 * context or the world.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import type { FieldSpecs } from '../../checker/system/fields.js';
import { encodeStep, stepActor, stepChoice, stepEvent, Stepper } from '../../checker/system/step.js';
import { compileSystem, type CompiledActor, type CompiledSystem, type SystemSpec } from '../../checker/system/system.js';

export interface ConformanceOptions {
  /** Number of random walks. Default 100. */
  readonly runs?: number;
  /** Steps per walk at most (a walk also ends in a state with no enabled step). Default 50. */
  readonly maxSteps?: number;
  /** fast-check seed and path, to replay a reported failure. Default: the global seed (test/setup.ts fixes it). */
  readonly seed?: number;
  readonly path?: string;
}

type PlainWorld = Record<string, number | number[]>;

interface Shadow {
  snapshot: AnyMachineSnapshot;
  budget: number;
}

/** The world as xstate sees it in the conformance test: plain numbers and arrays, at their initial values. */
export function plainWorld(fields: FieldSpecs): PlainWorld {
  const out: PlainWorld = {};
  for (const [name, f] of Object.entries(fields)) out[name] = f.kind === 'scalar' ? f.init : [...f.init];
  return out;
}

const asNumber = (v: unknown): unknown => (typeof v === 'boolean' ? Number(v) : v);

/** Checks a system's actors against xstate's `transition()` on random walks; throws on any difference. */
export function assertConformance(spec: SystemSpec, options: ConformanceOptions = {}): void {
  const system = compileSystem(spec);
  const runs = options.runs ?? 100;
  const maxSteps = options.maxSteps ?? 50;
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: maxSteps }), (picks) => walk(system, picks)),
    {
      numRuns: runs,
      includeErrorInReport: true,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
    },
  );
}

function choicesOf(actor: CompiledActor, type: string, shadow: Shadow, world: PlainWorld): number {
  const c = actor.spec.choices?.[type] ?? 1;
  if (typeof c === 'number') return c;
  return c({ context: shadow.snapshot.context, event: { type, choice: 0, world } });
}

function costOf(actor: CompiledActor, type: string): number {
  return actor.spec.cost?.[type] ?? (actor.kind === 'environment' ? 1 : 0);
}

function walk(system: CompiledSystem, picks: readonly number[]): void {
  const stepper = new Stepper(system);
  stepper.load(system.initial);
  const world = plainWorld(system.spec.world);
  const shadows: Shadow[] = system.actors.map((a) => {
    const [snapshot, actions] = initialTransition(a.spec.machine, a.spec.input);
    assert.equal(actions.length, 0, `${a.name}: the initial state runs actions, which the engine does not`);
    return { snapshot, budget: a.spec.budget ?? -1 };
  });
  const path: string[] = [];
  const where = (): string => `after [${path.join(', ')}]`;
  compare(system, stepper, shadows, world, where());

  for (const pick of picks) {
    const enabled = stepper.enabledSteps();
    checkEnabled(system, stepper, shadows, world, enabled, where());
    if (enabled.length === 0) return;
    const id = enabled[pick % enabled.length]!;
    const a = stepActor(id);
    const actor = system.actors[a]!;
    const type = actor.machine.eventTypes[stepEvent(id)]!;
    const choice = stepChoice(id);
    path.push(`${actor.name} ${type}(${choice})`);

    let engineError: string | undefined;
    try {
      assert.ok(stepper.applyId(id), `${actor.name} ${type}(${choice}) was listed as enabled but applyId refused it`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      engineError = (e as Error).message;
    }
    const shadow = shadows[a]!;
    let xstateError: string | undefined;
    let next = shadow.snapshot;
    try {
      // Guards and assigns run inside transition(); effects only when their actions are executed.
      const [snapshot, actions] = transition(actor.spec.machine as AnyStateMachine, shadow.snapshot, { type, choice, world } as never);
      next = snapshot;
      for (const action of actions) action.exec?.(action.info, action.params);
    } catch (e) {
      xstateError = (e as Error).message;
    }
    if (engineError !== undefined || xstateError !== undefined) {
      // The engine prefixes nothing here (explore.ts adds the actor name in the report): same message.
      assert.equal(engineError, xstateError, `${where()}: the step threw differently in the engine and in xstate`);
      return;
    }
    shadow.snapshot = next;
    if (shadow.budget >= 0) shadow.budget -= costOf(actor, type);
    compare(system, stepper, shadows, world, where());
    // A value outside its domain is a violation the engine reports; the walk cannot go on from it.
    if (system.layout.pack(stepper.S, new Uint32Array(system.layout.words), 0) >= 0) return;
  }
}

/** Step (actor, event, choice) is enabled in the engine iff xstate has a transition for it. */
function checkEnabled(
  system: CompiledSystem,
  stepper: Stepper,
  shadows: readonly Shadow[],
  world: PlainWorld,
  enabled: readonly number[],
  where: string,
): void {
  const engine = new Set(enabled);
  let counted = 0;
  for (const actor of system.actors) {
    const shadow = shadows[actor.index]!;
    const machine = actor.spec.machine as AnyStateMachine;
    for (const [ei, type] of actor.machine.eventTypes.entries()) {
      const final = shadow.snapshot.status === 'done';
      const n = final ? 1 : choicesOf(actor, type, shadow, world);
      for (let choice = 0; choice < n; choice++) {
        const id = encodeStep(actor.index, ei, choice);
        const event = { type, choice, world } as never;
        const inXstate = machine.getTransitionData(shadow.snapshot as never, event).length > 0;
        const what = `${where}: ${actor.name} ${type}(${choice})`;
        if (shadow.budget >= 0 && shadow.budget < costOf(actor, type)) {
          assert.ok(!engine.has(id), `${what}: enabled in the engine although the budget (${shadow.budget}) does not cover it`);
          continue;
        }
        assert.equal(
          engine.has(id),
          inXstate,
          `${what}: ${inXstate ? 'xstate has a transition but the engine does not list the step' : 'the engine lists the step but xstate has no transition'}`,
        );
        if (engine.has(id)) counted++;
        if (!inXstate && !final) {
          const [next, actions] = transition(machine, shadow.snapshot, event);
          assert.equal(next, shadow.snapshot, `${what}: disabled, yet xstate's transition() changed the snapshot`);
          assert.equal(actions.length, 0, `${what}: disabled, yet xstate's transition() returned actions`);
          assert.equal(shadow.snapshot.can(event), false, `${what}: disabled, yet snapshot.can() is true`);
        }
      }
    }
  }
  assert.equal(counted, enabled.length, `${where}: the engine lists steps xstate does not know`);
  // enabledSteps() must leave the state as it found it.
  compare(system, stepper, shadows, world, `${where} (after enabledSteps)`);
}

/** Every actor's control state, context and budget, and the whole world, agree. */
function compare(system: CompiledSystem, stepper: Stepper, shadows: readonly Shadow[], world: PlainWorld, where: string): void {
  const S = stepper.S;
  for (const actor of system.actors) {
    const shadow = shadows[actor.index]!;
    const state = actor.machine.states[S[actor.stateSlot]!]!;
    assert.equal(state.name, shadow.snapshot.value, `${where}: ${actor.name}'s control state`);
    assert.equal(state.final, shadow.snapshot.status === 'done', `${where}: ${actor.name}'s final-ness`);
    const context = shadow.snapshot.context as Record<string, unknown>;
    assert.deepEqual(Object.keys(context).sort(), [...actor.machine.fieldNames].sort(), `${where}: ${actor.name}'s context keys`);
    for (const [k, f] of actor.machine.fieldNames.entries()) {
      assert.equal(S[actor.ctxBase + k], asNumber(context[f]), `${where}: ${actor.name}.${f}`);
    }
    if (actor.budgetSlot >= 0) assert.equal(S[actor.budgetSlot], shadow.budget, `${where}: ${actor.name}'s budget`);
  }
  const view = stepper.world;
  for (const [name, f] of Object.entries(system.spec.world)) {
    const plain = world[name];
    if (f.kind === 'scalar') {
      assert.equal(view[name], asNumber(plain), `${where}: world.${name}`);
    } else {
      assert.ok(Array.isArray(plain) && plain.length === f.length, `${where}: world.${name} is no longer an array of ${f.length} (an effect replaced it)`);
      assert.deepEqual(Array.from(view[name] as Int32Array), plain.map(asNumber), `${where}: world.${name}`);
    }
  }
}
