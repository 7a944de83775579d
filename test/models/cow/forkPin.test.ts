/**
 * The fork() / FOLL_PIN fragment (models/cow/forkPin.ts) against a reference written from mm/memory.c in
 * terms of reference counts: folios with a map count, a pin count and PageAnonExclusive; do_wp_page()
 * reuses an exclusive folio, or one whose references are the parent's mapping alone, and copies otherwise.
 * The shared zero page is a folio that is never anonymous: do_wp_page() always replaces it with a fresh
 * exclusive page, fork() only copies its PTE, GUP-fast refuses it, and only a R/O FOLL_LONGTERM pin with
 * v6.2's COW-mapping unshare must unshare it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  copyPresentPteShare,
  copyPresentPteShares,
  forkDoWpPage,
  forkPinFields,
  gupFastPteOk,
  pinParentFolio,
  unpin,
  type ForkPinWorld,
} from '../../../models/cow/forkPin.js';
import { forkPinMustUnshare } from '../../../models/actors/forkPin.js';
import { engineWorld, plainWorld } from '../helpers.js';

interface RefFolio {
  maps: number;
  pins: number;
  exclusive: boolean;
}
type Name = 'A' | 'COPY' | 'ZERO';
interface Ref {
  folios: Record<Name, RefFolio>;
  parent: Name;
  writable: boolean;
  pinned: Name | null;
}
const refNew = (zero: boolean): Ref => ({
  folios: {
    A: { maps: zero ? 0 : 1, pins: 0, exclusive: !zero },
    COPY: { maps: 0, pins: 0, exclusive: true },
    // the zero page: mapped everywhere, never anonymous, never exclusive
    ZERO: { maps: zero ? 1 : 0, pins: 0, exclusive: false },
  },
  parent: zero ? 'ZERO' : 'A',
  writable: !zero,
  pinned: null,
});

function refWp(r: Ref, unshare: boolean): void {
  const f = r.folios[r.parent];
  if (r.parent === 'ZERO') {
    // wp_page_copy(): a fresh zeroed anonymous page, folio_add_new_anon_rmap(RMAP_EXCLUSIVE)
    f.maps--;
    r.folios.A = { maps: 1, pins: 0, exclusive: true };
    r.parent = 'A';
  } else if (!f.exclusive) {
    if (f.maps + f.pins === 1) f.exclusive = true;
    else {
      f.maps--;
      r.folios.COPY.maps++;
      r.parent = 'COPY';
    }
  }
  if (!unshare) r.writable = true;
}

function refForkShares(r: Ref): boolean {
  const f = r.folios[r.parent];
  return r.parent === 'A' && !(f.pins > 0 && f.exclusive);
}

/** gup_must_unshare() as 84209e87c696 wrote it: anonymous pages by PageAnonExclusive; others only for a R/O long-term pin in a COW mapping. */
function refMustUnshare(r: Ref, o: { write: boolean; unshare: boolean; longterm: boolean; cowUnshare: boolean }): boolean {
  if (o.write) return false;
  const anon = r.parent !== 'ZERO';
  if (!anon) return o.longterm && o.cowUnshare;
  return o.unshare && !r.folios[r.parent].exclusive;
}

function same(w: ForkPinWorld, r: Ref): void {
  assert.equal(w.fpParentFolio, ['A', 'COPY', 'ZERO'].indexOf(r.parent));
  assert.equal(w.fpPte, r.writable ? 1 : 0);
  assert.equal(w.fpChildMapsA, r.folios.A.maps - (r.parent === 'A' ? 1 : 0));
  assert.equal(w.fpAExclusive, r.folios.A.exclusive ? 1 : 0);
  assert.equal(w.fpPinned, r.pinned === null ? 0 : ['A', 'COPY', 'ZERO'].indexOf(r.pinned) + 1);
}

describe('models/cow/forkPin.ts', () => {
  it('agrees with the reference-count reference on random fork / pin / fault sequences, in both world representations', () => {
    const op = fc.constantFrom('fork', 'pin', 'unpin', 'write', 'unshare', 'gupFastW', 'gupFastR', 'mustUnshare');
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), fc.boolean(), fc.boolean(), (ops, engine, zero) => {
        const fields = forkPinFields({ start: zero ? 'zero-page' : 'written' });
        const w = (engine ? engineWorld(fields) : plainWorld(fields)) as unknown as ForkPinWorld;
        const r = refNew(zero);
        let forked = false;
        for (const o of ops) {
          if (o === 'fork') {
            if (forked) continue;
            forked = true;
            const shares = refForkShares(r);
            assert.equal(copyPresentPteShares(w), shares);
            if (shares) {
              copyPresentPteShare(w);
              r.folios.A.maps++;
              r.folios.A.exclusive = false;
              r.writable = false;
            }
          } else if (o === 'pin') {
            if (r.pinned) continue;
            pinParentFolio(w);
            r.pinned = r.parent;
            r.folios[r.parent].pins++;
          } else if (o === 'unpin') {
            if (!r.pinned) continue;
            unpin(w);
            r.folios[r.pinned].pins--;
            r.pinned = null;
          } else if (o === 'write' || o === 'unshare') {
            forkDoWpPage(w, o === 'unshare');
            refWp(r, o === 'unshare');
          } else if (o === 'mustUnshare') {
            for (const write of [false, true])
              for (const unshare of [false, true])
                for (const longterm of [false, true])
                  for (const cowUnshare of longterm ? [false, true] : [false]) {
                    const opts = { write, unshare, longterm, cowUnshare, seqcount: true };
                    assert.equal(forkPinMustUnshare(w, opts), refMustUnshare(r, opts), JSON.stringify(opts));
                  }
          } else {
            const f = r.folios[r.parent];
            // GUP-fast never takes the zero page (pte_special())
            const special = r.parent === 'ZERO';
            assert.equal(gupFastPteOk(w, o === 'gupFastW', true), !special && (o === 'gupFastW' ? r.writable : f.exclusive || r.parent === 'COPY'));
            assert.equal(gupFastPteOk(w, false, false), !special);
          }
          same(w, r);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the zero page: fork() leaves every field alone, a pin of it is left behind by the first store, an unshare fault gives a read-only fresh page', () => {
    const w = plainWorld(forkPinFields({ start: 'zero-page' })) as unknown as ForkPinWorld;
    assert.equal(copyPresentPteShares(w), false, 'no anon rmap to share, nothing to write-protect');
    const before = JSON.stringify(w);
    pinParentFolio(w);
    assert.equal(w.fpPinned, 3, 'the pin holds ZERO');
    const left = { ...w };
    forkDoWpPage(left, false);
    assert.deepEqual([left.fpParentFolio, left.fpPinned, left.fpPte], [0, 3, 1], 'the store moves the parent to A; the pin stays on ZERO');
    unpin(w);
    assert.equal(JSON.stringify(w), before);
    forkDoWpPage(w, true);
    assert.deepEqual([w.fpParentFolio, w.fpAExclusive, w.fpPte], [0, 1, 0], 'FAULT_FLAG_UNSHARE: fresh exclusive A, PTE still read-only');
    assert.throws(() => forkPinFields({ start: 'zero' as never }), /not written or zero-page/);
  });

  it('a pinned exclusive page is copied for the child at fork(), and the parent keeps writing to it', () => {
    const w = plainWorld(forkPinFields()) as unknown as ForkPinWorld;
    pinParentFolio(w);
    assert.equal(copyPresentPteShares(w), false);
    forkDoWpPage(w, false);
    assert.deepEqual([w.fpParentFolio, w.fpPinned], [0, 1]);
  });
});
