/** The breadth-first frontier: the store is the queue; depth grows at each level boundary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bfs } from '../../checker/search/bfs.js';
import type { VisitedStore } from '../../checker/store/stateStore.js';

describe('bfs frontier', () => {
  it('pops states in store order, one level at a time, and says the depth of each', () => {
    const store = { size: 1 } as VisitedStore & { size: number };
    const f = bfs.createFrontier(store);
    const seen: [number, number][] = [];
    // Level 0: state 0 stores 1 and 2; level 1: state 1 stores 3; state 2 nothing; level 2: state 3.
    const children: Record<number, number> = { 0: 2, 1: 1, 2: 0, 3: 0 };
    for (let idx = f.pop(); idx >= 0; idx = f.pop()) {
      seen.push([idx, f.depth]);
      store.size += children[idx]!;
    }
    assert.deepEqual(seen, [
      [0, 0],
      [1, 1],
      [2, 1],
      [3, 2],
    ]);
  });
});
