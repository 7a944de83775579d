/**
 * The fault-in primitives (models/mmu/faultIn.ts) against brute-force references (test/models/reference.ts)
 * written from the kernel text: fault_in_readable / fault_in_writeable probe the exact first unit and page
 * starts, fault_in_safe_writeable goes page by page through fixup_user_fault (fixed and v5.17-buggy
 * return), fault_in_subpage_writeable adds the MTE granule probe. Also: the dry-run Result agrees with the
 * effect and changes nothing, a fault-in never claims more than the faultable page prefix, and a complete
 * fault-in leaves every page of the range mapped with the permission asked for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BLOCKED,
  PTE_PRESENT_RW,
  defineMmu,
  faultInReadable,
  faultInReadableResult,
  faultInSafeWriteable,
  faultInSafeWriteableResult,
  faultInSubpageWriteable,
  faultInSubpageWriteableResult,
  faultInWriteable,
  faultInWriteableResult,
  faultablePagePrefix,
  folioLock,
  probeSubpageWriteable,
  ptePresent,
  type Mmu,
  type MmuWorld,
} from '../../../models/index.js';
import { arbMmu, bothWorlds, snap } from '../helpers.js';
import { refFaultIn, refFaultInSafeWriteable, refFaultInSubpageWriteable, refWorld } from '../reference.js';

const arbRange = (extra = {}) =>
  arbMmu(extra).chain((c) =>
    fc
      .integer({ min: 0, max: c.m.units - 1 })
      .chain((a) => fc.record({ c: fc.constant(c), a: fc.constant(a), size: fc.integer({ min: 0, max: c.m.units - a }) })),
  );

type Fn = (w: MmuWorld, m: Mmu, a: number, size: number) => number;
const cases: readonly { name: string; fn: Fn; result: Fn; ref: (c: ReturnType<typeof refWorld>, a: number, size: number, m: Mmu) => number; write: boolean }[] =
  [
    { name: 'fault_in_readable', fn: faultInReadable, result: faultInReadableResult, ref: (r, a, s) => refFaultIn(r, a, s, false), write: false },
    { name: 'fault_in_writeable', fn: faultInWriteable, result: faultInWriteableResult, ref: (r, a, s) => refFaultIn(r, a, s, true), write: true },
    {
      name: 'fault_in_safe_writeable',
      fn: faultInSafeWriteable,
      result: faultInSafeWriteableResult,
      ref: (r, a, s, m) => refFaultInSafeWriteable(r, a, s, m.faultInSafeWriteableBuggy),
      write: true,
    },
    {
      name: 'fault_in_subpage_writeable',
      fn: faultInSubpageWriteable,
      result: faultInSubpageWriteableResult,
      ref: (r, a, s) => refFaultInSubpageWriteable(r, a, s, true),
      write: true,
    },
  ];

describe('models/mmu/faultIn.ts', () => {
  for (const k of cases) {
    it(`${k.name} returns what a brute-force scan of the probed units says, and its Result predicts it without side effects`, () => {
      fc.assert(
        fc.property(arbRange({ versions: 2, dirty: true }), fc.boolean(), ({ c, a, size }, buggy) => {
          const m = buggy ? defineMmu({ ...c.opts, faultInSafeWriteableReturn: 'v5.17-buggy' }) : c.m;
          const expected = k.ref(refWorld(c.opts), a, size, m);
          const after: unknown[] = [];
          for (const w of bothWorlds(m.fields)) {
            const before = snap(w, m.fields);
            assert.equal(k.result(w, m, a, size), expected, 'Result');
            assert.deepEqual(snap(w, m.fields), before, 'the dry run changes nothing');
            assert.equal(k.fn(w, m, a, size), expected, 'effect');
            after.push(snap(w, m.fields));
          }
          assert.deepEqual(after[0], after[1], 'plain and engine worlds agree');
        }),
        { numRuns: 250 },
      );
    });
  }

  it('no fault-in claims more than the pages whose VMA allows the access (fault-in never overclaims, fixed return)', () => {
    fc.assert(
      fc.property(arbRange(), ({ c, a, size }) => {
        for (const k of cases) {
          const [w] = bothWorlds(c.m.fields);
          const claim = faultablePagePrefix(w!, c.m, a, size, k.write);
          assert.ok(size - k.fn(w!, c.m, a, size) <= claim, k.name);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the v5.17 fault_in_safe_writeable claims everything once the first page succeeds', () => {
    const opts = { pages: 3, unitsPerPage: 4, vma: ['RW', 'RW', 'NONE'] } as const;
    const fixed = defineMmu(opts);
    const buggy = defineMmu({ ...opts, faultInSafeWriteableReturn: 'v5.17-buggy' });
    for (const [m, want] of [
      [fixed, 4],
      [buggy, 0],
    ] as const) {
      for (const w of bothWorlds(m.fields)) assert.equal(faultInSafeWriteable(w, m, 0, 12), want);
    }
    // First page bad: both return size.
    const bad = defineMmu({ ...opts, vma: ['NONE', 'RW', 'RW'], faultInSafeWriteableReturn: 'v5.17-buggy' });
    for (const w of bothWorlds(bad.fields)) assert.equal(faultInSafeWriteable(w, bad, 0, 12), 12);
  });

  it('a fault-in that returns 0 leaves every page of the range mapped with the permission it asked for', () => {
    fc.assert(
      fc.property(arbRange(), ({ c, a, size }) => {
        for (const k of cases) {
          const [w] = bothWorlds(c.m.fields);
          if (size === 0 || k.fn(w!, c.m, a, size) !== 0) continue;
          for (let p = Math.floor(a / c.m.unitsPerPage); p <= Math.floor((a + size - 1) / c.m.unitsPerPage); p++) {
            assert.ok(k.write ? w!.pte[p] === PTE_PRESENT_RW : ptePresent(w!.pte[p]!), `${k.name}: page ${p}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the btrfs livelock shape: fault_in_writeable misses a bad granule that fault_in_subpage_writeable finds', () => {
    // One page, granule 2 tag-mismatched: page-granular probing touches unit 0 only (the MTE sub-page fault).
    const m = defineMmu({ pages: 1, unitsPerPage: 4, mte: true, tagOK: [true, true, false, true], versions: 2 });
    for (const w of bothWorlds(m.fields)) {
      assert.equal(faultInWriteable(w, m, 0, 4), 0);
      assert.equal(w.folioVersion![0], 1, 'fault_in_writeable is destructive: it stored a zero');
      assert.equal(probeSubpageWriteable(w, m, 0, 4), 2);
      assert.equal(faultInSubpageWriteable(w, m, 0, 4), 2);
      assert.equal(faultInSubpageWriteable(w, m, 2, 2), 2, 'a bad first granule: nothing');
    }
  });

  it('an unaligned start probes the exact first unit, then page starts only', () => {
    // Units 0..7 in two pages; unit 1 poisoned (probed as the exact first unit), unit 5 poisoned (never probed).
    const m = defineMmu({ pages: 2, unitsPerPage: 4, pte: 'PRESENT_RW', poison: [1, 5] });
    for (const w of bothWorlds(m.fields)) {
      assert.equal(faultInReadable(w, m, 1, 7), 7, 'the exact first unit is bad: nothing');
      assert.equal(faultInReadable(w, m, 2, 6), 0, 'unit 5 lies between the probes');
      assert.equal(faultInSafeWriteable(w, m, 1, 7), 0, 'fixup_user_fault never reads the data');
    }
  });

  it('a fault-in over a locked file folio would sleep: Result says BLOCKED, the effect refuses', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 2, backing: 'file', pageLock: true });
    for (const w of bothWorlds(m.fields)) {
      folioLock(w, m, 1);
      assert.equal(faultInReadableResult(w, m, 0, 4), BLOCKED);
      assert.equal(faultInSafeWriteableResult(w, m, 0, 4), BLOCKED);
      assert.equal(faultInReadableResult(w, m, 0, 2), 0, 'the first page alone is fine');
      assert.throws(() => faultInReadable(w, m, 0, 4), /would sleep/);
    }
  });
});
