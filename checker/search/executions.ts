/**
 * Executions: the loop that sampling (random, pct) and replay run on the engine. Each execution starts at
 * the initial state and takes the steps a Scheduler (strategy.ts) picks, one at a time; every state and
 * step goes to the engine's monitors: `begin`, then per state `state` and `expand` (with the enabled
 * steps), per step `step` or `stepFailed`, and `terminal` where no step is enabled. An execution ends
 * there, when the scheduler picks none (-1), at `maxDepth` steps, at a failed step, or when the engine
 * stops (a violation it stops at, a model error).
 *
 * A `witness` watches every step beside the monitors: replay's xstate shadow, which re-executes the step
 * through xstate's own `transition()` and ends the run where the two disagree.
 */
import type { Property } from '../properties/property.js';
import type { Rng } from '../random/rng.js';
import { GuardResultError } from '../system/assign.js';
import { stepActor, stepChoice, stepEvent, type Stepper } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { WorldAccessError } from '../system/views.js';
import { assertionMessage } from '../system/thrown.js';
import { NondeterminismProbe } from './determinism.js';
import { Engine } from './engine.js';
import { ListingStepper } from './listingStepper.js';
import type { StopReason } from './explore.js';
import type { Scheduler } from './strategy.js';

/** A place in an execution: the first `length` steps of its path (which only grows). */
export interface PathMark {
  readonly path: readonly number[];
  readonly length: number;
}

/** The steps to a place (and then `step`, for a finding about a step). */
export function stepsOf(m: PathMark | undefined, step?: number): number[] {
  const steps = m ? m.path.slice(0, m.length) : [];
  if (step !== undefined) steps.push(step);
  return steps;
}

/** Watches each step beside the monitors; a message is a reason the run must stop there. */
export interface StepWitness {
  /** Step `id` is about to be taken from the state in the engine's buffer. */
  before(id: number): string | undefined;
  /** Step `id` threw `thrown`. */
  threw(id: number, thrown: unknown): string | undefined;
  /** Step `id` was taken; `stepper` holds the state after it. */
  after(id: number, stepper: Stepper): string | undefined;
}

export interface ExecutionOptions {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly executions: number;
  readonly maxDepth: number;
  readonly shouldStop?: () => StopReason | null;
  readonly witness?: StepWitness;
  /** Executions (by number, from 0) whose steps the run keeps, for checks after it (determinism, xstate). */
  readonly keep?: (execution: number) => boolean;
}

/** A step that failed: threw (`thrown`) or left the declared world (`overflow`, what it wrote). */
export interface StepFailure {
  /** The step's place in its execution (0-based). */
  readonly index: number;
  readonly step: number;
  readonly thrown?: unknown;
  readonly overflow?: string;
}

export interface ExecutionStats {
  readonly executions: number;
  /** States visited, counting repeats. */
  readonly states: number;
  readonly transitions: number;
  /** Executions that ended in a state with no enabled step. */
  readonly terminalStates: number;
  /** The longest execution. */
  readonly depth: number;
  readonly stopped: StopReason | null;
  /** The witness stopped the run before step `index` (0-based) was complete. */
  readonly witnessed?: { readonly index: number; readonly message: string };
  /** The last execution's failed step, if it ended at one. */
  readonly failure?: StepFailure;
  /** The steps of the executions `keep` chose, in order (without a step that failed). */
  readonly kept: readonly (readonly number[])[];
}

/** Steps between two polls of `shouldStop` (timeout, memory, Ctrl-C). */
const POLL_STEPS = 4096;

/** The engine with the path of the current execution as its place. */
export class Executions {
  readonly engine: Engine<PathMark>;
  // The current execution's steps. A place is kept by reference with its length, and copied once at the
  // end: a bound that worsens at every step costs no copy per step.
  private path: number[] = [];

  constructor(
    private readonly system: CompiledSystem,
    options: {
      readonly stopAtFirstViolation: boolean;
      readonly properties?: readonly Property[];
      readonly guarded?: boolean;
      /**
       * Sampling: a guard or choices function that throws while the enabled steps are listed (one that
       * writes the world, say) fails its step there, as in an exhaustive search, whichever step the
       * scheduler would pick. Replay leaves it off: it follows the trace's steps only.
       */
      readonly failAtListing?: boolean;
    },
  ) {
    this.engine = new Engine<PathMark>(system, {
      mode: 'execution',
      stopAtFirstViolation: options.stopAtFirstViolation,
      here: () => ({ path: this.path, length: this.path.length }),
      ...(options.properties ? { properties: options.properties } : {}),
      ...(options.guarded ? { guarded: true } : {}),
      ...(options.failAtListing ? { listing: true } : {}),
    });
  }

