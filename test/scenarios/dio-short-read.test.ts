/**
 * dio-short-read (scenarios/dio-short-read.ts): each variant's verdict and violated
 * property, exact counts at the defaults, the golden counterexamples of zero-return (the hole the request
 * starts at, and the described [DATA][HOLE][DATA] with a migration between gfs2's fault-in and its retry),
 * the fix over every layout and every migration and reclaim budget up to 2, the -EFAULT-after-partial
 * result of real gfs2 when the buffer is unmapped, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../checker/index.js';
import type { DioFileWorld } from '../../models/fs/dio.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildDioShortRead, DIO_LAYOUTS, type DioVariant } from '../../scenarios/dio-short-read.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('dio-short-read')!;
const DEFAULTS = { layout: 0, prefault: 1, migrations: 0, reclaims: 0, munmaps: 0 };
const BOUND = 2;

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  const r = check(system);
  return { r, actors: system.actors.map((a) => a.name) };
}

const popcount = (x: number): number => (x === 0 ? 0 : (x & 1) + popcount(x >> 1));

const steps = (r: ReturnType<typeof check>) => r.violations[0]!.trace.steps.map((s) => `${s.actor}.${s.transition}`);

describe('scenarios/dio-short-read.ts', () => {
  it('is registered with its defaults and rejects nonsense', () => {
    assert.ok(scenario);
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { layout: '4' }), /outside its domain 0..3/);
    assert.throws(() => resolveParams(scenario, { migrations: '5' }), /outside its domain 0..4/);
    assert.throws(() => resolveParams(scenario, { munmaps: '3' }), /outside its domain 0..2/);
    assert.equal(scenario.defaultVariant, 'zero-return');
  });

  const expected: Record<DioVariant, { verdict: string; property?: string; states: number; transitions: number; terminal: number }> = {
    'zero-return': { verdict: 'violated', property: 'partial accounting', states: 4, transitions: 3, terminal: 0 },
    'efault-partial': { verdict: 'holds', states: 9, transitions: 9, terminal: 1 },
  };
  for (const [variant, e] of Object.entries(expected) as [DioVariant, (typeof expected)[DioVariant]][]) {
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildDioShortRead(DEFAULTS, variant));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[variant]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[variant]!.expected.property, e.property);
      assert.deepEqual(
        { states: r.stats.states, transitions: r.stats.transitions, terminal: r.stats.terminalStates },
        { states: e.states, transitions: e.transitions, terminal: e.terminal },
      );
    });
  }

  it("zero-return: [HOLE][DATA], the hole's user page absent - iov_iter_zero() copies nothing, iomap_iter() stops, read() = 0 (EOF) at offset 0", () => {
    const { r, actors } = run(buildDioShortRead(DEFAULTS, 'zero-return'));
    const v = r.violations[0]!;
    assert.equal(v.message, 'read() = 0 (EOF) at ki_pos 0 < i_size 2, and the user buffer is writable');
    assert.deepEqual(steps(r), ['reader.iomapDioRw', 'reader.iovIterZero', 'reader.iomapDioComplete']);
    assertGolden('dio-short-read-zero-return.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it("zero-return, the described [DATA][HOLE][DATA]: gfs2 retries the positive short count and finishes, unless the hole's page goes away between its fault-in and the retry", () => {
    assert.equal(check(buildDioShortRead({ ...DEFAULTS, layout: 1 }, 'zero-return')).verdict, 'holds');
    assert.equal(check(buildDioShortRead({ ...DEFAULTS, layout: 1, prefault: 0 }, 'zero-return')).verdict, 'holds');
    const { r, actors } = run(buildDioShortRead({ ...DEFAULTS, layout: 1, migrations: 1 }, 'zero-return'));
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.equal(v.property, 'partial accounting');
    assert.equal(v.message, 'read() = 1 short of 3 at ki_pos 1 < i_size 3, and the user buffer at unit 1 is writable');
    assert.deepEqual(steps(r), [
      'reader.iomapDioRw',
      'reader.bioIovIterGetPages',
      'reader.iovIterZero',
      'reader.iomapDioComplete',
      'reader.faultInIovIterWriteable',
      'reader.iomapDioRw',
      'migration.tryToMigrate',
      'reader.iovIterZero',
      'reader.iomapDioComplete',
    ]);
    assertGolden('dio-short-read-zero-return-data-hole-data.txt', formatTraceText(v.trace, { actors }) + '\n');
    // Reclaim does the same: the retried call starts at the hole and returns 0, dropping done_before.
    assert.equal(check(buildDioShortRead({ ...DEFAULTS, layout: 1, reclaims: 1 }, 'zero-return')).violations[0]?.property, 'partial accounting');
  });

  it('zero-return: the inline path of a stuffed inode ([INLINE]) returns 0 the same way; [DATA][INLINE] is retried and finishes', () => {
    const r = check(buildDioShortRead({ ...DEFAULTS, layout: 2 }, 'zero-return'));
    assert.equal(r.violations[0]?.message, 'read() = 0 (EOF) at ki_pos 0 < i_size 1, and the user buffer is writable');
    assert.deepEqual(steps(r), ['reader.iomapDioRw', 'reader.copyToIter', 'reader.iomapDioComplete']);
    assert.equal(check(buildDioShortRead({ ...DEFAULTS, layout: 3 }, 'zero-return')).verdict, 'holds');
  });

  it(`efault-partial holds for every layout, with or without prefaulted pages, for every migration and reclaim budget up to ${BOUND}`, () => {
    for (let layout = 0; layout < DIO_LAYOUTS.length; layout++) {
      for (const prefault of [0, 1]) {
        for (let migrations = 0; migrations <= BOUND; migrations++) {
          for (let reclaims = 0; reclaims <= BOUND; reclaims++) {
            const p = { layout, prefault, migrations, reclaims, munmaps: 0 };
            const r = check(buildDioShortRead(p, 'efault-partial'));
            assert.equal(r.verdict, 'holds', JSON.stringify(p));
          }
        }
      }
    }
  });

  it('efault-partial at the largest bound: [DATA][HOLE][DATA], nothing prefaulted, 2 migrations and 2 evictions - 1155 states', () => {
    const r = check(buildDioShortRead({ layout: 1, prefault: 0, migrations: 2, reclaims: 2, munmaps: 0 }, 'efault-partial'));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: 1155, transitions: 2948 });
  });

  it('efault-partial with a munmap between fault-in and retry: real gfs2 returns -EFAULT after a partial transfer (partial accounting as the literature states it fails)', () => {
    const { r } = run(buildDioShortRead({ ...DEFAULTS, layout: 1, munmaps: 1 }, 'efault-partial'));
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.equal(v.property, 'partial accounting');
    assert.equal(v.message, 'read() = -EFAULT but ki_pos advanced by 1: 1 transferred unit is lost');
    assert.deepEqual(steps(r), [
      'reader.iomapDioRw',
      'reader.bioIovIterGetPages',
      'reader.iovIterZero',
      'reader.iomapDioComplete',
      'reader.faultInIovIterWriteable',
      'reader.iomapDioRw',
      'munmap.munmap',
      'reader.iovIterZero',
      'reader.iomapDioComplete',
      'reader.faultInIovIterWriteable',
    ]);
    // The second iomap_dio_rw() made no progress: -EFAULT with dio->size 0 is not a partial result, and
    // iomap_dio_complete() adds done_before only to a positive result, so the 1 unit
    // of the first call survives only in gfs2's `written`, which the -EFAULT return throws away.
    const last = v.trace.states.at(-1)!;
    assert.equal(last['reader.written'], '1');
    assert.equal(last['kiPos'], '1');
  });

  it('the bios hold their pages until iomap_dio_complete(), and every reference is gone when read() returns', () => {
    for (const variant of Object.keys(expected) as DioVariant[]) {
      const spec = buildDioShortRead({ layout: 1, prefault: 0, migrations: 1, reclaims: 1, munmaps: 0 }, variant);
      const released = invariant<DioFileWorld>('bio references released', (s) => {
        const a = s.actor('reader');
        let held = 0;
        for (let f = 0; f < s.world.folioRef!.length; f++) held += s.world.folioRef![f]!;
        return a.final ? held === 0 : held === popcount(a.context.bios);
      });
      const r = check({ ...spec, properties: [released] });
      assert.equal(r.verdict, 'holds', variant);
    }
  });

  it('every actor conforms to xstate (reader, migration, reclaim, munmap)', () => {
    for (const variant of Object.keys(expected) as DioVariant[]) {
      for (let layout = 0; layout < DIO_LAYOUTS.length; layout++) {
        assertConformance(buildDioShortRead({ layout, prefault: 0, migrations: 2, reclaims: 1, munmaps: 1 }, variant), { runs: 25, maxSteps: 40 });
      }
    }
  });
});
