/**
 * A buffered write() into the page cache (models/pagecache/folio.ts) from a user buffer (an ITER_SOURCE
 * iterator over the MMU): generic_perform_write() (mm/filemap.c) in its forms, and fuse_fill_write_pages()
 * (fs/fuse/file.c). The write starts at file offset 0; with small folios the chunk is one page-cache folio.
 *
 * Option `loop`:
 *   'copy-faults-enabled'  generic_file_buffered_write() up to v2.6.23: fault_in_pages_readable() (result
 *                          ignored), ->prepare_write() with the page locked, filemap_copy_from_user(): an
 *                          atomic copy, and on a short one "Do it the slow way": the copy again with page
 *                          faults enabled, still under the page lock. A fault there on a mapping of the
 *                          same page waits for the lock the writer holds ("2,8 - recursive deadlock if page
 *                          is same", 08291429cfa6 "mm: fix pagecache write deadlocks", v2.6.24); a short copy is -EFAULT.
 *   'prefault-each'        v5.18 (631f871f0717, `== bytes`) .. v6.13: fault_in_iov_iter_readable(i, bytes)
 *                          before every ->write_begin (`-EFAULT` only if nothing could be faulted in),
 *                          then copy_folio_from_iter_atomic() and ->write_end().
 *   'fault-after-zero'     665575cff098 (v6.14, "filemap: move prefaulting out of hot write path"): no
 *                          prefault; after ->write_end() rejected everything and the copy made no progress,
 *                          "'folio' is now unlocked and faults on it can be handled. Ensure forward
 *                          progress by trying to fault it in now": `== bytes` is -EFAULT.
 *   'no-fault-in'          665575cff098 without that fault-in (hypothetical): nothing ever faults the
 *                          source in.
 *   'fuse-prefault'        fuse_fill_write_pages() before faa794dd2e17: `if
 *                          (fault_in_iov_iter_readable(ii, bytes))` -EFAULT at `again:`, then
 *                          __filemap_get_folio(FGP_WRITEBEGIN), the atomic copy; 0 copied: unlock, again;
 *                          a short copy is kept (sent to the server), the folio is marked uptodate only
 *                          when the copy filled it.
 *   'fuse-fault-after'     faa794dd2e17 (v6.16, "fuse: Move prefaulting out of hot write path"): the same
 *                          fault-in (still `!= 0`) only after a copy of 0, with the folio unlocked.
 * In every form the loop returns `written ? written : status`.
 *
 * Large folios (a page cache with folioUnits > pageUnits; the generic loops only): the copy chunk starts
 * at the folio size (mapping_max_folio_size()) and `bytes = min(chunk - (pos & (chunk - 1)), bytes)`;
 * after ->write_end() rejected a copy (status 0), `if (chunk > PAGE_SIZE) chunk /= 2`, so a prefault
 * that evicts the start of its own chunk (memory pressure) or a copy that keeps stopping short shrinks
 * the chunk down to one page. iomap_write_iter() since 5d8edfb900d5 ("iomap: Copy larger chunks from
 * userspace", v6.6, Matthew Wilcox), generic_perform_write() since 9aac777aaf94 (v6.11). Option `chunk`:
 * 'halve' (default, as shipped) or 'fixed' (hypothetical: the chunk never shrinks). Option `retryBytes`:
 * 'copied' (default: `bytes = copied; goto retry`, bc1bb416bbb9's rule kept by 3ac974796e5d "iomap: fix
 * short copy in iomap_write_iter()", v6.6-rc7) or 'recomputed' (5d8edfb900d5 as merged, v6.6-rc1 ..
 * rc6: `bytes = copied` is overwritten at the loop top by `min(chunk - offset, iov_iter_count(i))`, so once
 * the chunk is one page a short copy inside that page is retried at the same size forever - LTP writev07).
 * With 'fault-after-zero' the halving happens before the fault-in, which still uses this iteration's
 * `bytes`; the model applies it with the fault-in step (nothing reads the chunk in between).
 *
 * Option `mapping`: user pages that map page-cache folios of the written file (MAP_SHARED of the same
 * file). Their MMU folio is the page-cache folio's lock (definePageCache's `lock`), so a fault on them
 * waits for the writer's folio lock; when a fault-in maps one whose folio is not uptodate, filemap_fault()
 * reads it (->read_folio()) first (not for fuse: its read comes from the server, not modelled).
 */
