/**
 * fork-pin (scenarios/fork-pin.ts): each variant's verdict and exact counts, the golden counterexample of
 * the GUP-fast / fork() race, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildForkPin, type ForkPinVariant } from '../../scenarios/fork-pin.js';
import { findScenario } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('fork-pin')!;
const VARIANTS = [
  'no-write-protect-seq',
  'write-protect-seq',
  'ro-pin-no-unshare',
  'ro-pin-unshare',
  'zero-page-longterm-ro-pin',
  'zero-page-longterm-unshare',
  'zero-page-write-pin',
] as const;

describe('scenarios/fork-pin.ts', () => {
  const expected: Record<ForkPinVariant, { verdict: string; property?: string; states: number; transitions: number; steps?: number }> = {
    'no-write-protect-seq': { verdict: 'violated', property: 'pin coherence', states: 61, transitions: 84, steps: 7 },
    'write-protect-seq': { verdict: 'holds', states: 157, transitions: 236 },
    'ro-pin-no-unshare': { verdict: 'violated', property: 'pin coherence', states: 145, transitions: 205, steps: 9 },
    'ro-pin-unshare': { verdict: 'holds', states: 166, transitions: 242 },
    'zero-page-longterm-ro-pin': { verdict: 'violated', property: 'pin coherence', states: 57, transitions: 70, steps: 6 },
    'zero-page-longterm-unshare': { verdict: 'holds', states: 118, transitions: 158 },
    'zero-page-write-pin': { verdict: 'holds', states: 118, transitions: 158 },
  };
  for (const variant of VARIANTS) {
    const e = expected[variant];
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}`, () => {
      const system = compileSystem(buildForkPin(variant));
      const r = check(system);
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.deepEqual(scenario.variants[variant]!.expected, e.property ? { verdict: e.verdict, property: e.property } : { verdict: e.verdict });
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
      if (e.steps) assert.equal(r.violations[0]!.trace.steps.length, e.steps);
      if (variant === 'no-write-protect-seq') {
        assert.deepEqual(
          r.violations[0]!.trace.steps.map((s) => `${s.actor}.${s.transition}`),
          [
            'fork.mmapWriteLock',
            'fork.copyPresentPte',
            'gup.gupFastPte',
            'gup.gupFastRecheck',
            'fork.ptepSetWrprotect',
            'fork.mmapWriteUnlock',
            'parent.store',
          ],
        );
        assertGolden('fork-pin-no-write-protect-seq.txt', formatTraceText(r.violations[0]!.trace, { actors: system.actors.map((a) => a.name) }) + '\n');
      }
      if (variant === 'zero-page-longterm-ro-pin') {
        // GUP-fast refuses the special PTE; the slow path pins the zero page itself; the parent's store moves away from it
        assert.deepEqual(
          r.violations[0]!.trace.steps.map((s) => `${s.actor}.${s.transition}`),
          ['gup.rawReadSeqcount', 'gup.gupFastPte', 'gup.mmapReadLock', 'gup.followPage', 'gup.mmapReadUnlock', 'parent.store'],
        );
        assertGolden('fork-pin-zero-page-longterm-ro-pin.txt', formatTraceText(r.violations[0]!.trace, { actors: system.actors.map((a) => a.name) }) + '\n');
      }
    });
    it(`${variant}: fork, GUP and the parent conform to xstate`, () => {
      assertConformance(buildForkPin(variant), { runs: 30, maxSteps: 20 });
    });
  }
});
