/**
 * Pipe buffers with page identity (include/linux/pipe_fs_i.h struct pipe_buffer; fs/pipe.c, fs/splice.c,
 * lib/iov_iter.c): on top of the ring of models/pipe/ring.ts, each slot's `page`, `offset`, `flags` and
 * `ops`, and the page-cache pages of one file that splice() puts into a pipe by reference.
 *
 * Fields (one per ring slot, prefix `pipeBuf`; one per page-cache page, prefix `pageCache`):
 * - `pipeBufOps[slot]`: '-' (buf->ops == NULL after pipe_buf_release()), 'anon' (anon_pipe_buf_ops: a page
 *   the pipe allocated, pipe_write() / push_pipe()) or 'page_cache' (page_cache_pipe_buf_ops: a file page
 *   spliced in by reference, copy_page_to_iter_pipe() up to v6.4, filemap_splice_read() since v6.5);
 * - `pipeBufPage[slot]`: '-', 'anon' (the buffer's own page: anonymous pipe pages are never shared, tee()
 *   is not modelled) or `f<i>` (page i of the file's page cache);
 * - `pipeBufOffset[slot]`: buf->offset in units; buf->len is the ring's `pipeLen[slot]`;
 * - `pipeBufFlags[slot]`: the bits PIPE_BUF_FLAG_LRU (0x01) and PIPE_BUF_FLAG_CAN_MERGE (0x10). They are
 *   NOT cleared when the buffer is released: pipe_buf_release() only sets buf->ops = NULL, so a slot's next
 *   user inherits them unless it initialises buf->flags (Dirty Pipe, CVE-2022-0847);
 * - `pageCacheRefs[i]`: references the pipe holds on page-cache page i (get_page() at splice, put_page() at
 *   release); `pageCacheMapped[i]`: the page is still in the file's mapping (page->mapping; try_steal and
 *   truncation remove it);
 * - ghost `pageCacheClobbered[i]`: a pipe write landed in page-cache page i (the page's content is no longer
 *   the file's: pipe writes must only ever copy into pages the pipe owns).
 *
 * Simplifications, stated: no packet mode (PIPE_BUF_FLAG_PACKET), no gifts (vmsplice SPLICE_F_GIFT), no
 * tee(); the page cache is one file whose pages are uptodate while in the mapping; the readers consume whole
 * buffers (ring.ts `pipeConsume`).
 */
import { array, assertShape, bool, enumOf, int, invariant, type FieldSpecs, type InvariantProperty, type Shape, type StateView } from '../../checker/index.js';
import type { Ints } from '../mmu/world.js';
import { pipeFull, pipeHeadSlot, pipeLastSlot, pipeMergeCommit, pipePushBuffer, type Pipe, type PipeWorld } from './ring.js';
import { NAME_OPTIONS } from '../options.js';

/** include/linux/pipe_fs_i.h. */
export const PIPE_BUF_FLAG_LRU = 0x01;
export const PIPE_BUF_FLAG_CAN_MERGE = 0x10;

export const PIPE_BUF_OPS_NONE = 0;
export const PIPE_BUF_OPS_ANON = 1;
export const PIPE_BUF_OPS_PAGE_CACHE = 2;
export const PIPE_BUF_OPS_NAMES = ['-', 'anon', 'page_cache'] as const;

/** Trace names of the `pipeBufFlags` values 0 .. 0x11. */
const FLAG_NAMES: readonly string[] = Array.from({ length: 0x12 }, (_, v) =>
  v === 0
    ? '0'
    : [v & PIPE_BUF_FLAG_LRU ? 'LRU' : '', v & PIPE_BUF_FLAG_CAN_MERGE ? 'CAN_MERGE' : '', v & ~0x11 ? `0x${(v & ~0x11).toString(16)}` : '']
        .filter(Boolean)
        .join('|'),
);

/** `pipeBufPage` values: 0 none, 1 the buffer's anonymous page, 2 + i page-cache page i. */
export const PIPE_BUF_PAGE_NONE = 0;
export const PIPE_BUF_PAGE_ANON = 1;

/** -ENODATA (page_cache_pipe_buf_confirm(): the page was truncated out of its mapping). */
export const ENODATA = 61;

export interface PipeBuffersOptions {
  /** Pages of the spliced file's page cache, 1..4. */
  readonly filePages: number;
}

