/**
 * Page-cache folios (models/pagecache/folio.ts) against a brute-force reference written from fs/buffer.c
 * (block_write_begin() / __block_write_begin_int(), block_write_end() / __block_commit_write(),
 * block_read_full_folio()) and fs/libfs.c (simple_write_begin(), simple_write_end(), simple_read_folio()):
 * random sequences of whole writes (write_begin, a copy of `copied` units, write_end) and reads, in both
 * world representations; then the two invariants the short-copy rules exist for, and the ops on hand-made
 * states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  copyIntoFolio,
  definePageCache,
  EVICT_DIRTY,
  EVICT_LOCKED,
  EVICT_NOT_CACHED,
  EVICT_OK,
  EVICT_REFERENCED,
  EVICT_UNEVICTABLE,
  pcEvict,
  pcEvictOutcome,
  pcFolioGet,
  pcFolioLock,
  pcFolioPut,
  pcFolioUnlock,
  pcTruncateFolio,
  PC_NEVER,
  PC_OLD,
  PC_WRITTEN,
  PC_ZERO,
  pcExposedUnit,
  pcFolioLocked,
  readFolio,
  writeBegin,
  writeEnd,
  type PageCache,
  type PageCacheWorld,
  type WriteAops,
} from '../../../models/pagecache/index.js';
import { defineMmu, folioLocked } from '../../../models/mmu/index.js';
import { engineWorld, plainWorld } from '../helpers.js';

// --- the reference: one folio as bytes (units) and buffer_heads ------------------------------------
interface Ref {
  data: string[]; // 'never' | 'old' | 'zero' | 'written'
  bufUptodate: boolean[];
  uptodate: boolean;
  /** What a block read brings in: the file's data, or zeroes once the range was truncated. */
  disk?: 'old' | 'zero';
}
const NAMES = ['never', 'old', 'zero', 'written'];

function refNew(U: number, nb: number, uptodate: boolean): Ref {
  return { data: new Array<string>(U).fill(uptodate ? 'old' : 'never'), bufUptodate: new Array<boolean>(nb).fill(uptodate), uptodate };
}

/** write_begin + copy_folio_from_iter_atomic() of `copied` units + write_end; returns write_end's value. */
function refWrite(r: Ref, aops: WriteAops, B: number, from: number, len: number, copied: number): number {
  const to = from + len;
  const U = r.data.length;
  if (aops === 'simple') {
    // simple_write_begin(): if (!folio_test_uptodate(folio) && len != folio_size(folio)) folio_zero_segments(0, from, to, size)
    if (!r.uptodate && len !== U) for (let u = 0; u < U; u++) if (u < from || u >= to) r.data[u] = 'zero';
    for (let u = from; u < from + copied; u++) r.data[u] = 'written';
    // simple_write_end(): if (!uptodate) { if (copied < len) folio_zero_range(from + copied, len - copied); folio_mark_uptodate(); }
    if (!r.uptodate) {
      for (let u = from + copied; u < to; u++) r.data[u] = 'zero';
      r.uptodate = true;
    }
    return copied;
  }
  // __block_write_begin_int(): for each buffer in [from, to): not uptodate and only partly covered -> read it
  for (let b = 0; b * B < U; b++) {
    const bs = b * B;
    const be = bs + B;
    if (be <= from || bs >= to) continue;
    if (!r.bufUptodate[b] && (bs < from || be > to)) {
      for (let u = bs; u < be; u++) r.data[u] = r.disk ?? 'old';
      r.bufUptodate[b] = true;
    }
  }
  for (let u = from; u < from + copied; u++) r.data[u] = 'written';
  // block_write_end(): if (copied < len && !folio_test_uptodate(folio)) copied = 0;
  let status = copied;
  if (copied < len && !r.uptodate) status = 0;
  // __block_commit_write(folio, from, from + copied), which returns at once for from == to
  if (status > 0) {
    let partial = false;
    for (let b = 0; b * B < U; b++) {
      const bs = b * B;
      const be = bs + B;
      if (be <= from || bs >= from + status) {
        if (!r.bufUptodate[b]) partial = true;
      } else r.bufUptodate[b] = true;
    }
    if (!partial) r.uptodate = true;
  }
  return status;
}

function refRead(r: Ref, aops: WriteAops, B: number): void {
  if (r.uptodate) return;
  if (aops === 'simple') r.data.fill('zero');
  else
    for (let b = 0; b < r.bufUptodate.length; b++)
      if (!r.bufUptodate[b]) {
        for (let u = b * B; u < (b + 1) * B; u++) r.data[u] = r.disk ?? 'old';
        r.bufUptodate[b] = true;
      }
  r.uptodate = true;
}

// --- the model under test ---------------------------------------------------------------------------
type Op = { kind: 'write'; from: number; len: number; copied: number } | { kind: 'read' };

