/**
 * stable-pages (scenarios/stable-pages.ts): each variant's verdict and violated
 * property, exact counts at the defaults, the golden counterexamples of the three broken variants (the pin-from-reference hazard,
 * the GUP-fast Dekker pattern without the re-check, the short-term pin problem), the fixes over every DMA budget, writeback pass
 * count and buffer-release budget up to the declared bounds, no pin after a negative check and its caveat, dirty file folio has buffers (the ext4 problem
 * of the short-term pin problem), FOLL_LONGTERM, and conformance of the actors with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { defineMmu, noPinAfterNegativeCheck } from '../../models/index.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { buildStablePages, type StableVariant } from '../../scenarios/stable-pages.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('stable-pages')!;
const DEFAULTS = { dmaWrites: 1, passes: 1, releases: 0, longterm: 0 };
const VARIANTS: readonly StableVariant[] = ['pin-from-ref', 'pin-via-fault', 'fast-no-recheck', 'fast-recheck', 'no-pin-check'];

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  const r = check(system);
  return { r, actors: system.actors.map((a) => a.name) };
}

const steps = (r: ReturnType<typeof check>, i = 0) => r.violations[i]!.trace.steps.map((s) => `${s.actor}.${s.transition}`);

/** The same system with no pin after a negative check added (the MMU only needs the same options to build the property). */
function withPH2(spec: SystemSpec): SystemSpec {
  const m = defineMmu({
    pages: 1,
    unitsPerPage: 1,
    backing: 'file',
    pte: 'PRESENT_RW',
    pageLock: true,
    dirty: true,
    writeback: true,
    buffers: true,
    versions: 2,
    refs: 2,
    pins: 1,
    stableWrites: true,
  });
  return { ...spec, properties: [...spec.properties, noPinAfterNegativeCheck(m)] };
}

