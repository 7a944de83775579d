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

/**
 * xoshiro128**'s state transition is linear over GF(2): a 128 × 128 bit matrix T whose column j is the
 * state one draw after the unit state e_j. jump() must equal T^(2^64), computed here by squaring T 64 times.
 */
describe('Rng.jump (streams of a swarm)', () => {
  type Vec = [number, number, number, number];
  const apply = (cols: readonly Vec[], v: Vec): Vec => {
    const out: Vec = [0, 0, 0, 0];
    for (let j = 0; j < 128; j++) {
      if ((v[j >>> 5]! >>> (j & 31)) & 1) for (let w = 0; w < 4; w++) out[w] = (out[w]! ^ cols[j]![w]!) >>> 0;
    }
    return out;
  };
  const step: Vec[] = Array.from({ length: 128 }, (_, j) => {
    const e: Vec = [0, 0, 0, 0];
    e[j >>> 5] = (1 << (j & 31)) >>> 0;
    const r = Rng.from(e);
    r.next();
    return r.state();
  });

  it('jumps exactly 2^64 draws ahead', () => {
    let m = step;
    for (let i = 0; i < 64; i++) m = m.map((col) => apply(m, col));
    const start = Rng.seeded(7).state();
    assert.deepEqual(Rng.seeded(7).jump().state(), apply(m, start));
  });

  it('stream k is the seed jumped k times; stream 0 is the seed itself', () => {
    assert.deepEqual(Rng.stream(3, 0).state(), Rng.seeded(3).state());
    assert.deepEqual(Rng.stream(3, 2).state(), Rng.seeded(3).jump().jump().state());
    assert.notDeepEqual(Rng.stream(3, 1).state(), Rng.stream(3, 2).state());
  });
});
