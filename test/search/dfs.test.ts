/** The depth-first frontier: a stack of (state, depth), growing past its first capacity. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dfs } from '../../checker/search/dfs.js';
import type { VisitedStore } from '../../checker/store/stateStore.js';

describe('dfs frontier', () => {
  it('pops the most recently pushed state first, with the depth it was pushed at', () => {
    const f = dfs.createFrontier({} as VisitedStore);
    f.push(0, 0);
    f.push(1, 1);
    f.push(2, 1);
    assert.deepEqual([f.pop(), f.depth], [2, 1]);
    f.push(3, 2);
    assert.deepEqual([f.pop(), f.depth], [3, 2]);
    assert.deepEqual([f.pop(), f.depth], [1, 1]);
    assert.deepEqual([f.pop(), f.depth], [0, 0]);
    assert.equal(f.pop(), -1);
  });

  it('keeps every entry when the stack grows', () => {
    const f = dfs.createFrontier({} as VisitedStore);
    for (let i = 0; i < 5000; i++) f.push(i, i);
    for (let i = 4999; i >= 0; i--) {
      assert.equal(f.pop(), i);
      assert.equal(f.depth, i);
    }
  });
});
