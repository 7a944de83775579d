/**
 * Replay: re-execute a saved schedule step by step and confirm it ends in the violation it claims. It
 * refuses to be quietly wrong: a step that is not enabled where the trace says it was is a divergence
 * (the trace no longer fits the model), and a trace that runs to its end without the violation says so.
 */
import { blockedActors } from '../properties/deadlock.js';
import type { BoundProperty, InvariantProperty, ProgressProperty, TransitionProperty } from '../properties/index.js';
import { SlotStateView } from '../properties/property.js';
import { XstateShadow } from '../system/shadow.js';
import { thrownMessage } from '../system/thrown.js';
import { encodeStep, Stepper, stepActor, stepChoice, stepEvent } from '../system/step.js';
import { enabledActors, fairnessMasks, unfairActor, type FairnessMasks } from '../properties/fairness.js';
import { WorldAccessError } from '../system/views.js';
import { SystemDefinitionError, type CompiledActor, type CompiledSystem } from '../system/system.js';

export type ReplayOutcome =
  | { readonly status: 'reproduced'; readonly message: string }
  | { readonly status: 'no-violation'; readonly message: string }
  | {
      readonly status: 'diverged';
      readonly step: number;
      readonly message: string;
      /** A recorded step that is not enabled: the steps that were, as `actor event(choice)`, in the fixed order. */
      readonly enabled?: readonly string[];
    };

export interface ReplayClaim {
  readonly property: string;
  readonly kind: string;
}

/** Maps (actor name, event type, choice) to a step id, or a reason it cannot. */
export function resolveStep(system: CompiledSystem, actor: string, transition: string, choice: number): number | string {
  const a = system.actors.find((x) => x.name === actor);
  if (!a) return `there is no actor '${actor}' (actors: ${system.actors.map((x) => x.name).join(', ')})`;
  const e = a.machine.eventTypes.indexOf(transition);
  if (e < 0) return `actor '${actor}' has no transition '${transition}' (transitions: ${a.machine.eventTypes.join(', ')})`;
  if (!Number.isInteger(choice) || choice < 0 || choice > 0xffff) return `choice ${String(choice)} is not a whole number in 0..65535`;
  return encodeStep(a.index, e, choice);
}

export interface ReplayOptions {
  /**
   * Also re-execute every step through xstate's own `transition()` (XstateShadow) and compare the states:
   * the trace is then a run of the xstate machines themselves, not only of their compiled copy. A
   * disagreement is a divergence (the model breaks a rule the conformance test checks).
   */
  readonly xstate?: boolean;
}

