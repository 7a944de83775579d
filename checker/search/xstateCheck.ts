/**
 * The xstate cross-check of a checked system: xstate machines are the single source of truth for actor behaviour,
 * and the engine runs a compiled copy of them. For a user's own machines nothing else shows that the copy
 * is faithful (the built-in actors have their conformance test), so a check re-executes paths to explored
 * states through xstate's own `transition()` (XstateShadow) next to the compiled steps and compares every
 * state. A disagreement - say an effect placed after an `assign` that reads the new context, where xstate
 * runs effects after every assign - is a model error naming the machine, the state and the event.
 *
 * Paths are chosen deterministically: every counterexample, then the paths to states spread evenly over
 * the store's insertion order, each extended by every step enabled at its end, until a budget of xstate
 * steps is spent (xstate's pure transition() runs about 90K steps/s: the default budget costs well under
 * a second).
 */
import { XstateShadow } from '../system/shadow.js';
import { Stepper, stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { thrownMessage } from '../system/thrown.js';

/** xstate steps the cross-check may take by default. */
export const XSTATE_CHECK_STEPS = 20_000;

export interface XstateMismatch {
  /** The actor whose machine the compiled copy does not follow. */
  readonly actor: string;
  readonly message: string;
  /** The steps up to and including the one where the two disagree. */
  readonly steps: readonly number[];
}

/**
 * Walks `steps` from the initial state in the engine and in xstate; the first disagreement, or null. A
 * step that throws in the engine ends the walk.
 */
export function xstateDisagreement(system: CompiledSystem, steps: readonly number[]): XstateMismatch | null {
  let shadow: XstateShadow;
  try {
    shadow = new XstateShadow(system);
  } catch (e) {
    return { actor: system.actors[0]!.name, message: `xstate: ${thrownMessage(e)}`, steps: [] };
  }
  // Guarded array views: a write the engine refuses (an index outside an array, a non-integer) ends the
  // walk as the model assertion it is, not as a difference from xstate's plain arrays.
  const stepper = new Stepper(system, undefined, true);
  stepper.load(system.initial);
  for (const [i, id] of steps.entries()) {
    const actor = system.actors[stepActor(id)]!;
    const type = actor.machine.eventTypes[stepEvent(id)]!;
    const choice = stepChoice(id);
    const state = actor.machine.states[stepper.S[actor.stateSlot]!]!.name;
    const mismatch = (what: string): XstateMismatch => ({
      actor: actor.name,
      message: `machine '${actor.spec.machine.id}' (actor ${actor.name}), state '${state}', event '${type}': the compiled actor and xstate's own transition() disagree: ${what}`,
      steps: steps.slice(0, i + 1),
    });
    // A compiled step that throws - anything, a string or undefined too - is the model's assertion (or the
    // engine's stricter check of a written value, which xstate's plain objects lack): the walk ends there,
    // reported as the assertion it is.
    try {
      if (!stepper.applyId(id)) return null; // not enabled (any more): nothing to compare here
    } catch {
      return null;
    }
    const xstateError = shadow.step(actor, type, choice);
    if (xstateError !== undefined) return mismatch(`xstate's transition() throws '${xstateError}', the compiled step does not`);
    const difference = shadow.difference(stepper);
    if (difference) return mismatch(`after the step, ${difference}`);
  }
  return null;
}

/**
 * Cross-checks the paths `pathTo` gives (null: not this one) for a deterministic spread of `states` stored states (and
 * `extra` paths first), each path also extended by every step enabled at its end, within `budget`
 * xstate steps. Returns the first disagreement, or null.
 */
export function crossCheckXstate(
  system: CompiledSystem,
  states: number,
  pathTo: (state: number) => readonly number[] | null,
  extra: readonly (readonly number[])[] = [],
  budget = XSTATE_CHECK_STEPS,
): XstateMismatch | null {
  let spent = 0;
  const walk = (steps: readonly number[]): XstateMismatch | null => {
    spent += steps.length;
    return xstateDisagreement(system, steps);
  };
  for (const steps of extra) {
    const m = walk(steps);
    if (m) return m;
  }
  const stepper = new Stepper(system);
  const samples = Math.min(states, 64);
  for (let k = 0; k < samples && spent < budget; k++) {
    const path = pathTo(Math.floor((k * states) / samples));
    if (!path) continue; // beyond the run's budget or bounds
    stepper.load(system.initial);
    let next: number[];
    try {
      for (const id of path) stepper.applyId(id);
      next = stepper.enabledSteps();
    } catch {
      next = [];
    }
    for (const id of next.length ? next : [null]) {
      if (spent >= budget) break;
      const m = walk(id === null ? path : [...path, id]);
      if (m) return m;
    }
  }
  return null;
}
