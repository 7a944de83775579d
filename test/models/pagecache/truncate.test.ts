/**
 * Truncate and hole punch (models/pagecache/truncate.ts, with the removal / block-freeing split and folio
 * generations of models/pagecache/folio.ts) against a brute-force reference written from mm/truncate.c
 * (truncate_inode_folio(), unmap_mapping_range()), mm/filemap.c (filemap_add_folio() + ->read_folio(),
 * the folio->mapping recheck, finish_fault()) and the invalidate_lock rwsem (730633f0b7f9): random
 * sequences of operations in both world representations, then both properties on hand-made races.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  definePageCache,
  pcFolioLock,
  pcFolioMappingIs,
  pcFolioUnlock,
  pcFreeBlocks,
  PC_CONTENT_NAMES,
  readFolio,
  readFolioUnitResult,
  type PageCacheWorld,
} from '../../../models/pagecache/folio.js';
import {
  defineTruncate,
  invalidateLock,
  invalidateLockOk,
  invalidateLockShared,
  invalidateLockSharedOk,
  invalidateUnlock,
  invalidateUnlockShared,
  iSizeWrite,
  mapFolio,
  pcOrphanMapping,
  pcStaleFolio,
  truncateInodeFolio,
  unmapMappingRange,
  type TruncateWorld,
} from '../../../models/pagecache/truncate.js';
import { engineWorld, plainWorld } from '../helpers.js';

// --- the reference: a file of F folios, each one unit, its rwsem and its user mapping ---------------
interface RefFolio {
  cached: boolean;
  uptodate: boolean;
  data: string; // 'never' | 'old' | 'zero'
  gen: number;
  freed: boolean;
  /** 0: no PTE; g + 1: a PTE maps the folio of generation g. */
  mapped: number;
}
interface Ref {
  folios: RefFolio[];
  readers: number;
  writer: boolean;
  size: number;
}

type Op =
  | { kind: 'lockShared' | 'unlockShared' | 'lock' | 'unlock' }
  | { kind: 'size'; n: number }
  | { kind: 'unmap'; from: number; to: number }
  | { kind: 'truncate' | 'free' | 'read' | 'map'; f: number };

const G = 2;

function refStale(r: Ref): number {
  return r.folios.findIndex((x) => x.freed && x.cached && x.uptodate && x.data === 'old');
}
function refOrphan(r: Ref): number {
  return r.folios.findIndex((x) => x.mapped > 0 && !(x.cached && x.gen === x.mapped - 1));
}

