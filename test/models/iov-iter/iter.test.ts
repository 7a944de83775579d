/**
 * Iterators (models/iov-iter): advance and revert against a literal transcription of lib/iov_iter.c's
 * iov_iter_iovec_advance() / iov_iter_revert() on (segment, iov_offset, count); advance-then-revert
 * restores; fault_in_iov_iter_* against the per-segment kernel loop over brute-force fault-ins; copies obey
 * the inexact rule chunk by chunk and never touch a PTE; the direction WARNs; get / extract / pin pages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  FOLL_GET,
  FOLL_PIN,
  PTE_PRESENT_RO,
  PTE_PRESENT_RW,
  copyFromIter,
  copyFromIterChoices,
  copyFromIterResult,
  copyPageToIterNofault,
  copyPageToIterNofaultChoices,
  copyToIter,
  copyToIterChoices,
  copyToIterResult,
  defineIovIter,
  defineMmu,
  faultInIovIterReadable,
  faultInIovIterReadableResult,
  faultInIovIterWriteable,
  faultInIovIterWriteableResult,
  iovIterAdvance,
  iovIterExtractPages,
  iovIterExtractWillPin,
  iovIterGetPages,
  iovIterPinPages,
  iovIterReleasePages,
  iovIterRevert,
  iovIterTruncate,
  iovIterZero,
  iterConsumed,
  iterCount,
  iterIovOffset,
  iterSegment,
  iterWarned,
  setIterNofault,
  type IterSegment,
  type MmuOptions,
} from '../../../models/index.js';
import { arbMmu, bothWorlds, snap } from '../helpers.js';
import { refAccessible, refFaultIn, refFaultInSafeWriteable, refWorld } from '../reference.js';

// -------------------------------------------------------------------------------------------------------
// The kernel's advance and revert, transcribed for ITER_IOVEC (nr_segs consumed = idx).

interface K {
  idx: number;
  off: number;
  count: number;
}

function kAdvance(lens: readonly number[], i: K, size: number): void {
  if (size > i.count) size = i.count; // iov_iter_advance(): if (unlikely(i->count < size)) size = i->count;
  if (!i.count) return; // iov_iter_iovec_advance(): if (!i->count) return;
  i.count -= size;
  size += i.off;
  let k = i.idx;
  for (; k < lens.length; k++) {
    if (size < lens[k]!) break;
    size -= lens[k]!;
  }
  i.off = size;
  i.idx = k;
}

function kRevert(lens: readonly number[], i: K, unroll: number): void {
  if (!unroll) return;
  i.count += unroll;
  if (unroll <= i.off) {
    i.off -= unroll;
    return;
  }
  unroll -= i.off;
  for (;;) {
    const n = lens[--i.idx]!;
    if (unroll <= n) {
      i.off = n - unroll;
      return;
    }
    unroll -= n;
  }
}

const arbSegs = (units: number, maxSegs = 4): fc.Arbitrary<IterSegment[]> =>
  fc.array(
    fc.integer({ min: 0, max: units - 1 }).chain((base) => fc.record({ base: fc.constant(base), len: fc.integer({ min: 0, max: Math.min(3, units - base) }) })),
    { minLength: 1, maxLength: maxSegs },
  );

describe('models/iov-iter: position', () => {
  it("advance and revert leave the kernel's segment and iov_offset, and advance-then-revert restores", () => {
    fc.assert(
      fc.property(
        arbSegs(8, 5).filter((s) => s.some((x) => x.len > 0)),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 6 })), { maxLength: 12 }),
        (segs, ops) => {
          const m = defineMmu({ pages: 2, unitsPerPage: 4 });
          const it = defineIovIter(m, 'it', { type: 'IOVEC', dir: 'DEST', segments: segs });
          const lens = segs.map((s) => s.len);
          for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
            // The kernel's iov_iter_init() starts at segment 0 even when it is empty; advance(0) normalises.
            const k: K = { idx: 0, off: 0, count: it.total };
            kAdvance(lens, k, 0);
            for (const [adv, n0] of ops) {
              if (adv) {
                const before = snap(w, it.fields);
                const n = Math.min(n0, iterCount(w, it));
                iovIterAdvance(w, it, n);
                kAdvance(lens, k, n);
                const mid = snap(w, it.fields);
                iovIterRevert(w, it, n);
                assert.deepEqual(snap(w, it.fields), before, 'revert undoes advance');
                iovIterAdvance(w, it, n);
                assert.deepEqual(snap(w, it.fields), mid);
              } else {
                const n = Math.min(n0, iterConsumed(w, it));
                iovIterRevert(w, it, n);
                kRevert(lens, k, n);
              }
              assert.equal(iterCount(w, it), k.count);
              assert.equal(iterSegment(w, it), k.idx, 'segment index');
              assert.equal(iterIovOffset(w, it), k.off, 'iov_offset');
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("revert beyond the start is the kernel's BUG()", () => {
    const m = defineMmu({ pages: 1 });
    const it = defineIovIter(m, 'u', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 4 }] });
    for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
      iovIterAdvance(w, it, 2);
      assert.throws(() => iovIterRevert(w, it, 3), /BUG\(\)/);
    }
  });
});

// -------------------------------------------------------------------------------------------------------

const arbIterCase = (extra: Partial<MmuOptions> = {}) =>
  arbMmu(extra).chain((c) =>
    fc.record({
      c: fc.constant(c),
      ubuf: fc.boolean(),
      segs: arbSegs(c.m.units),
      skip: fc.nat(),
      size: fc.integer({ min: 0, max: 14 }),
      truncate: fc.option(fc.nat({ max: 10 }), { nil: undefined }),
    }),
  );

function buildIter(c: { m: ReturnType<typeof defineMmu> }, ubuf: boolean, segs: readonly IterSegment[], dir: 'DEST' | 'SOURCE') {
  const s = ubuf ? [segs[0]!] : segs;
  return defineIovIter(c.m, 'it', { type: ubuf ? 'UBUF' : 'IOVEC', dir, segments: s });
}

describe('models/iov-iter: fault-in', () => {
  for (const writeable of [false, true]) {
    const name = writeable ? 'fault_in_iov_iter_writeable' : 'fault_in_iov_iter_readable';
    it(`${name} matches the kernel loop over brute-force fault-ins, and its Result predicts it`, () => {
      fc.assert(
        fc.property(arbIterCase(), fc.boolean(), ({ c, ubuf, segs, skip, size, truncate }, buggy) => {
          const m = defineMmu({ ...c.opts, faultInSafeWriteableReturn: buggy ? 'v5.17-buggy' : 'fixed' });
          const it = buildIter({ m }, ubuf, segs, 'DEST');
          const ref = refWorld(c.opts);
          const one = (a: number, n: number): number => (writeable ? refFaultInSafeWriteable(ref, a, n, buggy) : refFaultIn(ref, a, n, false));
          for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
            iovIterAdvance(w, it, skip % (it.total + 1));
            if (truncate !== undefined) iovIterTruncate(w, it, truncate);
            // The kernel's loop over the static segment table (lib/iov_iter.c, v6.4+).
            let expected: number;
            const consumed = iterConsumed(w, it);
            const lens = it.total === 0 ? [] : Array.from(it.segLen);
            if (ubuf) {
              let n = Math.min(size, iterCount(w, it));
              n -= one(segs[0]!.base! + consumed, n);
              expected = size - n;
            } else {
              let count = Math.min(size, iterCount(w, it));
              const rest = size - count;
              let pos = 0;
              let s = 0;
              while (s < lens.length && pos + lens[s]! <= consumed) pos += lens[s++]!;
              let skipIn = consumed - pos;
              for (; count && s < lens.length; s++, skipIn = 0) {
                const len = Math.min(count, lens[s]! - skipIn);
                if (!len) continue;
                const ret = one(segs[s]!.base! + skipIn, len);
                count -= len - ret;
                if (ret) break;
              }
              expected = count + rest;
            }
            const before = snap(w, m.fields);
            const result = writeable ? faultInIovIterWriteableResult(w, it, size) : faultInIovIterReadableResult(w, it, size);
            assert.deepEqual(snap(w, m.fields), before, 'the dry run changes nothing');
            assert.equal(result, expected);
            assert.equal(writeable ? faultInIovIterWriteable(w, it, size) : faultInIovIterReadable(w, it, size), expected);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('non-user-backed iterators fault in nothing and report 0', () => {
    const m = defineMmu({ pages: 1 });
    const kinds = [
      defineIovIter(m, 'b', { type: 'BVEC', dir: 'DEST', segments: [{ len: 2, folio: 0 }] }),
      defineIovIter(m, 'k', { type: 'KVEC', dir: 'DEST', segments: [{ len: 2 }] }),
      defineIovIter(m, 'd', { type: 'DISCARD', dir: 'DEST', count: 3 }),
    ];
    for (const it of kinds) {
      for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
        assert.equal(faultInIovIterReadable(w, it, 100), 0);
        assert.equal(faultInIovIterWriteable(w, it, 100), 0);
        assert.equal(w.pte[0], 0);
      }
    }
  });

  it('a window larger than the count reports the excess as not faulted in', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 4 });
    const it = defineIovIter(m, 'u', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 3 }] });
    for (const w of bothWorlds({ ...m.fields, ...it.fields })) assert.equal(faultInIovIterWriteable(w, it, 8), 5);
  });
});

describe('models/iov-iter: copies', () => {
  it("a copy's outcomes follow the inexact rule on the first short chunk, advance the iterator, and never change a PTE", () => {
    fc.assert(
      fc.property(arbIterCase({ versions: 2 }), fc.boolean(), fc.nat(), ({ c, ubuf, segs, skip, size }, toIter, pick) => {
        const it = buildIter(c, ubuf, segs, toIter ? 'DEST' : 'SOURCE');
        const ref = refWorld(c.opts);
        for (const w of bothWorlds({ ...c.m.fields, ...it.fields })) {
          iovIterAdvance(w, it, skip % (it.total + 1));
          // Brute force: walk the chunks; full ones count whole, the first short one allows 1..A (or A = 0).
          const n = Math.min(size, iterCount(w, it));
          let pos = iterConsumed(w, it);
          let full = 0;
          let short = -1;
          while (full < n) {
            const s = it.segAt[pos]!;
            const chunk = Math.min(n - full, it.segLen[s]! - it.offAt[pos]!);
            let A = 0;
            while (A < chunk && refAccessible(ref, it.addrAt[pos]! + A, toIter)) A++;
            if (A < chunk) {
              short = A;
              break;
            }
            full += chunk;
            pos += chunk;
          }
          const allowed = short <= 0 ? [full] : Array.from({ length: short }, (_, i) => full + i + 1);
          const choices = toIter ? copyToIterChoices(w, it, size) : copyFromIterChoices(w, it, size);
          const result = toIter ? copyToIterResult : copyFromIterResult;
          const outcomes = Array.from({ length: choices }, (_, ch) => result(w, it, size, ch));
          assert.deepEqual(outcomes, allowed);
          const choice = pick % allowed.length;
          const before = snap(w, { ...c.m.fields, ...it.fields });
          const got = toIter ? copyToIter(w, it, size, choice) : copyFromIter(w, it, size, choice);
          assert.equal(got, allowed[choice]);
          const after = snap(w, { ...c.m.fields, ...it.fields });
          assert.deepEqual(after.pte, before.pte, 'no PTE changes');
          assert.equal(after.itConsumed, (before.itConsumed as number) + got);
          assert.equal(after.itCount, (before.itCount as number) - got);
          assert.equal(after.itWarn, 0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('copy_page_to_iter_nofault counts each chunk all or nothing', () => {
    // Two segments over pages 0 and 1; granule 5 has a mismatched tag.
    const m = defineMmu({
      pages: 2,
      unitsPerPage: 4,
      pte: ['PRESENT_RW', 'PRESENT_RW'],
      mte: true,
      tagOK: [true, true, true, true, true, false, true, true],
      versions: 2,
    });
    const it = defineIovIter(m, 'to', {
      type: 'IOVEC',
      dir: 'DEST',
      segments: [
        { base: 0, len: 3 },
        { base: 4, len: 3 },
      ],
    });
    for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
      assert.equal(copyToIterChoices(w, it, 6), 1, 'one accessible unit in the short chunk: k = 1 only');
      assert.equal(copyPageToIterNofaultChoices(w, it, 6), 1);
      assert.equal(copyPageToIterNofault(w, it, 6, 0), 3, 'the second chunk meets the bad granule and counts 0');
      assert.deepEqual([iterCount(w, it), iterConsumed(w, it)], [3, 3]);
      assert.deepEqual(Array.from(w.folioVersion!), [1, 1], 'the partial chunk was still written');
    }
  });

  it('copying against the declared direction WARNs and returns 0 (a41dad905e5a); iov_iter_zero does not check', () => {
    const m = defineMmu({ pages: 1, pte: 'PRESENT_RW' });
    const src = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 4 }] });
    const dst = defineIovIter(m, 'to', { type: 'KVEC', dir: 'DEST', segments: [{ len: 4 }] });
    for (const w of bothWorlds({ ...m.fields, ...src.fields, ...dst.fields })) {
      const before = snap(w, src.fields);
      assert.equal(copyToIter(w, src, 4, 0), 0);
      assert.equal(iterWarned(w, src), true);
      assert.equal(iterCount(w, src), before.fromCount);
      assert.equal(copyFromIter(w, dst, 4, 0), 0);
      assert.equal(iterWarned(w, dst), true);
      assert.equal(iovIterZero(w, src, 2, 0), 2);
      assert.equal(copyToIter(w, dst, 4, 0), 4, 'a KVEC copies in full');
    }
  });
});

describe('models/iov-iter: pages', () => {
  it('extract pins user-backed pages only, with FOLL_WRITE iff ITER_DEST; release restores', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 2, pte: 'PRESENT_RO', refs: 1, pins: 1 });
    for (const dir of ['DEST', 'SOURCE'] as const) {
      const it = defineIovIter(m, 'it', { type: 'IOVEC', dir, segments: [{ base: 1, len: 3 }] });
      for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
        assert.equal(iovIterExtractWillPin(it), true);
        assert.equal(iovIterExtractPages(w, it, 10), 3);
        assert.deepEqual(Array.from(w.folioPins!), [1, 1]);
        assert.deepEqual(
          Array.from(w.pte),
          dir === 'DEST' ? [PTE_PRESENT_RW, PTE_PRESENT_RW] : [PTE_PRESENT_RO, PTE_PRESENT_RO],
          'FOLL_WRITE faulted the pages writable',
        );
        assert.equal(iterCount(w, it), 0);
        iovIterReleasePages(w, it, 0, 3, FOLL_PIN);
        assert.deepEqual(Array.from(w.folioPins!), [0, 0]);
      }
    }
  });

  it('FOLL_NOFAULT from i->nofault: extract fails on an absent page; get takes plain references', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 2, pte: ['PRESENT_RW', 'ABSENT'], refs: 1, pins: 1 });
    const it = defineIovIter(m, 'it', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 4 }], nofault: true });
    for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
      setIterNofault(w, it, true);
      assert.equal(iovIterGetPages(w, it, 4), 2, 'only the mapped page');
      assert.deepEqual(
        [Array.from(w.folioRef!), Array.from(w.folioPins!)],
        [
          [1, 0],
          [0, 0],
        ],
      );
      assert.equal(iovIterExtractPages(w, it, 4), -14);
      iovIterReleasePages(w, it, 0, 2, FOLL_GET);
      assert.deepEqual(Array.from(w.folioRef!), [0, 0]);
    }
  });

  it('BVEC: get takes a reference, extract nothing, the proposed pin-pages a pin only with pinFromRef', () => {
    const m = defineMmu({ pages: 1, refs: 1, pins: 1 });
    const it = defineIovIter(m, 'bv', {
      type: 'BVEC',
      dir: 'DEST',
      segments: [
        { len: 2, folio: 0 },
        { len: 2, folio: 0 },
      ],
    });
    for (const w of bothWorlds({ ...m.fields, ...it.fields })) {
      assert.equal(iovIterExtractWillPin(it), false);
      assert.equal(iovIterExtractPages(w, it, 4), 2, 'one segment per call');
      assert.deepEqual([w.folioRef![0], w.folioPins![0]], [0, 0]);
      iovIterRevert(w, it, 2);
      assert.equal(iovIterGetPages(w, it, 4), 2);
      assert.equal(w.folioRef![0], 1);
      assert.equal(iovIterPinPages(w, it, 4, false), 2);
      assert.equal(w.folioPins![0], 0);
      iovIterRevert(w, it, 2);
      assert.equal(iovIterPinPages(w, it, 4, true), 2);
      assert.equal(w.folioPins![0], 1, 'pin_user_page() on the existing reference (the pin-from-reference hazard)');
    }
  });
});