export function replay(
  system: CompiledSystem,
  steps: readonly number[],
  loop: number | undefined,
  claim: ReplayClaim,
  options: ReplayOptions = {},
): ReplayOutcome {
  // Guarded array views: a write outside an array or of a non-integer throws here as the search's probe saw it.
  const stepper = new Stepper(system, undefined, true);
  const S = stepper.S;
  stepper.load(system.initial);
  const pre = system.layout.buffer();
  const before = new SlotStateView(system, pre);
  const after = new SlotStateView(system, S, stepper.world);
  const packed = new Uint32Array(system.layout.words);
  const property = system.properties.find((p) => p.name === claim.property);
  if (!property && claim.kind !== 'assertion') {
    return {
      status: 'diverged',
      step: 0,
      message: `the model has no property '${claim.property}' (properties: ${system.properties.map((p) => p.name).join(', ')})`,
    };
  }
  if (property && property.kind !== claim.kind) {
    return { status: 'diverged', step: 0, message: `property '${claim.property}' is a ${property.kind} property in the model, not ${claim.kind}` };
  }
  if (loop !== undefined && (!Number.isInteger(loop) || loop < 0 || loop >= steps.length)) {
    return { status: 'diverged', step: 0, message: `loop index ${loop} is not a step of the trace (0..${steps.length - 1})` };
  }
  let shadow: XstateShadow | undefined;
  if (options.xstate) {
    try {
      shadow = new XstateShadow(system);
    } catch (e) {
      return { status: 'diverged', step: 0, message: `xstate: ${(e as Error).message}` };
    }
  }
  // A lasso's fairness is judged on actor masks (fairness.ts), which hold at most 32 actors.
  let masks: FairnessMasks | undefined;
  if (loop !== undefined && property?.kind === 'progress') {
    try {
      masks = fairnessMasks(system);
    } catch (e) {
      if (!(e instanceof SystemDefinitionError)) throw e;
      return { status: 'diverged', step: 0, message: e.message };
    }
  }
  let loopState: Int32Array | undefined;
  // What the loop must show for a progress claim: no progress step, in flight in every state, no
  // environment step (environments act finitely often), and fairness (which actors step, which are
  // enabled in every loop state, which in some).
  let progressed = false;
  let notInFlight = false;
  let environmentStep: string | undefined;
  let steppedInLoop = 0;
  let enabledEverywhere = -1;
  let enabledSomewhere = 0;
  for (const [i, id] of steps.entries()) {
    if (i === loop) loopState = Int32Array.from(S);
    if (loop !== undefined && i >= loop && property?.kind === 'progress') {
      const en = enabledActors(stepper.enabledSteps());
      enabledEverywhere &= en;
      enabledSomewhere |= en;
      if (!(property as ProgressProperty).inFlight(after)) notInFlight = true;
    }
    const a = system.actors[stepActor(id)]!;
    const name = stepName(system, id);
    pre.set(S);
    const last = i === steps.length - 1;
    const type = a.machine.eventTypes[stepEvent(id)]!;
    const disagree = (what: string): ReplayOutcome => ({
      status: 'diverged',
      step: i + 1,
      message: `step ${i + 1} (${name}): the compiled model and xstate's own transition() disagree: ${what}`,
    });
    if (shadow && xstateRefuses(shadow, a, type, stepChoice(id)) && stepper.enabledSteps().includes(id)) {
      return disagree(`the step is enabled in the compiled model, xstate's machine has no transition for it`);
    }
    try {
      if (!stepper.applyId(id)) {
        stepper.load(pre);
        return {
          status: 'diverged',
          step: i + 1,
          message: `step ${i + 1} (${name}) is not enabled in state ${a.machine.states[pre[a.stateSlot]!]!.name}: the trace diverges from the model`,
          enabled: stepper.enabledSteps().map((x) => stepName(system, x)),
        };
      }
    } catch (e) {
      // xstate words some failures its own way (a throwing guard is wrapped, a non-integer is simply
      // stored): what must agree is that the step fails in xstate too, not the wording. xstate's plain world
      // has no declared fields or bounds to refuse a write with: there only the engine throws.
      const message = thrownMessage(e);
      if (shadow && !(e instanceof WorldAccessError) && shadow.failure(a, type, stepChoice(id)) === undefined)
        return disagree(`the compiled step throws '${message}', xstate's does not`);
      if (claim.kind === 'assertion' && last) return { status: 'reproduced', message: `step ${i + 1} (${name}) throws: ${message}` };
      return { status: 'diverged', step: i + 1, message: `step ${i + 1} (${name}) throws: ${message}` };
    }
    if (shadow) {
      const xstateError = shadow.step(a, type, stepChoice(id));
      if (xstateError !== undefined) return disagree(`xstate's transition() throws '${xstateError}', the compiled step does not`);
      const difference = shadow.difference(stepper);
      if (difference) return disagree(difference);
    }
    const bad = system.layout.pack(S, packed, 0);
    if (bad >= 0) {
      const msg = system.layout.describeOverflow(bad, S);
      if (claim.kind === 'assertion' && last) return { status: 'reproduced', message: `step ${i + 1} (${name}): ${msg}` };
      return { status: 'diverged', step: i + 1, message: `step ${i + 1} (${name}): ${msg}` };
    }
    const info = { actor: a.name, actorIndex: a.index, event: a.machine.eventTypes[stepEvent(id)]!, choice: stepChoice(id) };
    if (loop !== undefined && i >= loop && property?.kind === 'progress') {
      steppedInLoop |= 1 << a.index;
      if (a.kind === 'environment') environmentStep ??= `step ${i + 1} (${name})`;
      if ((property as ProgressProperty).progress(before, after, info)) progressed = true;
    }
    if (last && property?.kind === 'transition' && !(property as TransitionProperty).holds(before, after, info)) {
      return { status: 'reproduced', message: `step ${i + 1} (${name}) violates '${property.name}'` };
    }
  }
  const end = `after ${steps.length} steps`;
  switch (property?.kind) {
    case 'invariant':
      return (property as InvariantProperty).holds(after)
        ? { status: 'no-violation', message: `${end} invariant '${property.name}' holds: the model no longer has this violation` }
        : { status: 'reproduced', message: `${end} invariant '${property.name}' is violated` };
    case 'bound': {
      const b = property as BoundProperty;
      const v = b.value(after);
      return v > b.limit
        ? { status: 'reproduced', message: `${end} '${b.name}' = ${v} exceeds its limit ${b.limit}` }
        : { status: 'no-violation', message: `${end} '${b.name}' = ${v} is within its limit ${b.limit}` };
    }
    case 'deadlock': {
      const enabled = stepper.enabledSteps().length;
      const blocked = blockedActors(system, after);
      return enabled === 0 && blocked.length
        ? {
            status: 'reproduced',
            message: `${end} no actor can step and ${blocked.map((b) => b.actor).join(', ')} ${blocked.length > 1 ? 'are' : 'is'} not finished`,
          }
        : { status: 'no-violation', message: `${end} the system is not deadlocked (${enabled} steps enabled)` };
    }
    case 'progress': {
      const p = property as ProgressProperty;
      // Without a loop the claim is a run that ends: no actor can move, and the property is in flight.
      if (loop === undefined || !loopState) {
        const enabled = stepper.enabledSteps().length;
        if (enabled) return { status: 'no-violation', message: `${end} the run does not end here (${enabled} steps enabled)` };
        return p.inFlight(after)
          ? { status: 'reproduced', message: `${end} no actor can move and '${p.name}' is still in flight` }
          : { status: 'no-violation', message: `${end} no actor can move, but '${p.name}' is not in flight` };
      }
      for (let k = 0; k < S.length; k++) {
        if (S[k] !== loopState[k])
          return { status: 'no-violation', message: `${end} the state differs from the state before step ${loop + 1}: the loop does not close` };
      }
      const from = `the loop from step ${loop + 1}`;
      if (progressed) return { status: 'no-violation', message: `${from} makes progress` };
      if (notInFlight) return { status: 'no-violation', message: `${from} leaves a state where '${p.name}' is not in flight` };
      if (environmentStep)
        return { status: 'no-violation', message: `${from} repeats ${environmentStep} of an environment actor, which acts only finitely often` };
      const unfair = unfairActor(system, masks!, { stepped: steppedInLoop, everywhere: enabledEverywhere, somewhere: enabledSomewhere });
      if (unfair >= 0) {
        const x = system.actors[unfair]!;
        return x.fairness === 'weak'
          ? { status: 'no-violation', message: `${from} is unfair: ${x.name} (weakly fair) is enabled in every state of it and never steps` }
          : { status: 'no-violation', message: `${from} is unfair: ${x.name} (strongly fair) is enabled in it and never steps` };
      }
      return { status: 'reproduced', message: `${from} to step ${steps.length} closes on the same state without progress, and is fair` };
    }
    case 'transition':
      return { status: 'no-violation', message: `${end} the last step no longer violates '${property.name}'` };
    default:
      return { status: 'no-violation', message: `${end} nothing threw: the model no longer has this assertion failure` };
  }
}

/** `actor event(choice)`, as a trace names a step. */
function stepName(system: CompiledSystem, id: number): string {
  const a = system.actors[stepActor(id)]!;
  return `${a.name} ${a.machine.eventTypes[stepEvent(id)]}(${stepChoice(id)})`;
}

/** xstate has no transition for the step (false when a guard throws: the step then throws on both sides). */
function xstateRefuses(shadow: XstateShadow, actor: CompiledActor, type: string, choice: number): boolean {
  try {
    return !shadow.hasTransition(actor, type, choice);
  } catch {
    return false;
  }
}
