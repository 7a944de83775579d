/**
 * An exhaustive strategy decides only which explored-but-unexpanded state to expand next; the search loop
 * (explore.ts) owns the store, and the engine (engine.ts) the monitors. Mechanism apart from policy. A
 * sampling strategy is a Scheduler instead (sampling.ts): which enabled step an execution takes next.
 */
import type { VisitedStore } from '../store/stateStore.js';

export interface Frontier {
  /** A newly stored state to expand later, at `depth` steps from the initial state. */
  push(index: number, depth: number): void;
  /** The next state to expand, or -1 when none is left. */
  pop(): number;
  /** Depth of the state `pop` last returned. */
  readonly depth: number;
}

export interface SearchStrategy {
  readonly kind: 'exhaustive';
  readonly name: string;
  /** One line for `--help` and `faultline list`. */
  readonly description: string;
  createFrontier(store: VisitedStore): Frontier;
}
