/**
 * btrfs-dio-append (scenarios/btrfs-dio-append.ts): each variant's verdict and violated property, exact
 * counts at the defaults, the golden counterexamples of relock (939b656bc8ab's steps 1-8: the hole) and
 * again (e0391e92f9ab: the double unlock), the fix over every parameter without reclaim, the buffered
 * fallback's hole with one eviction, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildBtrfsDioAppend, type BtrfsDioAppendVariant } from '../../scenarios/btrfs-dio-append.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('btrfs-dio-append')!;
const DEFAULTS = { count: 1, initial: 0, prefault: 0, dsync: 1, reclaims: 0 };
const VARIANTS: readonly BtrfsDioAppendVariant[] = ['relock', 'again', 'skip-ilock', 'zero-progress'];

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

/** The user-visible effect of the hole: a one-block append to an empty file. */
const HOLE_AT_0 = 'write() = 1 appending at i_size 0, but i_size is now 2, block 0 is a hole (expected i_size 1, no hole)';

const steps = (r: ReturnType<typeof check>) => r.violations[0]!.trace.steps.map((s) => `${s.actor}.${s.transition}`);

/** Every parameter combination in the domains, with the given reclaim budget. */
function allParams(reclaims: number) {
  const out: (typeof DEFAULTS)[] = [];
  for (const count of [1, 2])
    for (const initial of [0, 1]) for (const prefault of [0, 1]) for (const dsync of [0, 1]) out.push({ count, initial, prefault, dsync, reclaims });
  return out;
}

