/**
 * Truncate and hole punch against the page cache of one file (a `definePageCache` built with `evict`):
 * `mapping->invalidate_lock`, i_size, the user mappings of the file's folios, and the two properties a
 * racing read or fault must keep.
 *
 * The race (730633f0b7f9 "mm: Protect operations adding pages to page cache with invalidate_lock", Jan
 * Kara, v5.15):
 *
 *   fallocate(FALLOC_FL_PUNCH_HOLE)             read / fault / ..
 *     truncate_inode_pages_range()
 *                                                 <create pages in page cache here>
 *     <update fs block mapping and free blocks>
 *
 * "read / page fault / readahead can instantiate pages in page cache with potentially stale data". Folio
 * locks cannot prevent it ("we want to make sure there are *no* pages in given range"), so an rw_semaphore
 * in the address_space does: truncate and hole punch hold it exclusive over the page-cache removal and the
 * block freeing; whoever adds a folio to the cache or reads one in holds it shared (filemap_create_folio(),
 * filemap_update_page(), page_cache_ra_unbounded(), filemap_fault() when it must create or read). Before
 * v5.15 filesystems had their own: ext4's i_mmap_sem (ea3d7209ca01, v4.5) around faults only - "a long
 * standing race between hole punching and read(2) / readahead(2)" that d4f5258eae7b (v5.15) closed by
 * converting it - and XFS's MMAPLOCK (faults) with the IOLOCK over reads.
 *
 * Fields (`defineTruncate(pc, { readers })`):
 *   iSize          i_size in folios (0 .. F), `i_size_read()` / `i_size_write()`
 *   invLockReaders holders of invalidate_lock shared (0 .. readers)
 *   invLockWriter  invalidate_lock held exclusive
 *   pcMapped[F]    a user PTE maps the folio of index f: 0 none, g + 1 the folio of generation g (`pcGen`)
 * The page cache's own `pcTruncated[F]` is "the blocks are freed" (`pcFreeBlocks`), set apart from the
 * removal (`pcRemoveFolio`): the window between the two is the race.
 *
 * With `writeback`: `pcWriteback[F]` (PG_writeback), started on a dirty folio under its lock
 * (`pcStartWriteback`: folio_clear_dirty_for_io() + folio_start_writeback()) and ended by the I/O
 * (`pcEndWriteback`); truncate waits for it before the removal (folio_wait_writeback()), so its write never
 * lands in blocks the filesystem freed (`noWritebackToFreedBlocks`).
 *
 * Not modelled: partial folios (truncate_inode_partial_folio() zeroes their tail), the second
 * unmap_mapping_range() of truncate_pagecache() (it is for private COW copies: no private mapping here),
 * shadow entries, readahead of more than the one folio a reader asks for, rwsem fairness (a waiting
 * writer does not hold new readers back).
 */
import { array, assertShape, bool, int, invariant, type FieldSpecs, type InvariantProperty, type Shape } from '../../checker/index.js';
import { PC_OLD, pcFolioCached, pcFolioGen, pcFolioLocked, pcFolioUptodate, pcRemoveFolio, type PageCache, type PageCacheWorld } from './folio.js';
import { NAME_OPTIONS } from '../options.js';

export interface TruncateOptions {
  /** Tasks that may hold invalidate_lock shared at once (1..4). */
  readonly readers: number;
  /** i_size at the start, in folios (default: every folio of the file). */
  readonly iSize?: number;
  /** PG_writeback per folio (`pcWriteback[F]`): writeback of dirty folios, which truncate waits for. Default false. */
  readonly writeback?: boolean;
}

/** Every option of defineTruncate: a key not listed is a typo, refused rather than left at its default. */
const TRUNCATE_OPTIONS: Shape<TruncateOptions> = { readers: 'checked', iSize: 'checked', writeback: 'boolean' };

export interface Truncate {
  readonly pc: PageCache;
  readonly readers: number;
  /** `pcWriteback` exists. */
  readonly writeback: boolean;
  readonly fields: FieldSpecs;
}

export interface TruncateWorld extends PageCacheWorld {
  iSize: number;
  invLockReaders: number;
  invLockWriter: number;
  pcMapped: number[];
  pcWriteback?: number[];
}

