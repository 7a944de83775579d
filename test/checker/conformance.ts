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
import { transition, type AnyStateMachine } from 'xstate';
import { XstateShadow } from '../../checker/system/shadow.js';
import { encodeStep, stepActor, stepChoice, stepEvent, Stepper } from '../../checker/system/step.js';
import { compileSystem, type CompiledSystem, type SystemSpec } from '../../checker/system/system.js';

export { plainWorld } from '../../checker/system/shadow.js';

export interface ConformanceOptions {
  /** Number of random walks. Default 100. */
  readonly runs?: number;
  /** Steps per walk at most (a walk also ends in a state with no enabled step). Default 50. */
  readonly maxSteps?: number;
  /** fast-check seed and path, to replay a reported failure. Default: the global seed (test/setup.ts fixes it). */
  readonly seed?: number;
  readonly path?: string;
}

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

function walk(system: CompiledSystem, picks: readonly number[]): void {
  const stepper = new Stepper(system);
  stepper.load(system.initial);
  const shadow = new XstateShadow(system);
  const path: string[] = [];
  const where = (): string => `after [${path.join(', ')}]`;
  const agree = (at: string): void => assert.equal(shadow.difference(stepper), null, at);
  agree(where());

  for (const pick of picks) {
    const enabled = stepper.enabledSteps();
    checkEnabled(system, stepper, shadow, enabled, where());
    if (enabled.length === 0) return;
    const id = enabled[pick % enabled.length]!;
    const actor = system.actors[stepActor(id)]!;
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
    const xstateError = shadow.step(actor, type, choice);
    if (engineError !== undefined || xstateError !== undefined) {
      // The engine prefixes nothing here (explore.ts adds the actor name in the report): same message.
      assert.equal(engineError, xstateError, `${where()}: the step threw differently in the engine and in xstate`);
      return;
    }
    agree(where());
    // A value outside its domain is a violation the engine reports; the walk cannot go on from it.
    if (system.layout.pack(stepper.S, new Uint32Array(system.layout.words), 0) >= 0) return;
  }
}

/** Step (actor, event, choice) is enabled in the engine iff xstate has a transition for it. */
function checkEnabled(system: CompiledSystem, stepper: Stepper, shadow: XstateShadow, enabled: readonly number[], where: string): void {
  const engine = new Set(enabled);
  let counted = 0;
  for (const actor of system.actors) {
    const snapshot = shadow.snapshot(actor.index);
    const budget = shadow.budget(actor.index);
    const machine = actor.spec.machine as AnyStateMachine;
    for (const [ei, type] of actor.machine.eventTypes.entries()) {
      const final = snapshot.status === 'done';
      const n = final ? 1 : shadow.choices(actor, type);
      for (let choice = 0; choice < n; choice++) {
        const id = encodeStep(actor.index, ei, choice);
        const event = { type, choice, world: shadow.world } as never;
        const inXstate = shadow.hasTransition(actor, type, choice);
        const what = `${where}: ${actor.name} ${type}(${choice})`;
        if (budget >= 0 && budget < shadow.cost(actor, type)) {
          assert.ok(!engine.has(id), `${what}: enabled in the engine although the budget (${budget}) does not cover it`);
          continue;
        }
        assert.equal(
          engine.has(id),
          inXstate,
          `${what}: ${inXstate ? 'xstate has a transition but the engine does not list the step' : 'the engine lists the step but xstate has no transition'}`,
        );
        if (engine.has(id)) counted++;
        if (!inXstate && !final) {
          const [next, actions] = transition(machine, snapshot, event);
          assert.equal(next, snapshot, `${what}: disabled, yet xstate's transition() changed the snapshot`);
          assert.equal(actions.length, 0, `${what}: disabled, yet xstate's transition() returned actions`);
          assert.equal(snapshot.can(event), false, `${what}: disabled, yet snapshot.can() is true`);
        }
      }
    }
  }
  assert.equal(counted, enabled.length, `${where}: the engine lists steps xstate does not know`);
  // enabledSteps() must leave the state as it found it.
  assert.equal(shadow.difference(stepper), null, `${where} (after enabledSteps)`);
}
