/**
 * References and pins (models/mmu/pins.ts, gup.ts): random grab/put sequences against the kernel's own
 * arithmetic (one refcount, GUP_PIN_COUNTING_BIAS = 1024 or an exact _pincount), pin-then-unpin restoring
 * both encodings, the encoding's false positives when the bias is scaled down, the GUP-fast two-step
 * window, FOLL_NOFAULT / FOLL_LONGTERM / FOLL_WRITE, and get_user_pages_fast against a brute-force walk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  EFAULT,
  FOLL_GET,
  FOLL_LONGTERM,
  FOLL_NOFAULT,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_EFAULT,
  GUP_OK,
  GUP_SLOW,
  PTE_PRESENT_RO,
  PTE_PRESENT_RW,
  defineMmu,
  folioMaybeDmaPinned,
  folioRefCount,
  getPage,
  getUserPagesFast,
  getUserPagesFastResult,
  gupFast,
  gupFastCompletePin,
  gupFastPteUnchanged,
  gupFastTryGetFolio,
  gupPutFolio,
  gupSlow,
  gupSlowOutcome,
  pinUserPageFromRef,
  putPage,
  releaseUserPages,
  unpinUserPage,
} from '../../../models/index.js';
import { bothWorlds, snap } from '../helpers.js';

type Op = 'get' | 'put' | 'pin' | 'unpin' | 'fast';

describe('models/mmu/pins.ts and gup.ts', () => {
  it('grab/put sequences match the kernel refcount arithmetic in both encodings, and unwinding restores everything', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.constantFrom<Op>('get', 'put', 'pin', 'unpin', 'fast'), { maxLength: 20 }), (large, ops) => {
        const m = defineMmu({ pages: large ? 2 : 1, folios: [large ? 2 : 1], pte: 'PRESENT_RW', refs: 4, pins: 4 });
        assert.equal(m.exactPins[0], large ? 1 : 0);
        for (const w of bothWorlds(m.fields)) {
          const initial = snap(w, m.fields);
          let refcount = 1; // the kernel's folio_ref_count(): the mapping's reference
          let pincount = 0; // _pincount (exact encoding only)
          let refs = 0;
          let pins = 0;
          const pinAdd = (d: number): void => {
            if (large) {
              refcount += d;
              pincount += d;
            } else refcount += d * 1024;
          };
          for (const op of ops) {
            if (op === 'get' && refs < 4) {
              getPage(w, m, 0);
              refcount++;
              refs++;
            } else if (op === 'put' && refs > 0) {
              putPage(w, m, 0);
              refcount--;
              refs--;
            } else if ((op === 'pin' || op === 'fast') && pins < 4 && refs < 4) {
              if (op === 'pin') pinUserPageFromRef(w, m, 0);
              else {
                gupFastTryGetFolio(w, m, 0);
                refcount++;
                assert.equal(folioRefCount(w, m, 0), refcount, 'after the speculative reference');
                refcount--;
                gupFastCompletePin(w, m, 0);
              }
              pinAdd(1);
              pins++;
            } else if (op === 'unpin' && pins > 0) {
              unpinUserPage(w, m, 0);
              pinAdd(-1);
              pins--;
            }
            assert.equal(folioRefCount(w, m, 0), refcount);
            assert.equal(folioMaybeDmaPinned(w, m, 0), large ? pincount > 0 : refcount >= 1024);
            assert.ok(pins === 0 || folioMaybeDmaPinned(w, m, 0), 'no false negative');
          }
          while (pins-- > 0) unpinUserPage(w, m, 0);
          while (refs-- > 0) putPage(w, m, 0);
          assert.deepEqual(snap(w, m.fields), initial);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a scaled-down bias brings back the false positives; the exact encoding has none', () => {
    const bias = defineMmu({ pages: 1, refs: 1, pins: 1, pinBias: 2 });
    const exact = defineMmu({ pages: 1, refs: 1, pins: 1, pinBias: 2, pinEncoding: 'exact' });
    for (const m of [bias, exact]) {
      for (const w of bothWorlds(m.fields)) {
        assert.equal(folioMaybeDmaPinned(w, m, 0), false);
        getPage(w, m, 0);
        assert.equal(folioMaybeDmaPinned(w, m, 0), m === bias, 'refcount 2 >= bias 2 looks pinned');
      }
    }
  });

  it('GUP-fast: between the speculative reference and the pin, folio_maybe_dma_pinned() is still false', () => {
    const m = defineMmu({ pages: 1, pte: 'PRESENT_RW', refs: 1, pins: 1 });
    for (const w of bothWorlds(m.fields)) {
      const seen = w.pte[0]!;
      gupFastTryGetFolio(w, m, 0);
      assert.equal(folioMaybeDmaPinned(w, m, 0), false);
      w.pte[0] = PTE_PRESENT_RO; // folio_mkclean() ran in the window
      assert.equal(gupFastPteUnchanged(w, 0, seen), false, 'the re-check sees the change');
      gupPutFolio(w, m, 0, FOLL_GET);
      assert.equal(folioRefCount(w, m, 0), 1);
    }
  });

  it('GUP-fast needs a present PTE, writable for FOLL_WRITE; the slow path faults, FOLL_NOFAULT refuses', () => {
    const m = defineMmu({ pages: 2, pte: ['PRESENT_RO', 'ABSENT'], pins: 1 });
    for (const w of bothWorlds(m.fields)) {
      assert.equal(gupFast(w, m, 0, FOLL_PIN | FOLL_WRITE), GUP_SLOW);
      assert.equal(gupFast(w, m, 0, FOLL_PIN), GUP_OK);
      assert.equal(gupFast(w, m, 1, FOLL_PIN), GUP_SLOW);
      assert.equal(gupSlowOutcome(w, m, 1, FOLL_PIN | FOLL_NOFAULT), GUP_EFAULT);
      assert.equal(gupSlow(w, m, 1, FOLL_PIN | FOLL_WRITE, -1), GUP_OK);
      assert.equal(w.pte[1], PTE_PRESENT_RW, 'faultin_page() ran a write fault');
      assert.deepEqual(Array.from(w.folioPins!), [1, 1]);
    }
  });

  it('FOLL_LONGTERM|FOLL_WRITE on a file mapping falls back from GUP-fast and the slow path refuses (v6.5)', () => {
    const m = defineMmu({ pages: 2, pte: 'PRESENT_RW', backing: ['file', 'shmem'], pins: 1 });
    const flags = FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM;
    for (const w of bothWorlds(m.fields)) {
      assert.equal(gupFast(w, m, 0, flags), GUP_SLOW, 'fast path drops it');
      assert.equal(gupSlowOutcome(w, m, 0, flags), GUP_EFAULT);
      assert.equal(getUserPagesFast(w, m, 0, 1, flags), -EFAULT);
      assert.equal(getUserPagesFast(w, m, 1, 1, flags), 1, 'shmem is allowed');
      assert.equal(getUserPagesFast(w, m, 0, 1, FOLL_PIN | FOLL_LONGTERM), 1, 'a read-only long-term pin is fine');
    }
  });

  it('get_user_pages_fast takes the leading pages it can and stops at the first failure; release restores', () => {
    const vmas = ['NONE', 'RO', 'RW'] as const;
    const ptes = ['ABSENT', 'PRESENT_RO', 'PRESENT_RW'] as const;
    fc.assert(
      fc.property(
        fc.array(fc.record({ vma: fc.constantFrom(...vmas), pte: fc.constantFrom(...ptes) }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (pages, write, nofault, pin) => {
          const pte = pages.map((p) => (p.pte === 'PRESENT_RW' && p.vma !== 'RW' ? 'PRESENT_RO' : p.pte));
          const m = defineMmu({ pages: pages.length, unitsPerPage: 1, vma: pages.map((p) => p.vma), pte, refs: 1, pins: 1 });
          const flags = (pin ? FOLL_PIN : FOLL_GET) | (write ? FOLL_WRITE : 0) | (nofault ? FOLL_NOFAULT : 0);
          // Brute force: a page is taken if the VMA allows the access and (the PTE allows it or a fault may run).
          let expected = 0;
          for (const [i, p] of pages.entries()) {
            const vmaOk = p.vma === 'RW' || (p.vma === 'RO' && !write);
            const pteOk = pte[i] === 'PRESENT_RW' || (pte[i] === 'PRESENT_RO' && !write);
            if (!vmaOk || (!pteOk && nofault)) break;
            expected++;
          }
          for (const w of bothWorlds(m.fields)) {
            const before = snap(w, m.fields);
            assert.equal(getUserPagesFastResult(w, m, 0, pages.length, flags), expected === 0 ? -EFAULT : expected);
            const r = getUserPagesFast(w, m, 0, pages.length, flags);
            assert.equal(r, expected === 0 ? -EFAULT : expected);
            for (let p = 0; p < pages.length; p++) {
              const held = pin ? w.folioPins![p] : w.folioRef![p];
              assert.equal(held, p < expected ? 1 : 0);
            }
            releaseUserPages(w, m, 0, Math.max(r, 0), flags);
            const after = snap(w, m.fields);
            assert.deepEqual(after.folioRef, before.folioRef);
            assert.deepEqual(after.folioPins, before.folioPins);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
