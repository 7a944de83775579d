/**
 * The resident set (models/mmu/lru.ts) under random faults, reclaim, zaps, references and migrations,
 * against a reference LRU list kept by the test: the capacity is never exceeded, the LRU holds exactly the
 * resident pages, a fault evicts the least recently used evictable page, and VM_FAULT_OOM comes exactly
 * when nothing can be evicted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  FAULT_DONE,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_WRITE,
  FAULT_OOM,
  defineMmu,
  getPage,
  handleMmFault,
  handleMmFaultOutcome,
  migrateFolioFinish,
  migrateFolioStart,
  migrateFolioStartOk,
  ptePresent,
  pteResident,
  putPage,
  reclaimFolio,
  reclaimFolioOk,
  residentCount,
  zapPage,
  type BackingName,
} from '../../../models/index.js';
import { bothWorlds } from '../helpers.js';

type Op =
  | { readonly k: 'fault'; readonly p: number; readonly write: boolean }
  | { readonly k: 'reclaim' | 'get' | 'put' | 'migStart' | 'migFinish'; readonly p: number }
  | { readonly k: 'zap'; readonly p: number };

const arbOp = (P: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({ k: fc.constant('fault' as const), p: fc.integer({ min: 0, max: P - 1 }), write: fc.boolean() }),
    fc.record({
      k: fc.constantFrom('reclaim' as const, 'get' as const, 'put' as const, 'migStart' as const, 'migFinish' as const, 'zap' as const),
      p: fc.integer({ min: 0, max: P - 1 }),
    }),
  );

const arbCase = fc.integer({ min: 1, max: 4 }).chain((P) =>
  fc.record({
    P: fc.constant(P),
    C: fc.integer({ min: 1, max: P }),
    backing: fc.array(fc.constantFrom<BackingName>('anon', 'file'), { minLength: P, maxLength: P }),
    ops: fc.array(arbOp(P), { maxLength: 25 }),
  }),
);

describe('models/mmu/lru.ts', () => {
  it('capacity holds, the LRU is the resident set in recency order, and the victim is the least recently used evictable page', () => {
    fc.assert(
      fc.property(arbCase, ({ P, C, backing, ops }) => {
        const m = defineMmu({ pages: P, unitsPerPage: 1, capacity: C, backing, refs: 1, swap: true, migration: true });
        for (const w of bothWorlds(m.fields)) {
          const lru: number[] = []; // the reference, most recent first
          const evictable = (q: number): boolean => ptePresent(w.pte[q]!) && w.folioRef![q] === 0;
          for (const op of ops) {
            const p = op.p;
            if (op.k === 'fault') {
              const flags = FAULT_FLAG_DEFAULT | (op.write ? FAULT_FLAG_WRITE : 0);
              const o = handleMmFaultOutcome(w, m, p, flags);
              const wasResident = pteResident(w.pte[p]!);
              const wasSatisfied = ptePresent(w.pte[p]!) && (!op.write || w.pte[p] === 2);
              let victim = -1;
              if (!wasResident && lru.length === C) {
                for (let i = lru.length - 1; i >= 0 && victim < 0; i--) if (evictable(lru[i]!)) victim = lru[i]!;
                assert.equal(o === FAULT_OOM, victim < 0, 'OOM iff nothing is evictable');
              }
              if (o !== FAULT_DONE && o !== FAULT_OOM) continue; // waits (migration) are not applied
              handleMmFault(w, m, p, flags, -1);
              if (o === FAULT_OOM || wasSatisfied) continue;
              if (victim >= 0) {
                lru.splice(lru.indexOf(victim), 1);
                assert.equal(pteResident(w.pte[victim]!), false, `p${victim} was evicted`);
              }
              if (wasResident) lru.splice(lru.indexOf(p), 1);
              lru.unshift(p);
            } else if (op.k === 'reclaim') {
              if (!reclaimFolioOk(w, m, p)) continue;
              reclaimFolio(w, m, p);
              lru.splice(lru.indexOf(p), 1);
            } else if (op.k === 'zap') {
              zapPage(w, m, p);
              if (lru.includes(p)) lru.splice(lru.indexOf(p), 1);
            } else if (op.k === 'get') {
              if (w.folioRef![p] === 0) getPage(w, m, p);
            } else if (op.k === 'put') {
              if (w.folioRef![p] === 1) putPage(w, m, p);
            } else if (op.k === 'migStart') {
              if (migrateFolioStartOk(w, m, p)) migrateFolioStart(w, m, p);
            } else if (pteResident(w.pte[p]!) && !ptePresent(w.pte[p]!)) {
              migrateFolioFinish(w, m, p);
            }
            assert.deepEqual(Array.from(w.lru!), [...lru.map((q) => q + 1), ...new Array<number>(C - lru.length).fill(0)]);
            let resident = 0;
            for (let q = 0; q < P; q++) {
              assert.equal(pteResident(w.pte[q]!), lru.includes(q), `p${q} resident iff in the LRU`);
              if (pteResident(w.pte[q]!)) resident++;
            }
            assert.ok(resident <= C);
            assert.equal(residentCount(w, m), resident);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the whole-buffer fault-in shape: faulting in p0, p1, p2 with capacity 2 evicts p0 again', () => {
    const m = defineMmu({ pages: 3, unitsPerPage: 1, capacity: 2 });
    for (const w of bothWorlds(m.fields)) {
      for (const p of [0, 1, 2]) assert.equal(handleMmFault(w, m, p, FAULT_FLAG_DEFAULT, -1), FAULT_DONE);
      assert.deepEqual(Array.from(w.pte), [0, 2, 2]);
      assert.deepEqual(Array.from(w.lru!), [3, 2]);
    }
  });
});
