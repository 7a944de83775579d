/**
 * Monitors: how a property kind is checked. The engine (search/engine.ts) runs states and steps and tells
 * every monitor what happened, in this order for one state:
 *
 *   state(s)                    a state reached: new to the store (exhaustive) or every state of an
 *                               execution (sampling, replay)
 *   expand(index, s, enabled?)  the engine is about to take steps from s
 *   step(before, after, info)   one step taken (exhaustive: every enabled step in the fixed order;
 *     | stepFailed(id, message)   sampling and replay: the one the scheduler picked); or it threw / left
 *                               the declared domain (a model assertion: no successor)
 *   expanded(index)             the steps from s are done
 *   terminal(s)                 s has no enabled step
 *
 * and at the end of a replayed trace, `confirm(request)`: does the trace show the violation it claims? A
 * verdict the run already gave (an invariant broken on the way) is read from the monitor's report; one
 * that is final only at the trace's end (a deadlock at its last state, a bound's value there, a lasso's
 * loop) is decided there, from what the monitor recorded along the run.
 *
 * A monitor reports what it finds through its MonitorContext; the engine knows where the run is and
 * turns the finding into a place a trace can be rebuilt from (a stored state, or an execution's steps).
 * One monitor per property kind, in the file of the kind's constructor (invariant.ts, transition.ts,
 * bound.ts, deadlock.ts, progress.ts, assertion.ts); `createMonitors` (monitors.ts) lists them. A new
 * property kind is a new file and one line there.
 *
 * Monitors are plain objects whose methods the engine's loop calls directly: none allocates per state or
 * per step, and a monitor that has nothing to say about an event does not implement it.
 */
import type { ModelErrorKind } from '../result.js';
import type { CompiledSystem } from '../system/system.js';
import { shownValue } from '../system/assign.js';
import { thrownMessage } from '../system/thrown.js';
import type { BlockedActor } from './deadlock.js';
import type { Property, PropertyKind, SlotStateView, StepInfo } from './property.js';

/** What a monitor found, without where: the engine adds that. */
export interface MonitorFinding {
  readonly property: string;
  readonly kind: PropertyKind;
  readonly message: string;
  /** The finding is about the step being taken (the trace ends with it), not about the current state. */
  readonly atStep?: boolean;
  /** Deadlocks: the blocked threads and what each waits for. */
  readonly blocked?: readonly BlockedActor[];
  /** Not a violation but a mistake in the model (the property's own code threw, a step is not deterministic). */
  readonly modelError?: ModelErrorKind;
  /** An execution's lasso: the step its loop starts at. */
  readonly loop?: number;
  /**
   * The finding is final only at the end of the run (a bound's worst value): a search that stops at its
   * first violation goes on running the monitors that `measure` until then, and reports nothing else.
   */
  readonly provisional?: boolean;
}

/** How a monitor talks to the engine. `L`: a place in the run (a state index, or an execution's steps). */
export interface MonitorContext<L = unknown> {
  readonly system: CompiledSystem;
  /** An exhaustive search sees every reachable state once; sampling and replay run executions. */
  readonly mode: 'search' | 'execution';
  /** Records a finding at the current place; false when the property was already reported (or the run settles). */
  report(f: MonitorFinding): boolean;
  /** The engine's working buffer: the slots of the current state (read only). */
  readonly slots: Int32Array;
  /** The current place, to name later (a bound's worst state). */
  here(): L;
  /** Replaces a provisional finding's message and place at the end of the run. */
  revise(property: string, message: string, at: L): void;
}

/** What a replay (search/replay.ts) asks at the end of its trace, of the monitor of the claimed property. */
export interface ConfirmRequest {
  readonly property: string;
  /** The run's report of the property: the steps to where it was made (a step finding: with its step). */
  readonly reported: { readonly steps: number; readonly message: string } | undefined;
  /** The trace's length in steps. */
  readonly steps: number;
  /** A lasso's loop: the step it starts at (0-based). */
  readonly loop: number | undefined;
  /** The trace's last state and the steps enabled there. */
  readonly end: SlotStateView;
  readonly enabled: readonly number[];
  /** `actor event(choice)` of step k (1-based) of the trace. */
  stepName(k: number): string;
}

