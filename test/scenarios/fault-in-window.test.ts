/**
 * fault-in-window (scenarios/fault-in-window.ts): faulting in the whole buffer under a resident capacity
 * smaller than the buffer livelocks with no adversary; the shrinking window and the one-page window hold
 * for every reclaim budget up to the declared bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { buildFaultInWindow } from '../../scenarios/fault-in-window.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('fault-in-window')!;
const defaults = resolveParams(scenario, {});

describe('scenarios/fault-in-window.ts', () => {
  it('defaults: W = 3 pages, C = 2, no adversary; capacity > pages is rejected', () => {
    assert.deepEqual(defaults, { pages: 3, capacity: 2, reclaim: 0 });
    assert.throws(() => resolveParams(scenario, { capacity: '4' }), /capacity \(4\) cannot exceed pages \(3\)/);
  });

  it('whole-buffer: a lasso of two steps - the fault-in evicts p0 before the copy needs it (4 states)', () => {
    const system = compileSystem(scenario.build(defaults, 'whole-buffer'));
    const r = check(system);
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.equal(v.property, 'the read makes progress');
    assert.equal(v.trace.loop, 2);
    assert.equal(v.trace.steps.length, 4);
    assert.deepEqual(new Set(v.trace.steps.map((s) => s.actor)), new Set(['CPU0']));
    assert.deepEqual([r.stats.states, r.stats.transitions], [4, 4]);
    assertGolden('fault-in-window-whole-buffer.txt', formatTraceText(v.trace, { actors: system.actors.map((a) => a.name) }) + '\n');
  });

  it('shrinking and fixed1 hold at the defaults: 8 states, 7 transitions each', () => {
    for (const v of ['shrinking', 'fixed1']) {
      const r = check(scenario.build(defaults, v));
      assert.equal(r.verdict, 'holds', v);
      assert.deepEqual([r.stats.states, r.stats.transitions], [8, 7], v);
    }
  });

  it('whole-buffer livelocks exactly when capacity < pages; shrinking and fixed1 hold for every capacity and reclaim budget up to 3', () => {
    for (let pages = 1; pages <= 4; pages++) {
      for (let capacity = 1; capacity <= pages; capacity++) {
        for (let reclaim = 0; reclaim <= 3; reclaim++) {
          const p = { pages, capacity, reclaim };
          const whole = check(buildFaultInWindow(p, 'whole-buffer'));
          assert.equal(whole.verdict, capacity < pages ? 'violated' : 'holds', JSON.stringify(p));
          if (capacity < pages) assert.equal(whole.violations[0]!.property, 'the read makes progress');
          for (const v of ['shrinking', 'fixed1'] as const) assert.equal(check(buildFaultInWindow(p, v)).verdict, 'holds', `${v} ${JSON.stringify(p)}`);
        }
      }
    }
  });

  it('conforms to xstate', () => {
    for (const v of ['whole-buffer', 'shrinking', 'fixed1'] as const)
      assertConformance(buildFaultInWindow({ pages: 3, capacity: 2, reclaim: 2 }, v), { runs: 60, maxSteps: 40 });
  });
});
