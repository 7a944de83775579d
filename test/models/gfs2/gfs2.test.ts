/**
 * The gfs2 buffered read and write actors (models/gfs2/read.ts, write.ts) alone on tiny worlds:
 * exact state counts, the value each run returns, and conformance with xstate's transition(); a fault on
 * another file's glock (faultGlock). The scenario's glock cases are in test/scenarios/gfs2-mmap-deadlock.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../../checker/index.js';
import { gfs2ReadActor, type Gfs2ReadOptions } from '../../../models/gfs2/read.js';
import { faultInWindow } from '../../../models/gfs2/window.js';
import { gfs2WriteActor, type Gfs2WriteOptions } from '../../../models/gfs2/write.js';
import { defineGlock, noRecursiveGlock } from '../../../models/gfs2/glock.js';
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

describe('models/gfs2/read.ts', () => {
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

  it('should_fault_in_pages(): fixed1 (v5.16 - v5.17) takes the offset from the user pointer, shrinking (v5.18+, 324d116c5a5c) from ki_pos', () => {
    // 2 units per page; file position 0, user pointer 1 (a buffer that starts mid-page): 3 units left, no progress yet.
    assert.equal(faultInWindow('fixed1', 8, 2, 3, 0, 0, 1), 1, 'one page less offset_in_page(iov_base + iov_offset)');
    assert.equal(faultInWindow('shrinking', 8, 2, 3, 0, 3, 1), 2, 'one page (no progress) less offset_in_page(ki_pos)');
    assert.equal(faultInWindow('fixed1', 8, 2, 3, 1, 0, 0), 2, 'the file offset does not matter to fixed1');
    assert.equal(faultInWindow('shrinking', 8, 2, 3, 1, 3, 0), 1);
    assert.equal(faultInWindow('whole', 8, 2, 3, 1, 3, 1), 3);
    // The read over such a buffer still returns everything, one user page per round.
    const m = defineMmu({ pages: 2, unitsPerPage: 2, staticVma: true });
    const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 1, len: 3 }], warn: false });
    const s: SystemSpec = {
      name: 'r',
      world: { ...m.fields, ...to.fields },
      actors: [gfs2ReadActor(m, to, { faults: 'disabled', window: 'fixed1' })],
      properties: [],
    };
    assert.deepEqual(outcomes(s, 'read').ends, ['done 3']);
    assertConformance(s, { runs: 20, maxSteps: 12 });
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

describe('models/gfs2/write.ts', () => {
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

describe('models/gfs2/fault.ts: the fault takes the glock of the file the buffer maps (faultGlock)', () => {
  /** One actor, faults enabled, buf = mmap(G) of one page while the syscall works on F. */
  function crossed(kind: 'read' | 'write'): SystemSpec {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', staticVma: true });
    const mode = kind === 'read' ? ('SH' as const) : ('EX' as const);
    const gF = defineGlock({ prefix: 'glockF', display: 'F', holders: [{ name: `CPU0:${mode}`, owner: 'CPU0', state: mode }] });
    const gG = defineGlock({
      prefix: 'glockG',
      display: 'G',
      holders: [
        { name: 'CPU0/gfs2_fault:SH', owner: 'CPU0', state: 'SH' },
        ...(kind === 'read' ? [{ name: 'CPU0/gfs2_page_mkwrite:EX', owner: 'CPU0', state: 'EX' as const }] : []),
      ],
    });
    const glock = {
      glock: gF,
      holder: `CPU0:${mode}`,
      faultGlock: gG,
      faultHolder: 'CPU0/gfs2_fault:SH',
      ...(kind === 'read' ? { mkwriteHolder: 'CPU0/gfs2_page_mkwrite:EX' } : {}),
    };
    const it = defineIovIter(m, 'buf', { type: 'UBUF', dir: kind === 'read' ? 'DEST' : 'SOURCE', segments: [{ base: 0, len: 1 }], warn: false });
    const actor = kind === 'read' ? gfs2ReadActor(m, it, { faults: 'enabled', glock }) : gfs2WriteActor(m, it, { faults: 'enabled', glock });
    return { name: kind, world: { ...m.fields, ...it.fields, ...gF.fields, ...gG.fields }, actors: [actor], properties: [noRecursiveGlock([gF, gG])] };
  }

  // The read's copy_to_user() is a write fault: do_shared_fault() runs gfs2_fault() (SH) and then
  // gfs2_page_mkwrite() (EX) - two more steps and states than the write's read fault (7 / 6 before
  // gfs2_page_mkwrite() was modelled, for both).
  for (const [kind, field, copy, counts] of [
    ['read', 'read', 'generic_file_read_iter(): copy_to_user() copies 0, #PF at p0', [9, 8]],
    ['write', 'written', 'iomap_write_iter(): iov_iter_fault_in_readable(): #PF at p0', [7, 6]],
  ] as const) {
    it(`${kind}: its own glock F, then G in gfs2_fault()${kind === 'read' ? ' and gfs2_page_mkwrite()' : ''} - no recursion; the labels name the glocks`, () => {
      const s = crossed(kind);
      const all = check(s);
      assert.equal(all.verdict, 'holds');
      assert.deepEqual([all.stats.states, all.stats.transitions], counts);
      const run = check({ ...s, properties: [invariant('running', (v) => !v.actors[0]!.final)] });
      const trace = run.violations[0]!.trace;
      const mode = kind === 'read' ? 'SH' : 'EX';
      assert.deepEqual(
        trace.steps.map((x) => x.label),
        [
          `gfs2_glock_nq(F, ${mode}): granted`,
          copy,
          'handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(G, SH): granted',
          'filemap_fault(); gfs2_glock_dq()',
          ...(kind === 'read'
            ? [
                'do_shared_fault() -> gfs2_page_mkwrite(): gfs2_glock_nq(G, EX): granted',
                'gfs2_page_mkwrite(): gfs2_glock_dq(), set_page_dirty(); finish_fault(): PTE writable',
              ]
            : []),
          kind === 'read' ? 'generic_file_read_iter(): copy_to_user() copies 1' : 'iomap_write_iter(): copies 1',
          `gfs2_glock_dq(); return ${field}`,
        ],
      );
      assert.equal(trace.states.at(-1)![`CPU0.${field}`], '1');
      assertConformance(s, { runs: 20, maxSteps: 12 });
    });
  }

  /** read(F) into buf = mmap(`mapped`) whose one page is mapped read-only (a user read faulted it in). */
  function readIntoReadOnlyPte(mapped: 'F' | 'G'): SystemSpec {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', pte: 'PRESENT_RO', staticVma: true });
    const fault = [
      { name: 'CPU0/gfs2_fault:SH', owner: 'CPU0', state: 'SH' as const },
      { name: 'CPU0/gfs2_page_mkwrite:EX', owner: 'CPU0', state: 'EX' as const },
    ];
    const gF = defineGlock({ prefix: 'glockF', display: 'F', holders: [{ name: 'CPU0:SH', owner: 'CPU0', state: 'SH' }, ...(mapped === 'F' ? fault : [])] });
    const gG = defineGlock({ prefix: 'glockG', display: 'G', holders: fault });
    const fg = mapped === 'F' ? gF : gG;
    const glock = { glock: gF, holder: 'CPU0:SH', faultGlock: fg, faultHolder: 'CPU0/gfs2_fault:SH', mkwriteHolder: 'CPU0/gfs2_page_mkwrite:EX' };
    const it = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 1 }], warn: false });
    return {
      name: 'wp',
      world: { ...m.fields, ...it.fields, ...gF.fields, ...(mapped === 'G' ? gG.fields : {}) },
      actors: [gfs2ReadActor(m, it, { faults: 'enabled', glock })],
      properties: [noRecursiveGlock(mapped === 'G' ? [gF, gG] : gF)],
    };
  }

  it('a write fault on a present read-only PTE skips gfs2_fault(): do_wp_page() -> wp_page_shared() -> gfs2_page_mkwrite(), finish_mkwrite_fault()', () => {
    const s = readIntoReadOnlyPte('G');
    assert.equal(check(s).verdict, 'holds');
    const run = check({ ...s, properties: [invariant('running', (v) => !v.actors[0]!.final)] });
    assert.deepEqual(
      run.violations[0]!.trace.steps.map((x) => x.label),
      [
        'gfs2_glock_nq(F, SH): granted',
        'generic_file_read_iter(): copy_to_user() copies 0, #PF at p0',
        'handle_mm_fault(p0) -> wp_page_shared() -> gfs2_page_mkwrite(): gfs2_glock_nq(G, EX): granted',
        'gfs2_page_mkwrite(): gfs2_glock_dq(), set_page_dirty(); finish_mkwrite_fault(): PTE writable',
        'generic_file_read_iter(): copy_to_user() copies 1',
        'gfs2_glock_dq(); return read',
      ],
    );
    assertConformance(s, { runs: 20, maxSteps: 12 });
  });

  it("same file, PTE read-only: gfs2_page_mkwrite()'s EX is the recursive request that hits BUG()", () => {
    const r = check(readIntoReadOnlyPte('F'));
    assert.equal(r.violations[0]!.property, 'no recursive glock');
    assert.deepEqual(
      r.violations[0]!.trace.steps.map((x) => x.label),
      [
        'gfs2_glock_nq(SH): granted',
        'generic_file_read_iter(): copy_to_user() copies 0, #PF at p0',
        'handle_mm_fault(p0) -> wp_page_shared() -> gfs2_page_mkwrite(): gfs2_glock_nq(EX): recursive -> BUG()',
      ],
    );
  });

  it('the read with faults enabled needs the EX mkwriteHolder; the write takes none', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', staticVma: true });
    const g = defineGlock({
      holders: [
        { name: 'CPU0:SH', owner: 'CPU0', state: 'SH' },
        { name: 'CPU0:EX', owner: 'CPU0', state: 'EX' },
        { name: 'f', owner: 'CPU0', state: 'SH' },
        { name: 'mk', owner: 'CPU0', state: 'EX' },
      ],
    });
    const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 1 }], warn: false });
    const from = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 1 }], warn: false });
    assert.throws(() => gfs2ReadActor(m, to, { faults: 'enabled', glock: { glock: g, holder: 'CPU0:SH', faultHolder: 'f' } }), /needs the mkwriteHolder/);
    assert.throws(
      () => gfs2ReadActor(m, to, { faults: 'enabled', glock: { glock: g, holder: 'CPU0:SH', faultHolder: 'f', mkwriteHolder: 'f' } }),
      /gfs2_page_mkwrite\(\) takes the glock in EX, not 'f'/,
    );
    assert.throws(
      () => gfs2WriteActor(m, from, { faults: 'enabled', glock: { glock: g, holder: 'CPU0:EX', faultHolder: 'f', mkwriteHolder: 'mk' } }),
      /a read fault, which runs no gfs2_page_mkwrite\(\)/,
    );
  });

  it('a faultGlock needs its faultHolder', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, staticVma: true });
    const it = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 1 }], warn: false });
    const gF = defineGlock({ prefix: 'glockF', display: 'F', holders: [{ name: 'CPU0:EX', owner: 'CPU0', state: 'EX' }] });
    const gG = defineGlock({ prefix: 'glockG', display: 'G', holders: [{ name: 'x', owner: 'CPU0', state: 'SH' }] });
    assert.throws(
      () => gfs2WriteActor(m, it, { faults: 'disabled', glock: { glock: gF, holder: 'CPU0:EX', faultGlock: gG } }),
      /faultGlock needs the faultHolder/,
    );
    assert.throws(
      () => gfs2WriteActor(m, it, { faults: 'disabled', glock: { glock: gF, holder: 'CPU0:EX', faultGlock: gG, faultHolder: 'y' } }),
      /no holder named 'y'/,
    );
  });
});

describe("models/gfs2/write.ts, faults enabled: the label names v5.15 iomap_write_iter()'s pre-fault", () => {
  it('[RW, RW, NONE]: copies up to the unmapped page, where iov_iter_fault_in_readable() fails', () => {
    const s = writer({ faults: 'enabled' });
    const run = check({ ...s, properties: [invariant('running', (v) => !v.actors[0]!.final)] });
    assert.deepEqual(
      run.violations[0]!.trace.steps.map((x) => x.label),
      [
        'iomap_write_iter(): iov_iter_fault_in_readable(): #PF at p0',
        'handle_mm_fault()',
        'iomap_write_iter(): copies 1, then iov_iter_fault_in_readable(): #PF at p1',
        'handle_mm_fault()',
        'iomap_write_iter(): copies 1, then iov_iter_fault_in_readable(): -EFAULT',
      ],
    );
  });
});
