/**
 * Pins retry-ring, the peer benchmark (scenarios/retry-ring.ts), to the counts of faultline issue #2: the
 * same model encoded for SPIN and Rumur (bench/peers/) reports the same states and transitions. Every row
 * is checked with bfs and dfs: both are exhaustive, so they must agree on every count but the depth.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { buildRetryRing } from '../../scenarios/retry-ring.js';

const retryRing = findScenario('retry-ring')!;

interface Row {
  readonly readers: number;
  readonly pages: number;
  readonly capacity: number;
  readonly budget: number;
  readonly retries: number;
  readonly states: number;
  readonly transitions: number;
  readonly terminalStates: number;
}

// | N,P,C,B,R | states | transitions | terminal |  (issue #2; the fifth and larger rows are benchmarks, not tests)
const ROWS: readonly Row[] = [
  { readers: 1, pages: 3, capacity: 2, budget: 1, retries: 1, states: 23, transitions: 26, terminalStates: 6 },
  { readers: 2, pages: 4, capacity: 2, budget: 2, retries: 2, states: 6_526, transitions: 13_930, terminalStates: 287 },
  { readers: 2, pages: 6, capacity: 3, budget: 3, retries: 3, states: 90_805, transitions: 248_113, terminalStates: 2_108 },
  { readers: 3, pages: 4, capacity: 2, budget: 2, retries: 2, states: 317_241, transitions: 937_425, terminalStates: 2_845 },
];

describe('scenarios/retry-ring.ts', () => {
  for (const row of ROWS) {
    const { states, transitions, terminalStates, ...params } = row;
    const name = Object.values(params).join(',');
    it(`N,P,C,B,R = ${name}: ${states} states, ${transitions} transitions, ${terminalStates} terminal, holds; bfs and dfs agree`, () => {
      const expected = { states, transitions, terminalStates };
      for (const strategy of ['bfs', 'dfs'] as const) {
        const r = check(buildRetryRing(params), { strategy });
        assert.equal(r.verdict, 'holds', strategy);
        assert.deepEqual(r.violations, [], strategy);
        assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions, terminalStates: r.stats.terminalStates }, expected, strategy);
        // The bound `retries` holds, and some reader does use every retry it has.
        assert.equal(r.bounds.length, 1);
        const b = r.bounds[0]!;
        assert.equal(b.property, 'retries');
        assert.equal(b.limit, params.retries);
        assert.equal(b.worst, params.retries, `${strategy}: worst retries`);
        const end = b.trace.states.at(-1)!;
        const retriesAtEnd = Math.max(...Array.from({ length: params.readers }, (_, r) => Number(end[`reader${r}.retries`])));
        assert.equal(retriesAtEnd, params.retries, `${strategy}: the worst-case trace ends with a reader at its retry limit`);
        if (strategy === 'bfs') {
          // Shortest way to R retries: one reader fails to copy and faults in R times, and reclaim evicts
          // the page it faulted in between rounds (R - 1 evictions): R copies + R fault-ins + R - 1.
          assert.equal(b.trace.steps.length, 3 * params.retries - 1);
        }
      }
    });
  }

  it('the default parameters are row 2 of the table', () => {
    assert.deepEqual(resolveParams(retryRing, {}), { readers: 2, pages: 4, capacity: 2, budget: 2, retries: 2 });
  });

  it('rejects capacity > pages', () => {
    assert.throws(() => resolveParams(retryRing, { capacity: '5' }), /capacity \(5\) cannot exceed pages \(4\)/);
  });
});
