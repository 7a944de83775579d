/**
 * Page-cache folios of one file as a world fragment: PG_uptodate, PG_locked, per-block buffer uptodate
 * bits (buffer_head filesystems) and the content identity of every unit, with the ->write_begin() /
 * ->write_end() pairs that generic_perform_write() (mm/filemap.c) calls around
 * copy_folio_from_iter_atomic(), and ->read_folio().
 *
 * Content identity per unit: NEVER (never initialised: a folio freshly added to the cache by
 * __filemap_get_folio(FGP_CREAT) and not read), OLD (the file's data as read from disk), ZERO (zeroed by
 * the filesystem) or WRITTEN (data copied in by a write). The invariant every ->write_end() keeps is
 * `pageCacheInitialised`: a folio or buffer marked uptodate holds no NEVER unit, since read() and mmap()
 * expose an uptodate folio as it is.
 *
 * Two address_space_operations pairs, checked against the kernel text:
 *   'block'  block_write_begin() / block_write_end() (fs/buffer.c, the generic_write_end() of ext2, ext4
 *            without delalloc, and others): write_begin reads the blocks the write covers only partly and
 *            that are not uptodate (__block_write_begin_int()); write_end turns a short copy into a folio
 *            that is not uptodate into a zero-length write ("just treat any short write to a non uptodate
 *            folio as a zero-length write, and force the caller to redo the whole thing"), then
 *            __block_commit_write() marks the buffers of [from, from + copied) uptodate and the folio
 *            uptodate once every buffer is. Since 08291429cfa6 ("mm: fix pagecache write deadlocks", Nick
 *            Piggin and Andrew Morton, v2.6.24, where the rule first appeared in generic_file_buffered_write()).
 *   'simple' simple_write_begin() / simple_write_end() (fs/libfs.c, ramfs): write_begin zeroes the parts of
 *            a folio that is not uptodate outside the write; write_end ACCEPTS a short copy, zeroes
 *            [from + copied, from + len) ("zero the stale part of the folio if we did a short copy") and
 *            marks the folio uptodate. It never returns 0 for a short copy.
 * Blocks are `blockUnits` units (1 .. folioUnits, dividing it); 'simple' has no buffers. A file's blocks
 * all exist on disk (no holes or new blocks, so page_zero_new_buffers() has nothing to zero).
 *
 * PG_locked is the fragment's own `pcLocked[F]`, or, with `lock: { mmu, folios }`, the MMU folio's
 * `folioLocked` (the file is also mapped into user memory: a fault on that mapping waits for the lock).
 *
 * Large folios: `pageUnits` is PAGE_SIZE in units (default `folioUnits`: every folio is one page). A folio
 * of more than one page is large (folio_size() > PAGE_SIZE), every folio of the file has the same size
 * (mapping_max_folio_size(), the chunk generic_perform_write() and iomap_write_iter() start from), and
 * folioUnits / pageUnits is a power of two (a folio has 2^order pages). ->write_begin() / ->write_end()
 * work on byte ranges of the folio and do not care: the short-copy rules above apply to the whole folio
 * (block_write_end() and __iomap_write_end() test folio_test_uptodate() of the folio, not of a page).
 *
 * With `evict`, folios can leave the page cache, and the fragment tracks what decides it: `pcCached[F]`
 * (in the mapping's xarray), `pcDirty[F]` (set by a ->write_end() that accepted data), `pcRefs[F]`
 * (references beyond the page cache's own: a reader's folio_get(), a GUP pin) and `pcTruncated[F]` (the
 * folio's range was truncated: its blocks are gone, a new folio there reads zeroes). Two ways out:
 *   reclaim   shrink_folio_list() (mm/vmscan.c) on a folio its caller already unmapped (try_to_unmap()):
 *             folio_trylock() fails -> keep; folio_test_dirty() -> pageout(), not freed now;
 *             __remove_mapping(): folio_ref_freeze(folio, 1 + nr_pages) fails on any extra reference ->
 *             keep; else __filemap_remove_folio(). ramfs ('simple') folios are unevictable
 *             (mapping_set_unevictable()). `pcEvictOutcome` / `pcEvict`.
 *   truncate  truncate_inode_pages_range() (mm/truncate.c): folio_lock() (sleeps), then
 *             truncate_inode_folio(): unmap_mapping_folio() (the caller's MMU side), folio_invalidate(),
 *             folio_cancel_dirty(), filemap_remove_folio() - whatever the references: a pinned folio leaves
 *             the file and lives on for its pinner. `pcTruncateFolio` (with the lock held), then unlock.
 * A folio that is not cached comes back fresh (not uptodate, never-initialised content) through
 * ->write_begin() (__filemap_get_folio(FGP_CREAT)) or ->read_folio(). Not modelled: writeback (a dirty
 * folio stays dirty, so reclaim never frees it - it would start pageout() - and truncate never waits for
 * PG_writeback), buffer_heads that refuse release, shadow entries and refault detection.
 */
