/**
 * Partial-order reduction on SPIN's leader0 and sort examples (bench/models/, BENCHMARKS.md): with the
 * `chan()` field the reduction learns SPIN's exclusive send / receive rule (checker/reduce/channelOps.ts)
 * and cuts the states more than tenfold, with hand-shifted arrays the footprints alone reduce them less;
 * the verdict is the unreduced one (spinExamples.test.ts pins those counts), and a violation is still found.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../../checker/index.js';
import { LEADER0, LEADER0_SPIN, leader0 } from '../../../bench/models/leader0.js';
import { SORT_SPIN, sort } from '../../../bench/models/sort.js';

describe("partial-order reduction on SPIN's examples", () => {
  it(`leader0 N=5: ${LEADER0_SPIN.states} states unreduced; 549 with chan(), 5,345 with arrays`, () => {
    const chan = check(leader0('chan'), { reduce: 'por' });
    const arrays = check(leader0('array'), { reduce: 'por' });
    assert.deepEqual([chan.verdict, chan.stats.states, chan.stats.transitions], ['holds', 549, 597]);
    assert.deepEqual([arrays.verdict, arrays.stats.states, arrays.stats.transitions], ['holds', 5345, 8639]);
    assert.ok(LEADER0_SPIN.states / chan.stats.states >= 10);
  });

  it(`sort N=7: ${SORT_SPIN.states} states unreduced; 2,829 with chan(), 25,100 with arrays`, () => {
    const chan = check(sort('chan'), { reduce: 'por' });
    const arrays = check(sort('array'), { reduce: 'por' });
    assert.deepEqual([chan.verdict, chan.stats.states, chan.stats.transitions], ['holds', 2829, 3149]);
    assert.deepEqual([arrays.verdict, arrays.stats.states, arrays.stats.transitions], ['holds', 25100, 47552]);
    assert.ok(SORT_SPIN.states / chan.stats.states >= 10);
  });

  it('leader0 without node number N: the reduced search finds the failed assertion too', () => {
    const numbers = [1, 2, 3, 4, 4];
    for (const style of ['chan', 'array'] as const) {
      const r = check(leader0(style, { ...LEADER0, numbers }), { reduce: 'por' });
      assert.equal(r.verdict, 'violated');
      assert.equal(r.violations[0]!.message, 'node5: assert(nr == 5) failed: nr = 4');
    }
  });
});
