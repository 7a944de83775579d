/**
 * SPIN's leader0 and sort examples written in faultline (bench/models/), with the `chan()` field and with
 * hand-shifted world arrays: unreduced state and transition counts equal SPIN's (`-DNOREDUCE`) exactly,
 * at the published sizes (pinned) and at smaller ones (SPIN run here, the `#define`s rewritten); the two
 * queue representations give the same verdicts, states and traces; both conform to xstate. Needs `spin`
 * and a C compiler (.ci/run installs spin); a missing tool fails the test with that reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { check, type CheckResult, type SystemSpec } from '../../../checker/index.js';
import { LEADER0, LEADER0_SPIN, leader0 } from '../../../bench/models/leader0.js';
import { SORT, SORT_SPIN, sort } from '../../../bench/models/sort.js';
import { runSpinExample, type SpinExample } from '../../../bench/models/spin.js';
import { assertConformance } from '../../checker/conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-spin-examples-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** SPIN's unreduced counts for one of its examples with its `#define`s replaced. */
function spinCounts(example: SpinExample, defines: Record<string, number>): { states: number; transitions: number } {
  const r = runSpinExample(example, defines, { optimize: '-O0', dir: join(dir, `${example}-${Object.values(defines).join('-')}`) });
  assert.equal(r.errors, 0);
  return { states: r.states, transitions: r.transitions };
}

/** faultline's counts in SPIN's terms: SPIN's transitions (stored + matched) also count the initial state. */
function counts(r: CheckResult): { states: number; transitions: number } {
  assert.equal(r.verdict, 'holds');
  return { states: r.stats.states, transitions: r.stats.transitions + 1 };
}

/** The chan() model and the hand-shifted-array model agree: verdict, states, transitions, trace. */
function sameAsArrays(chanSpec: SystemSpec, arraySpec: SystemSpec): CheckResult {
  const a = check(chanSpec);
  const b = check(arraySpec);
  assert.equal(a.verdict, b.verdict);
  assert.ok(a.stats.states <= b.stats.states, `chan ${a.stats.states} states, arrays ${b.stats.states}`);
  assert.deepEqual([a.stats.states, a.stats.transitions], [b.stats.states, b.stats.transitions]);
  assert.deepEqual(
    a.violations.map((v) => [v.property, v.message, v.trace.steps.map((s) => `${s.actor} ${s.transition}`)]),
    b.violations.map((v) => [v.property, v.message, v.trace.steps.map((s) => `${s.actor} ${s.transition}`)]),
  );
  return a;
}

describe("SPIN's leader0 (Dolev-Klawe-Rodeh leader election)", () => {
  it(`N=5: ${LEADER0_SPIN.states} states and ${LEADER0_SPIN.transitions} transitions, as SPIN -DNOREDUCE`, () => {
    assert.deepEqual(counts(check(leader0('chan'))), LEADER0_SPIN);
  });

  for (const p of [{ N: 4, I: 2, L: 3 }]) {
    it(`N=${p.N}, I=${p.I}, L=${p.L}: the counts SPIN reports for the same #defines, with chan and arrays`, () => {
      assert.deepEqual(counts(sameAsArrays(leader0('chan', p), leader0('array', p))), spinCounts('leader0', p));
    });
  }

  it('without node number N the assertion fails: the same violation and trace with chan and arrays', () => {
    const numbers = [1, 2, 3, 4, 4];
    const r = sameAsArrays(leader0('chan', { ...LEADER0, numbers }), leader0('array', { ...LEADER0, numbers }));
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations[0]!.message, 'node5: assert(nr == 5) failed: nr = 4');
    assert.equal(r.violations[0]!.trace.steps.length, 9);
  });

  it('conforms to xstate, with either queue representation', () => {
    const small = { N: 3, I: 1, L: 6 };
    assertConformance(leader0('chan', small), { runs: 20, maxSteps: 50 });
    assertConformance(leader0('array', small), { runs: 20, maxSteps: 50 });
  });
});

describe("SPIN's sort (a pipeline of N processes)", () => {
  it(`N=7: ${SORT_SPIN.states} states and ${SORT_SPIN.transitions} transitions, as SPIN -DNOREDUCE`, () => {
    assert.deepEqual(counts(check(sort('chan'))), SORT_SPIN);
  });

  for (const p of [{ N: 5, L: 2 }]) {
    it(`N=${p.N}, L=${p.L}: the counts SPIN reports for the same #defines, with chan and arrays`, () => {
      assert.deepEqual(counts(sameAsArrays(sort('chan', p), sort('array', p))), spinCounts('sort', p));
    });
  }

  it('conforms to xstate, with either queue representation', () => {
    assertConformance(sort('chan', { N: 4, L: 2 }), { runs: 30, maxSteps: 60 });
    assertConformance(sort('array', { N: 4, L: 2 }), { runs: 30, maxSteps: 60 });
  });

  it('the published size is the default', () => {
    assert.deepEqual(SORT, { N: 7, L: 10 });
  });
});