import { array, assertShape, bool, enumOf, int, invariant, type FieldSpecs, type InvariantProperty, type Shape } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { folioLock, folioLocked, folioUnlock } from '../mmu/folio.js';
import type { MmuWorld } from '../mmu/world.js';
import { NAME_OPTIONS } from '../options.js';

export const PC_NEVER = 0;
export const PC_OLD = 1;
export const PC_ZERO = 2;
export const PC_WRITTEN = 3;
export const PC_CONTENT_NAMES = ['never', 'old', 'zero', 'written'] as const;

export type WriteAops = 'block' | 'simple';

export interface PageCacheOptions {
  /** Folios of the file (F), 1..8. */
  readonly folios: number;
  /** Units per folio (U), 1..16. */
  readonly folioUnits: number;
  /** Which ->write_begin / ->write_end pair (see the file comment). */
  readonly aops: WriteAops;
  /** Units per block for 'block' (divides folioUnits). Default 1. */
  readonly blockUnits?: number;
  /** Initially uptodate folios (content OLD) - one for all or one per folio. Default false (content NEVER). */
  readonly uptodate?: boolean | readonly boolean[];
  /** Share PG_locked with MMU folios: page-cache folio f's lock is `mmu` folio `folios[f]` (-1: its own). */
  readonly lock?: { readonly mmu: Mmu; readonly folios: readonly number[] };
  /** PAGE_SIZE in units (divides folioUnits, with a power-of-two quotient). Default folioUnits: small folios. */
  readonly pageUnits?: number;
  /**
   * Folios can be evicted and truncated (see the file comment); `refs`: the most extra references a folio holds
   * (default 1); `cached`: which folios start in the cache (default all; one that does not cannot start
   * uptodate); `generations`: how many times a folio of each index may leave the cache while someone may still
   * hold it (the `pcGen[F]` identity that `folio->mapping` rechecks compare; default 0: no such field).
   */
  readonly evict?: boolean | { readonly refs?: number; readonly generations?: number; readonly cached?: boolean | readonly boolean[] };
}

/** Every option of definePageCache: a key not listed is a typo, refused rather than left at its default. */
const PAGE_CACHE_OPTIONS: Shape<PageCacheOptions> = {
  folios: 'checked',
  folioUnits: 'checked',
  aops: 'checked',
  blockUnits: 'checked',
  uptodate: 'checked',
  lock: 'object',
  pageUnits: 'checked',
  evict: 'checked',
};
/** `evict` as an object (`true` is `{ refs: 1 }`): a misspelt `generation` would leave folios that never come back. */
const EVICT_OPTIONS: Shape<Exclude<PageCacheOptions['evict'], boolean | undefined>> = { refs: 'checked', generations: 'checked', cached: 'checked' };
const LOCK_OPTIONS: Shape<NonNullable<PageCacheOptions['lock']>> = { mmu: 'object', folios: 'array' };