import { assign, setup } from 'xstate';
import { assertShape, bool, deadlockFreedom, int, terminates, type ActorSpec, type Property, type Shape, type StepEvent } from '../../checker/index.js';
import { iovIterRevert } from '../iov-iter/advance.js';
import { copyFolioFromIterAtomic, copyFromIterChoices, copyFromIterResult } from '../iov-iter/copy.js';
import { faultInIovIterReadable, faultInIovIterReadableResult } from '../iov-iter/faultIn.js';
import { ITER_SOURCE, ITER_UBUF, iterConsumed, type IovIter } from '../iov-iter/iter.js';
import { faultablePrefix } from '../mmu/access.js';
import { noSpuriousEfault } from '../properties/faultIn.js';
import { BLOCKED, PTE_PRESENT_RO, PTE_PRESENT_RW } from '../mmu/constants.js';
import type { MmuWorld } from '../mmu/world.js';
import {
  copyIntoFolio,
  pcFolioLock,
  pcFolioLocked,
  pcFolioMarkUptodate,
  pcFolioUnlock,
  pcFolioUptodate,
  pageCacheInitialised,
  pcFoliosLarge,
  readFolio,
  writeBegin,
  writeEnd,
  writeEndResult,
  type PageCache,
  type PageCacheWorld,
} from '../pagecache/folio.js';

export const WRITE_LOOPS = ['copy-faults-enabled', 'prefault-each', 'fault-after-zero', 'no-fault-in', 'fuse-prefault', 'fuse-fault-after'] as const;
export type WriteLoop = (typeof WRITE_LOOPS)[number];

export interface BufferedWriteOptions {
  /** Column name. Default 'CPU0'. */
  readonly name?: string;
  readonly loop: WriteLoop;
  /** Large folios: the chunk halves after a rejected copy ('halve', default) or never ('fixed', hypothetical). */
  readonly chunk?: 'halve' | 'fixed';
  /** Large folios: a rejected short copy retries `bytes = copied` ('copied', default) or the loop top recomputes it ('recomputed', 5d8edfb900d5). */
  readonly retryBytes?: 'copied' | 'recomputed';
  /** User pages that map a page-cache folio of the file: `{ page, folio }`. Default none. */
  readonly mapping?: readonly { readonly page: number; readonly folio: number }[];
}

/** Every option of bufferedWriteMachine and bufferedWriteActor: a key not listed is a typo, refused rather than left at its default. */
const BUFFERED_WRITE_OPTIONS: Shape<BufferedWriteOptions> = { name: 'string', loop: 'checked', chunk: 'checked', retryBytes: 'checked', mapping: 'array' };

export interface BufferedWriteContext {
  /** `bytes` before the clamp to the folio: iov_iter_count() at the loop top, `copied` on a retry. */
  bytes: number;
  /** What the last copy_folio_from_iter_atomic() (plus the slow copy) returned. */
  copied: number;
  /**
   * What ->write_end() will return for that copy (fuse: the copy itself), set with `copied`: PG_uptodate
   * cannot change while the writer holds the folio lock.
   */
  accepted: number;
  /** Units written so far (the file position). */
  written: number;
  /** write() returned -EFAULT. */
  efault: number;
  /** Large folios only: the copy chunk in units (starts at the folio size, halves down to one page). */
  chunk?: number;
}

export type BufferedWriteWorld = MmuWorld & PageCacheWorld;

type Ev = StepEvent<
  'faultInIovIterReadable' | 'writeBegin' | 'copyFolioFromIterAtomic' | 'copyFromUser' | 'writeEnd' | 'folioUnlock' | 'fuseSendWritePages',
  BufferedWriteWorld
>;

