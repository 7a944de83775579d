/**
 * Traces as data. A trace is a list of steps (actor, transition, choice) from the initial state; it is
 * rebuilt from step ids by re-executing them, so every label and every changed field comes from the model
 * itself. A lasso (liveness counterexample) marks with `loop` the index of the first step of the cycle:
 * after the last step the system is back in the state it was in before step `loop`.
 */
import { shownValue } from '../system/assign.js';
import { Stepper, stepChoice, stepEvent, stepActor } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { thrownMessage } from '../system/thrown.js';

export interface FieldChange {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

export interface TraceStep {
  readonly actor: string;
  /** The event type (the xstate transition's event). */
  readonly transition: string;
  readonly choice: number;
  /** What the trace prints: the kernel function, e.g. `fault_in_writeable(p0..p2)`. */
  readonly label: string;
  /** The fields this step changed (control states and budgets included). */
  readonly changes: readonly FieldChange[];
  /** The model assertion this step threw (its effects are then not applied). */
  readonly error?: string;
}

export interface Trace {
  readonly steps: readonly TraceStep[];
  /** Lassos: index of the step the loop goes back to. */
  readonly loop?: number;
  /** The full state before each step and after the last (for ITF-style output): slot name -> value text. */
  readonly states: readonly Readonly<Record<string, string>>[];
}

export class TraceDivergence extends Error {
  override name = 'TraceDivergence';
  constructor(
    message: string,
    readonly stepIndex: number,
    /** What the step threw, when it threw (the steps up to it are `steps`). */
    readonly thrown?: unknown,
    readonly steps?: readonly number[],
  ) {
    super(message);
  }
}

/**
 * A step's `label` function threw while a trace was being described: a model error (check.ts reports it,
 * replayModelError.ts reproduces it). `trace` is the trace up to and including that step, which prints its
 * plain label (the event, with its choice) instead.
 */
export class LabelThrew extends Error {
  override name = 'LabelThrew';
  constructor(
    message: string,
    /** The actor whose label function threw. */
    readonly actor: string,
    readonly trace: Trace,
  ) {
    super(message);
  }
}

/** The name a changed field prints under in its own actor's column or lifeline: `pos`, `state`, `present[2]`. */
export function localFieldName(field: string, actor: string): string {
  if (field === `${actor}@state`) return 'state';
  if (field === `${actor}@budget`) return 'budget';
  if (field.startsWith(`${actor}.`)) return field.slice(actor.length + 1);
  return field;
}

export function snapshot(system: CompiledSystem, S: Int32Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const slot of system.layout.slots) out[slot.name] = system.layout.format(slot.index, S[slot.index]!);
  return out;
}

/**
 * The label a trace prints for step (actor a, event, choice) taken from the state in `stepper.S`. A label
 * function that throws is the model's mistake: the message naming the actor, its state and the event, which
 * buildTrace reports as LabelThrew.
 */
export function stepLabel(stepper: Stepper, a: number, eventIndex: number, choice: number): { label: string; threw?: string } {
  const rt = stepper.runtimes[a]!;
  const actor = rt.actor;
  const type = actor.machine.eventTypes[eventIndex]!;
  const events = stepper.eventsOf(a);
  const e = events?.find((x) => x.index === eventIndex);
  let description: string | undefined;
  try {
    description = (e ? stepper.pick(a, e, choice) : null)?.description;
  } catch {
    // A guard that throws: the step is the model assertion; it has no transition to describe.
  }
  const n = actor.choices[eventIndex];
  const plain = description ?? (n === 1 ? type : `${type}(${choice})`);
  if (!actor.spec.label) return { label: plain };
  rt.args.event.type = type;
  rt.args.event.choice = choice;
  let label: unknown;
  try {
    label = actor.spec.label(rt.args, description);
  } catch (err) {
    return { label: plain, threw: labelFailure(stepper, a, type, `threw: ${thrownMessage(err)}`) };
  }
  if (typeof label !== 'string') return { label: plain, threw: labelFailure(stepper, a, type, `returned ${shownValue(label)}, not a string`) };
  return { label };
}

/** "actor W0, state 'run', event 'inc': its label function threw: ..." */
function labelFailure(stepper: Stepper, a: number, event: string, what: string): string {
  const actor = stepper.runtimes[a]!.actor;
  const state = actor.machine.states[stepper.S[actor.stateSlot]!]!.name;
  return `actor ${actor.name}, state '${state}', event '${event}': its label function ${what}`;
}

/**
 * Re-executes `steps` from the initial state and describes each; throws TraceDivergence if one is not
 * enabled, and LabelThrew (with the trace up to that step) if a step's label function fails.
 */
export function buildTrace(system: CompiledSystem, steps: readonly number[], loop?: number): Trace {
  // Guarded array views (views.ts): an index outside an array or a non-integer element shows as the step's error.
  const stepper = new Stepper(system, undefined, true);
  const S = stepper.S;
  stepper.load(system.initial);
  const prev = system.layout.buffer();
  const out: TraceStep[] = [];
  const states: Record<string, string>[] = [snapshot(system, S)];
  for (const [i, id] of steps.entries()) {
    const a = stepActor(id);
    const actor = system.actors[a];
    if (!actor) throw new TraceDivergence(`step ${i + 1}: there is no actor #${a}`, i);
    const { label, threw: labelThrew } = stepLabel(stepper, a, stepEvent(id), stepChoice(id));
    prev.set(S);
    const transition = actor.machine.eventTypes[stepEvent(id)] ?? '?';
    let ok: boolean;
    try {
      ok = stepper.applyId(id);
    } catch (e) {
      S.set(prev);
      out.push({ actor: actor.name, transition, choice: stepChoice(id), label, changes: [], error: thrownMessage(e) });
      states.push(snapshot(system, S));
      if (labelThrew !== undefined) throw new LabelThrew(labelThrew, actor.name, { steps: out, states });
      if (i !== steps.length - 1)
        throw new TraceDivergence(`step ${i + 1}: ${actor.name} ${transition} threw: ${thrownMessage(e)}`, i, e, steps.slice(0, i + 1));
      break;
    }
    if (!ok) {
      throw new TraceDivergence(
        `step ${i + 1}: ${actor.name} cannot take ${transition}(${stepChoice(id)}) in state ${actor.machine.states[S[actor.stateSlot]!]!.name}`,
        i,
      );
    }
    const changes: FieldChange[] = [];
    for (const slot of system.layout.slots) {
      const k = slot.index;
      if (prev[k] !== S[k]) changes.push({ field: slot.name, from: system.layout.format(k, prev[k]!), to: system.layout.format(k, S[k]!) });
    }
    out.push({ actor: actor.name, transition, choice: stepChoice(id), label, changes });
    states.push(snapshot(system, S));
    if (labelThrew !== undefined) throw new LabelThrew(labelThrew, actor.name, { steps: out, states });
  }
  return loop === undefined ? { steps: out, states } : { steps: out, loop, states };
}
