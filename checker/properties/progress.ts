/**
 * Progress: no fair cycle in which something stays "in flight" and no progress step happens (a livelock,
 * an infinite retry), and no run that ends - no actor can move - while it is in flight (a thread left
 * waiting forever). Checked after exhaustive exploration on the explored graph; see liveness.ts.
 */
import { EdgeStore } from '../store/edges.js';
import { encodeStep, stepActor } from '../system/step.js';
import { SystemDefinitionError, type CompiledSystem } from '../system/system.js';
import { thrownMessage } from '../system/thrown.js';
import { blockedActors, describeDeadlock, type BlockedActor } from './deadlock.js';
import { enabledActors, fairnessMasks, unfairActor, type FairnessMasks } from './fairness.js';
import { propertyThrew, truth, type Confirmation, type ConfirmRequest, type Monitor, type MonitorContext } from './monitor.js';
import { checkPropertyArgs, type Property, type SlotStateView, type StateView, type StepInfo } from './property.js';
import type { Shape } from '../keys.js';

export interface ProgressProperty<W = any> {
  readonly kind: 'progress';
  readonly name: string;
  readonly description?: string;
  /** True while the thing that must finish is still under way (e.g. the syscall has not returned). */
  readonly inFlight: (s: StateView<W>) => boolean;
  /** True for a step that counts as progress (e.g. the iterator's count decreased). */
  readonly progress: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean;
}

const PROGRESS_OPTIONS: Shape<Pick<ProgressProperty, 'inFlight' | 'progress' | 'description'>> = {
  inFlight: 'checked',
  progress: 'checked',
  description: 'string',
};
const TERMINATES_OPTIONS = { name: 'string', description: 'string' } as const;

export function progress<W = any>(
  name: string,
  options: {
    readonly inFlight: (s: StateView<W>) => boolean;
    readonly progress: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean;
    readonly description?: string;
  },
): ProgressProperty<W> {
  checkPropertyArgs('progress', name, options, PROGRESS_OPTIONS);
  return { kind: 'progress', name, ...options };
}

/**
 * Termination of one actor: it is in flight until it reaches a final state, and no step counts as
 * progress - so any fair cycle while it is not final, or any run that ends with it not final, is a violation.
 */
export function terminates<W = any>(actor: string, options: { name?: string; description?: string } = {}): ProgressProperty<W> {
  checkPropertyArgs('terminates', actor, options, TERMINATES_OPTIONS, "the actor's name");
  // Resolve the actor's index once per system (views of one system share their actors array).
  let actors: unknown = null;
  let index = -1;
  return {
    kind: 'progress',
    name: options.name ?? `${actor} terminates`,
    description: options.description ?? `${actor} eventually reaches a final state`,
    inFlight: (s) => {
      if (s.actors !== actors) {
        index = s.actor(actor).index;
        actors = s.actors;
      }
      return !s.actors[index]!.final;
    },
    progress: () => false,
  };
}

/**
 * A progress violation on a run that ends: no actor can move, and the property is still in flight. The
 * unfinished threads say where each is stuck and what it waits for, as a deadlock report does.
 */
export function stuckMessage(p: ProgressProperty, blocked: readonly BlockedActor[]): string {
  const where = blocked.length ? ` (${describeDeadlock(blocked)})` : '';
  return `${p.description ?? p.name}: the run ends in a state where no actor can move${where}, with '${p.name}' still in flight`;
}

/** At most this many progress properties per system in an exhaustive search (one bit each per edge). */
export const MAX_PROGRESS_PROPERTIES = 8;

/**
 * The progress monitor of an exhaustive search records the explored graph: in-flight bits per state,
 * progress bits per edge, the enabled actors per state. The cycle analysis runs on it after the search
 * (liveness.ts). An environment actor's step is marked as progress for every property: an environment
 * acts only finitely often, so no cycle may contain one - even a step its budget does not charge for
 * (cost 0). A predicate that throws is remembered (the first per property) and reported after the search
 * as a model error.
 */
