/**
 * Published models nobody here wrote, ported with faultline's public API (issue 9, a red team's probes;
 * test/library/fixtures/ported/): each with a seeded bug, checked under every reduction against
 * `--reduce none` (verdicts, violated properties, traces that replay), and, where a Promela twin exists,
 * against the unreduced counts SPIN 6.5.2 gave on it, recorded here (SPIN is not needed to run this):
 *  - the alternating-bit protocol over lossy channels (abp.ts, twin abp.pml): `spin -a abp.pml; cc -O2
 *    -DNOREDUCE -DSAFETY -o pan pan.c; ./pan -E -m100000` - M=2: 186 states, 521 transitions (stored +
 *    matched: faultline counts one less, pan counts the initial state's visit); M=3: 291 states, 844
 *    transitions; CHECKBIT 0: "assertion violated (ts==delivered)". SPIN's own POR stores 186 states too:
 *    every step touches a channel another process also receives from.
 *  - a central lock server and symmetric clients, Murphi's scalarset idiom (lockServer.ts): no twin.
 *    The server's choice k grants client k, so a renamed trace must rename the choice too.
 *  - Fischer's timed mutual exclusion in discrete time, symmetric processes (fischer.ts, after BEEM's
 *    `fischer`; BEEM's clocks are dense-time zones, so its published counts are not this model's): no twin.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, compileSystem, type CheckResult } from '../../checker/index.js';
import { compareReductions } from '../checker/reduce/adversaries.js';
import { abp } from './fixtures/ported/abp.js';
import { fischer } from './fixtures/ported/fischer.js';
import { lockServer } from './fixtures/ported/lockServer.js';

const counts = (r: CheckResult) => [r.verdict, r.stats.states, r.stats.transitions];

describe('the alternating-bit protocol over lossy channels (SPIN)', () => {
  it('M=2 and M=3, two losses: holds, on SPIN’s unreduced counts exactly', () => {
    assert.deepEqual(counts(check(abp(2, 2, 'abp'))), ['holds', 186, 520]);
    assert.deepEqual(counts(check(abp(3, 2, 'abp'))), ['holds', 291, 843]);
  });

  it('every reduction gives the same answer, and the bug’s traces replay', () => {
    for (const variant of ['abp', 'no-bit-check'] as const) compareReductions(abp(2, 2, variant), ['por']);
    const bug = check(abp(2, 2, 'no-bit-check'), { reduce: 'por' });
    assert.equal(bug.verdict, 'violated');
    assert.equal(bug.violations[0]!.property, 'in order');
    // Each step sends to or receives from a channel the lossy environment also receives from: like SPIN's, nothing to reduce.
    assert.equal(check(abp(2, 2, 'abp'), { reduce: 'por' }).stats.states, 186);
  });

  it('two workers: the one-thread result', () => {
    const strip = (r: CheckResult) => {
      const { seconds: _s, peakMemoryBytes: _m, storeBytes: _b, workers: _w, ...stats } = r.stats as CheckResult['stats'] & { workers?: unknown };
      return { ...r, stats };
    };
    for (const variant of ['abp', 'no-bit-check'] as const) {
      const system = compileSystem(abp(3, 2, variant));
      const two = check(system, {
        workers: 2,
        source: { module: new URL('./fixtures/ported/sources.ts', import.meta.url).href, export: 'abpSource', args: { m: 3, losses: 2, variant } },
      });
      assert.deepEqual(strip(two), strip(check(system)));
    }
  });
});

describe('a lock server and symmetric clients (Murphi’s scalarset idiom)', () => {
  it('holds with the server, two clients in their critical section without the owner check, under every reduction', () => {
    for (const variant of ['server', 'no-owner-check'] as const) compareReductions(lockServer(3, 1, variant), ['por', 'symmetry']);
    assert.deepEqual(counts(check(lockServer(3, 2, 'server'))), ['holds', 654, 1324]);
    assert.deepEqual(counts(check(lockServer(3, 2, 'no-owner-check'), { stopAtFirstViolation: false })), ['violated', 2226, 6535]);
  });

  it('the server’s choice names a client: the renamed trace takes the step that reaches the renamed state', () => {
    // Before: "symmetry off: re-executing a path of the symmetry-reduced search diverged at step 2" - a
    // renamed step kept its choice, granting the wrong client - and every state was explored.
    const r = check(lockServer(3, 2, 'server'), { reduce: 'symmetry' });
    assert.equal(r.reduction?.applied, 'symmetry');
    assert.deepEqual(r.reduction?.notes, []);
    assert.deepEqual(counts(r), ['holds', 142, 290]);
  });
});

describe('Fischer’s protocol in discrete time, symmetric processes (BEEM)', () => {
  it('holds with D = K + 1, fails with D = K, under every reduction; symmetry stores about 3! times fewer states', () => {
    for (const variant of ['fischer', 'short-delay'] as const) compareReductions(fischer(3, 1, 6, variant), ['por', 'symmetry']);
    assert.deepEqual(counts(check(fischer(3, 1, 6, 'fischer'))), ['holds', 2744, 5442]);
    assert.deepEqual(counts(check(fischer(3, 1, 6, 'fischer'), { reduce: 'symmetry' })), ['holds', 576, 1206]);
    const bug = check(fischer(3, 1, 6, 'short-delay'), { reduce: 'symmetry' });
    assert.equal(bug.verdict, 'violated');
    // The classic interleaving: P_a and P_b see x free, P_a writes and waits out D, P_b's late write, both enter.
    assert.equal(bug.violations[0]!.trace.steps.length, 8);
  });
});
