/**
 * Copies with page faults disabled (models/mmu/copy.ts) against the inexact-copy rule
 * and a brute-force scan of accessible units: the set of outcomes is exactly
 * {1..A} (or {A} when A is 0 or n, or with exactCopy), a copy never changes a PTE, a VMA or the LRU, and it
 * writes exactly the units it copied. Each property runs on both world representations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  EFAULT,
  accessiblePrefix,
  copyToUserNofault,
  copyToUserNofaultChoices,
  defineMmu,
  rawCopyChoices,
  rawCopyCopied,
  rawCopyFromUserNofault,
  rawCopyToUserNofault,
} from '../../../models/index.js';
import { arbMmu, bothWorlds, snap } from '../helpers.js';
import { refAccessible, refWorld } from '../reference.js';

const arbCopy = arbMmu({ versions: 3, dirty: true }).chain((c) =>
  fc
    .record({
      c: fc.constant(c),
      a: fc.integer({ min: 0, max: c.m.units - 1 }),
      write: fc.boolean(),
    })
    .chain((r) => fc.record({ c: fc.constant(r.c), a: fc.constant(r.a), write: fc.constant(r.write), n: fc.integer({ min: 0, max: r.c.m.units - r.a }) })),
);

describe('models/mmu/copy.ts', () => {
  it('the outcomes of a raw nofault copy are exactly those the three rules allow', () => {
    fc.assert(
      fc.property(arbCopy, ({ c, a, n, write }) => {
        const ref = refWorld(c.opts);
        let A = 0;
        while (A < n && refAccessible(ref, a + A, write)) A++;
        for (const w of bothWorlds(c.m.fields)) {
          assert.equal(accessiblePrefix(w, c.m, a, n, write), A);
          const choices = rawCopyChoices(w, c.m, a, n, write);
          const ks = new Set<number>();
          for (let ch = 0; ch < choices; ch++) ks.add(rawCopyCopied(w, c.m, a, n, write, ch));
          for (const k of ks) {
            assert.ok(k <= A, 'a copy never goes past the first inaccessible unit');
            if (A >= 1) assert.ok(k >= 1, 'an accessible start means progress');
            assert.equal(k === n, A === n, 'all copied iff all accessible');
          }
          const expected = A === 0 || A === n ? [A] : Array.from({ length: A }, (_, i) => i + 1);
          assert.deepEqual(
            [...ks].sort((x, y) => x - y),
            expected,
            'every allowed k is an outcome',
          );
        }
      }),
      { numRuns: 400 },
    );
  });

  it('exactCopy leaves one outcome, the accessible prefix', () => {
    fc.assert(
      fc.property(arbCopy, ({ c, a, n, write }) => {
        const m = defineMmu({ ...c.opts, exactCopy: true });
        for (const w of bothWorlds(m.fields)) {
          assert.equal(rawCopyChoices(w, m, a, n, write), 1);
          assert.equal(rawCopyCopied(w, m, a, n, write, 0), accessiblePrefix(w, m, a, n, write));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a copy with faults disabled never changes PTEs or VMAs, and writes exactly the units it copied', () => {
    fc.assert(
      fc.property(arbCopy, fc.nat(), ({ c, a, n, write }, pick) => {
        const results: unknown[] = [];
        for (const w of bothWorlds(c.m.fields)) {
          const before = snap(w, c.m.fields);
          const choices = rawCopyChoices(w, c.m, a, n, write);
          const choice = pick % choices;
          const k = rawCopyCopied(w, c.m, a, n, write, choice);
          const left = write ? rawCopyToUserNofault(w, c.m, a, n, choice) : rawCopyFromUserNofault(w, c.m, a, n, choice);
          assert.equal(left, n - k, 'returns the units not copied');
          const after = snap(w, c.m.fields);
          assert.deepEqual(after.pte, before.pte);
          assert.deepEqual(after.vma, before.vma);
          // The folios of the written units, and only those, got a new version and PG_dirty.
          const touched = new Set<number>();
          if (write) for (let u = a; u < a + k; u++) touched.add(c.m.folioOfPage[Math.floor(u / c.m.unitsPerPage)]!);
          for (let f = 0; f < c.m.folioCount; f++) {
            const v0 = (before.folioVersion as number[])[f]!;
            assert.equal((after.folioVersion as number[])[f], touched.has(f) ? (v0 + 1) % 3 : v0);
            assert.equal((after.folioDirty as number[])[f], touched.has(f) ? 1 : (before.folioDirty as number[])[f]);
          }
          results.push(after);
        }
        assert.deepEqual(results[0], results[1], 'plain and engine worlds agree');
      }),
      { numRuns: 300 },
    );
  });

  it('copy_to_user_nofault is all-or-nothing in its result', () => {
    fc.assert(
      fc.property(arbCopy, fc.nat(), ({ c, a, n }, pick) => {
        for (const w of bothWorlds(c.m.fields)) {
          const A = accessiblePrefix(w, c.m, a, n, true);
          const choices = copyToUserNofaultChoices(w, c.m, a, n);
          assert.equal(copyToUserNofault(w, c.m, a, n, pick % choices), A === n ? 0 : -EFAULT);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the copy rule on the btrfs shape: a header over a bad granule inside the page', () => {
    // One page of 4 granules, granule 2 tag-mismatched (the MTE sub-page fault).
    const m = defineMmu({ pages: 1, unitsPerPage: 4, pte: 'PRESENT_RW', mte: true, tagOK: [true, true, false, true] });
    for (const w of bothWorlds(m.fields)) {
      assert.equal(rawCopyChoices(w, m, 0, 4, true), 2);
      assert.deepEqual(
        [0, 1].map((ch) => rawCopyCopied(w, m, 0, 4, true, ch)),
        [1, 2],
      );
      assert.equal(copyToUserNofault(w, m, 0, 4, 0), -EFAULT);
      assert.equal(rawCopyChoices(w, m, 2, 2, true), 1, 'a copy that starts on the bad granule copies nothing');
      assert.equal(rawCopyToUserNofault(w, m, 2, 2, 0), 2);
    }
  });
});