export class ProgressRecorder implements Monitor {
  readonly edges = new EdgeStore();
  /** Per property: the first state where inFlight or progress threw (progress: with the step it judged), and the message. */
  readonly errors: ({ state: number; step?: number; message: string } | undefined)[] = [];
  private enabled = 0;
  private current = 0;
  private readonly all: number;
  private readonly environment: number;
  // The graph at the last poll, to tell what its next doubling allocates.
  private atPoll = { states: 0, edges: 0 };
  constructor(
    private readonly system: CompiledSystem,
    private readonly props: readonly ProgressProperty[],
  ) {
    this.all = (1 << props.length) - 1;
    this.environment = fairnessMasks(system).environment;
  }
  /** `info`: the step whose progress() threw (the trace then ends with it), absent for inFlight(). */
  private threw(k: number, e: unknown, info?: StepInfo): void {
    if (this.errors[k]) return;
    const step = info && encodeStep(info.actorIndex, this.system.actors[info.actorIndex]!.machine.eventTypes.indexOf(info.event), info.choice);
    this.errors[k] = { state: this.current, ...(step === undefined ? {} : { step }), message: `the property threw: ${thrownMessage(e)}` };
  }
  expand(index: number, s: SlotStateView): void {
    this.current = index;
    let bits = 0;
    for (let k = 0; k < this.props.length; k++) {
      try {
        if (truth(this.props[k]!.inFlight(s), 'inFlight')) bits |= 1 << k;
      } catch (e) {
        this.threw(k, e);
      }
    }
    this.edges.begin(index, bits);
    this.enabled = 0;
  }
  step(before: SlotStateView, after: SlotStateView, info: StepInfo, target: number): void {
    let bits = 0;
    if (this.environment & (1 << info.actorIndex)) {
      bits = this.all;
    } else {
      for (let k = 0; k < this.props.length; k++) {
        try {
          if (truth(this.props[k]!.progress(before, after, info), 'progress')) bits |= 1 << k;
        } catch (e) {
          this.threw(k, e, info);
        }
      }
    }
    this.edges.add(target, info.actorIndex, bits);
    this.enabled |= 1 << info.actorIndex;
  }
  /** A step that threw or overflowed has no edge, but its actor was enabled. */
  stepFailed(stepId: number): void {
    this.enabled |= 1 << stepActor(stepId);
  }
  expanded(index: number): void {
    this.edges.end(index, this.enabled);
  }
  /** The recorded graph grows by doubling as well: a memory bound counts its next doubling too. */
  growthBytes(): number {
    const g = this.edges;
    const bytes = g.growthBytes(2 * (g.states - this.atPoll.states), 2 * (g.edges - this.atPoll.edges));
    this.atPoll = { states: g.states, edges: g.edges };
    return bytes;
  }
}

/** Why a cycle of an execution is no counterexample to a progress property (null: it is one). */
type LassoFault =
  | { readonly kind: 'progress' | 'not-in-flight' }
  | { readonly kind: 'environment'; readonly step: number }
  | { readonly kind: 'unfair'; readonly actor: number };

/**
 * The progress monitor of executions (sampling, replay): an execution that comes back to a state it
 * visited before closes a cycle; the steps in between are a violation when they form a fair cycle
 * (fairness.ts) in which the property stays in flight, no step is progress and no environment acts. An
 * execution that ends (no actor can move) with the property in flight is one too. A replayed lasso is
 * judged at its end on the loop it names, by the same test.
 */