export function defineTruncate(pc: PageCache, o: TruncateOptions): Truncate {
  assertShape(o, TRUNCATE_OPTIONS, 'defineTruncate() options');
  if (!pc.evictable || pc.generations === 0) throw new RangeError('truncate: the page cache needs evict: { generations } (folios leave it and come back)');
  if (!Number.isInteger(o.readers) || o.readers < 1 || o.readers > 4) throw new RangeError(`truncate: readers ${o.readers} is not 1..4`);
  const size = o.iSize ?? pc.folios;
  if (!Number.isInteger(size) || size < 0 || size > pc.folios) throw new RangeError(`truncate: iSize ${size} is not 0..${pc.folios}`);
  return {
    pc,
    readers: o.readers,
    writeback: o.writeback === true,
    fields: {
      iSize: int(0, pc.folios, size),
      invLockReaders: int(0, o.readers),
      invLockWriter: bool(),
      pcMapped: array(pc.folios, int(0, pc.generations + 1)),
      ...(o.writeback ? { pcWriteback: array(pc.folios, bool()) } : {}),
    },
  };
}

/** filemap_invalidate_lock_shared() would not sleep: no writer holds it. */
export function invalidateLockSharedOk(w: TruncateWorld): boolean {
  return w.invLockWriter === 0;
}

/** filemap_invalidate_lock_shared(); taking it under a writer is a model error (guard with `invalidateLockSharedOk`). */
export function invalidateLockShared(w: TruncateWorld): void {
  if (w.invLockWriter === 1) throw new Error('filemap_invalidate_lock_shared(): held exclusive (guard the step with invalidateLockSharedOk)');
  w.invLockReaders = w.invLockReaders + 1;
}

export function invalidateUnlockShared(w: TruncateWorld): void {
  if (w.invLockReaders === 0) throw new Error('filemap_invalidate_unlock_shared(): not held shared');
  w.invLockReaders = w.invLockReaders - 1;
}

/** filemap_invalidate_lock() would not sleep: nobody holds it. */
export function invalidateLockOk(w: TruncateWorld): boolean {
  return w.invLockWriter === 0 && w.invLockReaders === 0;
}

/** filemap_invalidate_lock() (down_write()); guard with `invalidateLockOk`. */
export function invalidateLock(w: TruncateWorld): void {
  if (!invalidateLockOk(w)) throw new Error('filemap_invalidate_lock(): held (guard the step with invalidateLockOk)');
  w.invLockWriter = 1;
}

export function invalidateUnlock(w: TruncateWorld): void {
  if (w.invLockWriter === 0) throw new Error('filemap_invalidate_unlock(): not held exclusive');
  w.invLockWriter = 0;
}

/** i_size_write() (truncate_setsize()), in folios. */
export function iSizeWrite(w: TruncateWorld, t: Truncate, size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > t.pc.folios) throw new RangeError(`i_size_write(): ${size} is not 0..${t.pc.folios} folios`);
  w.iSize = size;
}

/** unmap_mapping_range() of the folios [from, to): their user PTEs are zapped. */
export function unmapMappingRange(w: TruncateWorld, from: number, to: number): void {
  for (let f = from; f < to; f++) w.pcMapped[f] = 0;
}

/**
 * truncate_inode_folio() with the folio lock held: unmap_mapping_folio() if it is mapped, then removal from
 * the page cache (folio->mapping = NULL); the blocks stay until the filesystem frees them (`pcFreeBlocks`).
 */
export function truncateInodeFolio(w: TruncateWorld, t: Truncate, f: number): void {
  w.pcMapped[f] = 0;
  pcRemoveFolio(w, t.pc, f);
}

/** PG_writeback of folio f (false without `writeback`). */
export function pcFolioWriteback(w: TruncateWorld, t: Truncate, f: number): boolean {
  return t.writeback && w.pcWriteback![f] === 1;
}

/** write_cache_pages() would write folio f now: cached, dirty, unlocked, not under writeback. Pure. */
export function pcWritebackStartOk(w: TruncateWorld, t: Truncate, f: number): boolean {
  return t.writeback && pcFolioCached(w, t.pc, f) && w.pcDirty![f] === 1 && !pcFolioLocked(w, t.pc, f) && w.pcWriteback![f] === 0;
}

/**
 * folio_clear_dirty_for_io() + folio_start_writeback() of folio f, locked by the caller (write_cache_pages()
 * after its folio->mapping recheck); the bio now targets the folio's blocks.
 */
export function pcStartWriteback(w: TruncateWorld, t: Truncate, f: number): void {
  if (!t.writeback) throw new Error('folio_start_writeback(): the truncate fragment was built without writeback');
  if (!pcFolioLocked(w, t.pc, f)) throw new Error(`folio_start_writeback(): page-cache folio ${f} is not locked`);
  if (w.pcWriteback![f] === 1) throw new Error(`folio_start_writeback(): page-cache folio ${f} is already under writeback`);
  w.pcDirty![f] = 0;
  w.pcWriteback![f] = 1;
}