export interface PageCache {
  readonly folios: number;
  readonly folioUnits: number;
  readonly aops: WriteAops;
  readonly blockUnits: number;
  /** PAGE_SIZE in units; a folio of folioUnits > pageUnits is large. */
  readonly pageUnits: number;
  /** Blocks per folio ('block'), 0 for 'simple'. */
  readonly blocksPerFolio: number;
  /** The MMU whose folio locks are shared, or null. */
  readonly mmu: Mmu | null;
  /** MMU folio of each page-cache folio, -1 where the fragment's own `pcLocked` is used. */
  readonly mmuFolio: Int32Array;
  /** Folios can leave the page cache (`evict`). */
  readonly evictable: boolean;
  /** The most extra references a folio holds (`pcRefs`' bound; 0: no such field). */
  readonly refs: number;
  /** Removals per index that `pcGen[F]` counts (0: no such field). */
  readonly generations: number;
  readonly fields: FieldSpecs;
}

export interface PageCacheWorld {
  pcUptodate: number[];
  pcData: number[];
  pcLocked?: number[];
  pcBufUptodate?: number[];
  pcCached?: number[];
  pcDirty?: number[];
  pcRefs?: number[];
  pcTruncated?: number[];
  pcGen?: number[];
}

function perFolio(v: boolean | readonly boolean[] | undefined, n: number, what: string): boolean[] {
  if (v === undefined || typeof v === 'boolean') return new Array<boolean>(n).fill(v ?? false);
  if (v.length !== n) throw new RangeError(`page cache: ${what} has ${v.length} entries for ${n} folios`);
  return [...v];
}