export class ProgressLassoMonitor implements Monitor {
  // Per state k of the current execution (the state before step k): its packed key, its enabled actors
  // and in-flight bits; per step k: its actor and progress bits (every bit for an environment's step).
  private readonly seen = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly enabledMask: number[] = [];
  private readonly inFlight: number[] = [];
  private readonly actors: number[] = [];
  private readonly progressBits: number[] = [];
  private flight = 0;
  // invariant: reported[k] is 1 once props[k] was reported (a violation or a throw).
  private readonly reported: Uint8Array;
  private readonly packed: Uint32Array;
  private readonly masks: FairnessMasks;
  constructor(
    private readonly system: CompiledSystem,
    private readonly props: readonly ProgressProperty[],
    private readonly ctx: MonitorContext,
  ) {
    this.reported = new Uint8Array(props.length);
    this.packed = new Uint32Array(system.layout.words);
    this.masks = fairnessMasks(system);
  }
  private threw(k: number, e: unknown, atStep = false): void {
    this.reported[k] = 1;
    this.ctx.report(propertyThrew(this.props[k]!, e, atStep));
  }
  begin(): void {
    this.seen.clear();
    this.keys.length = this.enabledMask.length = this.inFlight.length = this.actors.length = this.progressBits.length = 0;
  }
  expand(index: number, s: SlotStateView, enabled: readonly number[]): void {
    const { props, reported } = this;
    let flight = 0;
    for (let k = 0; k < props.length; k++) {
      try {
        if (truth(props[k]!.inFlight(s), 'inFlight')) flight |= 1 << k;
      } catch (e) {
        if (!reported[k]) this.threw(k, e);
      }
    }
    this.flight = flight;
    this.system.layout.pack(this.ctx.slots, this.packed, 0);
    const key = this.packed.join(',');
    const first = this.seen.get(key);
    if (first === undefined) {
      this.seen.set(key, index);
    } else {
      // Back at a state of this execution: the steps since then form a cycle.
      for (let k = 0; k < props.length; k++) {
        if (reported[k] || this.lassoFault(first, index, k) !== null) continue;
        reported[k] = 1;
        const p = props[k]!;
        this.ctx.report({
          property: p.name,
          kind: 'progress',
          message: `${p.description ?? p.name}: the steps from ${first + 1} to ${index} repeat forever without progress`,
          loop: first,
        });
      }
    }
    this.keys.push(key);
    this.enabledMask.push(enabledActors(enabled));
    this.inFlight.push(flight);
  }
  step(before: SlotStateView, after: SlotStateView, info: StepInfo): void {
    let bits = 0;
    for (let k = 0; k < this.props.length; k++) {
      try {
        if (this.masks.environment & (1 << info.actorIndex) || truth(this.props[k]!.progress(before, after, info), 'progress')) bits |= 1 << k;
      } catch (e) {
        if (!this.reported[k]) this.threw(k, e, true);
      }
    }
    this.actors.push(info.actorIndex);
    this.progressBits.push(bits);
  }
  /** The execution ends here: a progress property still in flight never makes progress. */
  terminal(s: SlotStateView): void {
    let blocked: BlockedActor[] | undefined;
    for (let k = 0; k < this.props.length; k++) {
      if (!(this.flight & (1 << k)) || this.reported[k]) continue;
      blocked ??= blockedActors(this.system, s);
      this.reported[k] = 1;
      this.ctx.report({ property: this.props[k]!.name, kind: 'progress', message: stuckMessage(this.props[k]!, blocked) });
    }
  }
  /**
   * Final only at the trace's end: a replayed lasso closes on the state its loop starts from and the loop
   * is a fair cycle without progress (the test an execution's cycle passes); a trace without a loop ends
   * where no actor can move, with the property in flight.
   */
  confirm(r: ConfirmRequest): Confirmation | undefined {
    const k = this.props.findIndex((p) => p.name === r.property);
    if (k < 0) return undefined;
    const p = this.props[k]!;
    const end = `after ${r.steps} steps`;
    const last = this.keys.length - 1;
    if (r.loop === undefined) {
      if (r.enabled.length) return { reproduced: false, message: `${end} the run does not end here (${r.enabled.length} steps enabled)` };
      return this.flight & (1 << k)
        ? { reproduced: true, message: `${end} no actor can move and '${p.name}' is still in flight` }
        : { reproduced: false, message: `${end} no actor can move, but '${p.name}' is not in flight` };
    }
    if (this.keys[r.loop] !== this.keys[last])
      return { reproduced: false, message: `${end} the state differs from the state before step ${r.loop + 1}: the loop does not close` };
    const from = `the loop from step ${r.loop + 1}`;
    const fault = this.lassoFault(r.loop, last, k);
    if (fault === null) return { reproduced: true, message: `${from} to step ${r.steps} closes on the same state without progress, and is fair` };
    switch (fault.kind) {
      case 'progress':
        return { reproduced: false, message: `${from} makes progress` };
      case 'not-in-flight':
        return { reproduced: false, message: `${from} leaves a state where '${p.name}' is not in flight` };
      case 'environment':
        return {
          reproduced: false,
          message: `${from} repeats step ${fault.step + 1} (${r.stepName(fault.step + 1)}) of an environment actor, which acts only finitely often`,
        };
      case 'unfair': {
        const x = this.system.actors[fault.actor]!;
        return {
          reproduced: false,
          message:
            x.fairness === 'weak'
              ? `${from} is unfair: ${x.name} (weakly fair) is enabled in every state of it and never steps`
              : `${from} is unfair: ${x.name} (strongly fair) is enabled in it and never steps`,
        };
      }
    }
  }
  /** Steps first .. end - 1 close a cycle: why it is no fair cycle in flight without progress for property k, or null. */
  private lassoFault(first: number, end: number, k: number): LassoFault | null {
    const bit = 1 << k;
    const env = this.masks.environment;
    let stepped = 0;
    let everywhere = -1;
    let somewhere = 0;
    let environment = -1;
    let progressed = false;
    let notInFlight = false;
    for (let i = first; i < end; i++) {
      const a = this.actors[i]!;
      if (env & (1 << a)) {
        if (environment < 0) environment = i;
      } else if (this.progressBits[i]! & bit) progressed = true;
      if (!(this.inFlight[i]! & bit)) notInFlight = true;
      stepped |= 1 << a;
      everywhere &= this.enabledMask[i]!;
      somewhere |= this.enabledMask[i]!;
    }
    if (progressed) return { kind: 'progress' };
    if (notInFlight) return { kind: 'not-in-flight' };
    if (environment >= 0) return { kind: 'environment', step: environment };
    const actor = unfairActor(this.system, this.masks, { stepped, everywhere, somewhere });
    return actor < 0 ? null : { kind: 'unfair', actor };
  }
}

/** An exhaustive search records the graph (when its store can name states: not bitstate); sampling watches lassos. */
export function progressMonitor(
  system: CompiledSystem,
  properties: readonly Property[],
  ctx: MonitorContext,
  recordGraph: boolean,
): ProgressRecorder | ProgressLassoMonitor | null {
  const props = properties.filter((p): p is ProgressProperty => p.kind === 'progress');
  if (!props.length) return null;
  if (ctx.mode === 'execution') return new ProgressLassoMonitor(system, props, ctx);
  if (props.length > MAX_PROGRESS_PROPERTIES) {
    throw new SystemDefinitionError(`system '${system.name}': ${props.length} progress properties; at most ${MAX_PROGRESS_PROPERTIES} are supported`);
  }
  fairnessMasks(system);
  return recordGraph ? new ProgressRecorder(system, props) : null;
}
