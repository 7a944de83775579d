/**
 * A search strategy decides only which explored-but-unexpanded state to expand next; the engine
 * (explore.ts) owns the loop, the store and the properties. Mechanism apart from policy.
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