/** Static facts of one writer, shared by guards, actions and the label. */
class Writer {
  readonly fuse: boolean;
  readonly prefault: boolean;
  readonly U: number;
  /** The page cache has large folios: the chunk is a context field. */
  readonly large: boolean;
  constructor(
    readonly it: IovIter,
    readonly pc: PageCache,
    readonly o: BufferedWriteOptions,
  ) {
    if (!(WRITE_LOOPS as readonly string[]).includes(o.loop))
      throw new RangeError(`buffered write: loop '${String(o.loop)}' is not one of ${WRITE_LOOPS.join(', ')}`);
    if (!it.userBacked || it.dataSource !== ITER_SOURCE) throw new RangeError('buffered write: the iterator must be a user-backed ITER_SOURCE (UBUF or IOVEC)');
    if (it.total > pc.folios * pc.folioUnits) throw new RangeError(`buffered write: ${it.total} units do not fit the file's ${pc.folios * pc.folioUnits}`);
    for (const { page, folio } of o.mapping ?? [])
      if (!(page >= 0 && page < it.mmu.pages && folio >= 0 && folio < pc.folios))
        throw new RangeError(`buffered write: mapping page ${page} -> folio ${folio} is out of range`);
    if (o.loop === 'copy-faults-enabled' && it.type !== ITER_UBUF) throw new RangeError("buffered write: loop 'copy-faults-enabled' takes a UBUF iterator");
    this.fuse = o.loop.startsWith('fuse');
    this.prefault = o.loop === 'prefault-each' || o.loop === 'copy-faults-enabled' || o.loop === 'fuse-prefault';
    this.U = pc.folioUnits;
    this.large = pcFoliosLarge(pc);
    if (this.large && (this.fuse || o.loop === 'copy-faults-enabled'))
      throw new RangeError(`buffered write: loop '${o.loop}' has no large-folio chunk (only prefault-each, fault-after-zero, no-fault-in)`);
    if (!this.large && (o.chunk !== undefined || o.retryBytes !== undefined))
      throw new RangeError('buffered write: chunk and retryBytes need a page cache with large folios (folioUnits > pageUnits)');
    if (o.chunk !== undefined && o.chunk !== 'halve' && o.chunk !== 'fixed')
      throw new RangeError(`buffered write: chunk '${String(o.chunk)}' is not halve or fixed`);
    if (o.retryBytes !== undefined && o.retryBytes !== 'copied' && o.retryBytes !== 'recomputed')
      throw new RangeError(`buffered write: retryBytes '${String(o.retryBytes)}' is not copied or recomputed`);
  }
  /** The copy chunk: the context's with large folios, else the (one-page) folio. */
  chunk(c: BufferedWriteContext): number {
    return this.large ? c.chunk! : this.U;
  }
  /** `if (chunk > PAGE_SIZE) chunk /= 2` (unless the chunk is 'fixed'). */
  halved(c: BufferedWriteContext): number {
    const ch = this.chunk(c);
    return this.o.chunk !== 'fixed' && ch > this.pc.pageUnits ? ch / 2 : ch;
  }
  folio(c: BufferedWriteContext): number {
    return Math.floor(c.written / this.U);
  }
  offset(c: BufferedWriteContext): number {
    return c.written % this.U;
  }
  /** bytes = min(chunk - (pos & (chunk - 1)), bytes); the chunk divides the folio, so this stays inside it. */
  len(c: BufferedWriteContext): number {
    const ch = this.chunk(c);
    return Math.min(ch - (c.written % ch), c.bytes);
  }
  faultIn(w: BufferedWriteWorld, c: BufferedWriteContext): number {
    return faultInIovIterReadableResult(w, this.it, this.len(c));
  }
  /** After a fault-in: filemap_fault() read the folios it mapped that were not uptodate. */
  readMapped(w: BufferedWriteWorld): void {
    if (this.fuse) return;
    for (const { page, folio } of this.o.mapping ?? []) {
      const pte = w.pte[page];
      if ((pte === PTE_PRESENT_RO || pte === PTE_PRESENT_RW) && !pcFolioUptodate(w, folio)) readFolio(w, this.pc, folio);
    }
  }
  /** The mapped folios a fault-in of `n` units from the position would read (not uptodate, page not present). */
  mappedFoliosRead(w: BufferedWriteWorld, n: number): number[] {
    if (this.fuse) return [];
    const m = this.it.mmu;
    const first = this.it.addrAt[iterConsumed(w, this.it)];
    if (first === undefined || faultInIovIterReadableResult(w, this.it, n) === BLOCKED) return [];
    const reach = n - faultInIovIterReadableResult(w, this.it, n);
    const out: number[] = [];
    for (const { page, folio } of this.o.mapping ?? []) {
      const inRange = page >= Math.floor(first / m.unitsPerPage) && page * m.unitsPerPage < first + reach;
      const pte = w.pte[page];
      if (inRange && pte !== PTE_PRESENT_RO && pte !== PTE_PRESENT_RW && !pcFolioUptodate(w, folio) && !out.includes(folio)) out.push(folio);
    }
    return out;
  }
  /** The fault-in's verdict: the loop gives up (-EFAULT or a short write). */
  faultInFails(w: BufferedWriteWorld, c: BufferedWriteContext): boolean {
    const r = this.faultIn(w, c);
    if (this.o.loop === 'copy-faults-enabled') return false; // 2.6.23 ignored the result
    return this.fuse ? r !== 0 : r === this.len(c);
  }
  /** What ->write_end() returns now. Pure. */
  status(w: BufferedWriteWorld, c: BufferedWriteContext): number {
    return writeEndResult(w, this.pc, this.folio(c), this.len(c), c.copied);
  }
  /** The slow copy: fault in what is left of `bytes`, then copy as much as is accessible. */
  slowCopyBlocked(w: BufferedWriteWorld, c: BufferedWriteContext): boolean {
    return faultInIovIterReadableResult(w, this.it, this.len(c) - c.copied) === BLOCKED;
  }
  /** Units the slow copy (faults enabled, after the fault-in) takes: the faultable prefix of what is left. Pure. */
  slowCopied(w: BufferedWriteWorld, c: BufferedWriteContext): number {
    return faultablePrefix(w, this.it.mmu, this.it.addrAt[iterConsumed(w, this.it)]!, this.len(c) - c.copied, false);
  }
}