export function definePageCache(o: PageCacheOptions): PageCache {
  assertShape(o, PAGE_CACHE_OPTIONS, 'definePageCache() options');
  if (o.evict !== undefined && typeof o.evict !== 'boolean') assertShape(o.evict, EVICT_OPTIONS, 'definePageCache() options: evict');
  if (o.lock !== undefined) assertShape(o.lock, LOCK_OPTIONS, 'definePageCache() options: lock');
  const F = o.folios;
  const U = o.folioUnits;
  if (!Number.isInteger(F) || F < 1 || F > 8) throw new RangeError(`page cache: folios ${F} is not 1..8`);
  if (!Number.isInteger(U) || U < 1 || U > 16) throw new RangeError(`page cache: folioUnits ${U} is not 1..16`);
  if (o.aops !== 'block' && o.aops !== 'simple') throw new RangeError(`page cache: aops '${String(o.aops)}' is not block or simple`);
  const B = o.blockUnits ?? 1;
  if (!Number.isInteger(B) || B < 1 || U % B !== 0) throw new RangeError(`page cache: blockUnits ${B} does not divide folioUnits ${U}`);
  const P = o.pageUnits ?? U;
  const order = Math.log2(U / P);
  if (!Number.isInteger(P) || P < 1 || U % P !== 0 || !Number.isInteger(order))
    throw new RangeError(`page cache: pageUnits ${P} must divide folioUnits ${U} into a power of two pages`);
  const uptodate = perFolio(o.uptodate, F, 'uptodate');
  const mmuFolio = new Int32Array(F).fill(-1);
  if (o.lock) {
    if (o.lock.folios.length !== F) throw new RangeError(`page cache: lock.folios has ${o.lock.folios.length} entries for ${F} folios`);
    if (!o.lock.mmu.pageLock) throw new RangeError('page cache: lock.mmu needs pageLock: true');
    o.lock.folios.forEach((mf, f) => {
      if (!Number.isInteger(mf) || mf < -1 || mf >= o.lock!.mmu.folioCount) throw new RangeError(`page cache: lock.folios[${f}] = ${mf} is not an MMU folio`);
      mmuFolio[f] = mf;
    });
  }
  const blocksPerFolio = o.aops === 'block' ? U / B : 0;
  const data: number[] = [];
  for (let f = 0; f < F; f++) for (let u = 0; u < U; u++) data.push(uptodate[f] ? PC_OLD : PC_NEVER);
  const bufs: number[] = [];
  for (let f = 0; f < F; f++) for (let b = 0; b < blocksPerFolio; b++) bufs.push(uptodate[f] ? 1 : 0);
  const refs = o.evict === undefined || o.evict === false ? 0 : o.evict === true ? 1 : (o.evict.refs ?? 1);
  if (!Number.isInteger(refs) || refs < 0 || refs > 4) throw new RangeError(`page cache: evict.refs ${refs} is not 0..4`);
  const generations = typeof o.evict === 'object' ? (o.evict.generations ?? 0) : 0;
  if (!Number.isInteger(generations) || generations < 0 || generations > 4) throw new RangeError(`page cache: evict.generations ${generations} is not 0..4`);
  const cached = perFolio(typeof o.evict === 'object' ? (o.evict.cached ?? true) : true, F, 'evict.cached');
  cached.forEach((c, f) => {
    if (!c && uptodate[f]) throw new RangeError(`page cache: folio ${f} cannot start uptodate outside the cache (evict.cached)`);
  });
  const evictFields: FieldSpecs = o.evict
    ? {
        pcCached: array(
          F,
          bool(),
          cached.map((c) => (c ? 1 : 0)),
        ),
        pcDirty: array(F, bool()),
        ...(refs > 0 ? { pcRefs: array(F, int(0, refs)) } : {}),
        pcTruncated: array(F, bool()),
        ...(generations > 0 ? { pcGen: array(F, int(0, generations)) } : {}),
      }
    : {};
  const fields: FieldSpecs = {
    pcUptodate: array(
      F,
      bool(),
      uptodate.map((x) => (x ? 1 : 0)),
    ),
    pcData: array(F * U, enumOf(PC_CONTENT_NAMES), data),
    ...(mmuFolio.some((mf) => mf < 0) ? { pcLocked: array(F, bool()) } : {}),
    ...(blocksPerFolio > 0 ? { pcBufUptodate: array(F * blocksPerFolio, bool(), bufs) } : {}),
    ...evictFields,
  };
  return {
    folios: F,
    folioUnits: U,
    aops: o.aops,
    blockUnits: B,
    pageUnits: P,
    blocksPerFolio,
    mmu: o.lock?.mmu ?? null,
    mmuFolio,
    evictable: Boolean(o.evict),
    refs: o.evict ? refs : 0,
    generations,
    fields,
  };
}

function checkRange(pc: PageCache, f: number, from: number, len: number, what: string): void {
  if (!(f >= 0 && f < pc.folios && from >= 0 && len >= 0 && from + len <= pc.folioUnits))
    throw new RangeError(`${what}: folio ${f} [${from}, ${from + len}) is outside the ${pc.folios} folios of ${pc.folioUnits} units`);
}

/** folio_test_large(): the file's folios span more than one page. */
export function pcFoliosLarge(pc: PageCache): boolean {
  return pc.folioUnits > pc.pageUnits;
}

/** PG_locked of folio f. */
export function pcFolioLocked(w: PageCacheWorld, pc: PageCache, f: number): boolean {
  const mf = pc.mmuFolio[f]!;
  return mf >= 0 ? folioLocked(w as unknown as MmuWorld, pc.mmu!, mf) : w.pcLocked![f] === 1;
}

/** folio_lock(): guard the step with `!pcFolioLocked` (the sleep); locking a held folio is a model error. */
export function pcFolioLock(w: PageCacheWorld, pc: PageCache, f: number): void {
  const mf = pc.mmuFolio[f]!;
  if (mf >= 0) return folioLock(w as unknown as MmuWorld, pc.mmu!, mf);
  if (w.pcLocked![f] === 1) throw new Error(`folio_lock: page-cache folio ${f} is already locked (guard the step with !pcFolioLocked)`);
  w.pcLocked![f] = 1;
}

