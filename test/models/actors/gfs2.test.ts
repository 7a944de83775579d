/**
 * The gfs2 buffered read and write actors (models/actors/gfs2Read.ts, gfs2Write.ts) alone on tiny worlds:
 * exact state counts, the value each run returns, and conformance with xstate's transition(). The glock
 * cases are in test/scenarios/gfs2-mmap-deadlock.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../../checker/index.js';
import { gfs2ReadActor, type Gfs2ReadOptions } from '../../../models/actors/gfs2Read.js';
import { gfs2WriteActor, type Gfs2WriteOptions } from '../../../models/actors/gfs2Write.js';
import { defineIovIter, defineMmu, type VmaName } from '../../../models/index.js';
import { assertConformance } from '../../checker/conformance.js';

const vma: VmaName[] = ['RW', 'RW', 'NONE'];

function reader(o: Gfs2ReadOptions): SystemSpec {
  const m = defineMmu({ pages: 3, unitsPerPage: 1, vma, staticVma: true });
  const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 3 }], warn: false });
  return { name: 'r', world: { ...m.fields, ...to.fields }, actors: [gfs2ReadActor(m, to, o)], properties: [] };
}

function writer(o: Gfs2WriteOptions): SystemSpec {
  const m = defineMmu({ pages: 3, unitsPerPage: 1, vma, staticVma: true });
  const from = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 3 }], warn: false });
  return { name: 'w', world: { ...m.fields, ...from.fields }, actors: [gfs2WriteActor(m, from, o)], properties: [] };
}

/** The final states and results of every run. */
function outcomes(s: SystemSpec, field: string): { states: number; transitions: number; ends: string[] } {
  const r = check({ ...s, properties: [invariant('running', (v) => !v.actors[0]!.final)] }, { stopAtFirstViolation: true });
  const all = check(s);
  assert.equal(all.verdict, 'holds');
  const end = r.violations[0]!.trace.states.at(-1)!;
  return { states: all.stats.states, transitions: all.stats.transitions, ends: [`${end['CPU0@state']} ${end[`CPU0.${field}`]}`] };
}

describe('models/actors/gfs2Read.ts', () => {
  it('nofault retry, [RW, RW, NONE]: returns the 2 accessible pages with every window policy', () => {
    // shrinking and whole: the copy with p0 and p1 accessible of three may stop after 1 or 2 (inexact), one more state.
    const expect: Record<string, [number, number]> = { shrinking: [7, 7], whole: [7, 7], fixed1: [7, 6] };
    for (const window of ['shrinking', 'whole', 'fixed1'] as const) {
      const s = reader({ faults: 'disabled', window });
      const o = outcomes(s, 'read');
      assert.deepEqual([o.states, o.transitions], expect[window], window);
      assert.deepEqual(o.ends, ['done 2'], window);
      assertConformance(s, { runs: 20, maxSteps: 12 });
    }
  });

  it('faults enabled, no glock: the copy faults the pages in as it goes and stops at the unmapped page', () => {
    const s = reader({ faults: 'enabled' });
    const o = outcomes(s, 'read');
    assert.deepEqual(o.ends, ['done 2']);
    assert.deepEqual([o.states, o.transitions], [6, 5]);
    assertConformance(s, { runs: 20, maxSteps: 12 });
  });

  it('stops at EOF (fileUnits) and validates its options', () => {
    assert.deepEqual(outcomes(reader({ faults: 'disabled', fileUnits: 1 }), 'read').ends, ['done 1']);
    assert.throws(() => reader({ faults: 'disabled', window: 'half' as 'whole' }), /window 'half'/);
    const m = defineMmu({ pages: 1 });
    const from = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 1 }] });
    assert.throws(() => gfs2ReadActor(m, from, { faults: 'disabled' }), /ITER_DEST/);
  });
});

describe('models/actors/gfs2Write.ts', () => {
  it('nofault retry, [RW, RW, NONE]: prefault, clip, write; returns the 2 accessible pages', () => {
    const expect: Record<string, [number, number]> = { shrinking: [4, 3], fixed1: [6, 5] };
    for (const window of ['shrinking', 'fixed1'] as const) {
      const s = writer({ faults: 'disabled', window });
      const o = outcomes(s, 'written');
      assert.deepEqual([o.states, o.transitions], expect[window], window);
      assert.deepEqual(o.ends, ['done 2'], window);
      assertConformance(s, { runs: 20, maxSteps: 12 });
    }
  });

  it('faults enabled, no glock: returns 2', () => {
    const s = writer({ faults: 'enabled' });
    assert.deepEqual(outcomes(s, 'written').ends, ['done 2']);
    assertConformance(s, { runs: 20, maxSteps: 12 });
  });

  it('a buffer with nothing accessible: -EFAULT', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, vma: 'NONE', staticVma: true });
    const from = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 1 }], warn: false });
    const s: SystemSpec = { name: 'w', world: { ...m.fields, ...from.fields }, actors: [gfs2WriteActor(m, from, { faults: 'disabled' })], properties: [] };
    assert.deepEqual(outcomes(s, 'written').ends, ['efault 0']);
  });
});