/** The state after the loop's top (`bytes = iov_iter_count(i)` or `goto retry`). */
function top(r: Writer): string {
  return r.prefault ? 'prefault' : 'begin';
}

/**
 * Action order within a transition: either assigns first that read the pre-state and effects that read only
 * context fields those assigns leave alone (copy, slow copy), or effects first and then assigns that read
 * only the context (fault-in, write_end, fuse's send).
 */
export function bufferedWriteMachine(it: IovIter, pc: PageCache, o: BufferedWriteOptions) {
  assertShape(o, BUFFERED_WRITE_OPTIONS, 'bufferedWriteMachine() options');
  const r = new Writer(it, pc, o);
  const loop = o.loop;
  const ret = (written: number) => ({ written, efault: written === 0 ? 1 : 0 });
  // After ->write_end() returned 0 (large folios): chunk /= 2; it runs after every action that reads the chunk.
  const halve = r.large ? ['halveChunk'] : [];
  const afterCopy =
    loop === 'copy-faults-enabled'
      ? [
          { guard: 'shortCopy', target: 'slowCopy', actions: ['setCopied', 'copy'] },
          { target: 'end', actions: ['setCopied', 'copy'] },
        ]
      : r.fuse
        ? [
            { guard: 'copiedNothing', target: 'unlock', actions: ['setCopied', 'copy'] },
            { target: 'send', actions: ['setCopied', 'copy'] },
          ]
        : [{ target: 'end', actions: ['setCopied', 'copy'] }];
  const states: Record<string, any> = {
    begin: {
      meta: { waitsFor: 'the page-cache folio lock' },
      on: {
        writeBegin: {
          guard: 'unlocked',
          target: 'copy',
          actions: 'writeBegin',
          description: r.fuse ? '__filemap_get_folio(FGP_WRITEBEGIN)' : '->write_begin()',
        },
      },
    },
    copy: { on: { copyFolioFromIterAtomic: afterCopy } },
    done: { type: 'final' },
  };
  if (r.prefault)
    states.prefault = {
      meta: { waitsFor: 'the fault-in (a folio lock or mmap_lock)' },
      on: {
        faultInIovIterReadable: [
          { guard: 'faultInGivesUp', target: 'done', actions: ['faultIn', 'returnWritten'] },
          { guard: 'canFaultIn', target: 'begin', actions: 'faultIn' },
        ],
      },
    };
  if (loop === 'fault-after-zero' || loop === 'fuse-fault-after')
    states.faultIn = {
      meta: { waitsFor: 'the fault-in (a folio lock or mmap_lock)' },
      on: {
        faultInIovIterReadable: [
          { guard: 'faultInGivesUp', target: 'done', actions: ['faultIn', 'returnWritten'] },
          // generic: `} while (iov_iter_count(i))` -> bytes = iov_iter_count(i); fuse: goto again (same bytes)
          { guard: 'canFaultIn', target: 'begin', actions: ['faultIn', 'afterFaultIn', ...halve] },
        ],
      },
    };
  if (loop === 'copy-faults-enabled')
    states.slowCopy = {
      meta: { waitsFor: 'the page-cache folio lock, which this task holds (filemap_fault() on the mapping of the folio being written)' },
      on: { copyFromUser: { guard: 'slowCopyRuns', target: 'end', actions: ['setSlowCopied', 'slowCopy'] } },
    };
  if (r.fuse) {
    states.unlock = {
      on: { folioUnlock: { target: loop === 'fuse-prefault' ? 'prefault' : 'faultIn', actions: 'unlockFolio', description: 'folio_unlock(); folio_put()' } },
    };
    states.send = {
      on: {
        fuseSendWritePages: [
          { guard: 'lastUnits', target: 'done', actions: ['send', 'fuseReturn'] },
          { target: top(r), actions: ['send', 'fuseNext'] },
        ],
      },
    };
  } else {
    const next = top(r);
    states.end = {
      on: {
        writeEnd:
          loop === 'copy-faults-enabled'
            ? [
                { guard: 'shortCopy', target: 'done', actions: ['writeEnd', 'returnAccepted'] },
                { guard: 'lastUnits', target: 'done', actions: ['writeEnd', 'returnAccepted'] },
                { target: next, actions: ['writeEnd', 'nextChunk'] },
              ]
            : [
                // status == 0 && copied: bytes = copied; goto retry (chunk /= 2 first)
                { guard: 'rejectedSome', target: next, actions: ['writeEnd', 'retryCopied', ...halve] },
                // status == 0, nothing copied
                {
                  guard: 'rejectedAll',
                  target: loop === 'fault-after-zero' ? 'faultIn' : next,
                  actions: ['writeEnd', 'rejectedAll', ...(loop === 'fault-after-zero' ? [] : halve)],
                },
                { guard: 'lastUnits', target: 'done', actions: ['writeEnd', 'returnAccepted'] },
                { target: next, actions: ['writeEnd', 'nextChunk'] },
              ],
      },
    };
  }
  return setup({
    types: { context: {} as BufferedWriteContext, events: {} as Ev },
    guards: {
      unlocked: ({ context, event }) => !pcFolioLocked(event.world, pc, r.folio(context)),
      canFaultIn: ({ context, event }) => r.faultIn(event.world, context) !== BLOCKED,
      faultInGivesUp: ({ context, event }) => r.faultIn(event.world, context) !== BLOCKED && r.faultInFails(event.world, context),
      shortCopy: ({ context, event }) =>
        event.type === 'copyFolioFromIterAtomic'
          ? copyFromIterResult(event.world, it, r.len(context), event.choice) < r.len(context)
          : context.copied < r.len(context),
      copiedNothing: ({ context, event }) => copyFromIterResult(event.world, it, r.len(context), event.choice) === 0,
      slowCopyRuns: ({ context, event }) => !r.slowCopyBlocked(event.world, context),
      rejectedSome: ({ context, event }) => r.status(event.world, context) === 0 && context.copied > 0,
      rejectedAll: ({ context, event }) => r.status(event.world, context) === 0,
      lastUnits: ({ context, event }) =>
        event.type === 'fuseSendWritePages' ? context.written + context.copied === it.total : context.written + r.status(event.world, context) === it.total,
    },
    actions: {
      returnWritten: assign(({ context }) => ret(context.written)),
      afterFaultIn: assign(({ context }) => ({ bytes: r.fuse ? context.bytes : it.total - context.written })),
      returnAccepted: assign(({ context }) => ret(context.written + context.accepted)),
      nextChunk: assign(({ context }) => ({ written: context.written + context.accepted, bytes: it.total - context.written - context.accepted })),
      retryCopied: assign(({ context }) => ({ bytes: o.retryBytes === 'recomputed' ? it.total - context.written : context.copied })),
      halveChunk: assign(({ context }) => ({ chunk: r.halved(context) })),
      rejectedAll: assign(({ context }) => ({ bytes: loop === 'fault-after-zero' ? context.bytes : it.total - context.written })),
      fuseReturn: assign(({ context }) => ({ written: context.written + context.copied, efault: 0 })),
      fuseNext: assign(({ context }) => ({ written: context.written + context.copied, bytes: it.total - context.written - context.copied })),
      faultIn: ({ context, event }) => {
        faultInIovIterReadable(event.world, it, r.len(context));
        r.readMapped(event.world);
      },
      writeBegin: ({ context, event }) => {
        if (r.fuse) pcFolioLock(event.world, pc, r.folio(context));
        else writeBegin(event.world, pc, r.folio(context), r.offset(context), r.len(context));
      },
      setCopied: assign(({ context, event }) => {
        const copied = copyFromIterResult(event.world, it, r.len(context), event.choice);
        return { copied, accepted: r.fuse ? copied : writeEndResult(event.world, pc, r.folio(context), r.len(context), copied) };
      }),
      copy: ({ context, event }) => {
        const k = copyFolioFromIterAtomic(event.world, it, r.len(context), event.choice);
        copyIntoFolio(event.world, pc, r.folio(context), r.offset(context), k);
      },
      // filemap_copy_from_user()'s slow way: __copy_from_user() with faults enabled copies the faultable prefix.
      setSlowCopied: assign(({ context, event }) => {
        const copied = context.copied + r.slowCopied(event.world, context);
        return { copied, accepted: writeEndResult(event.world, pc, r.folio(context), r.len(context), copied) };
      }),
      // Runs after setSlowCopied: what this chunk has copied so far is read from the iterator.
      slowCopy: ({ context, event }) => {
        const w = event.world;
        const done = iterConsumed(w, it) - context.written;
        const left = r.len(context) - done;
        faultInIovIterReadable(w, it, left);
        r.readMapped(w);
        const k = copyFolioFromIterAtomic(w, it, left, copyFromIterChoices(w, it, left) - 1);
        copyIntoFolio(w, pc, r.folio(context), r.offset(context) + done, k);
      },
      writeEnd: ({ context, event }) => {
        const w = event.world;
        const status = writeEnd(w, pc, r.folio(context), r.offset(context), r.len(context), context.copied);
        if (status !== context.copied) iovIterRevert(w, it, context.copied - status);
      },
      unlockFolio: ({ context, event }) => pcFolioUnlock(event.world, pc, r.folio(context)),
      // Keep the short copy (the server gets it); uptodate only for a whole folio; unlock after sending.
      send: ({ context, event }) => {
        const f = r.folio(context);
        if (context.copied === pc.folioUnits) pcFolioMarkUptodate(event.world, pc, f);
        pcFolioUnlock(event.world, pc, f);
      },
    },
  }).createMachine({
    id: o.name ?? 'CPU0',
    initial: top(r),
    context: { bytes: it.total, copied: 0, accepted: 0, written: 0, efault: 0, ...(r.large ? { chunk: pc.folioUnits } : {}) },
    states,
  });
}