describe('scenarios/stable-pages.ts', () => {
  it('is registered with its defaults and rejects nonsense', () => {
    assert.ok(scenario);
    assert.deepEqual(resolveParams(scenario, {}), { ...DEFAULTS, pinners: 1 });
    assert.throws(() => resolveParams(scenario, { dmaWrites: '5' }), /outside its domain 0..4/);
    assert.throws(() => resolveParams(scenario, { passes: '0' }), /outside its domain 1..4/);
    assert.deepEqual(Object.keys(scenario.variants), VARIANTS);
  });

  const expected: Record<StableVariant, { verdict: string; property?: string; states: number; transitions: number; steps?: number }> = {
    'pin-from-ref': { verdict: 'violated', property: 'stable pages', states: 34, transitions: 42, steps: 6 },
    'pin-via-fault': { verdict: 'holds', states: 48, transitions: 61 },
    'fast-no-recheck': { verdict: 'violated', property: 'stable pages', states: 48, transitions: 62, steps: 8 },
    'fast-recheck': { verdict: 'holds', states: 66, transitions: 87 },
    'no-pin-check': { verdict: 'violated', property: 'stable pages', states: 21, transitions: 23, steps: 5 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property}, ${e.steps} steps)` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildStablePages(DEFAULTS, v));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(r.violations[0]?.trace.steps.length, e.steps);
      assert.equal(scenario.variants[v]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[v]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('pin-from-ref: the pin-from-reference hazard - writeback checks, starts; pin_user_page() on the held reference; the device writes under writeback', () => {
    const { r, actors } = run(buildStablePages(DEFAULTS, 'pin-from-ref'));
    const v = r.violations[0]!;
    assert.equal(v.message, 'folio 0 changed under writeback: version 1, snapshot 0');
    assert.deepEqual(steps(r), [
      'writeback.folioLock',
      'writeback.folioClearDirtyForIo',
      'writeback.folioMaybeDmaPinned',
      'writeback.folioStartWriteback',
      'pinner.pinUserPage',
      'DMA.dmaWrite',
    ]);
    assertGolden('stable-pages-pin-from-ref.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('fast-no-recheck: GUP-fast reads the writable PTE and takes a reference, writeback write-protects, checks and starts, then the pin lands (the Dekker pattern against folio_mkclean())', () => {
    const { r, actors } = run(buildStablePages(DEFAULTS, 'fast-no-recheck'));
    assert.deepEqual(steps(r), [
      'pinner.gupFastReadPte',
      'pinner.tryGetFolio',
      'writeback.folioLock',
      'writeback.folioClearDirtyForIo',
      'writeback.folioMaybeDmaPinned',
      'writeback.folioStartWriteback',
      'pinner.completePin',
      'DMA.dmaWrite',
    ]);
    assertGolden('stable-pages-fast-no-recheck.txt', formatTraceText(r.violations[0]!.trace, { actors }) + '\n');
  });

  it('no-pin-check: the short-term pin problem - a pin taken before writeback, mainline writeback does not look at it, the device writes under writeback', () => {
    const { r, actors } = run(buildStablePages(DEFAULTS, 'no-pin-check'));
    assert.deepEqual(steps(r), [
      'pinner.pinUserPagesFast',
      'writeback.folioLock',
      'writeback.folioClearDirtyForIo',
      'writeback.folioStartWriteback',
      'DMA.dmaWrite',
    ]);
    assertGolden('stable-pages-no-pin-check.txt', formatTraceText(r.violations[0]!.trace, { actors }) + '\n');
  });

  it('pin-via-fault and fast-recheck hold for every DMA budget up to 2, writeback passes up to 2, buffer releases up to 1, with and without FOLL_LONGTERM', () => {
    for (const v of ['pin-via-fault', 'fast-recheck'] as const) {
      for (let dmaWrites = 0; dmaWrites <= 2; dmaWrites++) {
        for (let passes = 1; passes <= 2; passes++) {
          for (let releases = 0; releases <= 1; releases++) {
            for (let longterm = 0; longterm <= 1; longterm++) {
              const p = { dmaWrites, passes, releases, longterm };
              assert.equal(check(buildStablePages(p, v)).verdict, 'holds', `${v} ${JSON.stringify(p)}`);
            }
          }
        }
      }
    }
  });

  it('the broken variants fail for every DMA budget from 1 and every pass count; with no DMA write the pin alone changes nothing', () => {
    for (const v of ['pin-from-ref', 'fast-no-recheck', 'no-pin-check'] as const) {
      for (let passes = 1; passes <= 2; passes++) {
        for (let dmaWrites = 1; dmaWrites <= 2; dmaWrites++) {
          assert.equal(
            check(buildStablePages({ ...DEFAULTS, dmaWrites, passes }, v)).violations[0]?.property,
            'stable pages',
            `${v} dma=${dmaWrites} passes=${passes}`,
          );
        }
        assert.equal(check(buildStablePages({ ...DEFAULTS, dmaWrites: 0, passes }, v)).verdict, 'holds', `${v} without DMA`);
      }
    }
  });

  it('no pin after a negative check fires one step before stable pages on pin-from-ref (at the pin itself); on fast-recheck it flags the speculative pin the re-check drops', () => {
    const ref = check(withPH2(buildStablePages(DEFAULTS, 'pin-from-ref')), { stopAtFirstViolation: false });
    const byName = new Map(ref.violations.map((x) => [x.property, x]));
    assert.equal(byName.get('no pin after a negative pin check')!.trace.steps.length, 5);
    assert.equal(byName.get('stable pages')!.trace.steps.length, 6);
    // The caveat of models/properties: GUP-fast's pin is accounted before its re-check drops it again.
    const fast = check(withPH2(buildStablePages(DEFAULTS, 'fast-recheck')), { stopAtFirstViolation: false });
    assert.deepEqual(
      fast.violations.map((x) => x.property),
      ['no pin after a negative pin check'],
    );
    assert.equal(fast.violations[0]!.trace.steps.at(-1)!.transition, 'completePin');
    // Taken atomically (the re-check included), the pin never appears after the negative check.
    assert.equal(check(withPH2(buildStablePages(DEFAULTS, 'pin-via-fault'))).verdict, 'holds');
  });

  it('dirty file folio has buffers (the short-term pin problem, the ext4 BUG): written back, buffers released, pinned without ->page_mkwrite(), the unpin dirties the folio; pinning through the page tables gives the buffers back', () => {
    const p = { ...DEFAULTS, dmaWrites: 0, releases: 1 };
    const r = check(buildStablePages(p, 'pin-from-ref'));
    assert.equal(r.violations[0]?.property, 'dirty folio has buffers');
    assert.equal(r.violations[0]?.message, 'file folio 0 is dirty without buffers (ext4 would BUG/WARN)');
    assert.deepEqual(steps(r), [
      'writeback.folioLock',
      'writeback.folioClearDirtyForIo',
      'writeback.folioMaybeDmaPinned',
      'writeback.folioStartWriteback',
      'writeback.folioEndWriteback',
      'release.filemapReleaseFolio',
      'pinner.pinUserPage',
      'pinner.unpinUserPagesDirtyLock',
    ]);
    assert.equal(check(buildStablePages(p, 'no-pin-check')).violations[0]?.property, 'dirty folio has buffers');
    assert.equal(check(buildStablePages(p, 'pin-via-fault')).verdict, 'holds');
  });

  it('FOLL_LONGTERM: refused on this file mapping since v6.5, so even writeback without the pin check holds; pin_user_page() ignores it', () => {
    const r = check(buildStablePages({ ...DEFAULTS, longterm: 1 }, 'no-pin-check'));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: 10, transitions: 13 });
    assert.equal(check(buildStablePages({ ...DEFAULTS, longterm: 1 }, 'fast-no-recheck')).verdict, 'holds');
    assert.equal(check(buildStablePages({ ...DEFAULTS, longterm: 1 }, 'pin-from-ref')).violations[0]?.property, 'stable pages');
  });

  it('two and three pinners (one machine, declared symmetric): the same verdicts, exact counts, and --reduce symmetry explores fewer states with the same verdict', () => {
    const counts = (pinners: number, v: StableVariant, reduce: 'none' | 'symmetry') => {
      const r = check(buildStablePages({ ...DEFAULTS, pinners }, v), { reduce });
      return [r.verdict, r.violations[0]?.property, r.stats.states, r.reduction?.applied ?? 'none'];
    };
    assert.deepEqual(counts(1, 'fast-recheck', 'none'), ['holds', undefined, 66, 'none']);
    assert.deepEqual(counts(2, 'pin-via-fault', 'none'), ['holds', undefined, 204, 'none']);
    assert.deepEqual(counts(2, 'pin-via-fault', 'symmetry'), ['holds', undefined, 126, 'symmetry']);
    assert.deepEqual(counts(3, 'fast-recheck', 'none'), ['holds', undefined, 5550, 'none']);
    assert.deepEqual(counts(3, 'fast-recheck', 'symmetry'), ['holds', undefined, 1258, 'symmetry']);
    assert.deepEqual(counts(2, 'pin-from-ref', 'symmetry'), ['violated', 'stable pages', 55, 'symmetry']);
    assert.deepEqual(counts(3, 'no-pin-check', 'symmetry'), ['violated', 'stable pages', 34, 'symmetry']);
  });

  it('every actor conforms to xstate (writeback, pinner, DMA, buffer release)', () => {
    for (const v of VARIANTS) {
      assertConformance(buildStablePages({ dmaWrites: 2, passes: 2, releases: 1, longterm: 0 }, v), { runs: 40, maxSteps: 30 });
      assertConformance(buildStablePages({ ...DEFAULTS, longterm: 1 }, v), { runs: 10, maxSteps: 20 });
      assertConformance(buildStablePages({ ...DEFAULTS, pinners: 2 }, v), { runs: 10, maxSteps: 20 });
    }
  });
});
