/**
 * The FOLL_LONGTERM fragment (models/gup/longterm.ts) against a brute-force reference written from
 * mm/gup.c, mm/swap.c and mm/vmscan.c: a folio is isolated only from an LRU list, a drain moves a batched
 * folio onto it, migration leaves CMA, and "no longterm pin in CMA" is exactly "returned, pinned, in CMA".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  defineLongterm,
  folioIsLongtermPinnable,
  folioIsolateLru,
  folioPutbackLru,
  LT_ISOLATED,
  LT_LRU_NAMES,
  LT_PINNER,
  lruAddDrainAll,
  migrateLongtermFolio,
  type LongtermWorld,
} from '../../../models/gup/longterm.js';
import { plainWorld } from '../../checker/conformance.js';

type Op = 'drain' | 'isolateOther' | 'isolatePinner' | 'putback' | 'migrate';

describe('models/gup/longterm.ts', () => {
  it('starts in CMA, unpinned, in the LRU state asked for; cannot start isolated', () => {
    const w = plainWorld(defineLongterm({ lru: 'BATCH' }).fields) as unknown as LongtermWorld;
    assert.deepEqual([w.ltZone, LT_LRU_NAMES[w.ltLru], w.ltPins], [0, 'BATCH', 0]);
    assert.throws(() => defineLongterm({ lru: 'ISOLATED' }), /cannot start ISOLATED/);
  });

  it('LRU moves follow the reference for any sequence of operations', () => {
    const start = fc.constantFrom('LRU', 'BATCH', 'NONE') as fc.Arbitrary<'LRU' | 'BATCH' | 'NONE'>;
    const ops = fc.array(fc.constantFrom<Op>('drain', 'isolateOther', 'isolatePinner', 'putback', 'migrate'), { maxLength: 12 });
    fc.assert(
      fc.property(start, ops, (lru, seq) => {
        const w = plainWorld(defineLongterm({ lru }).fields) as unknown as LongtermWorld;
        let ref = { lru: lru as string, cma: true };
        for (const op of seq) {
          if (op === 'putback' && ref.lru !== 'ISOLATED' && ref.lru !== 'PINNER') continue; // only the isolator puts back
          if (op === 'migrate' && ref.lru !== 'PINNER') continue; // migrate_pages() takes the pinner's list
          let got: boolean | undefined;
          if (op === 'drain') lruAddDrainAll(w);
          else if (op === 'isolateOther') got = folioIsolateLru(w, LT_ISOLATED);
          else if (op === 'isolatePinner') got = folioIsolateLru(w, LT_PINNER);
          else if (op === 'putback') folioPutbackLru(w);
          else migrateLongtermFolio(w);
          const onLru = ref.lru === 'LRU';
          if (op === 'drain') ref = { ...ref, lru: ref.lru === 'BATCH' ? 'LRU' : ref.lru };
          else if (op === 'isolateOther' || op === 'isolatePinner') {
            assert.equal(got, onLru);
            if (onLru) ref = { ...ref, lru: op === 'isolateOther' ? 'ISOLATED' : 'PINNER' };
          } else if (op === 'putback') ref = { ...ref, lru: 'LRU' };
          else ref = { lru: 'LRU', cma: false };
          assert.equal(LT_LRU_NAMES[w.ltLru], ref.lru, op);
          assert.equal(folioIsLongtermPinnable(w), !ref.cma);
        }
      }),
    );
  });
});