/** Every option of definePipeBuffers: a key not listed is a typo, refused rather than left at its default. */
const PIPE_BUFFERS_OPTIONS: Shape<PipeBuffersOptions> = { filePages: 'checked' };

export interface PipeBuffers {
  readonly filePages: number;
  readonly fields: FieldSpecs;
}

export interface PipeBuffersWorld extends PipeWorld {
  readonly pipeBufOps: Ints;
  readonly pipeBufPage: Ints;
  readonly pipeBufOffset: Ints;
  readonly pipeBufFlags: Ints;
  readonly pageCacheRefs: Ints;
  readonly pageCacheMapped: Ints;
  readonly pageCacheClobbered: Ints;
}

/**
 * The buffer fields for pipe `P` (built by definePipe without `initial` buffers: every slot starts free,
 * with flags 0 as alloc_pipe_info()'s kcalloc() leaves them).
 */
export function definePipeBuffers(P: Pipe, o: PipeBuffersOptions): PipeBuffers {
  assertShape(o, PIPE_BUFFERS_OPTIONS, 'definePipeBuffers() options');
  if (!Number.isInteger(o.filePages) || o.filePages < 1 || o.filePages > 4) {
    throw new RangeError(`definePipeBuffers: filePages must be a whole number in 1..4, not ${o.filePages}`);
  }
  const pages = ['-', 'anon', ...Array.from({ length: o.filePages }, (_, i) => `f${i}`)];
  const fields: FieldSpecs = {
    pipeBufOps: array(P.slots, enumOf(PIPE_BUF_OPS_NAMES)),
    pipeBufPage: array(P.slots, enumOf(pages)),
    pipeBufOffset: array(P.slots, int(0, P.pageUnits - 1)),
    pipeBufFlags: array(P.slots, { ...int(0, PIPE_BUF_FLAG_CAN_MERGE | PIPE_BUF_FLAG_LRU), names: FLAG_NAMES }),
    pageCacheRefs: array(o.filePages, int(0, P.slots)),
    pageCacheMapped: array(o.filePages, bool(true)),
    pageCacheClobbered: array(o.filePages, bool()),
  };
  return { filePages: o.filePages, fields };
}

function filePageOf(w: PipeBuffersWorld, slot: number): number {
  const pg = w.pipeBufPage[slot]!;
  return pg >= 2 ? pg - 2 : -1;
}

/**
 * pipe_write()'s new-buffer path (v5.8+, f6dd975583bd): `buf->page = page; buf->ops = &anon_pipe_buf_ops;
 * buf->offset = 0; buf->len = copied; buf->flags = PIPE_BUF_FLAG_CAN_MERGE` (not a packet pipe), head++.
 * Writer `wr`'s k units go into the ring's ghost stream. Guard with !pipeFull.
 */
export function pipeWriteNewBuffer(w: PipeBuffersWorld, P: Pipe, wr: number, k: number): void {
  const s = pipeHeadSlot(w, P);
  pipePushBuffer(w, P, wr, k);
  w.pipeBufOps[s] = PIPE_BUF_OPS_ANON;
  w.pipeBufPage[s] = PIPE_BUF_PAGE_ANON;
  w.pipeBufOffset[s] = 0;
  w.pipeBufFlags[s] = PIPE_BUF_FLAG_CAN_MERGE;
}

/** How pipe_write() decides that the last buffer can take more bytes. */
export type PipeMergeTest = 'flag' | 'ops';

/**
 * pipe_write()'s merge test for a write of `totalLen` units: chars = total_len & (PAGE_SIZE-1), a last
 * buffer, `offset + len + chars <= PAGE_SIZE`, and - `flag` (v5.8+, f6dd975583bd) - buf->flags &
 * PIPE_BUF_FLAG_CAN_MERGE, or - `ops` (up to v5.7) - pipe_buf_can_merge(): buf->ops == &anon_pipe_buf_ops.
 * Returns chars when the write merges, else 0. Pure.
 */
export function pipeWriteMergeChars(w: PipeBuffersWorld, P: Pipe, totalLen: number, test: PipeMergeTest): number {
  const chars = totalLen % P.pageUnits;
  const s = pipeLastSlot(w, P);
  if (chars === 0 || s < 0) return 0;
  const mergeable = test === 'flag' ? (w.pipeBufFlags[s]! & PIPE_BUF_FLAG_CAN_MERGE) !== 0 : w.pipeBufOps[s] === PIPE_BUF_OPS_ANON;
  return mergeable && w.pipeBufOffset[s]! + w.pipeLen[s]! + chars <= P.pageUnits ? chars : 0;
}