const config = fc.record({ F: fc.integer({ min: 1, max: 3 }), readers: fc.integer({ min: 1, max: 2 }) }).chain(({ F, readers }) => {
  const f = fc.integer({ min: 0, max: F - 1 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constantFrom('lockShared', 'unlockShared', 'lock', 'unlock').map((kind) => ({ kind }) as Op),
    fc.integer({ min: 0, max: F }).map((n) => ({ kind: 'size', n }) as Op),
    fc.tuple(f, f).map(([a, b]) => ({ kind: 'unmap', from: Math.min(a, b), to: Math.max(a, b) + 1 }) as Op),
    fc.tuple(fc.constantFrom('truncate', 'free', 'read', 'map', 'read', 'map'), f).map(([kind, x]) => ({ kind, f: x }) as Op),
  );
  return fc.record({
    F: fc.constant(F),
    readers: fc.constant(readers),
    cached: fc.array(fc.boolean(), { minLength: F, maxLength: F }),
    ops: fc.array(op, { maxLength: 16 }),
  });
});

describe('models/pagecache/truncate.ts', () => {
  it('matches the reference on random sequences of lock, i_size, unmap, truncate_inode_folio(), block freeing, reads and mappings', () => {
    fc.assert(
      fc.property(config, ({ F, readers, cached, ops }) => {
        const pc = definePageCache({ folios: F, folioUnits: 1, aops: 'block', uptodate: cached, evict: { refs: 0, generations: G, cached } });
        const t = defineTruncate(pc, { readers });
        const fields = { ...pc.fields, ...t.fields };
        for (const w of [plainWorld(fields), engineWorld(fields)] as unknown as TruncateWorld[]) {
          const r: Ref = {
            folios: cached.map((c) => ({ cached: c, uptodate: c, data: c ? 'old' : 'never', gen: 0, freed: false, mapped: 0 })),
            readers: 0,
            writer: false,
            size: F,
          };
          for (const op of ops) {
            switch (op.kind) {
              case 'lockShared': {
                const ok = !r.writer && r.readers < readers;
                assert.equal(invalidateLockSharedOk(w), !r.writer);
                if (!ok) continue;
                r.readers++;
                invalidateLockShared(w);
                break;
              }
              case 'unlockShared':
                if (r.readers === 0) {
                  assert.throws(() => invalidateUnlockShared(w), /not held shared/);
                  continue;
                }
                r.readers--;
                invalidateUnlockShared(w);
                break;
              case 'lock': {
                const ok = !r.writer && r.readers === 0;
                assert.equal(invalidateLockOk(w), ok);
                if (!ok) {
                  assert.throws(() => invalidateLock(w), /held/);
                  continue;
                }
                r.writer = true;
                invalidateLock(w);
                break;
              }
              case 'unlock':
                if (!r.writer) {
                  assert.throws(() => invalidateUnlock(w), /not held exclusive/);
                  continue;
                }
                r.writer = false;
                invalidateUnlock(w);
                break;
              case 'size':
                r.size = op.n;
                iSizeWrite(w, t, op.n);
                break;
              case 'unmap':
                for (let f = op.from; f < op.to; f++) r.folios[f]!.mapped = 0;
                unmapMappingRange(w, op.from, op.to);
                break;
              case 'truncate': {
                const x = r.folios[op.f]!;
                if (x.cached && x.gen === G) continue; // one removal more than the fragment counts
                x.mapped = 0;
                if (x.cached) Object.assign(x, { cached: false, uptodate: false, data: 'never', gen: x.gen + 1 });
                pcFolioLock(w, pc, op.f);
                truncateInodeFolio(w, t, op.f);
                pcFolioUnlock(w, pc, op.f);
                break;
              }
              case 'free':
                r.folios[op.f]!.freed = true;
                pcFreeBlocks(w, pc, op.f);
                break;
              case 'read': {
                const x = r.folios[op.f]!;
                x.cached = true;
                if (!x.uptodate) Object.assign(x, { uptodate: true, data: x.freed ? 'zero' : 'old' });
                assert.equal(PC_CONTENT_NAMES[readFolioUnitResult(w, pc, op.f, 0)], x.data, 'the pure form predicts ->read_folio()');
                pcFolioLock(w, pc, op.f);
                readFolio(w, pc, op.f);
                pcFolioUnlock(w, pc, op.f);
                break;
              }
              case 'map': {
                const x = r.folios[op.f]!;
                if (!x.cached) continue; // finish_fault() maps a folio it found in the cache
                x.mapped = x.gen + 1;
                mapFolio(w, t, op.f);
                break;
              }
            }
            const k = op.kind;
            assert.deepEqual([w.invLockReaders, w.invLockWriter, w.iSize], [r.readers, +r.writer, r.size], k);
            assert.deepEqual(
              Array.from({ length: F }, (_, f) => [
                w.pcCached![f],
                w.pcUptodate[f],
                PC_CONTENT_NAMES[w.pcData[f]!],
                w.pcGen![f],
                w.pcTruncated![f],
                w.pcMapped[f],
              ]),
              r.folios.map((x) => [+x.cached, +x.uptodate, x.data, x.gen, +x.freed, x.mapped]),
              k,
            );
            for (let f = 0; f < F; f++)
              for (let g = 0; g <= G; g++)
                assert.equal(pcFolioMappingIs(w, pc, f, g), r.folios[f]!.cached && r.folios[f]!.gen === g, `${k}: mapping of ${f}@${g}`);
            assert.equal(pcStaleFolio(w, pc), refStale(r), k);
            assert.equal(pcOrphanMapping(w, pc), refOrphan(r), k);
          }
        }
      }),
    );
  });

  it('the hole-punch race by hand: removed, read back in from the old blocks, then freed - stale; freed first - zeroes', () => {
    const pc = definePageCache({ folios: 1, folioUnits: 1, aops: 'block', uptodate: true, evict: { refs: 0, generations: 1 } });
    const t = defineTruncate(pc, { readers: 1 });
    const w = plainWorld({ ...pc.fields, ...t.fields }) as unknown as TruncateWorld;
    pcFolioLock(w, pc, 0);
    mapFolio(w, t, 0);
    truncateInodeFolio(w, t, 0);
    pcFolioUnlock(w, pc, 0);
    assert.deepEqual([w.pcCached![0], w.pcMapped[0], w.pcGen![0]], [0, 0, 1], 'unmapped and removed, another folio next');
    readFolio(w, pc, 0);
    assert.equal(pcStaleFolio(w, pc), -1, 'old data over blocks still allocated is not stale');
    pcFreeBlocks(w, pc, 0);
    assert.equal(pcStaleFolio(w, pc), 0);
    const w2 = plainWorld({ ...pc.fields, ...t.fields }) as unknown as TruncateWorld;
    pcFolioLock(w2, pc, 0);
    truncateInodeFolio(w2, t, 0);
    pcFolioUnlock(w2, pc, 0);
    pcFreeBlocks(w2, pc, 0);
    readFolio(w2, pc, 0);
    assert.deepEqual([pcStaleFolio(w2, pc), PC_CONTENT_NAMES[w2.pcData[0]!]], [-1, 'zero']);
  });

  it('a PTE of the old folio after the removal is an orphan mapping; unmap_mapping_range() clears it', () => {
    const pc = definePageCache({ folios: 2, folioUnits: 1, aops: 'block', uptodate: true, evict: { refs: 0, generations: 1 } });
    const t = defineTruncate(pc, { readers: 1 });
    const w = plainWorld({ ...pc.fields, ...t.fields }) as unknown as TruncateWorld;
    mapFolio(w, t, 1);
    (w as PageCacheWorld).pcCached![1] = 0; // removed without truncate_inode_folio()'s unmap
    assert.equal(pcOrphanMapping(w, pc), 1);
    unmapMappingRange(w, 1, 2);
    assert.equal(pcOrphanMapping(w, pc), -1);
  });

  it('refuses a page cache without generations, bad readers or i_size, and misuse of the lock', () => {
    assert.throws(() => defineTruncate(definePageCache({ folios: 1, folioUnits: 1, aops: 'block', evict: true }), { readers: 1 }), /generations/);
    const pc = definePageCache({ folios: 1, folioUnits: 1, aops: 'block', evict: { generations: 1 } });
    assert.throws(() => defineTruncate(pc, { readers: 0 }), /readers 0/);
    assert.throws(() => defineTruncate(pc, { readers: 1, iSize: 2 }), /iSize 2/);
    assert.throws(() => definePageCache({ folios: 1, folioUnits: 1, aops: 'block', uptodate: true, evict: { cached: false } }), /cannot start uptodate/);
    const t = defineTruncate(pc, { readers: 1 });
    const w = plainWorld({ ...pc.fields, ...t.fields }) as unknown as TruncateWorld;
    invalidateLock(w);
    assert.throws(() => invalidateLockShared(w), /held exclusive/);
    assert.throws(() => iSizeWrite(w, t, 2), /not 0..1/);
  });
});