/** A monitor's answer: the trace reproduces the violation or not, and why, in one line. */
export interface Confirmation {
  readonly reproduced: boolean;
  readonly message: string;
}

export interface Monitor {
  /** Keeps running after a provisional finding, to the end of the run (see MonitorFinding.provisional). */
  readonly measures?: boolean;
  /** An execution begins at the initial state (sampling: every execution; exhaustive: once). */
  begin?(): void;
  state?(s: SlotStateView): void;
  /**
   * Steps from `s` follow. `index`: the state's place in the store (exhaustive) or in the execution;
   * `enabled`: the enabled step ids, where the engine lists them before stepping (sampling, replay).
   */
  expand?(index: number, s: SlotStateView, enabled?: readonly number[]): void;
  /** `target`: the successor's index in the store (exhaustive), or -1. */
  step?(before: SlotStateView, after: SlotStateView, info: StepInfo, target: number): void;
  stepFailed?(stepId: number, message: string): void;
  expanded?(index: number): void;
  terminal?(s: SlotStateView): void;
  /** The run is over; `complete`: it saw every reachable state (no bound, no stop). */
  end?(complete: boolean): void;
  /** Bytes the monitor may allocate before the engine's next poll (a memory bound counts them first). */
  growthBytes?(): number;
  /** A replay's verdict on a property of this monitor's, or undefined for another monitor's property. */
  confirm?(request: ConfirmRequest): Confirmation | undefined;
}

/** The events a monitor implements, each as the list of monitors the loop calls for it. */
export interface MonitorSet {
  readonly all: readonly Monitor[];
  readonly begin: readonly Monitor[];
  readonly state: readonly Monitor[];
  readonly expand: readonly Monitor[];
  readonly step: readonly Monitor[];
  readonly stepFailed: readonly Monitor[];
  readonly expanded: readonly Monitor[];
  readonly terminal: readonly Monitor[];
}

export function monitorSet(monitors: readonly Monitor[]): MonitorSet {
  const having = (k: keyof Monitor): Monitor[] => monitors.filter((m) => m[k] !== undefined);
  return {
    all: monitors,
    begin: having('begin'),
    state: having('state'),
    expand: having('expand'),
    step: having('step'),
    stepFailed: having('stepFailed'),
    expanded: having('expanded'),
    terminal: having('terminal'),
  };
}

/** The monitor of one property kind over the system's properties of that kind, or null when it has none. */
export type MonitorFactory<L> = (system: CompiledSystem, properties: readonly Property[], ctx: MonitorContext<L>) => Monitor | null;

/** A property function returned something that is not an answer (truth, boundValue). */
export class PropertyResultError extends Error {
  override name = 'PropertyResultError';
}

/**
 * A property function's answer, read as a guard's is (assign.ts guardResult): a boolean, or a number for its
 * truth; `undefined` or `null` (a missing return) as false where false is the loud answer (a `holds` or a
 * `progress`: a violation with its trace). Anything else - a string ('false' is truthy), an object, a
 * promise - would read as true without a word, and a missing return from `inFlight` as "never in flight",
 * which no progress property could then violate: those throw here, and the monitor reports the property's
 * own failure (a model error). `what` names the function.
 */
export function truth(v: unknown, what: 'holds' | 'progress' | 'inFlight'): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && v === v;
  if ((v === undefined || v === null) && what !== 'inFlight') return false;
  throw new PropertyResultError(`its ${what} returned ${shownValue(v)}, not a boolean${v === undefined ? ' (a missing return?)' : ''}`);
}

/** A bound's value: a number that is not NaN (NaN compares false with everything, so no bound would catch it). */
export function boundValue(v: unknown): number {
  if (typeof v === 'number' && v === v) return v;
  throw new PropertyResultError(`its value returned ${shownValue(v)}, not a number`);
}

/** A property's own code threw: a model error of that property, not a violation of it. */
export function propertyThrew(p: Pick<Property, 'name' | 'kind'>, e: unknown, atStep = false): MonitorFinding {
  return {
    property: p.name,
    kind: p.kind,
    message: `the property threw: ${thrownMessage(e)}`,
    modelError: 'property-threw',
    ...(atStep ? { atStep } : {}),
  };
}