  /** The current execution's steps so far. */
  get steps(): readonly number[] {
    return this.path;
  }

  run(o: ExecutionOptions): ExecutionStats {
    const { system, engine } = this;
    const layout = system.layout;
    const packed = new Uint32Array(layout.words);
    const { stepper, S, pre, after, before } = engine;
    // Names a bad world access precisely when a step throws (see explore.ts).
    const precise = new NondeterminismProbe(system);
    const witness = o.witness;
    let executions = 0;
    let states = 0;
    let steps = 0;
    let terminal = 0;
    let longest = 0;
    let stopped: StopReason | null = null;
    let witnessed: ExecutionStats['witnessed'];
    let failure: StepFailure | undefined;
    const kept: number[][] = [];

    // Polled by steps, not by executions: one execution can be millions of steps long.
    let untilPoll = 0;
    const poll = (): boolean => {
      if (--untilPoll > 0) return false;
      untilPoll = POLL_STEPS;
      stopped = o.shouldStop?.() ?? null;
      return stopped !== null;
    };
    runs: for (; executions < o.executions && !engine.stop; executions++) {
      if (poll()) break;
      o.scheduler.newExecution(o.rng, longest > 0 ? longest : o.maxDepth);
      stepper.load(system.initial);
      const path: number[] = (this.path = []);
      if (o.keep?.(executions)) kept.push(path);
      failure = undefined;
      for (const m of engine.onBegin) m.begin!();
      states++;
      engine.state();
      for (let depth = 0; depth < o.maxDepth && !engine.stop; depth++) {
        if (poll()) {
          longest = Math.max(longest, path.length);
          break runs;
        }
        const enabled = stepper.enabledSteps();
        for (const m of engine.onExpand) m.expand!(path.length, after, enabled);
        if (engine.stop) break;
        const listed = stepper instanceof ListingStepper ? stepper.failed : null;
        if (listed) {
          pre.set(S);
          failure = { index: depth, step: listed.step, thrown: listed.thrown };
          engine.stepFailed(listed.step, assertionMessage(system, listed.step, precise.precise(pre, listed.step, listed.thrown)));
          break;
        }
        if (enabled.length === 0) {
          terminal++;
          for (const m of engine.onTerminal) m.terminal!(after);
          break;
        }
        const pick = o.scheduler.pick(enabled, depth, o.rng);
        if (pick < 0) break;
        const id = enabled[pick]!;
        // The witness may refuse a step the engine fails: xstate reads a guard's `undefined` as false where the
        // engine reports it (assign.ts GuardResultError), and an undeclared world field read by a guard as
        // undefined where the guarded view throws (views.ts WorldAccessError): stricter checks, not disagreements.
        const said = witness?.before(id);
        pre.set(S);
        const actor = system.actors[stepActor(id)]!;
        try {
          stepper.applyId(id);
        } catch (e) {
          const disagreement = said !== undefined && !(e instanceof GuardResultError || e instanceof WorldAccessError) ? said : witness?.threw(id, e);
          if (disagreement !== undefined) {
            witnessed = { index: depth, message: disagreement };
            break runs;
          }
          failure = { index: depth, step: id, thrown: e };
          engine.stepFailed(id, assertionMessage(system, id, precise.precise(pre, id, e)));
          break;
        }
        if (said !== undefined) {
          S.set(pre);
          witnessed = { index: depth, message: said };
          break runs;
        }
        const disagreement = witness?.after(id, stepper);
        if (disagreement !== undefined) {
          witnessed = { index: depth, message: disagreement };
          break runs;
        }
        const bad = layout.pack(S, packed, 0);
        if (bad >= 0) {
          const overflow = layout.describeOverflow(bad, S);
          failure = { index: depth, step: id, overflow };
          engine.stepFailed(id, overflow);
          break;
        }
        steps++;
        states++;
        if (engine.onStep.length) {
          const info = { actor: actor.name, actorIndex: actor.index, event: actor.machine.eventTypes[stepEvent(id)]!, choice: stepChoice(id) };
          engine.currentStep = id;
          for (const m of engine.onStep) m.step!(before, after, info, -1);
          engine.currentStep = -1;
        }
        path.push(id);
        engine.state();
      }
      if (path.length > longest) longest = path.length;
    }
    return {
      executions,
      states,
      transitions: steps,
      terminalStates: terminal,
      depth: longest,
      stopped,
      ...(witnessed ? { witnessed } : {}),
      ...(failure ? { failure } : {}),
      kept,
    };
  }
}