/**
 * The merge: copy_page_from_iter(buf->page, offset + buf->len, chars), then buf->len += chars. The copy
 * writes into whatever page the buffer holds: if that is a page-cache page, the file's cached data changes
 * (ghost `pageCacheClobbered`). Guard with pipeWriteMergeChars() > 0.
 */
export function pipeWriteMerge(w: PipeBuffersWorld, P: Pipe, wr: number, k: number): void {
  const s = pipeLastSlot(w, P);
  if (s < 0 || w.pipeBufOffset[s]! + w.pipeLen[s]! + k > P.pageUnits) throw new Error(`pipe_write merge of ${k} units: no last buffer with room`);
  const f = filePageOf(w, s);
  if (f >= 0) w.pageCacheClobbered[f] = 1;
  pipeMergeCommit(w, P, wr, k);
}

/** How a splice read initialises the flags of the buffer it fills. */
export type SpliceFlagsInit = 'stale' | 'cleared';

/**
 * copy_page_to_iter_pipe() (lib/iov_iter.c, 241699cd72a8 v4.9 .. v6.4; filemap_splice_read() since v6.5):
 * splice `len` units of page-cache page `page` from `offset` into a new buffer: get_page(page);
 * `buf->ops = &page_cache_pipe_buf_ops; buf->page = page; buf->offset = offset; buf->len = len`, head++.
 * `stale` leaves buf->flags as the slot's previous user left them (v4.9 .. v5.16); `cleared` is the fix
 * 9d2231c5d74e "lib/iov_iter: initialize "flags" in new pipe_buffer" (v5.17-rc6): `buf->flags = 0`. Guard
 * with !pipeFull and pageCacheMapped[page]. The spliced bytes are nobody's tracked write (ghost pipeLast 0).
 */
export function pipeSplicePageCache(w: PipeBuffersWorld, P: Pipe, B: PipeBuffers, page: number, offset: number, len: number, init: SpliceFlagsInit): void {
  if (!(page >= 0 && page < B.filePages)) throw new RangeError(`splice: no page-cache page ${page}`);
  if (!(offset >= 0 && len >= 1 && offset + len <= P.pageUnits)) throw new RangeError(`splice: ${len} units at offset ${offset} do not fit in a page`);
  if (pipeFull(w, P)) throw new Error('splice into a full pipe (guard with !pipeFull)');
  if (!w.pageCacheMapped[page]) throw new Error(`splice of page-cache page ${page}, which is no longer in the mapping`);
  const s = pipeHeadSlot(w, P);
  w.pipeLen[s] = len;
  w.pipeUsed = w.pipeUsed + 1;
  w.pipeLast = 0;
  w.pageCacheRefs[page] = w.pageCacheRefs[page]! + 1;
  w.pipeBufOps[s] = PIPE_BUF_OPS_PAGE_CACHE;
  w.pipeBufPage[s] = 2 + page;
  w.pipeBufOffset[s] = offset;
  if (init === 'cleared') w.pipeBufFlags[s] = 0;
}

/**
 * pipe_buf_release() -> ops->release(): anon_pipe_buf_release() frees the page (or keeps it as
 * pipe->tmp_page), page_cache_pipe_buf_release() is put_page(); then `buf->ops = NULL`. buf->flags,
 * buf->offset are left as they were (the page pointer too; the model clears it: nothing reads it).
 */
export function pipeBufRelease(w: PipeBuffersWorld, slot: number): void {
  if (w.pipeBufOps[slot] === PIPE_BUF_OPS_NONE) throw new Error(`pipe_buf_release() of slot ${slot}, which holds no buffer`);
  const f = filePageOf(w, slot);
  if (f >= 0) w.pageCacheRefs[f] = w.pageCacheRefs[f]! - 1;
  w.pipeBufOps[slot] = PIPE_BUF_OPS_NONE;
  w.pipeBufPage[slot] = PIPE_BUF_PAGE_NONE;
}

/**
 * pipe_buf_confirm(): anon_pipe_buf_ops has no ->confirm (0); page_cache_pipe_buf_confirm() returns
 * -ENODATA when the page left its mapping (page->mapping == NULL: truncated or stolen). The page-cache pages
 * here are uptodate while mapped, so its -EIO case does not arise. Pure.
 */