/** folio_unlock(); unlocking an unlocked folio is a model error. */
export function pcFolioUnlock(w: PageCacheWorld, pc: PageCache, f: number): void {
  const mf = pc.mmuFolio[f]!;
  if (mf >= 0) return folioUnlock(w as unknown as MmuWorld, pc.mmu!, mf);
  if (w.pcLocked![f] !== 1) throw new Error(`folio_unlock: page-cache folio ${f} is not locked`);
  w.pcLocked![f] = 0;
}

export function pcFolioUptodate(w: PageCacheWorld, f: number): boolean {
  return w.pcUptodate[f] === 1;
}

/** folio_mark_uptodate(). */
export function pcFolioMarkUptodate(w: PageCacheWorld, pc: PageCache, f: number): void {
  w.pcUptodate[f] = 1;
  for (let b = 0; b < pc.blocksPerFolio; b++) w.pcBufUptodate![f * pc.blocksPerFolio + b] = 1;
}

/** What a read of folio f's blocks brings in: the file's data, or zeroes once its range was truncated. */
function onDisk(w: PageCacheWorld, pc: PageCache, f: number): number {
  return pc.evictable && w.pcTruncated![f] === 1 ? PC_ZERO : PC_OLD;
}

/** __filemap_get_folio(FGP_CREAT) of a folio that left the cache: a fresh one is added (its content is already NEVER). */
function pcFolioCreate(w: PageCacheWorld, pc: PageCache, f: number): void {
  if (pc.evictable) w.pcCached![f] = 1;
}

function fill(w: PageCacheWorld, pc: PageCache, f: number, from: number, to: number, v: number, only = -1): void {
  for (let u = from; u < to; u++) {
    const i = f * pc.folioUnits + u;
    if (only < 0 || w.pcData[i] === only) w.pcData[i] = v;
  }
}

/**
 * ->write_begin(pos = f:from, len) with the folio lock taken (guard with `!pcFolioLocked`; a write_begin
 * that finds the folio locked sleeps in __filemap_get_folio(FGP_WRITEBEGIN)). Not uptodate: 'simple'
 * zeroes the folio outside [from, from + len) unless the write covers it all (simple_write_begin());
 * 'block' reads each block the range covers only partly that is not uptodate (__block_write_begin_int()).
 */
export function writeBegin(w: PageCacheWorld, pc: PageCache, f: number, from: number, len: number): void {
  checkRange(pc, f, from, len, 'write_begin');
  pcFolioLock(w, pc, f);
  pcFolioCreate(w, pc, f);
  if (pcFolioUptodate(w, f)) return;
  const to = from + len;
  if (pc.aops === 'simple') {
    if (len === pc.folioUnits) return;
    fill(w, pc, f, 0, from, PC_ZERO);
    fill(w, pc, f, to, pc.folioUnits, PC_ZERO);
    return;
  }
  const B = pc.blockUnits;
  for (let b = 0; b < pc.blocksPerFolio; b++) {
    const start = b * B;
    const end = start + B;
    if (end <= from || start >= to) continue;
    const bi = f * pc.blocksPerFolio + b;
    if (w.pcBufUptodate![bi] === 1 || (start >= from && end <= to)) continue;
    fill(w, pc, f, start, end, onDisk(w, pc, f)); // ll_rw_block(REQ_OP_READ) of a partly overwritten block
    w.pcBufUptodate![bi] = 1;
  }
}

/** The destination side of copy_folio_from_iter_atomic(): `n` units land at f:from. The folio must be locked. */
export function copyIntoFolio(w: PageCacheWorld, pc: PageCache, f: number, from: number, n: number): void {
  checkRange(pc, f, from, n, 'copy into folio');
  if (!pcFolioLocked(w, pc, f)) throw new Error(`copy into page-cache folio ${f}: the folio is not locked (write_begin first)`);
  fill(w, pc, f, from, from + n, PC_WRITTEN);
}