function writeLabel(r: Writer) {
  const units = (n: number): string => `${n}u`;
  const fn = (generic: string, fuse: string): string => (r.fuse ? fuse : generic);
  return ({ context, event }: { context: BufferedWriteContext; event: StepEvent<string, BufferedWriteWorld> }, description: string | undefined): string => {
    const w = event.world;
    const f = r.folio(context);
    const len = r.len(context);
    const where = `folio ${f}, offset ${units(r.offset(context))}, ${units(len)}`;
    switch (event.type) {
      case 'faultInIovIterReadable': {
        const left = r.faultIn(w, context);
        const old = r.o.loop === 'copy-faults-enabled';
        const call = old ? `fault_in_pages_readable(buf, ${units(len)}) (result ignored)` : `fault_in_iov_iter_readable(i, ${units(len)}) = ${units(left)}`;
        const reads = r.mappedFoliosRead(w, len);
        const read = reads.length ? `; filemap_fault() reads folio ${reads.join(', ')}` : '';
        const gives = r.faultInFails(w, context) ? `: write() returns ${context.written > 0 ? units(context.written) : '-EFAULT'}` : '';
        return `${call}${read}${gives}`;
      }
      case 'writeBegin': {
        const up = pcFolioUptodate(w, f) ? 'uptodate' : 'not uptodate';
        const call =
          r.o.loop === 'copy-faults-enabled'
            ? '->prepare_write(): lock_page()'
            : fn(r.pc.aops === 'block' ? 'block_write_begin()' : 'simple_write_begin()', '__filemap_get_folio(FGP_WRITEBEGIN)');
        return `${call}: lock ${where} (${up})`;
      }
      case 'copyFolioFromIterAtomic': {
        const k = copyFromIterResult(w, r.it, len, event.choice);
        const at = r.it.addrAt[iterConsumed(w, r.it) + k];
        const stop = k < len && at !== undefined ? `, stops at u${at} (p${Math.floor(at / r.it.mmu.unitsPerPage)})` : '';
        const call =
          r.o.loop === 'copy-faults-enabled' ? `filemap_copy_from_user(): __copy_from_user_inatomic(${where})` : `copy_folio_from_iter_atomic(${where})`;
        return `${call} = ${units(k)}${stop}`;
      }
      case 'copyFromUser':
        return `filemap_copy_from_user(): "Do it the slow way": __copy_from_user() with page faults enabled, folio ${f} locked`;
      case 'writeEnd': {
        const s = r.status(w, context);
        const why = s === 0 && context.copied > 0 ? ' (short copy into a folio that is not uptodate)' : '';
        const chunk =
          r.large && s === 0
            ? `; chunk ${units(r.chunk(context))}${r.halved(context) !== r.chunk(context) ? ` /= 2 = ${units(r.halved(context))}` : ' (one page: kept)'}`
            : '';
        const lost = r.o.retryBytes === 'recomputed' && r.large;
        const next =
          s === 0 && context.copied > 0
            ? lost
              ? `; bytes = ${units(context.copied)}, overwritten at the loop top (bytes = min(chunk - offset, iov_iter_count()))`
              : `; bytes = ${units(context.copied)}; goto retry`
            : '';
        return `${r.pc.aops === 'block' ? 'block_write_end' : 'simple_write_end'}(copied ${units(context.copied)}) = ${units(s)}${why}; folio_unlock()${chunk}${next}`;
      }
      case 'folioUnlock':
        return `copied 0: folio_unlock(); folio_put(); goto again`;
      case 'fuseSendWritePages':
        return `fuse_send_write_pages(${units(context.copied)})${context.copied === r.U ? ', folio_mark_uptodate()' : ''}; folio_unlock()`;
      default:
        return description ?? event.type;
    }
  };
}

