/**
 * The stable-pages actors (models/actors/writeback.ts, pinner.ts, dma.ts, releaseFolio.ts) each alone on
 * a one-page file world, with hand-counted state spaces, their option checks, and conformance.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { array, bool, check, int, type ActorSpec, type SystemSpec } from '../../../checker/index.js';
import { dmaActor } from '../../../models/actors/dma.js';
import { pinnerActor } from '../../../models/actors/pinner.js';
import { releaseFolioActor } from '../../../models/actors/releaseFolio.js';
import { writebackActor } from '../../../models/actors/writeback.js';
import { dmaFields } from '../../../models/block/dma.js';
import { defineMmu, type PteName } from '../../../models/index.js';
import { assertConformance } from '../../checker/conformance.js';

const mmu = (pte: PteName = 'PRESENT_RW') =>
  defineMmu({
    pages: 1,
    unitsPerPage: 1,
    backing: 'file',
    pte,
    staticVma: true,
    pageLock: true,
    dirty: true,
    writeback: true,
    buffers: true,
    versions: 3,
    refs: 2,
    pins: 1,
    stableWrites: true,
  });

function alone(m: ReturnType<typeof mmu>, actor: ActorSpec, o: { dirty?: number; ref?: number; mapped?: number } = {}): SystemSpec {
  const world = {
    ...m.fields,
    ...dmaFields(m),
    folioDirty: array(1, bool(), [o.dirty ?? 1]),
    folioBuffers: array(1, bool(), [1]),
    folioRef: array(1, int(0, m.refs), [o.ref ?? 0]),
    dmaMapped: array(1, bool(), [o.mapped ?? 0]),
  };
  return { name: actor.name, world, actors: [actor], properties: [] };
}

function counts(s: SystemSpec): [number, number] {
  const r = check(s);
  assert.equal(r.verdict, 'holds');
  assert.equal(r.stats.terminalStates, 1);
  return [r.stats.states, r.stats.transitions];
}

describe('models/actors/writeback.ts', () => {
  it('one pass over a dirty folio: lock, clear_dirty_for_io, pin check, start, end - 6 states, 5 transitions; 5 and 4 without the check', () => {
    const m = mmu();
    assert.deepEqual(counts(alone(m, writebackActor(m))), [6, 5]);
    assert.deepEqual(counts(alone(m, writebackActor(m, { pinCheck: 'none' }))), [5, 4]);
    assertConformance(alone(m, writebackActor(m, { passes: 2 })), { runs: 20, maxSteps: 12 });
  });

  it('a clean folio: write_cache_pages() finds nothing (2 states); a second pass after a write-back finds it clean (7 states)', () => {
    const m = mmu();
    assert.deepEqual(counts(alone(m, writebackActor(m), { dirty: 0 })), [2, 1]);
    assert.deepEqual(counts(alone(m, writebackActor(m, { passes: 2 }))), [7, 6]);
  });

  it('rejects an anonymous folio and a world without the folio flags', () => {
    assert.throws(() => writebackActor(defineMmu({ pages: 1, pageLock: true, dirty: true, writeback: true })), /file folio/);
    assert.throws(() => writebackActor(defineMmu({ pages: 1, backing: 'file' })), /pageLock, dirty and writeback/);
  });
});

describe('models/actors/pinner.ts', () => {
  it("pinFromRef 'allowed': pin_user_page(), unpin, put_page - 4 states; 'forbidden' through a writable PTE: the same 4", () => {
    const m = mmu();
    assert.deepEqual(counts(alone(m, pinnerActor(m, { pinFromRef: 'allowed', holdsRef: true }), { ref: 1 })), [4, 3]);
    assert.deepEqual(counts(alone(m, pinnerActor(m, { pinFromRef: 'forbidden', holdsRef: true }), { ref: 1 })), [4, 3]);
    assertConformance(alone(m, pinnerActor(m, { pinFromRef: 'allowed', holdsRef: true }), { ref: 1 }), { runs: 10, maxSteps: 6 });
  });

  it("gupFast 'steps': read PTE, +1 ref, pin, re-check, unpin - 6 states; on a read-only PTE: slow path through ->page_mkwrite() - 4", () => {
    const m = mmu();
    assert.deepEqual(counts(alone(m, pinnerActor(m, { pinFromRef: 'forbidden', holdsRef: false, gupFast: 'steps' }))), [6, 5]);
    const ro = mmu('PRESENT_RO');
    assert.deepEqual(counts(alone(ro, pinnerActor(ro, { pinFromRef: 'forbidden', holdsRef: false, gupFast: 'steps' }), { dirty: 0 })), [4, 3]);
    assert.deepEqual(counts(alone(ro, pinnerActor(ro, { pinFromRef: 'forbidden', holdsRef: false }), { dirty: 0 })), [3, 2]);
    assertConformance(alone(m, pinnerActor(m, { pinFromRef: 'forbidden', holdsRef: false, gupFast: 'steps', recheck: true })), { runs: 10, maxSteps: 8 });
  });

  it('FOLL_LONGTERM on a file mapping: GUP-fast falls back, the slow path refuses with -EFAULT (2 states)', () => {
    const m = mmu();
    const a = pinnerActor(m, { pinFromRef: 'forbidden', holdsRef: false, longterm: true });
    assert.deepEqual(counts(alone(m, a)), [2, 1]);
    const r = check(alone(m, a));
    assert.equal(r.stats.depth, 1);
  });

  it('rejects pin_user_page() without a reference and GUP-fast steps with pin_user_page()', () => {
    const m = mmu();
    assert.throws(() => pinnerActor(m, { pinFromRef: 'allowed', holdsRef: false }), /needs a reference/);
    assert.throws(() => pinnerActor(m, { pinFromRef: 'allowed', holdsRef: true, gupFast: 'steps' }), /'steps' is for pinFromRef 'forbidden'/);
    assert.throws(() => pinnerActor(defineMmu({ pages: 1, backing: 'file' }), { pinFromRef: 'forbidden', holdsRef: false }), /pins >= 1/);
  });
});

describe('models/actors/dma.ts and releaseFolio.ts', () => {
  it('the device writes a mapped folio once per budget unit (3 states for budget 2), never an unmapped one (1 state)', () => {
    const m = mmu();
    assert.deepEqual(counts(alone(m, dmaActor(m, { budget: 2 }), { mapped: 1 })), [3, 2]);
    assert.deepEqual(counts(alone(m, dmaActor(m, { budget: 2 }))), [1, 0]);
    assertConformance(alone(m, dmaActor(m, { budget: 2 }), { mapped: 1 }), { runs: 10, maxSteps: 4 });
  });

  it('buffers go from a clean unlocked folio (2 states), not from a dirty one (1 state)', () => {
    const m = mmu('PRESENT_RO');
    assert.deepEqual(counts(alone(m, releaseFolioActor(m, { budget: 1 }), { dirty: 0 })), [2, 1]);
    assert.deepEqual(counts(alone(m, releaseFolioActor(m, { budget: 1 }))), [1, 0]);
    assertConformance(alone(m, releaseFolioActor(m, { budget: 1 }), { dirty: 0 }), { runs: 5, maxSteps: 3 });
  });
});