/** What ->write_end(pos = f:from, len, copied) returns now. Pure. */
export function writeEndResult(w: PageCacheWorld, pc: PageCache, f: number, len: number, copied: number): number {
  if (pc.aops === 'block' && copied < len && !pcFolioUptodate(w, f)) return 0;
  return copied;
}

/**
 * ->write_end(pos = f:from, len, copied): commits what it accepts, unlocks the folio and returns the
 * units accepted (see the file comment for each pair). `copied` units were copied by `copyIntoFolio`.
 */
export function writeEnd(w: PageCacheWorld, pc: PageCache, f: number, from: number, len: number, copied: number): number {
  checkRange(pc, f, from, len, 'write_end');
  if (copied < 0 || copied > len) throw new RangeError(`write_end: copied ${copied} is not 0..${len}`);
  const status = writeEndResult(w, pc, f, len, copied);
  if (pc.aops === 'simple') {
    if (!pcFolioUptodate(w, f)) {
      fill(w, pc, f, from + copied, from + len, PC_ZERO);
      w.pcUptodate[f] = 1;
    }
  } else if (status > 0) {
    // __block_commit_write(folio, from, from + copied)
    const B = pc.blockUnits;
    let partial = false;
    for (let b = 0; b < pc.blocksPerFolio; b++) {
      const bi = f * pc.blocksPerFolio + b;
      if ((b + 1) * B <= from || b * B >= from + status) {
        if (w.pcBufUptodate![bi] !== 1) partial = true;
      } else w.pcBufUptodate![bi] = 1;
    }
    if (!partial) w.pcUptodate[f] = 1;
  }
  // __block_commit_write() -> mark_buffer_dirty() / simple_write_end() -> folio_mark_dirty()
  if (pc.evictable && (status > 0 || pc.aops === 'simple')) w.pcDirty![f] = 1;
  pcFolioUnlock(w, pc, f);
  return status;
}

/**
 * ->read_folio() of a folio that is not uptodate, called with the folio locked (filemap_fault(),
 * filemap_read_folio()): 'block' reads every buffer that is not uptodate (block_read_full_folio());
 * 'simple' zeroes the whole folio (simple_read_folio(): ramfs has no backing store). The folio ends uptodate.
 */
export function readFolio(w: PageCacheWorld, pc: PageCache, f: number): void {
  checkRange(pc, f, 0, 0, 'read_folio');
  pcFolioCreate(w, pc, f);
  if (pcFolioUptodate(w, f)) return;
  if (pc.aops === 'simple') fill(w, pc, f, 0, pc.folioUnits, PC_ZERO);
  else
    for (let b = 0; b < pc.blocksPerFolio; b++) {
      const bi = f * pc.blocksPerFolio + b;
      if (w.pcBufUptodate![bi] === 1) continue;
      fill(w, pc, f, b * pc.blockUnits, (b + 1) * pc.blockUnits, onDisk(w, pc, f));
      w.pcBufUptodate![bi] = 1;
    }
  w.pcUptodate[f] = 1;
}

/** The content unit u of folio f holds after `readFolio` (pure): what is there where it is uptodate, else what ->read_folio() brings in. */
export function readFolioUnitResult(w: PageCacheWorld, pc: PageCache, f: number, u: number): number {
  const i = f * pc.folioUnits + u;
  if (pcFolioUptodate(w, f)) return w.pcData[i]!;
  if (pc.aops === 'simple') return PC_ZERO;
  if (w.pcBufUptodate![f * pc.blocksPerFolio + Math.floor(u / pc.blockUnits)] === 1) return w.pcData[i]!;
  return onDisk(w, pc, f);
}

