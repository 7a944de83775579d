/**
 * The environment actors reclaim, munmap and mprotect (models/actors/): each alone on a tiny world, with
 * state spaces counted by hand, and under xstate's own transition() (assertConformance).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../../checker/index.js';
import { defineMmu, PTE_ABSENT, PTE_PRESENT_RO, PTE_PRESENT_RW, PTE_SWAP, VMA_NONE, VMA_RO, type MmuOptions, type MmuWorld } from '../../../models/index.js';
import { mprotectActor } from '../../../models/actors/mprotect.js';
import { munmapActor } from '../../../models/actors/munmap.js';
import { reclaimActor, reclaimCandidates } from '../../../models/actors/reclaim.js';
import { assertConformance } from '../../checker/conformance.js';

function alone(
  o: MmuOptions,
  make: (m: ReturnType<typeof defineMmu>) => SystemSpec['actors'][number],
  properties: SystemSpec['properties'] = [],
): SystemSpec<MmuWorld> {
  const m = defineMmu(o);
  return { name: 'env', world: m.fields, actors: [make(m)], properties };
}

const counts = (s: SystemSpec) => {
  const r = check(s);
  assert.equal(r.verdict, 'holds');
  return [r.stats.states, r.stats.transitions];
};

describe('models/actors/reclaim.ts', () => {
  it("policy 'any', budget 2, three present pages: 1 + 3 + 3 states, 3 + 6 transitions", () => {
    const s = alone({ pages: 3, unitsPerPage: 1, pte: 'PRESENT_RW' }, (m) => reclaimActor(m, { budget: 2 }));
    assert.deepEqual(counts(s), [7, 9]);
    assertConformance(s, { runs: 30, maxSteps: 5 });
  });

  it('evicts to swap entries with swap, and never a pinned, locked or dirty file folio', () => {
    const m = defineMmu({ pages: 3, unitsPerPage: 1, pte: 'PRESENT_RW', swap: true, pins: 1, pageLock: true });
    const a = reclaimActor(m, { budget: 3 });
    const s: SystemSpec<MmuWorld> = {
      name: 'r',
      world: {
        ...m.fields,
        pte: { ...(m.fields.pte as any), init: [2, 2, 2] },
        folioPins: { ...(m.fields.folioPins as any), init: [1, 0, 0] },
        folioLocked: { ...(m.fields.folioLocked as any), init: [0, 1, 0] },
      },
      actors: [a],
      properties: [invariant('only p2 goes', (st) => st.world.pte[0] === PTE_PRESENT_RW && st.world.pte[1] === PTE_PRESENT_RW)],
    };
    const r = check(s);
    assert.equal(r.verdict, 'holds');
    assert.equal(r.stats.states, 2);
    const file = defineMmu({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RW', backing: 'file', dirty: true });
    const dirty: SystemSpec<MmuWorld> = {
      name: 'd',
      world: { ...file.fields, folioDirty: { ...(file.fields.folioDirty as any), init: [1] } },
      actors: [reclaimActor(file, { budget: 1 })],
      properties: [],
    };
    assert.equal(check(dirty).stats.states, 1);
    const swapped: SystemSpec<MmuWorld> = {
      name: 's',
      world: defineMmu({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RW', swap: true }).fields,
      actors: [reclaimActor(defineMmu({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RW', swap: true }), { budget: 1 })],
      properties: [invariant('never ABSENT', (st) => st.world.pte[0] !== PTE_ABSENT)],
    };
    const rs = check(swapped);
    assert.equal(rs.verdict, 'holds');
    assert.equal(rs.stats.states, 2);
    assert.equal(rs.bounds.length, 0);
    void PTE_SWAP;
  });

  it("candidate pages, large folios once each; policy 'lru' takes only the least recently used", () => {
    const m = defineMmu({ pages: 4, unitsPerPage: 1, folios: [2, 1, 1] });
    assert.deepEqual(Array.from(reclaimCandidates(m, [0, 1, 3])), [0, 2]);
    // lru: initial residents p0, p1 (p1 most recent) with capacity 2: the first eviction must be p0.
    const lru = alone(
      { pages: 3, unitsPerPage: 1, capacity: 2, pte: ['PRESENT_RW', 'PRESENT_RW', 'ABSENT'] },
      (mm) => reclaimActor(mm, { budget: 2, policy: 'lru' }),
      [invariant('p0 goes first', (st) => !(st.world.pte[1] === PTE_ABSENT && st.world.pte[0] !== PTE_ABSENT))],
    );
    assert.deepEqual(counts(lru), [3, 2]);
    assertConformance(lru, { runs: 20, maxSteps: 4 });
    assert.throws(() => reclaimActor(defineMmu({ pages: 2 }), { budget: 1, policy: 'lru' }), /needs an MMU with a capacity/);
    assert.throws(() => reclaimActor(defineMmu({ pages: 2 }), { budget: 1, pages: [2] }), /page 2 is not a page/);
  });

  it('labels name the folio it evicts', () => {
    const s = alone({ pages: 2, unitsPerPage: 1, pte: 'PRESENT_RW', folios: [2] }, (m) => reclaimActor(m, { budget: 1 }), [
      invariant('kept', (st) => st.world.pte[0] !== PTE_ABSENT),
    ]);
    const r = check(s);
    assert.equal(r.violations[0]!.trace.steps[0]!.label, 'shrink_folio_list(): evict p0..p1');
  });
});

describe('models/actors/munmap.ts', () => {
  it('munmap, budget 2 over two mapped pages: 1 + 2 + 1 states', () => {
    const s = alone({ pages: 2, unitsPerPage: 1, pte: 'PRESENT_RW' }, (m) => munmapActor(m, { budget: 2 }));
    assert.deepEqual(counts(s), [4, 4]);
    assertConformance(s, { runs: 20, maxSteps: 4 });
    const r = check({ ...s, properties: [invariant('mapped', (st) => st.world.vma[1] !== VMA_NONE)] });
    assert.equal(r.violations[0]!.trace.steps[0]!.label, 'munmap(p1)');
  });

  it('MADV_DONTNEED zaps the PTE and keeps the VMA', () => {
    const s = alone({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RW' }, (m) => munmapActor(m, { budget: 1, op: 'madvDontneed' }), [
      invariant('mapped', (st) => st.world.pte[0] !== PTE_ABSENT),
    ]);
    const r = check(s);
    const step = r.violations[0]!.trace.steps[0]!;
    assert.equal(step.label, 'madvise(p0, MADV_DONTNEED)');
    assert.deepEqual(
      step.changes.map((c) => c.field),
      ['pte[0]', 'munmap@budget'],
    );
  });

  it('with mmap_lock: queue, take, unmap, unlock; one budget unit per call', () => {
    const s = alone({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RW', mmapLock: { owners: 1 } }, (m) => munmapActor(m, { budget: 1, mmapOwner: 0 }), [
      invariant('mapped', (st) => st.world.vma[0] !== VMA_NONE),
    ]);
    const r = check(s);
    assert.deepEqual(
      r.violations[0]!.trace.steps.map((x) => x.label),
      ['mmap_write_lock(): queued', 'mmap_write_lock(): acquired', 'munmap(p0)'],
    );
    assert.deepEqual(counts({ ...s, properties: [] }), [5, 4]);
    assertConformance({ ...s, properties: [] }, { runs: 20, maxSteps: 6 });
  });
});

describe('models/actors/mprotect.ts', () => {
  it('one page, targets RO and NONE, budget 2: every reachable permission, PTE write-protected', () => {
    const s = alone({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RW' }, (m) => mprotectActor(m, { budget: 2, to: ['NONE', 'RO'] }), [
      invariant('writable', (st) => st.world.vma[0] !== VMA_RO),
    ]);
    const r = check(s);
    const step = r.violations[0]!.trace.steps[0]!;
    assert.equal(step.label, 'mprotect(p0, PROT_READ)');
    assert.equal(r.violations[0]!.trace.states.at(-1)!['pte[0]'], 'PRESENT_RO');
    // (RW,2) -> (NONE,1) | (RO,1); (NONE,1) -> (RO,0); (RO,1) -> (NONE,0): 5 states, 4 transitions.
    assert.deepEqual(counts({ ...s, properties: [] }), [5, 4]);
    assertConformance({ ...s, properties: [] }, { runs: 20, maxSteps: 4 });
    void PTE_PRESENT_RO;
  });

  it('with mmap_lock, three steps per call', () => {
    const s = alone({ pages: 1, unitsPerPage: 1, pte: 'PRESENT_RW', mmapLock: { owners: 1 } }, (m) =>
      mprotectActor(m, { budget: 1, to: ['RO'], mmapOwner: 0 }),
    );
    assert.deepEqual(counts(s), [5, 4]);
    assertConformance(s, { runs: 20, maxSteps: 6 });
  });
});