/** folio_end_writeback(): the write I/O of folio f completed. */
export function pcEndWriteback(w: TruncateWorld, t: Truncate, f: number): void {
  if (!pcFolioWriteback(w, t, f)) throw new Error(`folio_end_writeback(): page-cache folio ${f} is not under writeback`);
  w.pcWriteback![f] = 0;
}

/** The first folio index whose write I/O is in flight to blocks the filesystem freed, or -1. */
export function pcWritebackToFreed(w: TruncateWorld, t: Truncate): number {
  if (!t.writeback) return -1;
  for (let f = 0; f < t.pc.folios; f++) if (w.pcWriteback![f] === 1 && w.pcTruncated![f] === 1) return f;
  return -1;
}

/** `no write to freed blocks`: no writeback I/O is in flight to blocks truncate or a punch freed (truncate waits for PG_writeback). */
export function noWritebackToFreedBlocks(t: Truncate, options: { readonly name?: string } = {}): InvariantProperty<TruncateWorld> {
  assertShape(options, NAME_OPTIONS, 'noWritebackToFreedBlocks() options');
  return invariant<TruncateWorld>(options.name ?? 'no write to freed blocks', (s) => pcWritebackToFreed(s.world, t) < 0, {
    description: "no folio's writeback I/O is in flight to blocks the filesystem freed (truncate_inode_pages_range()'s folio_wait_writeback())",
    explain: (s) =>
      `page-cache folio ${pcWritebackToFreed(s.world, t)} is under writeback to blocks that were freed: the write lands in free (or reused) space`,
  });
}

/** finish_fault(): a user PTE maps the folio of index f now in the cache (the fault holds its lock). */
export function mapFolio(w: TruncateWorld, t: Truncate, f: number): void {
  w.pcMapped[f] = pcFolioGen(w, t.pc, f) + 1;
}

/** The first folio index whose uptodate, cached folio holds the file's old data over freed blocks, or -1. */
export function pcStaleFolio(w: PageCacheWorld, pc: PageCache): number {
  for (let f = 0; f < pc.folios; f++) {
    if (w.pcTruncated![f] !== 1 || !pcFolioCached(w, pc, f) || !pcFolioUptodate(w, f)) continue;
    for (let u = 0; u < pc.folioUnits; u++) if (w.pcData[f * pc.folioUnits + u] === PC_OLD) return f;
  }
  return -1;
}

/**
 * `no stale page cache`: no folio in the page cache holds the file's old data for a range whose blocks were
 * freed (punched or truncated): the next read() or fault would return it, and a freed block reused by
 * another file is read through it ("stale data exposure", 730633f0b7f9).
 */
export function noStalePageCache(pc: PageCache, options: { readonly name?: string } = {}): InvariantProperty<PageCacheWorld> {
  assertShape(options, NAME_OPTIONS, 'noStalePageCache() options');
  return invariant<PageCacheWorld>(options.name ?? 'no stale page cache', (s) => pcStaleFolio(s.world, pc) < 0, {
    description: 'no uptodate page-cache folio holds old data over blocks the filesystem freed (730633f0b7f9)',
    explain: (s) =>
      `page-cache folio ${pcStaleFolio(s.world, pc)} is uptodate with the file's old data, but its blocks were freed: ` +
      'a read() or fault after the punch returns the stale data',
  });
}

/** The first index whose user PTE maps a folio that left the page cache, or -1. */
export function pcOrphanMapping(w: TruncateWorld, pc: PageCache): number {
  for (let f = 0; f < pc.folios; f++) {
    const m = w.pcMapped[f]!;
    if (m > 0 && !(pcFolioCached(w, pc, f) && pcFolioGen(w, pc, f) === m - 1)) return f;
  }
  return -1;
}

/** `no orphan mapping`: no user PTE maps a folio truncate removed (folio->mapping == NULL). */
export function noOrphanMapping(t: Truncate, options: { readonly name?: string } = {}): InvariantProperty<TruncateWorld> {
  assertShape(options, NAME_OPTIONS, 'noOrphanMapping() options');
  return invariant<TruncateWorld>(options.name ?? 'no orphan mapping', (s) => pcOrphanMapping(s.world, t.pc) < 0, {
    description: 'no user PTE maps a folio that truncate removed from the page cache (the folio->mapping recheck after folio_lock())',
    explain: (s) => `a user PTE maps the old folio of index ${pcOrphanMapping(s.world, t.pc)}, which is no longer in the page cache`,
  });
}
