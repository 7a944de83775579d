/**
 * Sampling: for configurations too big to enumerate. Instead of storing every state, run many executions
 * from the initial state, each step chosen by a scheduler (random walk, PCT) through the one seeded
 * generator, and tell the engine's monitors every state and step of every execution: invariants, bounds
 * and transition properties at every step, deadlock at the end of an execution, model assertions, and
 * progress whenever an execution comes back to a state it visited before and the steps in between form a
 * fair cycle without progress, or ends (no actor can move) with the property still in flight.
 * A sampling run can find violations but never proves anything: without one it is inconclusive
 * ("no violation in N executions"), never "holds".
 */
import type { BoundProperty } from '../properties/index.js';
import type { Rng } from '../random/rng.js';
import { stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import type { StopReason } from './explore.js';
import type { BlockedActor } from '../properties/deadlock.js';
import { assertionMessage } from '../system/thrown.js';
import { NondeterminismProbe } from './determinism.js';
import { Engine } from './engine.js';
import type { ModelErrorKind } from '../result.js';

/** Chooses the next step of an execution; the engine runs it. */
export interface Scheduler {
  /**
   * Called before every execution, with the length of the longest execution so far (the run's
   * estimate of k, the number of steps; `maxDepth` before the first).
   */
  newExecution(rng: Rng, steps: number): void;
  /** Picks one of `enabled` (step ids in the fixed order) at step number `depth`; returns its index. */
  pick(enabled: readonly number[], depth: number, rng: Rng): number;
}

export interface SamplingStrategy {
  readonly kind: 'sampling';
  readonly name: string;
  readonly description: string;
  createScheduler(params: { readonly actors: number; readonly maxDepth: number; readonly pctDepth: number }): Scheduler;
}

export interface SampleFinding {
  readonly property: string;
  readonly kind: 'invariant' | 'transition' | 'bound' | 'deadlock' | 'progress' | 'assertion';
  readonly message: string;
  readonly steps: readonly number[];
  readonly loop?: number;
  readonly blocked?: readonly BlockedActor[];
  /** A property whose own code threw: a model error, not a violation. */
  readonly modelError?: ModelErrorKind;
}

export interface SampleOutcome {
  readonly executions: number;
  /** States visited, counting repeats. */
  readonly states: number;
  readonly transitions: number;
  /** Executions that ended in a state with no enabled step. */
  readonly terminalStates: number;
  /** The longest execution. */
  readonly depth: number;
  readonly findings: readonly SampleFinding[];
  readonly bounds: readonly { readonly property: BoundProperty; readonly worst: number; readonly steps: readonly number[] }[];
  readonly stopped: StopReason | null;
}

export interface SampleOptions {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly executions: number;
  readonly maxDepth: number;
  readonly stopAtFirstViolation: boolean;
  readonly shouldStop?: () => StopReason | null;
}

/** Steps between two polls of `shouldStop` (timeout, memory, Ctrl-C). */
const POLL_STEPS = 4096;

/** A place in a sampling run: the first `length` steps of an execution's path (which only grows). */
interface PathMark {
  readonly path: readonly number[];
  readonly length: number;
}

const stepsOf = (m: PathMark | undefined, step?: number): number[] => {
  const steps = m ? m.path.slice(0, m.length) : [];
  if (step !== undefined) steps.push(step);
  return steps;
};

export function sample(system: CompiledSystem, o: SampleOptions): SampleOutcome {
  const layout = system.layout;
  const packed = new Uint32Array(layout.words);
  // The current execution's steps. A place is kept by reference with its length, and copied once at the
  // end: a bound that worsens at every step costs no copy per step.
  let path: number[] = [];
  const engine = new Engine<PathMark>(system, {
    mode: 'execution',
    stopAtFirstViolation: o.stopAtFirstViolation,
    here: () => ({ path, length: path.length }),
  });
  const { stepper, S, pre, after, before } = engine;
  // Names a bad world access precisely when a step throws (see explore.ts).
  const precise = new NondeterminismProbe(system);
  let executions = 0;
  let states = 0;
  let steps = 0;
  let terminal = 0;
  let longest = 0;
  let stopped: StopReason | null = null;

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
    path = [];
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
      if (enabled.length === 0) {
        terminal++;
        for (const m of engine.onTerminal) m.terminal!(after);
        break;
      }
      const id = enabled[o.scheduler.pick(enabled, depth, o.rng)]!;
      pre.set(S);
      const actor = system.actors[stepActor(id)]!;
      try {
        stepper.applyId(id);
      } catch (e) {
        engine.stepFailed(id, assertionMessage(system, id, precise.precise(pre, id, e)));
        break;
      }
      const bad = layout.pack(S, packed, 0);
      if (bad >= 0) {
        engine.stepFailed(id, layout.describeOverflow(bad, S));
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
    findings: engine.findings.map(({ at, step, atStep: _atStep, provisional: _provisional, loop, ...f }) => ({
      ...f,
      steps: stepsOf(at, step),
      ...(loop === undefined ? {} : { loop }),
    })),
    bounds: (engine.monitors.bounds?.measured ?? []).map((b) => ({ property: b.property, worst: b.worst, steps: stepsOf(b.at) })),
    stopped,
  };
}
