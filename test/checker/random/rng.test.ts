import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Rng } from '../../../checker/random/rng.js';

describe('Rng (xoshiro128**, seeded by splitmix32)', () => {
  it('the same seed gives the same sequence; the state can be saved and resumed', () => {
    const a = Rng.seeded(42);
    const b = Rng.seeded(42);
    const first = Array.from({ length: 8 }, () => a.next());
    assert.deepEqual(
      first,
      Array.from({ length: 8 }, () => b.next()),
    );
    const saved = a.state();
    const next = Array.from({ length: 8 }, () => a.next());
    const resumed = Rng.from(saved);
    assert.deepEqual(
      Array.from({ length: 8 }, () => resumed.next()),
      next,
    );
    assert.notDeepEqual(
      Array.from({ length: 8 }, () => Rng.seeded(43).next()),
      first,
    );
  });
  it('below(n) stays in [0, n) and reaches every value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 9 }), (seed, n) => {
        const r = Rng.seeded(seed);
        const seen = new Set<number>();
        for (let i = 0; i < 400; i++) {
          const v = r.below(n);
          assert.ok(Number.isInteger(v) && v >= 0 && v < n);
          seen.add(v);
        }
        assert.equal(seen.size, n);
      }),
      { numRuns: 50 },
    );
  });
});