export const EVICT_OK = 0;
export const EVICT_NOT_CACHED = 1;
export const EVICT_UNEVICTABLE = 2;
export const EVICT_LOCKED = 3;
export const EVICT_DIRTY = 4;
export const EVICT_REFERENCED = 5;
export const EVICT_NAMES = [
  'freed',
  'not in the page cache',
  'unevictable (ramfs)',
  'folio_trylock() fails',
  'dirty: pageout()',
  'folio_ref_freeze() fails',
] as const;

function needsEvict(pc: PageCache, what: string): void {
  if (!pc.evictable) throw new Error(`${what}: the page cache was built without evict`);
}

/** Folio f is in the page cache (always, without `evict`). */
export function pcFolioCached(w: PageCacheWorld, pc: PageCache, f: number): boolean {
  return !pc.evictable || w.pcCached![f] === 1;
}

/**
 * What shrink_folio_list() does with folio f, already unmapped by its caller (EVICT_*), in the kernel's
 * order: trylock, dirty (pageout()), __remove_mapping()'s folio_ref_freeze(). Pure.
 */
export function pcEvictOutcome(w: PageCacheWorld, pc: PageCache, f: number): number {
  needsEvict(pc, 'shrink_folio_list');
  if (w.pcCached![f] === 0) return EVICT_NOT_CACHED;
  if (pc.aops === 'simple') return EVICT_UNEVICTABLE;
  if (pcFolioLocked(w, pc, f)) return EVICT_LOCKED;
  if (w.pcDirty![f] === 1) return EVICT_DIRTY;
  if (pc.refs > 0 && w.pcRefs![f]! > 0) return EVICT_REFERENCED;
  return EVICT_OK;
}

/**
 * Folio f leaves the page cache (__filemap_remove_folio(): folio->mapping = NULL): the slot's next folio is
 * fresh (not uptodate, content never initialised) and, with `generations`, another folio (`pcGen[f]` + 1; one
 * removal more than the fragment was built for is a model error, the field's domain).
 */
function removeFolio(w: PageCacheWorld, pc: PageCache, f: number): void {
  w.pcCached![f] = 0;
  if (pc.generations > 0) w.pcGen![f] = w.pcGen![f]! + 1;
  w.pcUptodate[f] = 0;
  w.pcDirty![f] = 0;
  if (pc.refs > 0) w.pcRefs![f] = 0;
  fill(w, pc, f, 0, pc.folioUnits, PC_NEVER);
  for (let b = 0; b < pc.blocksPerFolio; b++) w.pcBufUptodate![f * pc.blocksPerFolio + b] = 0;
}

/** shrink_folio_list() -> __remove_mapping() freed folio f; evicting a folio whose outcome is not EVICT_OK is a model error. */
export function pcEvict(w: PageCacheWorld, pc: PageCache, f: number): void {
  const o = pcEvictOutcome(w, pc, f);
  if (o !== EVICT_OK) throw new Error(`shrink_folio_list(): page-cache folio ${f} cannot be freed (${EVICT_NAMES[o]}): guard the step with pcEvictOutcome`);
  removeFolio(w, pc, f);
}

/**
 * truncate_inode_folio() of folio f, which the caller locked (truncate_inode_pages_range()'s folio_lock());
 * the caller unmaps it from user memory (unmap_mapping_folio()). Dirty data is cancelled, references do not
 * matter: it returns how many the removed folio still had (pins and gets on a folio the file no longer has).
 * The range stays truncated: a new folio there reads zeroes. Leaves the folio lock held for the caller's unlock.
 * The same as `pcRemoveFolio` then `pcFreeBlocks`, with nothing between them.
 */
export function pcTruncateFolio(w: PageCacheWorld, pc: PageCache, f: number): number {
  const refs = pcRemoveFolio(w, pc, f);
  pcFreeBlocks(w, pc, f);
  return refs;
}

/**
 * truncate_inode_folio() alone: folio f (locked by the caller) leaves the page cache, its dirty data
 * cancelled, and returns the references it still had; its blocks stay on disk until `pcFreeBlocks` (the
 * filesystem's ext4_ext_remove_space() / ext4_truncate() after truncate_pagecache_range()): between the two,
 * a read of the index brings the old data back in.
 */
