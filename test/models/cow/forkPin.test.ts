/**
 * The fork() / FOLL_PIN fragment (models/cow/forkPin.ts) against a reference written from mm/memory.c in
 * terms of reference counts: folios with a map count, a pin count and PageAnonExclusive; do_wp_page()
 * reuses an exclusive folio, or one whose references are the parent's mapping alone, and copies otherwise.
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
import { engineWorld, plainWorld } from '../helpers.js';

interface RefFolio {
  maps: number;
  pins: number;
  exclusive: boolean;
}
interface Ref {
  folios: { A: RefFolio; COPY: RefFolio };
  parent: 'A' | 'COPY';
  writable: boolean;
  pinned: 'A' | 'COPY' | null;
}
const refNew = (): Ref => ({
  folios: { A: { maps: 1, pins: 0, exclusive: true }, COPY: { maps: 0, pins: 0, exclusive: true } },
  parent: 'A',
  writable: true,
  pinned: null,
});

function refWp(r: Ref, unshare: boolean): void {
  const f = r.folios[r.parent];
  if (!f.exclusive) {
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

function same(w: ForkPinWorld, r: Ref): void {
  assert.equal(w.fpParentFolio, r.parent === 'A' ? 0 : 1);
  assert.equal(w.fpPte, r.writable ? 1 : 0);
  assert.equal(w.fpChildMapsA, r.folios.A.maps - (r.parent === 'A' ? 1 : 0));
  assert.equal(w.fpAExclusive, r.folios.A.exclusive ? 1 : 0);
  assert.equal(w.fpPinned, r.pinned === null ? 0 : r.pinned === 'A' ? 1 : 2);
}

describe('models/cow/forkPin.ts', () => {
  it('agrees with the reference-count reference on random fork / pin / fault sequences, in both world representations', () => {
    const op = fc.constantFrom('fork', 'pin', 'unpin', 'write', 'unshare', 'gupFastW', 'gupFastR');
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), fc.boolean(), (ops, engine) => {
        const w = (engine ? engineWorld(forkPinFields()) : plainWorld(forkPinFields())) as unknown as ForkPinWorld;
        const r = refNew();
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
          } else {
            const f = r.folios[r.parent];
            assert.equal(gupFastPteOk(w, o === 'gupFastW', true), o === 'gupFastW' ? r.writable : f.exclusive || r.parent === 'COPY');
            assert.equal(gupFastPteOk(w, false, false), true);
          }
          same(w, r);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a pinned exclusive page is copied for the child at fork(), and the parent keeps writing to it', () => {
    const w = plainWorld(forkPinFields()) as unknown as ForkPinWorld;
    pinParentFolio(w);
    assert.equal(copyPresentPteShares(w), false);
    forkDoWpPage(w, false);
    assert.deepEqual([w.fpParentFolio, w.fpPinned], [0, 1]);
  });
});
