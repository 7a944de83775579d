/**
 * Depth-first (stack order): expands the most recently stored state first. Exhaustive like bfs, with a
 * frontier that holds only the unexpanded successors along the current branch, and it tends to reach deep
 * states early; its counterexamples are not shortest.
 */
import type { Frontier, SearchStrategy } from './strategy.js';

class DfsFrontier implements Frontier {
  // invariant: stack[2k] is a state index and stack[2k + 1] its depth; top is at 2 * (size - 1).
  private stack = new Int32Array(2048);
  private size = 0;
  depth = 0;
  push(index: number, depth: number): void {
    if (2 * this.size + 2 > this.stack.length) {
      const bigger = new Int32Array(this.stack.length * 2);
      bigger.set(this.stack);
      this.stack = bigger;
    }
    this.stack[2 * this.size] = index;
    this.stack[2 * this.size + 1] = depth;
    this.size++;
  }
  pop(): number {
    if (this.size === 0) return -1;
    this.size--;
    this.depth = this.stack[2 * this.size + 1]!;
    return this.stack[2 * this.size]!;
  }
}

export const dfs: SearchStrategy = {
  kind: 'exhaustive',
  name: 'dfs',
  description: 'depth-first, exhaustive; reaches deep states early, counterexamples are not shortest',
  createFrontier: () => new DfsFrontier(),
};
