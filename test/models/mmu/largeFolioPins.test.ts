/**
 * Exact `_pincount` for large folios (models/mmu/pins.ts, config.ts `folios` / `pinEncoding`) against a
 * brute-force reference written from mm/gup.c and include/linux/mm.h, not from the model: a world of
 * several folios of 1, 2 or 4 pages; random pin_user_pages_fast() / get_user_pages_fast() calls over page
 * ranges that cross folio boundaries, and their unpin / put_page(). The reference keeps the kernel's two
 * counters per folio and updates them per page as try_grab_folio() and gup_put_folio() do:
 *   FOLL_GET: _refcount += 1;
 *   FOLL_PIN: folio_has_pincount() ? (_refcount += 1, _pincount += 1) : _refcount += GUP_PIN_COUNTING_BIAS;
 * with folio_has_pincount() = 64-bit: folio_test_large(); 32-bit: folio_order() > 1. Then
 * folio_maybe_dma_pinned() is `_pincount > 0` or `_refcount >= GUP_PIN_COUNTING_BIAS`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  FOLL_GET,
  FOLL_PIN,
  defineMmu,
  folioMaybeDmaPinned,
  folioRefCount,
  getUserPagesFast,
  releaseUserPages,
  type MmuOptions,
} from '../../../models/index.js';
import { bothWorlds, snap } from '../helpers.js';

const BIAS = 1024;
type Encoding = NonNullable<MmuOptions['pinEncoding']>;

/** folio_has_pincount() for a folio of `nr` (a power of two) pages. */
function hasPincount(encoding: Encoding, nr: number): boolean {
  const order = Math.log2(nr);
  if (encoding === 'exact') return true;
  if (encoding === 'bias') return false;
  return encoding === 'auto' ? nr > 1 : order > 1;
}

interface RefFolio {
  refcount: number;
  pincount: number;
  exact: boolean;
}

describe('models/mmu: exact _pincount for large folios', () => {
  it('pin / get over page ranges across large folios match the kernel counters in every encoding, and unwinding restores the world', () => {
    const layout = fc.array(fc.constantFrom(1, 2, 4), { minLength: 1, maxLength: 3 }).filter((s) => s.reduce((a, b) => a + b, 0) <= 8);
    const encoding = fc.constantFrom<Encoding>('auto', 'auto-32bit', 'bias', 'exact');
    const call = fc.record({ pin: fc.boolean(), first: fc.nat(7), n: fc.integer({ min: 1, max: 8 }), release: fc.boolean() });
    fc.assert(
      fc.property(layout, encoding, fc.array(call, { maxLength: 10 }), (sizes, enc, calls) => {
        const pages = sizes.reduce((a, b) => a + b, 0);
        const m = defineMmu({ pages, unitsPerPage: 1, folios: sizes, pinEncoding: enc, pte: 'PRESENT_RW', refs: 8, pins: 8 });
        const folioOf: number[] = sizes.flatMap((s, f) => new Array<number>(s).fill(f));
        for (const w of bothWorlds(m.fields)) {
          const initial = snap(w, m.fields);
          const ref: RefFolio[] = sizes.map((s) => ({ refcount: 1, pincount: 0, exact: hasPincount(enc, s) }));
          const held: { first: number; n: number; flags: number }[] = [];
          const grab = (p: number, flags: number, d: number): void => {
            const f = ref[folioOf[p]!]!;
            if (flags & FOLL_GET) f.refcount += d;
            else if (f.exact) {
              f.refcount += d;
              f.pincount += d;
            } else f.refcount += d * BIAS;
          };
          for (const c of calls) {
            if (c.release && held.length > 0) {
              const h = held.pop()!;
              releaseUserPages(w, m, h.first, h.n, h.flags);
              for (let p = h.first; p < h.first + h.n; p++) grab(p, h.flags, -1);
            } else {
              const first = Math.min(c.first, pages - 1);
              const n = Math.min(c.n, pages - first);
              const flags = c.pin ? FOLL_PIN : FOLL_GET;
              // stay inside the counters' domains: at most 8 grabs of one kind per folio
              const per = new Map<number, number>();
              for (let p = first; p < first + n; p++) per.set(folioOf[p]!, (per.get(folioOf[p]!) ?? 0) + 1);
              const taken = held.filter((h) => h.flags === flags);
              const worst = [...per].some(([f, k]) => k + taken.reduce((a, h) => a + countIn(folioOf, h, f), 0) > 8);
              if (worst) continue;
              assert.equal(getUserPagesFast(w, m, first, n, flags), n);
              for (let p = first; p < first + n; p++) grab(p, flags, 1);
              held.push({ first, n, flags });
            }
            for (let f = 0; f < sizes.length; f++) {
              const r = ref[f]!;
              assert.equal(m.exactPins[f], r.exact ? 1 : 0, `folio ${f} of ${sizes[f]} pages (${enc})`);
              assert.equal(folioRefCount(w, m, f), r.refcount, `refcount of folio ${f}`);
              const pinned = r.exact ? r.pincount > 0 : r.refcount >= BIAS;
              assert.equal(folioMaybeDmaPinned(w, m, f), pinned, `folio_maybe_dma_pinned(${f})`);
              const pins = held.filter((h) => h.flags === FOLL_PIN).reduce((a, h) => a + countIn(folioOf, h, f), 0);
              assert.ok(pins === 0 || pinned, 'no false negative');
              if (r.exact) assert.equal(pins, r.pincount, '_pincount counts every pinned page of the folio');
            }
          }
          while (held.length > 0) {
            const h = held.pop()!;
            releaseUserPages(w, m, h.first, h.n, h.flags);
          }
          assert.deepEqual(snap(w, m.fields), initial);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('folio_has_pincount(): 64-bit every large folio, 32-bit only order > 1; a pin on one page marks the whole folio', () => {
    const sizes = [1, 2, 4];
    const exact = (enc: Encoding) => Array.from(defineMmu({ pages: 7, folios: sizes, pinEncoding: enc }).exactPins);
    assert.deepEqual(exact('auto'), [0, 1, 1]);
    assert.deepEqual(exact('auto-32bit'), [0, 0, 1]);
    assert.deepEqual(exact('bias'), [0, 0, 0]);
    assert.deepEqual(exact('exact'), [1, 1, 1]);
    assert.throws(() => defineMmu({ pages: 1, pinEncoding: 'auto-64' as Encoding }), /not one of auto, auto-32bit, bias, exact/);
    const m = defineMmu({ pages: 7, unitsPerPage: 1, folios: sizes, pte: 'PRESENT_RW', pins: 2 });
    for (const w of bothWorlds(m.fields)) {
      assert.equal(getUserPagesFast(w, m, 6, 1, FOLL_PIN), 1, 'pin the last page of the 4-page folio');
      assert.deepEqual(
        [0, 1, 2].map((f) => folioMaybeDmaPinned(w, m, f)),
        [false, false, true],
      );
      assert.equal(folioRefCount(w, m, 2), 2, 'one reference per pin, not GUP_PIN_COUNTING_BIAS');
    }
  });
});

/** The pages of grab `h` that lie in folio `f`. */
function countIn(folioOf: readonly number[], h: { first: number; n: number }, f: number): number {
  let k = 0;
  for (let p = h.first; p < h.first + h.n; p++) if (folioOf[p] === f) k++;
  return k;
}