/** The writer actor (a thread). */
export function bufferedWriteActor(it: IovIter, pc: PageCache, o: BufferedWriteOptions): ActorSpec<BufferedWriteContext, BufferedWriteWorld> {
  assertShape(o, BUFFERED_WRITE_OPTIONS, 'bufferedWriteActor() options');
  const r = new Writer(it, pc, o);
  return {
    name: o.name ?? 'CPU0',
    machine: bufferedWriteMachine(it, pc, o),
    fields: {
      bytes: int(0, it.total),
      copied: int(0, pc.folioUnits),
      accepted: int(0, pc.folioUnits),
      written: int(0, it.total),
      efault: bool(),
      ...(r.large ? { chunk: int(pc.pageUnits, pc.folioUnits) } : {}),
    },
    choices: { copyFolioFromIterAtomic: ({ context, event }) => copyFromIterChoices(event.world as MmuWorld, it, r.len(context)) },
    label: writeLabel(r),
  };
}

/** The options of bufferedWriteProperties. */
const PROPERTIES_OPTIONS: Shape<Parameters<typeof bufferedWriteProperties>[2]> = { actor: 'string' };

/**
 * What a buffered write must do, for the writer named `actor` (default 'CPU0'): no -EFAULT while a prefix
 * was readable (`no spurious -EFAULT`), no uptodate folio exposing never-initialised data, no deadlock,
 * and `write returns` (no livelock of the loop).
 */
export function bufferedWriteProperties(it: IovIter, pc: PageCache, o: { readonly actor?: string } = {}): Property<BufferedWriteWorld>[] {
  assertShape(o, PROPERTIES_OPTIONS, 'bufferedWriteProperties() options');
  const actor = o.actor ?? 'CPU0';
  return [
    noSpuriousEfault({ actor, failed: (s) => s.actor(actor).context.efault === 1, it }),
    pageCacheInitialised(pc),
    deadlockFreedom(),
    terminates<BufferedWriteWorld>(actor, { name: 'write returns' }),
  ];
}
