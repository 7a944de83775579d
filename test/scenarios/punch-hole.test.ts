/**
 * punch-hole (scenarios/punch-hole.ts): each variant's verdict and exact counts at the defaults, the golden
 * traces of the two ext4 races, the fixes over every parameter setting, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { FILEMAP_RET_MAPPED, FILEMAP_RET_SIGBUS } from '../../models/actors/filemapRead.js';
import type { TruncateWorld } from '../../models/pagecache/truncate.js';
import { buildPunchHole, type PunchHoleVariant } from '../../scenarios/punch-hole.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('punch-hole')!;
const VARIANTS: readonly PunchHoleVariant[] = ['fault-unlocked', 'read-unlocked', 'fault-i-mmap-sem', 'invalidate-lock'];
const DEFAULTS = { cached: 1, truncate: 0 };

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

describe('scenarios/punch-hole.ts', () => {
  it('is registered with its defaults and provenance', () => {
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { cached: '2' }), /outside its domain 0..1/);
    assert.deepEqual(
      VARIANTS.map((v) => scenario.variants[v]!.provenance?.kind),
      ['shipped', 'shipped', 'shipped', 'shipped'],
    );
  });

  const expected: Record<PunchHoleVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'fault-unlocked': { verdict: 'violated', property: 'no stale page cache', states: 27, transitions: 36 },
    'read-unlocked': { verdict: 'violated', property: 'no stale page cache', states: 32, transitions: 46 },
    'fault-i-mmap-sem': { verdict: 'holds', states: 22, transitions: 21 },
    'invalidate-lock': { verdict: 'holds', states: 190, transitions: 382 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions`, () => {
      const { r } = run(buildPunchHole(DEFAULTS, v));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[v]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[v]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  // The race itself: the punch empties the page cache, the reader re-creates the folio from the old blocks, then they are freed.
  const REMOVE = ['punch.unmapMappingRange', 'punch.folioLock', 'punch.truncateInodeFolio'];
  const RECREATE = ['CPU0.iSizeRead', 'CPU0.filemapGetFolio', 'CPU0.filemapCreateFolio', 'punch.freeBlocks'];
  const TRACES: Record<'read-unlocked' | 'fault-unlocked', { story: string; steps: readonly string[] }> = {
    'read-unlocked': { story: 'the punch holds i_mmap_sem, read(2) takes nothing', steps: ['punch.filemapInvalidateLock', ...REMOVE, ...RECREATE] },
    'fault-unlocked': { story: 'no lock at all, the fault does the same', steps: [...REMOVE, ...RECREATE] },
  };
  for (const [v, e] of Object.entries(TRACES) as [PunchHoleVariant, (typeof TRACES)['read-unlocked']][]) {
    it(`${v}: ${e.story}; the folio is re-created from the old blocks before they are freed`, () => {
      const { r, actors } = run(buildPunchHole(DEFAULTS, v));
      const t = r.violations[0]!.trace;
      assert.deepEqual(
        t.steps.map((s) => `${s.actor}.${s.transition}`),
        e.steps,
      );
      assertGolden(`punch-hole-${v}.txt`, formatTraceText(t, { actors }) + '\n');
    });
  }

  it('the fixes hold for every parameter setting, the races need no cached folio to start from', () => {
    for (let cached = 0; cached <= 1; cached++) {
      for (let truncate = 0; truncate <= 1; truncate++)
        for (const v of ['fault-i-mmap-sem', 'invalidate-lock'] as const)
          assert.equal(check(buildPunchHole({ cached, truncate }, v)).verdict, 'holds', `${v} cached=${cached} truncate=${truncate}`);
      for (const v of ['fault-unlocked', 'read-unlocked'] as const)
        assert.equal(check(buildPunchHole({ cached, truncate: 0 }, v)).violations[0]?.property, 'no stale page cache', `${v} cached=${cached}`);
    }
  });

  it('invalidate-lock with a truncate to 0: the fault maps the folio or gets SIGBUS, never a mapping of a removed folio', () => {
    const spec = buildPunchHole({ cached: 1, truncate: 1 }, 'invalidate-lock');
    const notMapped = invariant<TruncateWorld>('fault never maps', (s) => s.actor('CPU1').context.ret !== FILEMAP_RET_MAPPED);
    const noSigbus = invariant<TruncateWorld>('fault never SIGBUS', (s) => s.actor('CPU1').context.ret !== FILEMAP_RET_SIGBUS);
    assert.equal(check({ ...spec, properties: [notMapped] }).verdict, 'violated');
    assert.equal(check({ ...spec, properties: [noSigbus] }).verdict, 'violated');
    assert.equal(check(spec).verdict, 'holds');
  });

  it('the reader, the faulter and the punch conform to xstate', () => {
    for (const v of VARIANTS) assertConformance(buildPunchHole({ cached: 0, truncate: 1 }, v), { runs: 10, maxSteps: 20 });
  });
});