describe('scenarios/btrfs-dio-append.ts', () => {
  it('is registered with its defaults and provenance, and rejects values outside the domains', () => {
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { count: '3' }), /outside its domain 1..2/);
    assert.throws(() => resolveParams(scenario, { reclaims: '2' }), /outside its domain 0..1/);
    assert.equal(scenario.defaultVariant, 'relock');
    for (const v of VARIANTS) assert.equal(scenario.variants[v]!.provenance?.kind, 'shipped', v);
  });

  const expected: Record<BtrfsDioAppendVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    relock: { verdict: 'violated', property: 'append at EOF', states: 10, transitions: 9 },
    again: { verdict: 'violated', property: 'inode lock balance', states: 12, transitions: 11 },
    'skip-ilock': { verdict: 'holds', states: 10, transitions: 10 },
    'zero-progress': { verdict: 'violated', property: 'append at EOF', states: 7, transitions: 6 },
  };
  for (const v of VARIANTS) {
    const e = expected[v];
    it(`${v}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildBtrfsDioAppend(DEFAULTS, v));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[v]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[v]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it("relock: 939b656bc8ab's story - -EFAULT after i_size_write(1), fault in, goto relock, generic_write_checks() puts ki_pos at 1: a hole at block 0", () => {
    const { r, actors } = run(buildBtrfsDioAppend(DEFAULTS, 'relock'));
    const v = r.violations[0]!;
    assert.equal(v.message, HOLE_AT_0);
    assert.deepEqual(steps(r), [
      'writer.btrfsInodeLock',
      'writer.btrfsDioIomapBegin',
      'writer.bioIovIterGetPages',
      'writer.iomapDioComplete',
      'writer.faultInIovIterReadable',
      'writer.btrfsInodeLock',
      'writer.btrfsDioIomapBegin',
      'writer.bioIovIterGetPages',
      'writer.iomapDioComplete',
    ]);
    assertGolden('btrfs-dio-append-relock.txt', formatTraceText(v.trace, { actors }) + '\n');
    // A buffer that was touched does not trigger it, and the same happens after an existing block (initial=1).
    assert.equal(check(buildBtrfsDioAppend({ ...DEFAULTS, prefault: 1 }, 'relock')).verdict, 'holds');
    assert.equal(
      check(buildBtrfsDioAppend({ ...DEFAULTS, initial: 1 }, 'relock')).violations[0]?.message,
      'write() = 1 appending at i_size 1, but i_size is now 3, block 1 is a hole (expected i_size 2, no hole)',
    );
  });

  it('again: an O_DSYNC write whose fsync needs no logging - out_release_extents unlocks i_rwsem, then btrfs_direct_write() unlocks it again', () => {
    const { r, actors } = run(buildBtrfsDioAppend({ ...DEFAULTS, prefault: 1 }, 'again'));
    const v = r.violations[0]!;
    assert.equal(v.property, 'inode lock balance');
    assert.equal(v.message, 'an inode lock was unlocked while not held (a double unlock: lockdep "bad unlock balance")');
    assert.deepEqual(steps(r), [
      'writer.btrfsInodeLock',
      'writer.btrfsDioIomapBegin',
      'writer.bioIovIterGetPages',
      'writer.iomapDioComplete',
      'writer.btrfsInodeUnlock',
    ]);
    assert.equal(v.trace.steps[3]!.choice, 1);
    assertGolden('btrfs-dio-append-again.txt', formatTraceText(v.trace, { actors }) + '\n');
    // Without O_DSYNC there is no fsync inside iomap_dio_complete(), and 939b656bc8ab holds.
    assert.equal(check(buildBtrfsDioAppend({ ...DEFAULTS, dsync: 0 }, 'again')).verdict, 'holds');
  });

  it('skip-ilock holds for every count, initial size, prefault and O_DSYNC setting without reclaim; relock is violated wherever the buffer starts absent', () => {
    for (const p of allParams(0)) {
      assert.equal(check(buildBtrfsDioAppend(p, 'skip-ilock')).verdict, 'holds', JSON.stringify(p));
      const relock = check(buildBtrfsDioAppend(p, 'relock'));
      assert.equal(relock.verdict, p.prefault ? 'holds' : 'violated', JSON.stringify(p));
    }
  });

  it('skip-ilock with one eviction between the fault-in and the retry: -ENOTBLK, and the buffered fallback appends at the extended i_size (the hole again)', () => {
    const { r } = run(buildBtrfsDioAppend({ ...DEFAULTS, reclaims: 1 }, 'skip-ilock'));
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations[0]!.property, 'append at EOF');
    assert.deepEqual(steps(r), [
      'writer.btrfsInodeLock',
      'writer.btrfsDioIomapBegin',
      'writer.bioIovIterGetPages',
      'writer.iomapDioComplete',
      'writer.faultInIovIterReadable',
      'writer.btrfsDioIomapBegin',
      'reclaim.shrinkFolioList',
      'writer.bioIovIterGetPages',
      'writer.iomapDioComplete',
      'writer.btrfsInodeUnlock',
      'writer.btrfsBufferedWrite',
    ]);
    // A buffer that was touched before the write survives one eviction: the retry's fault-in brings it back.
    for (const p of allParams(1).filter((q) => q.prefault === 1)) assert.equal(check(buildBtrfsDioAppend(p, 'skip-ilock')).verdict, 'holds', JSON.stringify(p));
  });

  it("zero-progress: bc264fea0f6f's iomap_iter() lets btrfs_dio_iomap_end()'s -ENOTBLK through, the write gets 0, skips the fault-in and the buffered fallback leaves the hole without any reclaim", () => {
    const { r, actors } = run(buildBtrfsDioAppend(DEFAULTS, 'zero-progress'));
    const v = r.violations[0]!;
    assert.equal(v.message, HOLE_AT_0);
    // The first attempt of relock's story, then no fault-in: straight to the buffered fallback.
    assert.deepEqual(steps(r), [...steps(run(buildBtrfsDioAppend(DEFAULTS, 'relock')).r).slice(0, 4), 'writer.btrfsInodeUnlock', 'writer.btrfsBufferedWrite']);
    assert.match(v.trace.steps[3]!.label, /iomap_dio_complete\(\) = 0 \(no progress/);
    assertGolden('btrfs-dio-append-zero-progress.txt', formatTraceText(v.trace, { actors }) + '\n');
    // Where the first attempt makes progress (the buffer was touched), 0 never comes back and it holds as skip-ilock does.
    for (const p of allParams(0)) {
      const z = check(buildBtrfsDioAppend(p, 'zero-progress'));
      assert.equal(z.verdict, p.prefault ? 'holds' : 'violated', JSON.stringify(p));
    }
  });

  it('the writer conforms to xstate (with reclaim)', () => {
    for (const v of VARIANTS) {
      assertConformance(buildBtrfsDioAppend({ count: 2, initial: 1, prefault: 0, dsync: 1, reclaims: 1 }, v), { runs: 25, maxSteps: 40 });
    }
  });
});
