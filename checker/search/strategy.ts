/**
 * A strategy decides only what the engine does next; the loops own the stepping, and the engine
 * (engine.ts) the monitors. Mechanism apart from policy. There are two kinds, one union:
 *
 *  - exhaustive (bfs, dfs): a Frontier - which explored-but-unexpanded state the search (explore.ts)
 *    expands next; it stores every state and can prove a property;
 *  - sampling (random, pct): a Scheduler - which enabled step an execution (executions.ts) takes next; it
 *    runs executions and can only find violations.
 *
 * Replay (replay.ts) is a Scheduler too, on the same execution core: it picks the step the trace recorded.
 * It is not in the registry (registry.ts, the `--strategy` choices) because it needs a trace to follow.
 */
import type { Rng } from '../random/rng.js';
import type { VisitedStore } from '../store/stateStore.js';

export interface Frontier {
  /** A newly stored state to expand later, at `depth` steps from the initial state. */
  push(index: number, depth: number): void;
  /** The next state to expand, or -1 when none is left. */
  pop(): number;
  /** Depth of the state `pop` last returned. */
  readonly depth: number;
}

/** Chooses the next step of an execution; the engine runs it. */
export interface Scheduler {
  /**
   * Called before every execution, with the length of the longest execution so far (the run's
   * estimate of k, the number of steps; `maxDepth` before the first).
   */
  newExecution(rng: Rng, steps: number): void;
  /**
   * Picks one of `enabled` (step ids in the fixed order, never empty) at step number `depth`: its index,
   * or -1 to end the execution here.
   */
  pick(enabled: readonly number[], depth: number, rng: Rng): number;
}

interface Named {
  readonly name: string;
  /** One line for `--help` and `faultline list`. */
  readonly description: string;
}

export interface ExhaustiveStrategy extends Named {
  readonly kind: 'exhaustive';
  createFrontier(store: VisitedStore): Frontier;
}

/** What a sampling strategy's scheduler is made for. */
export interface SchedulerParams {
  readonly actors: number;
  readonly maxDepth: number;
  readonly pctDepth: number;
}

export interface SamplingStrategy extends Named {
  readonly kind: 'sampling';
  createScheduler(params: SchedulerParams): Scheduler;
}

/** Every strategy the registry can name. */
export type Strategy = ExhaustiveStrategy | SamplingStrategy;

/** The exhaustive kind under the name explore.ts uses. */
export type SearchStrategy = ExhaustiveStrategy;
