/**
 * Breadth-first: expands states in the order they were stored, so the store itself is the queue and the
 * first violation found has a shortest trace. Depth is tracked by level boundaries: every state stored
 * before the first state of level d+1 was expanded belongs to level d or earlier.
 */
import type { VisitedStore } from '../store/stateStore.js';
import type { Frontier, SearchStrategy } from './strategy.js';

class BfsFrontier implements Frontier {
  private next = 0;
  // invariant: states [0, levelEnd) have depth <= depth; the state at levelEnd starts the next level.
  private levelEnd = 1;
  depth = 0;
  constructor(private readonly store: VisitedStore) {}
  push(): void {}
  pop(): number {
    if (this.next >= this.store.size) return -1;
    if (this.next >= this.levelEnd) {
      this.depth++;
      this.levelEnd = this.store.size;
    }
    return this.next++;
  }
}

export const bfs: SearchStrategy = {
  kind: 'exhaustive',
  name: 'bfs',
  description: 'breadth-first, exhaustive; the counterexample it finds is a shortest one (default)',
  createFrontier: (store) => new BfsFrontier(store),
};
