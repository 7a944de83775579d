/**
 * Other tools' classic models written with faultline's public API (bench/models/classic/), held to the
 * answers SPIN 6.5.2 gave on their Promela twins, recorded in cases.ts (`node --import tsx
 * bench/models/classic/run.ts` asks SPIN again): the same verdicts (assertions, invalid end states,
 * acceptance cycles under weak fairness) and, where both hold, the same unreduced state and transition
 * counts. A reduction keeps every verdict; two workers give the same result (bench/models/classic/run.ts
 * asks that of every case); every model's compiled
 * actors agree with xstate. SPIN is not needed here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type CheckResult } from '../../checker/index.js';
import { caseSystem, classicCases } from '../../bench/models/classic/cases.js';
import { buffer } from '../../bench/models/classic/buffer.scenario.js';
import { dekker } from '../../bench/models/classic/dekker.scenario.js';
import { lamport } from '../../bench/models/classic/lamport.scenario.js';
import { philosophers } from '../../bench/models/classic/philosophers.scenario.js';
import { rwlock } from '../../bench/models/classic/rwlock.scenario.js';
import { szymanski } from '../../bench/models/classic/szymanski.scenario.js';
import { assertConformance } from '../checker/conformance.js';

/** The first violated property, or null when the run holds. */
function answer(r: CheckResult): string | null {
  assert.ok(r.verdict === 'holds' || r.verdict === 'violated', `verdict ${r.verdict}`);
  return r.verdict === 'violated' ? r.violations[0]!.property : null;
}

describe('classic models: the answers SPIN gives', () => {
  for (const c of classicCases.filter((x) => !x.large)) {
    const spin = c.spin.error ?? 'no error';
    const counts = c.spin.states === undefined ? '' : `, ${c.spin.states} states and ${c.spin.transitions} transitions`;
    it(`${c.name} (pan ${c.mode}: ${spin}${counts}): faultline ${c.violates === null ? 'holds' : `violates '${c.violates}'`}, with and without reductions`, () => {
      const system = caseSystem(c.name);
      const r = check(system);
      assert.equal(answer(r), c.violates);
      assert.equal(c.violates === null, c.spin.error === null, 'SPIN and faultline disagree');
      if (c.spin.states !== undefined) assert.deepEqual([r.stats.states, r.stats.transitions], [c.spin.states, c.spin.transitions]);
      // Each reduction where it applies (POR is off for progress properties, symmetry off for both, and
      // for systems that declare no symmetric actors): a run without it would repeat the one above.
      if (c.mode !== 'liveness') {
        assert.equal(answer(check(system, { reduce: 'por' })), c.violates, '--reduce por');
        if (system.symmetric) assert.equal(answer(check(system, { reduce: 'symmetry' })), c.violates, '--reduce symmetry');
      }
    });
  }
});

describe('classic models: counterexamples', () => {
  it('starvation is a lasso: the loop repeats without the starved process entering', () => {
    const r = check(caseSystem('lamport n=3: P1 enters again'));
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.ok(v.trace.loop !== undefined, 'a lasso');
    const loop = v.trace.steps.slice(v.trace.loop);
    assert.ok(loop.length > 0);
    assert.ok(!loop.some((s) => s.actor === 'P1' && s.transition === 'fast'));
  });

  it('the naive philosophers deadlock with every philosopher holding one fork', () => {
    const r = check(caseSystem('philosophers n=4 naive'));
    assert.equal(r.verdict, 'violated');
    assert.match(r.violations[0]!.message, /Phil0 is stuck in 'hasOne'.*Phil3 is stuck in 'hasOne', waiting for its second fork/);
    assert.equal(r.violations[0]!.trace.steps.length, 4);
  });

  it('the buffer race sends one number twice', () => {
    const r = check(caseSystem('buffer k=3 m=4 split'));
    assert.equal(r.violations[0]!.message, 'Consumer: assert(v == expect) failed: received 0, expected 1');
  });
});

describe('classic models: two workers', () => {
  it('the buffer over chan(): the same result as one thread, times and memory aside', () => {
    const name = 'buffer k=3 m=4';
    const source = { module: new URL('../../bench/models/classic/cases.ts', import.meta.url).href, export: 'caseSystem', args: name };
    const same = (r: CheckResult) => {
      const { seconds: _s, peakMemoryBytes: _m, storeBytes: _b, workers: _w, ...stats } = r.stats as CheckResult['stats'] & { workers?: unknown };
      return { ...r, stats };
    };
    assert.deepEqual(same(check(caseSystem(name), { workers: 2, source })), same(check(caseSystem(name))));
  });
});

describe('classic models conform to xstate', () => {
  const walks = { runs: 15, maxSteps: 40 };
  it('dekker', () => ['dekker', 'turn-shortcut'].forEach((v) => assertConformance(dekker(v as never), walks)));
  it('lamport', () => ['fast-mutex', 'no-recheck'].forEach((v) => assertConformance(lamport(2, v as never), walks)));
  it('szymanski', () => ['szymanski', 'no-lower-wait'].forEach((v) => assertConformance(szymanski(2, v as never), walks)));
  it('philosophers', () => ['naive', 'ordered'].forEach((v) => assertConformance(philosophers(3, v as never), walks)));
  it('buffer', () => ['atomic', 'split'].forEach((v) => assertConformance(buffer(2, 3, v as never), walks)));
  it('rwlock', () => ['rwlock', 'split'].forEach((v) => assertConformance(rwlock(2, v as never), walks)));
});
