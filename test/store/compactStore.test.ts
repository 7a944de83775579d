/**
 * Hash compaction (checker/store/compactStore.ts): fingerprints instead of states, the step into each
 * state kept for traces, the states released once bfs has expanded them. With no fingerprint collision
 * (the probability printed is ~1e-12 and below for every model here) it must find exactly what the exact
 * store finds: the same counts, verdicts, traces, lassos and bounds, byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { CompactStore, omissionProbability } from '../../checker/store/compactStore.js';
import { NO_PARENT, StateStore } from '../../checker/store/stateStore.js';
import { buildVariant, findScenario, resolveParams } from '../../scenarios/index.js';
import { allScenarios } from '../scenarios/allScenarios.js';

const shipped = await allScenarios();

/** The result as JSON, without what differs by design (the store's size and the omission bound). */
function comparable(r: ReturnType<typeof check>): string {
  const { omissionProbability: _p, storeBytes: _b, ...stats } = r.stats;
  return JSON.stringify({ ...r, stats });
}

describe('CompactStore', () => {
  it('finds, inserts, looks up and walks back along parents and steps', () => {
    const s = new CompactStore(2, 4, { keepIndex: true });
    const v = (a: number, b: number): Uint32Array => Uint32Array.of(a, b);
    assert.equal(s.findOrInsert(v(0, 0), 0, NO_PARENT, 0), 0);
    assert.equal(s.findOrInsert(v(1, 0), 0, 0, 7), 1);
    assert.equal(s.findOrInsert(v(1, 1), 0, 1, 9), 2);
    assert.equal(s.findOrInsert(v(1, 0), 0, 2, 5), -2, 'known: -(index + 1), parent and step unchanged');
    assert.equal(s.lookup(v(1, 1), 0), 2);
    assert.equal(s.lookup(v(2, 2), 0), -1);
    assert.deepEqual(s.pathTo(2), [0, 1, 2]);
    assert.deepEqual(
      s
        .pathTo(2)
        .slice(1)
        .map((i) => s.stepInto(i)),
      [7, 9],
    );
    assert.deepEqual(
      s
        .pathTo(0)
        .slice(1)
        .map((i) => s.stepInto(i)),
      [],
    );
  });

  it('grows past its initial table (2^4 slots) keeping every entry, and answers like the exact store', () => {
    const c = new CompactStore(3, 4, { keepIndex: true });
    const e = new StateStore(3, 4);
    const w = new Uint32Array(3);
    for (let i = 0; i < 5000; i++) {
      w[0] = (i * 2654435761) >>> 0;
      w[1] = i % 7;
      w[2] = i % 13;
      assert.equal(c.findOrInsert(w, 0, i === 0 ? NO_PARENT : i - 1, i), e.findOrInsert(w, 0, i === 0 ? NO_PARENT : i - 1));
    }
    assert.equal(c.size, e.size);
    for (let i = 0; i < 5000; i += 97) {
      w[0] = (i * 2654435761) >>> 0;
      w[1] = i % 7;
      w[2] = i % 13;
      assert.equal(c.lookup(w, 0), e.lookup(w, 0));
    }
  });

  it('releases the states behind the bfs cursor, chunk by chunk (2^16 states), and says so if one is asked for', () => {
    const s = new CompactStore(1, 4);
    const w = new Uint32Array(1);
    for (let i = 0; i < 70_000; i++) {
      w[0] = i;
      s.findOrInsert(w, 0, 0, 0);
    }
    const before = s.bytes;
    s.expanding(65_536);
    assert.equal(s.bytes, before - 65_536 * 4);
    assert.throws(() => s.chunkOf(10), /state 10 was released/);
    assert.equal(s.chunkOf(65_536)[s.offsetOf(65_536)], 65_536);
  });

  it('bounds the probability of a missed state by n(n-1)/2 / 2^63', () => {
    assert.equal(omissionProbability(1), 0);
    assert.equal(omissionProbability(2), 1 / 2 ** 63);
    assert.equal(omissionProbability(9_334_299).toExponential(1), '4.7e-6');
    assert.equal(omissionProbability(2 ** 40), 1);
  });
});

describe('check with store: compact', () => {
  it('retry-ring 3,4,2,2,2: the counts SPIN and Rumur give, and the bound on a miss', () => {
    const ring = findScenario('retry-ring')!;
    const params = resolveParams(ring, { readers: 3, pages: 4, capacity: 2, budget: 2, retries: 2 }, 'ring');
    const r = check(buildVariant(ring, 'ring', params), { store: 'compact' });
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.terminalStates], [317_241, 937_425, 2_845]);
    assert.equal(r.stats.omissionProbability, omissionProbability(317_241));
    assert.equal(check(buildVariant(ring, 'ring', params)).stats.omissionProbability, undefined, 'the exact store reports none');
  });

  it('every shipped scenario variant: the same result as the exact store (all violations, traces, lassos, bounds)', () => {
    let compared = 0;
    for (const { target, scenario } of shipped) {
      for (const variant of Object.keys(scenario.variants)) {
        const spec = () => buildVariant(scenario, variant, resolveParams(scenario, {}, variant));
        const exact = check(spec(), { stopAtFirstViolation: false });
        const compact = check(spec(), { stopAtFirstViolation: false, store: 'compact' });
        assert.equal(comparable(compact), comparable(exact), `${target}:${variant}`);
        compared++;
      }
    }
    assert.ok(compared >= 40, `${compared} variants compared`);
  });

  it('needs bfs: with dfs (or a sampling strategy) it is refused', () => {
    const ring = findScenario('retry-ring')!;
    const spec = buildVariant(ring, 'ring', resolveParams(ring, {}, 'ring'));
    assert.throws(() => check(spec, { store: 'compact', strategy: 'dfs' }), /needs the bfs strategy, not dfs/);
    assert.throws(() => check(spec, { store: 'fast' as never }), /store must be exact, compact or bitstate, not fast/);
  });
});
