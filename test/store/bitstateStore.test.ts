/**
 * Bitstate hashing (checker/store/bitstateStore.ts): k bits a state. With a roomy array it explores what the
 * exact store explores and finds the same violations with the same traces; with a cramped one it misses
 * states and says about how many; it never answers `holds`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { bitstateCoverage, BitstateStore, expectedOmissions } from '../../checker/store/bitstateStore.js';
import { NO_PARENT } from '../../checker/store/stateStore.js';
import { buildVariant, findScenario, resolveParams } from '../../scenarios/index.js';

function system(id: string, variant: string) {
  const s = findScenario(id)!;
  return buildVariant(s, variant, resolveParams(s, {}, variant));
}

describe('BitstateStore', () => {
  it('a state is new until all its k bits are set; parents and steps as in hash compaction', () => {
    const s = new BitstateStore(2, { bits: 16, hashes: 3 });
    const v = (a: number, b: number): Uint32Array => Uint32Array.of(a, b);
    assert.equal(s.findOrInsert(v(0, 0), 0, NO_PARENT, 0), 0);
    assert.equal(s.findOrInsert(v(1, 0), 0, 0, 7), 1);
    assert.equal(s.findOrInsert(v(1, 0), 0, 1, 9), -1, 'taken as visited');
    assert.deepEqual(
      s
        .pathTo(1)
        .slice(1)
        .map((i) => s.stepInto(i)),
      [7],
    );
    assert.equal(s.size, 2);
    assert.throws(() => s.lookup(), /keeps no index/);
  });

  it('expected omissions: none for one state, more with fewer bits, more than n/2 when m is far below n', () => {
    assert.equal(expectedOmissions(1, 1024, 3), 0);
    const roomy = expectedOmissions(10_000, 2 ** 27, 3);
    const cramped = expectedOmissions(10_000, 2 ** 14, 3);
    assert.ok(roomy < 1e-3 && roomy > 0, `roomy ${roomy}`);
    assert.ok(cramped > 1000, `cramped ${cramped}`);
    assert.ok(expectedOmissions(100_000, 2 ** 12, 1) > 50_000);
    assert.deepEqual(
      { ...bitstateCoverage(6526, { bits: 27, hashes: 3 }), expectedOmissions: 0 },
      { bits: 27, hashes: 3, hashFactor: 2 ** 27 / 6526, expectedOmissions: 0 },
    );
  });
});

describe('check with store: bitstate', () => {
  it('a roomy array explores every state, yet the verdict is inconclusive with the coverage estimate, never holds', () => {
    const exact = check(system('retry-ring', 'ring'));
    const bits = check(system('retry-ring', 'ring'), { store: 'bitstate' });
    assert.equal(exact.verdict, 'holds');
    assert.equal(bits.verdict, 'inconclusive');
    assert.equal(bits.stats.states, exact.stats.states);
    assert.equal(bits.stats.transitions, exact.stats.transitions);
    assert.equal(bits.inconclusive?.reason, 'bitstate');
    assert.match(
      bits.inconclusive!.message,
      /^bitstate search: no violation among 6,526 states stored in 2\^27 bits with 3 hashes \(hash factor 20,567; about 0 states expected/,
    );
    assert.ok(bits.properties.every((p) => p.status === 'unknown'));
    assert.equal(bits.stats.bitstate?.hashes, 3);
  });

  it('a violation is found as the exact store finds it, with the same trace', () => {
    const exact = check(system('stable-pages', 'fast-no-recheck'));
    const bits = check(system('stable-pages', 'fast-no-recheck'), { store: 'bitstate', bitstate: { bits: 16, hashes: 2 } });
    assert.equal(bits.verdict, 'violated');
    assert.deepEqual(bits.violations, exact.violations);
  });

  it('a cramped array misses states and says so', () => {
    const bits = check(system('retry-ring', 'ring'), { store: 'bitstate', bitstate: { bits: 12, hashes: 2 } });
    assert.equal(bits.verdict, 'inconclusive');
    assert.equal(bits.stats.states, 2472);
    assert.ok(bits.stats.bitstate!.expectedOmissions > 100);
  });

  it('progress properties stay undecided (no graph is kept); other strategies and bad sizes are refused', () => {
    const r = check(system('retry-ring', 'progress'), { store: 'bitstate' });
    assert.equal(r.verdict, 'inconclusive');
    assert.ok(r.properties.every((p) => p.status === 'unknown'));
    assert.throws(() => check(system('retry-ring', 'ring'), { store: 'bitstate', strategy: 'dfs' }), /needs the bfs strategy/);
    assert.throws(() => check(system('retry-ring', 'ring'), { store: 'bitstate', bitstate: { bits: 40 } }), /bitstate.bits must be at most 32, not 40/);
  });
});