export function pcRemoveFolio(w: PageCacheWorld, pc: PageCache, f: number): number {
  needsEvict(pc, 'truncate_inode_folio');
  if (!pcFolioLocked(w, pc, f)) throw new Error(`truncate_inode_folio(): page-cache folio ${f} is not locked (folio_lock() first)`);
  const refs = pc.refs > 0 ? w.pcRefs![f]! : 0;
  if (w.pcCached![f] === 1) removeFolio(w, pc, f);
  return refs;
}

/** The filesystem frees folio f's blocks (a hole now, or beyond EOF): a read of the index brings in zeroes. */
export function pcFreeBlocks(w: PageCacheWorld, pc: PageCache, f: number): void {
  needsEvict(pc, 'free blocks');
  w.pcTruncated![f] = 1;
}

/** folio->mapping == mapping for the folio of index f that was looked up at generation `gen` (always cached-and-same without `generations`). */
export function pcFolioMappingIs(w: PageCacheWorld, pc: PageCache, f: number, gen: number): boolean {
  return pcFolioCached(w, pc, f) && (pc.generations === 0 || w.pcGen![f] === gen);
}

/** `pcGen[f]`: which folio of index f is in the cache now (0 without `generations`). */
export function pcFolioGen(w: PageCacheWorld, pc: PageCache, f: number): number {
  return pc.generations > 0 ? w.pcGen![f]! : 0;
}

/** folio_get() / a GUP pin on folio f (the caller found it cached); more than the fragment's `refs` is a model error (the field's domain). */
export function pcFolioGet(w: PageCacheWorld, pc: PageCache, f: number): void {
  needsEvict(pc, 'folio_get');
  if (pc.refs === 0) throw new Error('folio_get: the page cache was built with evict.refs 0');
  w.pcRefs![f] = w.pcRefs![f]! + 1;
}

/** folio_put() / unpin of a reference taken with pcFolioGet; a put without one is a model error. */
export function pcFolioPut(w: PageCacheWorld, pc: PageCache, f: number): void {
  needsEvict(pc, 'folio_put');
  if (pc.refs === 0 || w.pcRefs![f] === 0) throw new Error(`folio_put: page-cache folio ${f} holds no extra reference`);
  w.pcRefs![f] = w.pcRefs![f]! - 1;
}

/** The first never-initialised unit an uptodate folio or buffer exposes, as [folio, unit], or null. */
export function pcExposedUnit(w: PageCacheWorld, pc: PageCache): readonly [number, number] | null {
  for (let f = 0; f < pc.folios; f++)
    for (let u = 0; u < pc.folioUnits; u++) {
      if (w.pcData[f * pc.folioUnits + u] !== PC_NEVER) continue;
      const buf = pc.blocksPerFolio > 0 && w.pcBufUptodate![f * pc.blocksPerFolio + Math.floor(u / pc.blockUnits)] === 1;
      if (w.pcUptodate[f] === 1 || buf) return [f, u];
    }
  return null;
}

/** An uptodate folio (or buffer) holds no never-initialised unit: what read() or a mapping would expose. */
export function pageCacheInitialised(pc: PageCache, options: { readonly name?: string } = {}): InvariantProperty<PageCacheWorld> {
  assertShape(options, NAME_OPTIONS, 'pageCacheInitialised() options');
  return invariant<PageCacheWorld>(options.name ?? 'page cache initialised', (s) => pcExposedUnit(s.world, pc) === null, {
    description: 'no folio or buffer marked uptodate holds a never-initialised unit (block_write_end() / simple_write_end())',
    explain: (s) => {
      const [f, u] = pcExposedUnit(s.world, pc)!;
      return `page-cache folio ${f} is uptodate but unit ${u} was never initialised: read() would return stale memory`;
    },
  });
}
