/**
 * write-prefault (scenarios/write-prefault.ts): each variant's verdict and exact counts at the defaults, the
 * golden traces of the three buggy forms and the lasso of the hypothetical one, the generic loops over
 * every parameter setting (reclaim, inexact copies, MTE, both ->write_end() rules, a mapping of the written
 * folio), where fuse's `!= 0` test gives -EFAULT and where it does not, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { buildWritePrefault, type WritePrefaultVariant } from '../../scenarios/write-prefault.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('write-prefault')!;
const VARIANTS: readonly WritePrefaultVariant[] = [
  'copy-faults-enabled',
  'prefault-each',
  'fault-after-zero',
  'no-fault-in',
  'fuse-prefault',
  'fuse-fault-after',
];
const DEFAULTS = { src: 1, bad: 1, reclaim: 1, aops: 0, uptodate: 0, present: 0, evict: 0 };
type P = typeof DEFAULTS;

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

/**
 * The settings the generic loops are checked under: both buffers, every bad unit, both ->write_end() rules,
 * with the most reclaim; and the uptodate folio at the defaults otherwise (a check compiles a system: all
 * 96 settings of both loops take about a minute, too long for the suite).
 */
function* settings(): Generator<P> {
  for (let src = 0; src <= 1; src++) for (let bad = 0; bad <= 3; bad++) for (let aops = 0; aops <= 1; aops++) yield { ...DEFAULTS, src, bad, reclaim: 2, aops };
  for (let bad = 0; bad <= 3; bad++) yield { ...DEFAULTS, bad, uptodate: 1, present: 1 };
}

describe('scenarios/write-prefault.ts', () => {
  it('is registered with its defaults and a provenance on every variant', () => {
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { bad: '4' }), /outside its domain 0..3/);
    assert.throws(() => resolveParams(scenario, { present: '1' }), /filemap_fault\(\) maps only an uptodate folio/);
    assert.deepEqual(Object.keys(scenario.variants), VARIANTS);
    assert.equal(scenario.variants['no-fault-in']!.provenance.kind, 'hypothetical');
    for (const v of VARIANTS.filter((x) => x !== 'no-fault-in')) assert.equal(scenario.variants[v]!.provenance.kind, 'shipped', v);
  });

  const expected: Record<WritePrefaultVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'copy-faults-enabled': { verdict: 'violated', property: 'deadlock', states: 9, transitions: 8 },
    'prefault-each': { verdict: 'holds', states: 17, transitions: 17 },
    'fault-after-zero': { verdict: 'holds', states: 29, transitions: 30 },
    'no-fault-in': { verdict: 'violated', property: 'write returns', states: 4, transitions: 4 },
    'fuse-prefault': { verdict: 'violated', property: 'no spurious -EFAULT', states: 2, transitions: 1 },
    'fuse-fault-after': { verdict: 'violated', property: 'no spurious -EFAULT', states: 5, transitions: 4 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildWritePrefault(DEFAULTS, v));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.deepEqual(scenario.variants[v]!.expected, e.property ? { verdict: e.verdict, property: e.property } : { verdict: e.verdict });
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('the buggy traces: the fault waits for the writer itself, the spin, and fuse -EFAULT with a readable first unit', () => {
    const golden: Partial<Record<WritePrefaultVariant, readonly string[]>> = {
      'copy-faults-enabled': ['faultInIovIterReadable', 'shrinkFolioList', 'writeBegin', 'copyFolioFromIterAtomic'],
      'no-fault-in': ['writeBegin', 'copyFolioFromIterAtomic', 'writeEnd', 'writeBegin'],
      'fuse-prefault': ['faultInIovIterReadable'],
      'fuse-fault-after': ['writeBegin', 'copyFolioFromIterAtomic', 'folioUnlock', 'faultInIovIterReadable'],
    };
    for (const [v, steps] of Object.entries(golden) as [WritePrefaultVariant, readonly string[]][]) {
      const { r, actors } = run(buildWritePrefault(DEFAULTS, v));
      const violation = r.violations[0]!;
      assert.deepEqual(
        violation.trace.steps.map((s) => s.transition),
        steps,
        v,
      );
      assertGolden(`write-prefault-${v}.txt`, formatTraceText(violation.trace, { actors }) + '\n');
    }
  });

  it('prefault-each and fault-after-zero hold when reclaim frees the written folio from the page cache (after unmapping p0) between the fault-in and ->write_begin()', () => {
    // fault-after-zero at the defaults: 29 states without eviction; with one or two, the fresh folio is read again.
    const counts = [1, 2].map((evict) => check(buildWritePrefault({ ...DEFAULTS, evict }, 'fault-after-zero')).stats.states);
    assert.deepEqual(counts, [64, 99]);
    for (const v of ['prefault-each', 'fault-after-zero'] as const)
      for (let src = 0; src <= 1; src++)
        for (let bad = 0; bad <= 3; bad++)
          for (let aops = 0; aops <= 1; aops++) {
            const p = { ...DEFAULTS, src, bad, aops, evict: 2 };
            assert.equal(check(buildWritePrefault(p, v)).verdict, 'holds', `${v} ${JSON.stringify(p)}`);
          }
  });

  it('prefault-each and fault-after-zero hold under reclaim, inexact copies, MTE, both write_end rules, the mapped folio', () => {
    for (const v of ['prefault-each', 'fault-after-zero'] as const)
      for (const p of settings()) assert.equal(check(buildWritePrefault(p, v)).verdict, 'holds', `${v} ${JSON.stringify(p)}`);
  });

  it('fuse gives -EFAULT when the first probed page past a readable prefix fails (p1 PROT_NONE, a bad tag at its first granule); after faa794dd2e17 only while p0 is unmapped', () => {
    for (const v of ['fuse-prefault', 'fuse-fault-after'] as const)
      for (let bad = 0; bad <= 3; bad++)
        for (let present = 0; present <= 1; present++)
          for (let reclaim = 0; reclaim <= 1; reclaim++) {
            // an anonymous buffer: fuse's own path does not read the mapped folio (see the scenario)
            const p = { ...DEFAULTS, src: 0, bad, present, uptodate: 0, reclaim };
            const r = check(buildWritePrefault(p, v));
            // p0 unmapped at the first copy: never mapped yet, or reclaimed before it
            const spurious = (bad === 1 || bad === 3) && (v === 'fuse-prefault' || present === 0 || reclaim > 0);
            assert.equal(r.verdict, spurious ? 'violated' : 'holds', `${v} ${JSON.stringify(p)}`);
            if (spurious) assert.equal(r.violations[0]?.property, 'no spurious -EFAULT');
          }
  });

  it('copy-faults-enabled deadlocks only with reclaim between the prefault and the copy', () => {
    for (let reclaim = 0; reclaim <= 2; reclaim++)
      assert.equal(
        check(buildWritePrefault({ ...DEFAULTS, reclaim }, 'copy-faults-enabled')).verdict,
        reclaim > 0 ? 'violated' : 'holds',
        `reclaim ${reclaim}`,
      );
  });

  it('the writer conforms to xstate', () => {
    for (const v of VARIANTS)
      for (const p of [DEFAULTS, { ...DEFAULTS, src: 0, bad: 2, aops: 1 }, { ...DEFAULTS, bad: 0, reclaim: 2, uptodate: 1 }])
        assertConformance(buildWritePrefault(p, v), { runs: 10, maxSteps: 30 });
  });
});
