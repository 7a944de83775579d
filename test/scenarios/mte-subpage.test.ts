/**
 * mte-subpage (scenarios/mte-subpage.ts): each variant's verdict and violated
 * property, the exact state and transition counts at the defaults, the golden lassos of the two buggy
 * variants, the fix over every Retag and reclaim budget up to the declared bound (3), which granules make
 * the page-granular fault-in livelock, and conformance of the actors with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildMteSubpage, buildSearchIoctl, type MteSubpageVariant } from '../../scenarios/mte-subpage.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('mte-subpage')!;
const DEFAULTS = { pages: 2, granules: 2, items: 2, itemLen: 0, badGranule: 1, retag: 1, reclaim: 1 };
const BOUND = 3;

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  const r = check(system);
  return { r, actors: system.actors.map((a) => a.name) };
}

describe('scenarios/mte-subpage.ts', () => {
  it('is registered with its defaults and rejects nonsense', () => {
    assert.ok(scenario);
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { badGranule: '4' }), /badGranule \(4\) must be a granule of the buffer \(0..3\)/);
    assert.throws(() => resolveParams(scenario, { itemLen: '3' }), /must fit the 4-granule buffer/);
    assert.throws(() => resolveParams(scenario, { retag: '5' }), /outside its domain 0..4/);
    assert.throws(() => resolveParams(scenario, { granules: '1' }), /outside its domain 2..8/);
  });

  const expected: Record<MteSubpageVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'fault-in-writeable': { verdict: 'violated', property: 'search_ioctl progress', states: 85, transitions: 162 },
    'fault-in-subpage-writeable': { verdict: 'holds', states: 41, transitions: 55 },
    'fault-in-from-ubuf': { verdict: 'violated', property: 'search_ioctl progress', states: 20, transitions: 24 },
  };
  for (const [variant, e] of Object.entries(expected) as [MteSubpageVariant, (typeof expected)[MteSubpageVariant]][]) {
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildMteSubpage(DEFAULTS, variant));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[variant]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[variant]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('fault-in-writeable: the livelock lasso - the fault-in succeeds, the header copy hits the tag, nothing changes, no adversary', () => {
    const { r, actors } = run(buildMteSubpage(DEFAULTS, 'fault-in-writeable'));
    const v = r.violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.equal(v.trace.loop, 1);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      ['CPU0.faultInWriteable', 'CPU0.btrfsSearchForward', 'CPU0.copyToUserNofault', 'CPU0.faultInWriteable'],
    );
    assertGolden('mte-subpage-fault-in-writeable.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('fault-in-from-ubuf: the first item lands, reclaim takes the tail page once, the fault-in never looks at it again', () => {
    const { r, actors } = run(buildMteSubpage(DEFAULTS, 'fault-in-from-ubuf'));
    const v = r.violations[0]!;
    assert.equal(v.trace.loop, 4);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      [
        'CPU0.faultInWriteable',
        'CPU0.btrfsSearchForward',
        'CPU0.copyToUserNofault',
        'reclaim.shrinkFolioList',
        'CPU0.copyToUserNofault',
        'CPU0.faultInWriteable',
        'CPU0.btrfsSearchForward',
      ],
    );
    assert.deepEqual(
      v.trace.steps.slice(v.trace.loop).map((s) => s.actor),
      ['CPU0', 'CPU0', 'CPU0'],
      'reclaim acts once, outside the loop',
    );
    assertGolden('mte-subpage-fault-in-from-ubuf.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it(`fault-in-subpage-writeable holds for every Retag and reclaim budget up to ${BOUND} (FO(Retag), FO(reclaim))`, () => {
    for (let retag = 0; retag <= BOUND; retag++) {
      for (let reclaim = 0; reclaim <= BOUND; reclaim++) {
        const r = check(buildMteSubpage({ ...DEFAULTS, retag, reclaim }, 'fault-in-subpage-writeable'));
        assert.equal(r.verdict, 'holds', `retag=${retag} reclaim=${reclaim}`);
      }
    }
  });

  it('fault-in-subpage-writeable holds with item bodies, more items, more granules and a bad granule anywhere', () => {
    for (const [granules, items, itemLen] of [
      [2, 1, 2],
      [4, 2, 1],
      [4, 3, 0],
    ] as const) {
      for (let badGranule = 0; badGranule < 2 * granules; badGranule++) {
        const p = { ...DEFAULTS, granules, items, itemLen, badGranule };
        assert.equal(check(buildMteSubpage(p, 'fault-in-subpage-writeable')).verdict, 'holds', JSON.stringify(p));
      }
    }
  });

  it('1c78544eaa46 without MTE (fault_in_writeable from ubuf + sk_offset) holds for every reclaim budget up to the bound', () => {
    for (let reclaim = 0; reclaim <= BOUND; reclaim++) {
      const r = check(buildSearchIoctl({ ...DEFAULTS, reclaim }, { faultInGranularity: 'page', faultInFrom: 'ubuf+sk_offset', mte: false }));
      assert.equal(r.verdict, 'holds', `reclaim=${reclaim}`);
    }
  });

  it('fault-in-from-ubuf needs the eviction: with no reclaim it holds', () => {
    assert.equal(check(buildMteSubpage({ ...DEFAULTS, reclaim: 0 }, 'fault-in-from-ubuf')).verdict, 'holds');
  });

  it('fault-in-writeable livelocks exactly when the bad granule is neither the first byte nor a page start the probe touches', () => {
    const verdicts = [0, 1, 2, 3].map((badGranule) => check(buildMteSubpage({ ...DEFAULTS, badGranule, retag: 0, reclaim: 0 }, 'fault-in-writeable')).verdict);
    // Granules 0 and 2 are page starts: fault_in_writeable() writes to them and fails -> -EFAULT.
    assert.deepEqual(verdicts, ['holds', 'violated', 'holds', 'violated']);
  });

  it('every actor conforms to xstate (search_ioctl, Retag, reclaim)', () => {
    for (const variant of Object.keys(expected) as MteSubpageVariant[]) {
      assertConformance(buildMteSubpage({ ...DEFAULTS, retag: 2, itemLen: 1 }, variant), { runs: 40, maxSteps: 30 });
    }
  });
});