/** A whole write into a folio of U units: offset, length, and how much the copy moved. */
function arbWrite(U: number) {
  return fc
    .integer({ min: 0, max: U - 1 })
    .chain((from) =>
      fc.integer({ min: 1, max: U - from }).chain((len) => fc.integer({ min: 0, max: len }).map((copied) => ({ kind: 'write' as const, from, len, copied }))),
    );
}

const config = fc
  .record({
    aops: fc.constantFrom<WriteAops>('block', 'simple'),
    blocks: fc.integer({ min: 1, max: 3 }),
    B: fc.integer({ min: 1, max: 3 }),
    uptodate: fc.boolean(),
  })
  .chain((c) => {
    const write = arbWrite(c.blocks * c.B);
    const op: fc.Arbitrary<Op> = fc.oneof({ weight: 4, arbitrary: write }, { weight: 1, arbitrary: fc.constant({ kind: 'read' as const }) });
    return fc.record({ c: fc.constant(c), ops: fc.array(op, { maxLength: 8 }) });
  });

function build(c: { aops: WriteAops; blocks: number; B: number; uptodate: boolean }): PageCache {
  return definePageCache({ folios: 1, folioUnits: c.blocks * c.B, blockUnits: c.B, aops: c.aops, uptodate: c.uptodate });
}

function run(pc: PageCache, w: PageCacheWorld, ops: readonly Op[], onWrite?: (op: Op & { kind: 'write' }, status: number) => void): number[] {
  const statuses: number[] = [];
  for (const op of ops) {
    if (op.kind === 'read') {
      readFolio(w, pc, 0);
      continue;
    }
    writeBegin(w, pc, 0, op.from, op.len);
    copyIntoFolio(w, pc, 0, op.from, op.copied);
    const status = writeEnd(w, pc, 0, op.from, op.len, op.copied);
    assert.equal(pcFolioLocked(w, pc, 0), false, 'write_end unlocks');
    statuses.push(status);
    onWrite?.(op, status);
  }
  return statuses;
}

