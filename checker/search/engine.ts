/**
 * The execution core every strategy runs on: the working state buffers, the monitors (one per property
 * kind, properties/monitors.ts) and what they found. A loop - the exhaustive search (explore.ts) or the
 * executions of sampling and replay (executions.ts) - steps the system and tells the engine what happened
 * through the `on*` lists and `stepFailed`; the engine turns what the monitors report into findings at
 * the loop's current place and decides when the run stops:
 *
 *  - at the first violation (`stopAtFirstViolation`; otherwise each property is reported once);
 *  - at once on a model error (a property's own code threw: no other answer of the run can be trusted);
 *  - a provisional finding (a bound's excess, final only at its worst) does not stop an exhaustive search
 *    that stops at the first violation: the run *settles* - it goes on with the monitors that measure and
 *    reports nothing else until its end, when the monitor revises its finding.
 *
 * `L` is how a loop names a place of its run: a stored state's index (exhaustive), an execution's steps.
 */
import type { Confirmation, ConfirmRequest, Monitor, MonitorContext, MonitorFinding } from '../properties/monitor.js';
import { createMonitors, type Monitors } from '../properties/monitors.js';
import type { Property, SlotStateView } from '../properties/property.js';
import { stepActor, stepChoice, stepEvent, type Stepper } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { searchFrame } from './frame.js';

/** A monitor's finding at a place of the run; `step`: the step taken from there (atStep findings). */
export type EngineFinding<L> = MonitorFinding & { readonly at: L; readonly step?: number };

export interface EngineOptions<L> {
  readonly mode: MonitorContext['mode'];
  readonly stopAtFirstViolation: boolean;
  /** The run's current place (a state index, an execution's steps so far). */
  readonly here: () => L;
  /** An exhaustive search whose store names every state records the graph for progress checking. */
  readonly recordGraph?: boolean;
  /** The properties to watch (default: all the system's); a replay watches the one it claims. */
  readonly properties?: readonly Property[];
  /** World views that check every access (a replay's); the default fast ones leave that to the probe. */
  readonly guarded?: boolean;
  /** A ListingStepper (sampling): a guard or choices function that throws is named where it ran. */
  readonly listing?: boolean;
}

export class Engine<L> implements MonitorContext<L> {
  readonly mode: MonitorContext['mode'];
  readonly stepper: Stepper;
  /** The working buffer: the state being built or judged. */
  readonly S: Int32Array;
  /** The state a step is taken from. */
  readonly pre: Int32Array;
  /** Reads S. */
  readonly after: SlotStateView;
  /** Reads pre. */
  readonly before: SlotStateView;
  readonly monitors: Monitors<L>;
  // The monitors each event goes to; a run that settles keeps only those that measure.
  onBegin: readonly Monitor[];
  onState: readonly Monitor[];
  onExpand: readonly Monitor[];
  onStep: readonly Monitor[];
  onStepFailed: readonly Monitor[];
  onExpanded: readonly Monitor[];
  onTerminal: readonly Monitor[];
  readonly findings: EngineFinding<L>[] = [];
  /** The run must stop: a violation (stopAtFirstViolation) or a model error. */
  stop = false;
  /** The run goes on only to measure (see the file comment). */
  settling = false;
  /** The step the loop is taking, for atStep findings (-1 outside a step). */
  currentStep = -1;
  private readonly info = { actor: '', actorIndex: 0, event: '', choice: 0 };
  private readonly reported = new Set<string>();
  private readonly provisional = new Set<string>();
  private readonly stopAtFirstViolation: boolean;
  readonly here: () => L;

  constructor(
    readonly system: CompiledSystem,
    options: EngineOptions<L>,
  ) {
    const { stepper, S, pre, after, before } = searchFrame(system, options.guarded, options.listing);
    this.stepper = stepper;
    this.S = S;
    this.pre = pre;
    this.after = after;
    this.before = before;
    this.mode = options.mode;
    this.here = options.here;
    this.stopAtFirstViolation = options.stopAtFirstViolation;
    this.monitors = createMonitors(system, this, options.recordGraph ?? false, options.properties);
    const set = this.monitors.set;
    this.onBegin = set.begin;
    this.onState = set.state;
    this.onExpand = set.expand;
    this.onStep = set.step;
    this.onStepFailed = set.stepFailed;
    this.onExpanded = set.expanded;
    this.onTerminal = set.terminal;
  }

  get slots(): Int32Array {
    return this.S;
  }

  report(f: MonitorFinding): boolean {
    if (this.reported.has(f.property) || (this.settling && !f.modelError)) return false;
    this.reported.add(f.property);
    const step = f.atStep ? this.currentStep : -1;
    this.findings.push({ ...f, at: this.here(), ...(step >= 0 ? { step } : {}) });
    if (f.provisional) this.provisional.add(f.property);
    if (f.modelError) this.stop = true;
    else if (this.stopAtFirstViolation && !this.stop) {
      if (f.provisional) this.settle();
      else this.stop = true;
    }
    return true;
  }

  revise(property: string, message: string, at: L): void {
    if (!this.provisional.has(property)) return;
    const i = this.findings.findIndex((f) => f.property === property);
    if (i >= 0) this.findings[i] = { ...this.findings[i]!, message, at };
  }

  /** Runs the state monitors on the state in S (the loop has made it the current place). */
  state(): void {
    const ms = this.onState;
    for (let i = 0; i < ms.length; i++) ms[i]!.state!(this.after);
  }

  /** Step `stepId` was taken from `pre` into S (`target`: the successor's index, or -1): the step monitors judge it. */
  stepTaken(stepId: number, target: number): void {
    const a = stepActor(stepId);
    const actor = this.system.actors[a]!;
    const info = this.info;
    info.actor = actor.name;
    info.actorIndex = a;
    info.event = actor.machine.eventTypes[stepEvent(stepId)]!;
    info.choice = stepChoice(stepId);
    this.currentStep = stepId;
    const ms = this.onStep;
    for (let i = 0; i < ms.length; i++) ms[i]!.step!(this.before, this.after, info, target);
    this.currentStep = -1;
  }

  /** A step enabled in `pre` threw or left the declared world: a model assertion, no successor. */
  stepFailed(stepId: number, message: string): void {
    this.currentStep = stepId;
    const ms = this.onStepFailed;
    for (let i = 0; i < ms.length; i++) ms[i]!.stepFailed!(stepId, message);
    this.currentStep = -1;
  }

  /** What the monitors may allocate before the next poll. */
  growthBytes(): number {
    let bytes = 0;
    for (const m of this.monitors.set.all) bytes += m.growthBytes?.() ?? 0;
    return bytes;
  }

  /** A replay's verdict on the property it claims, from the monitor that watches it (undefined: none does). */
  confirm(request: ConfirmRequest): Confirmation | undefined {
    for (const m of this.monitors.set.all) {
      const answer = m.confirm?.(request);
      if (answer) return answer;
    }
    return undefined;
  }

  /** The run is over: monitors settle what they reported provisionally. */
  finish(complete: boolean): void {
    for (const m of this.monitors.set.all) m.end?.(complete);
  }

  private settle(): void {
    this.settling = true;
    this.onState = this.onState.filter((m) => m.measures);
    this.onBegin = this.onExpand = this.onStep = this.onStepFailed = this.onExpanded = this.onTerminal = [];
  }
}
