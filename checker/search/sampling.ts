/**
 * Sampling: for configurations too big to enumerate. Instead of storing every state, run many executions
 * from the initial state (executions.ts), each step chosen by a scheduler (random walk, PCT) through the
 * one seeded generator, and tell the engine's monitors every state and step of every execution: invariants, bounds
 * and transition properties at every step, deadlock at the end of an execution, model assertions, and
 * progress whenever an execution comes back to a state it visited before and the steps in between form a
 * fair cycle without progress, or ends (no actor can move) with the property still in flight.
 * A sampling run can find violations but never proves anything: without one it is inconclusive
 * ("no violation in N executions"), never "holds".
 */
import type { BoundProperty } from '../properties/index.js';
import type { Rng } from '../random/rng.js';
import type { CompiledSystem } from '../system/system.js';
import type { StopReason } from './explore.js';
import type { BlockedActor } from '../properties/deadlock.js';
import type { ModelErrorKind } from '../result.js';
import { probedStates } from './determinism.js';
import { Executions, stepsOf } from './executions.js';
import type { SamplingStrategy, Scheduler } from './strategy.js';

/** The strategy types, also under the names sampling has always had. */
export type { SamplingStrategy, Scheduler };

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
  /**
   * The steps of a deterministic sample of the executions (the first 12, then up to 20 spread over the
   * rest, as `probedStates` picks stored states), for the determinism probe and the xstate cross-check.
   */
  readonly sampled: readonly (readonly number[])[];
}

export interface SampleOptions {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly executions: number;
  readonly maxDepth: number;
  readonly stopAtFirstViolation: boolean;
  readonly shouldStop?: () => StopReason | null;
}

export function sample(system: CompiledSystem, o: SampleOptions): SampleOutcome {
  const runner = new Executions(system, { stopAtFirstViolation: o.stopAtFirstViolation, failAtListing: true });
  const sampled = new Set(probedStates(o.executions));
  const stats = runner.run({
    scheduler: o.scheduler,
    rng: o.rng,
    executions: o.executions,
    maxDepth: o.maxDepth,
    ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
    keep: (execution) => sampled.has(execution),
  });
  const engine = runner.engine;
  return {
    executions: stats.executions,
    states: stats.states,
    transitions: stats.transitions,
    terminalStates: stats.terminalStates,
    depth: stats.depth,
    findings: engine.findings.map(({ at, step, atStep: _atStep, provisional: _provisional, loop, ...f }) => ({
      ...f,
      steps: stepsOf(at, step),
      ...(loop === undefined ? {} : { loop }),
    })),
    bounds: (engine.monitors.bounds?.measured ?? []).map((b) => ({ property: b.property, worst: b.worst, steps: stepsOf(b.at) })),
    stopped: stats.stopped,
    sampled: stats.kept,
  };
}