describe('models/pagecache/folio.ts', () => {
  it('matches the reference on random write/read sequences, in both world representations', () => {
    fc.assert(
      fc.property(config, ({ c, ops }) => {
        const pc = build(c);
        const ref = refNew(pc.folioUnits, pc.blocksPerFolio, c.uptodate);
        const refStatuses: number[] = [];
        for (const op of ops) {
          if (op.kind === 'read') refRead(ref, c.aops, c.B);
          else refStatuses.push(refWrite(ref, c.aops, c.B, op.from, op.len, op.copied));
        }
        for (const w of [plainWorld(pc.fields), engineWorld(pc.fields)] as unknown as PageCacheWorld[]) {
          assert.deepEqual(run(pc, w, ops), refStatuses);
          assert.deepEqual(
            Array.from(w.pcData, (v) => NAMES[v]),
            ref.data,
          );
          assert.equal(w.pcUptodate[0] === 1, ref.uptodate);
          if (c.aops === 'block')
            assert.deepEqual(
              Array.from(w.pcBufUptodate!, (v) => v === 1),
              ref.bufUptodate,
            );
        }
      }),
    );
  });

  it('no uptodate folio or buffer ever holds a never-initialised unit (the reason for both short-copy rules)', () => {
    fc.assert(
      fc.property(config, ({ c, ops }) => {
        const pc = build(c);
        const w = plainWorld(pc.fields) as unknown as PageCacheWorld;
        for (let i = 0; i <= ops.length; i++) {
          assert.equal(pcExposedUnit(w, pc), null);
          if (i < ops.length) run(pc, w, [ops[i]!]);
        }
      }),
    );
  });

  it('a unit write_end accepted stays written: no later read_folio() or write_begin() destroys it', () => {
    fc.assert(
      fc.property(config, ({ c, ops }) => {
        const pc = build(c);
        const w = plainWorld(pc.fields) as unknown as PageCacheWorld;
        const accepted = new Set<number>();
        for (const op of ops) {
          run(pc, w, [op], (o, status) => {
            for (let u = o.from; u < o.from + status; u++) accepted.add(u);
          });
          for (const u of accepted) assert.equal(w.pcData[u], PC_WRITTEN, `unit ${u}`);
        }
      }),
    );
  });

  it('block_write_end() turns a short copy into a folio that is not uptodate into 0; into an uptodate one it commits the copy', () => {
    const pc = definePageCache({ folios: 1, folioUnits: 4, blockUnits: 2, aops: 'block' });
    const w = plainWorld(pc.fields) as unknown as PageCacheWorld;
    writeBegin(w, pc, 0, 0, 3); // block 1 ([2, 4)) is only partly covered: read
    assert.deepEqual(Array.from(w.pcData), [PC_NEVER, PC_NEVER, PC_OLD, PC_OLD]);
    copyIntoFolio(w, pc, 0, 0, 1);
    assert.equal(writeEnd(w, pc, 0, 0, 3, 1), 0);
    assert.equal(w.pcUptodate[0], 0);
    assert.deepEqual(Array.from(w.pcBufUptodate!), [0, 1]);
    readFolio(w, pc, 0); // the rejected unit is read over
    assert.deepEqual(Array.from(w.pcData), [PC_OLD, PC_OLD, PC_OLD, PC_OLD]);
    writeBegin(w, pc, 0, 0, 3);
    copyIntoFolio(w, pc, 0, 0, 1);
    assert.equal(writeEnd(w, pc, 0, 0, 3, 1), 1);
  });

  it('simple_write_end() keeps a short copy, zeroes the rest of the range and marks the folio uptodate', () => {
    const pc = definePageCache({ folios: 1, folioUnits: 4, aops: 'simple' });
    const w = plainWorld(pc.fields) as unknown as PageCacheWorld;
    writeBegin(w, pc, 0, 1, 2);
    assert.deepEqual(Array.from(w.pcData), [PC_ZERO, PC_NEVER, PC_NEVER, PC_ZERO]);
    copyIntoFolio(w, pc, 0, 1, 1);
    assert.equal(writeEnd(w, pc, 0, 1, 2, 1), 1);
    assert.deepEqual(Array.from(w.pcData), [PC_ZERO, PC_WRITTEN, PC_ZERO, PC_ZERO]);
    assert.equal(w.pcUptodate[0], 1);
  });

  it('shares PG_locked with an MMU folio when asked, and refuses bad options and misuse', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 2, backing: 'file', pageLock: true });
    const pc = definePageCache({ folios: 1, folioUnits: 2, aops: 'block', lock: { mmu: m, folios: [0] } });
    assert.equal(pc.fields.pcLocked, undefined);
    const w = plainWorld({ ...m.fields, ...pc.fields }) as unknown as PageCacheWorld;
    writeBegin(w, pc, 0, 0, 2);
    assert.equal(folioLocked(w as never, m, 0), true);
    assert.throws(() => writeBegin(w, pc, 0, 0, 2), /already locked/);
    writeEnd(w, pc, 0, 0, 2, 2);
    assert.throws(() => copyIntoFolio(w, pc, 0, 0, 1), /not locked/);
    assert.throws(() => definePageCache({ folios: 1, folioUnits: 3, blockUnits: 2, aops: 'block' }), /does not divide/);
    assert.throws(() => definePageCache({ folios: 1, folioUnits: 2, aops: 'ext4' as WriteAops }), /not block or simple/);
    assert.throws(() => definePageCache({ folios: 1, folioUnits: 2, aops: 'block', lock: { mmu: defineMmu({ pages: 1 }), folios: [0] } }), /pageLock/);
    assert.throws(() => writeEnd(w, pc, 0, 0, 2, 3), /copied 3/);
  });
});

// --- eviction and truncate: the reference adds the page cache's own state to each folio's Ref --------------
interface RefFolio extends Ref {
  cached: boolean;
  dirty: boolean;
  refs: number;
  locked: boolean;
}

type CacheOp = { kind: 'write'; from: number; len: number; copied: number } | { kind: 'read' | 'evict' | 'truncate' | 'get' | 'put' | 'lock' | 'unlock' };

function refRemove(r: RefFolio): void {
  r.cached = false;
  r.dirty = false;
  r.refs = 0;
  r.uptodate = false;
  r.data.fill('never');
  r.bufUptodate.fill(false);
}

/** shrink_folio_list() on an unmapped folio: folio_trylock(), PageDirty -> pageout(), __remove_mapping()'s folio_ref_freeze(). */
function refEvict(r: RefFolio, aops: WriteAops): number {
  if (!r.cached) return EVICT_NOT_CACHED;
  if (aops === 'simple') return EVICT_UNEVICTABLE; // ramfs: mapping_set_unevictable()
  if (r.locked) return EVICT_LOCKED;
  if (r.dirty) return EVICT_DIRTY;
  if (r.refs > 0) return EVICT_REFERENCED;
  refRemove(r);
  return EVICT_OK;
}

const cacheConfig = fc
  .record({
    aops: fc.constantFrom<WriteAops>('block', 'block', 'simple'),
    blocks: fc.integer({ min: 1, max: 2 }),
    B: fc.integer({ min: 1, max: 2 }),
    uptodate: fc.boolean(),
  })
  .chain((c) => {
    const write = arbWrite(c.blocks * c.B);
    const other = fc.constantFrom('read', 'evict', 'evict', 'truncate', 'get', 'put', 'lock', 'unlock').map((kind) => ({ kind }) as CacheOp);
    return fc.record({ c: fc.constant(c), ops: fc.array(fc.oneof(write, other), { maxLength: 12 }) });
  });

