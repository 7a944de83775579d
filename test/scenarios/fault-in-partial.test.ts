/**
 * fault-in-partial (scenarios/fault-in-partial.ts): the all-or-nothing fault-in of the gfs2 v4 RFC returns
 * -EFAULT although page 0 was accessible (maximal partial result); with "bytes not faulted in" the read returns exactly the
 * accessible prefix, for every reclaim budget up to the bound and with inexact copies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { buildFaultInPartial } from '../../scenarios/fault-in-partial.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('fault-in-partial')!;
const defaults = resolveParams(scenario, {});

describe('scenarios/fault-in-partial.ts', () => {
  it('defaults: two pages, the second unmapped, one unit per page, no reclaim, no munmap', () => {
    assert.deepEqual(defaults, { pages: 2, units: 1, reclaim: 0, munmap: 0 });
  });

  it('all-or-nothing: -EFAULT after faulting page 0 in, 2 steps, 3 states', () => {
    const system = compileSystem(scenario.build(defaults, 'all-or-nothing'));
    const r = check(system);
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.equal(v.property, 'no spurious -EFAULT');
    assert.equal(v.message, 'CPU0 returned -EFAULT although 1 leading units could be faulted in');
    assert.equal(v.trace.steps.length, 2);
    assert.deepEqual([r.stats.states, r.stats.transitions], [3, 2]);
    assertGolden('fault-in-partial-all-or-nothing.txt', formatTraceText(v.trace, { actors: system.actors.map((a) => a.name) }) + '\n');
  });

  it('bytes-not-faulted holds at the defaults (5 states, 4 transitions) and returns page 0', () => {
    const r = check(scenario.build(defaults, 'bytes-not-faulted'));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions, r.stats.terminalStates], [5, 4, 1]);
  });

  it('every size, reclaim and munmap budget up to the bound: all-or-nothing violates the maximal partial result, bytes-not-faulted holds', () => {
    for (let pages = 2; pages <= 3; pages++) {
      for (let units = 1; units <= 2; units++) {
        for (let reclaim = 0; reclaim <= 2; reclaim++) {
          for (let munmap = 0; munmap <= 2; munmap++) {
            const p = { pages, units, reclaim, munmap };
            const bad = check(buildFaultInPartial(p, 'all-or-nothing'));
            assert.equal(bad.violations[0]?.property, 'no spurious -EFAULT', JSON.stringify(p));
            assert.equal(check(buildFaultInPartial(p, 'bytes-not-faulted')).verdict, 'holds', JSON.stringify(p));
          }
        }
      }
    }
  });

  it('conforms to xstate', () => {
    for (const v of ['all-or-nothing', 'bytes-not-faulted'] as const)
      assertConformance(buildFaultInPartial({ pages: 3, units: 2, reclaim: 2, munmap: 2 }, v), { runs: 60, maxSteps: 40 });
  });
});