export function pipeBufConfirm(w: PipeBuffersWorld, slot: number): number {
  const f = filePageOf(w, slot);
  return f >= 0 && !w.pageCacheMapped[f] ? -ENODATA : 0;
}

/**
 * Whether pipe_buf_try_steal() would succeed (pure): anon_pipe_buf_try_steal() when page_count(page) == 1
 * (always, for the model's unshared anonymous pages); page_cache_pipe_buf_try_steal() when remove_mapping()
 * succeeds: the page is in its mapping and the pipe's one reference is the only one besides the cache's.
 */
export function pipeBufTryStealOk(w: PipeBuffersWorld, slot: number): boolean {
  if (w.pipeBufOps[slot] === PIPE_BUF_OPS_ANON) return true;
  const f = filePageOf(w, slot);
  return f >= 0 && w.pageCacheMapped[f] === 1 && w.pageCacheRefs[f] === 1;
}

/**
 * pipe_buf_try_steal(): on success a page-cache page leaves the mapping (remove_mapping()) and the buffer
 * gets PIPE_BUF_FLAG_LRU (the stealer must put it back on the LRU); returns whether it succeeded.
 */
export function pipeBufTrySteal(w: PipeBuffersWorld, slot: number): boolean {
  if (!pipeBufTryStealOk(w, slot)) return false;
  const f = filePageOf(w, slot);
  if (f >= 0) {
    w.pageCacheMapped[f] = 0;
    w.pipeBufFlags[slot] = w.pipeBufFlags[slot]! | PIPE_BUF_FLAG_LRU;
  }
  return true;
}

/** truncate_inode_pages() of page-cache page `page`: it leaves the mapping (the pipe's references stay). */
export function pageCacheTruncate(w: PipeBuffersWorld, page: number): void {
  w.pageCacheMapped[page] = 0;
}

/**
 * What pipe_read() of up to `n` units would return (pure): the units of the whole buffers it takes from the
 * tail, or the first failing pipe_buf_confirm() error if it fails before anything was read.
 */
export function pipeReadResult(w: PipeBuffersWorld, P: Pipe, n: number): number {
  let got = 0;
  for (let i = 0; i < w.pipeUsed; i++) {
    const s = (w.pipeTail + i) % P.slots;
    const len = w.pipeLen[s]!;
    if (got + len > n) break;
    const err = pipeBufConfirm(w, s);
    if (err < 0) return got > 0 ? got : err;
    got += len;
  }
  return got;
}

/**
 * pipe_read() of up to `n` units: for each whole buffer from the tail, pipe_buf_confirm(), copy it out,
 * pipe_buf_release(), tail++. Stops before a buffer that does not fit or fails confirm. Returns
 * pipeReadResult().
 */
export function pipeRead(w: PipeBuffersWorld, P: Pipe, n: number): number {
  const ret = pipeReadResult(w, P, n);
  const units = Math.max(ret, 0);
  let got = 0;
  while (w.pipeUsed > 0 && got < units) {
    const s = w.pipeTail;
    got += w.pipeLen[s]!;
    pipeBufRelease(w, s);
    w.pipeLen[s] = 0;
    w.pipeTail = (s + 1) % P.slots;
    w.pipeUsed = w.pipeUsed - 1;
  }
  return ret;
}

function firstClobbered(s: StateView<PipeBuffersWorld>, B: PipeBuffers): number {
  for (let i = 0; i < B.filePages; i++) if (s.world.pageCacheClobbered[i]) return i;
  return -1;
}

/**
 * A pipe write never changes a page-cache page (Dirty Pipe, CVE-2022-0847): write(2) to a pipe copies only
 * into pages the pipe allocated, never into a file page that splice() lent it.
 */
export function pageCacheIntact(B: PipeBuffers, options: { readonly name?: string } = {}): InvariantProperty<PipeBuffersWorld> {
  assertShape(options, NAME_OPTIONS, 'pageCacheIntact() options');
  return invariant(options.name ?? 'page cache intact', (s) => firstClobbered(s, B) < 0, {
    description: "a pipe write never changes a page-cache page's content (pipe_write() copies only into pages the pipe owns)",
    explain: (s) => `a pipe write landed in page-cache page f${firstClobbered(s, B)}: the file's cached data changed without a write to the file`,
  });
}