describe('models/pagecache/folio.ts: eviction and truncate', () => {
  it('matches the reference (shrink_folio_list(), truncate_inode_folio()) on random sequences with writes, reads, references and the lock', () => {
    fc.assert(
      fc.property(cacheConfig, ({ c, ops }) => {
        const pc = definePageCache({ folios: 1, folioUnits: c.blocks * c.B, blockUnits: c.B, aops: c.aops, uptodate: c.uptodate, evict: { refs: 2 } });
        for (const w of [plainWorld(pc.fields), engineWorld(pc.fields)] as unknown as PageCacheWorld[]) {
          const r: RefFolio = { ...refNew(pc.folioUnits, pc.blocksPerFolio, c.uptodate), cached: true, dirty: false, refs: 0, locked: false };
          for (const op of ops) {
            if (r.locked && op.kind !== 'unlock' && op.kind !== 'evict' && op.kind !== 'get' && op.kind !== 'put') continue; // they would sleep
            switch (op.kind) {
              case 'write': {
                r.cached = true;
                const want = refWrite(r, c.aops, c.B, op.from, op.len, op.copied);
                if (want > 0 || c.aops === 'simple') r.dirty = true;
                assert.deepEqual(run(pc, w, [op]), [want]);
                break;
              }
              case 'read':
                r.cached = true;
                refRead(r, c.aops, c.B);
                readFolio(w, pc, 0);
                break;
              case 'evict': {
                const want = refEvict(r, c.aops);
                assert.equal(pcEvictOutcome(w, pc, 0), want);
                if (want === EVICT_OK) pcEvict(w, pc, 0);
                else assert.throws(() => pcEvict(w, pc, 0), /cannot be freed/);
                break;
              }
              case 'truncate': {
                const refs = r.refs;
                if (r.cached) refRemove(r);
                r.disk = 'zero';
                pcFolioLock(w, pc, 0);
                assert.equal(pcTruncateFolio(w, pc, 0), refs, 'the references the removed folio still had');
                pcFolioUnlock(w, pc, 0);
                break;
              }
              case 'get':
                if (!r.cached || r.refs === 2) continue;
                r.refs++;
                pcFolioGet(w, pc, 0);
                break;
              case 'put':
                if (r.refs === 0) {
                  assert.throws(() => pcFolioPut(w, pc, 0), /no extra reference/);
                  continue;
                }
                r.refs--;
                pcFolioPut(w, pc, 0);
                break;
              case 'lock':
                r.locked = true;
                pcFolioLock(w, pc, 0);
                break;
              case 'unlock':
                if (!r.locked) continue;
                r.locked = false;
                pcFolioUnlock(w, pc, 0);
                break;
            }
            assert.deepEqual(
              Array.from(w.pcData, (v) => NAMES[v]),
              r.data,
              op.kind,
            );
            assert.equal(w.pcUptodate[0] === 1, r.uptodate, op.kind);
            assert.deepEqual([w.pcCached![0], w.pcDirty![0], w.pcRefs![0], w.pcTruncated![0]], [+r.cached, +r.dirty, r.refs, +(r.disk === 'zero')], op.kind);
            assert.equal(pcFolioLocked(w, pc, 0), r.locked, op.kind);
            assert.equal(pcExposedUnit(w, pc), null, op.kind);
          }
        }
      }),
    );
  });

  it('a written folio is never freed by reclaim (dirty), only truncate drops it; a pinned clean folio stays, truncate removes it anyway', () => {
    const pc = definePageCache({ folios: 1, folioUnits: 2, aops: 'block', uptodate: true, evict: true });
    const w = plainWorld(pc.fields) as unknown as PageCacheWorld;
    pcFolioGet(w, pc, 0);
    assert.equal(pcEvictOutcome(w, pc, 0), EVICT_REFERENCED);
    pcFolioLock(w, pc, 0);
    assert.equal(pcTruncateFolio(w, pc, 0), 1);
    pcFolioUnlock(w, pc, 0);
    assert.deepEqual([w.pcCached![0], w.pcRefs![0], w.pcUptodate[0]], [0, 0, 0]);
    writeBegin(w, pc, 0, 0, 2);
    copyIntoFolio(w, pc, 0, 0, 2);
    writeEnd(w, pc, 0, 0, 2, 2);
    assert.equal(pcEvictOutcome(w, pc, 0), EVICT_DIRTY);
    assert.throws(() => pcTruncateFolio(w, pc, 0), /not locked/);
    assert.throws(() => pcEvictOutcome(w, definePageCache({ folios: 1, folioUnits: 2, aops: 'block' }), 0), /without evict/);
    assert.throws(() => definePageCache({ folios: 1, folioUnits: 2, aops: 'block', evict: { refs: 9 } }), /evict.refs 9/);
  });
});
