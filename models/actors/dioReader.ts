/**
 * A direct-I/O reader (actor T0): gfs2_file_direct_read() as b01b2d72da25
 * ("gfs2: Fix mmap + page fault deadlocks for direct I/O", v5.16) wrote it, over __iomap_dio_rw() /
 * iomap_dio_complete() of v5.16 (fs/iomap/direct-io.c, with 97308f8b0d86 IOMAP_DIO_PARTIAL and
 * 4fdccaa0d184 done_before):
 *
 *   retry_under_glock:                                 // the DF glock is held throughout (no contender here)
 *     pagefault_disable(); to->nofault = true;
 *     ret = iomap_dio_rw(iocb, to, &gfs2_iomap_ops, NULL, IOMAP_DIO_PARTIAL, written);
 *     to->nofault = false; pagefault_enable();
 *     if (ret > 0) written = ret;
 *     if (should_fault_in_pages(ret, to, &prev_count, &window_size)) {
 *         leftover = fault_in_iov_iter_writeable(to, window_size);
 *         if (leftover != window_size) goto retry_under_glock;
 *     }
 *     return ret < 0 ? ret : written;
 *
 * Steps (events), each one atomic:
 *  - `iomapDioRw`: the call starts: pagefault_disable(), to->nofault = true, dio->size = 0.
 *  - per extent at iomi.pos = ki_pos + dio->size (iomap_iter() then iomap_dio_iter()):
 *    `bioIovIterGetPages` (IOMAP_MAPPED, iomap_dio_bio_iter()): bio_iov_iter_get_pages() ->
 *      iov_iter_get_pages() -> get_user_pages_fast(FOLL_WRITE | FOLL_NOFAULT), plain references (v5.16);
 *      the pages it takes go into a bio (dio->size += n, submit_bio); nothing taken: -EFAULT;
 *    `iovIterZero` (IOMAP_HOLE, iomap_dio_hole_iter()) and `copyToIter` (IOMAP_INLINE,
 *      iomap_dio_inline_iter()): a user copy with page faults disabled; if it copies nothing the helper
 *      returns 0 - which iomap_iter() takes for "done" - before 42c498c18a94, and -EFAULT after it
 *      (option `holeReturn`).
 *  - `iomapDioComplete`: the loop has ended (iomap_iter() returned 0 or an error); IOMAP_DIO_PARTIAL turns
 *    -EFAULT with dio->size > 0 into 0; the bios complete (the device wrote the pages; bio_release_pages()
 *    drops the references); iomap_dio_complete() advances ki_pos by dio->size and adds done_before only
 *    if its result is > 0; then gfs2's `if (ret > 0) written = ret` and
 *    should_fault_in_pages(): count left and (ret > 0 or ret == -EFAULT).
 *  - `faultInIovIterWriteable`: fault_in_iov_iter_writeable(to, window) with the v5.16 window of one page
 *    minus the offset (the shadowed `pages` variable); progress -> retry_under_glock.
 *
 * The context field `ret` holds the last iomap_dio_rw() result and, in the final state, what read()
 * returns. World: an MMU with `unitsPerPage: 1` (one file block = one user page), `refs >= 1`; a UBUF or
 * IOVEC ITER_DEST iterator with `nofault: true` over units 0..blocks-1; and the file's `kiPos`
 * (models/fs/dio.ts).
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { FOLL_GET } from '../mmu/constants.js';
import { folioOf } from '../mmu/world.js';
import { gupPutFolio } from '../mmu/pins.js';
import { copyToIter, copyToIterResult, iovIterZero } from '../iov-iter/copy.js';
import { faultInIovIterWriteable, faultInIovIterWriteableResult } from '../iov-iter/faultIn.js';
import { ITER_DEST, iterAddr, iterCount, setIterNofault, type IovIter } from '../iov-iter/iter.js';
import { iovIterGetPages, iovIterGetPagesResult } from '../iov-iter/pages.js';
import { BLOCK_DATA, BLOCK_HOLE, BLOCK_INLINE, IOMAP_TYPE_NAMES, RET_EFAULT, retNames, type DioFile, type DioFileWorld } from '../fs/dio.js';
import { BLOCKED } from '../mmu/constants.js';

export interface DioReaderOptions {
  /** Column name in traces. Default 'reader'. */
  readonly name?: string;
  /**
   * What iomap_dio_hole_iter() / iomap_dio_inline_iter() return when the user copy copied nothing:
   * 'zero' - `return length;` before 42c498c18a94, which iomap_iter() takes for the end of the request;
   * 'efault' - `if (!length) return -EFAULT;` (42c498c18a94, v5.16).
   */
  readonly holeReturn: 'zero' | 'efault';
}

/** Every option of dioReaderMachine and dioReaderActor: a key not listed is a typo, refused rather than left at its default. */
const DIO_READER_OPTIONS: Shape<DioReaderOptions> = { name: 'string', holeReturn: 'checked' };

export interface DioReaderContext {
  /** dio->size of the iomap_dio_rw() call in progress. */
  dioSize: number;
  /** Bitmask of user pages a submitted bio holds a reference to (released at completion). */
  bios: number;
  /** The last iomap_dio_rw() result; in the final state, read()'s return value (-1 = -EFAULT). */
  ret: number;
  /** gfs2's `written`: the running total, passed back as done_before. */
  written: number;
}

type DioEvent = StepEvent<'iomapDioRw' | 'bioIovIterGetPages' | 'iovIterZero' | 'copyToIter' | 'iomapDioComplete' | 'faultInIovIterWriteable', DioFileWorld>;

/** The reader's pieces that its machine, its labels and tests share. */
export interface DioReaderParts {
  /** iomi.pos: where the request stands in the file. */
  pos(w: DioFileWorld, c: DioReaderContext): number;
  /** iomap_iter() has nothing left: no count, or i_size reached. */
  atEnd(w: DioFileWorld, c: DioReaderContext): boolean;
  /** The extent type at iomi.pos (BLOCK_*), or -1 at the end. */
  blockAt(w: DioFileWorld, c: DioReaderContext): number;
  /** iomap_dio_rw()'s result for a loop that ended with `loopRet` (0 or RET_EFAULT). */
  complete(c: DioReaderContext, loopRet: number): number;
  /** should_fault_in_pages(ret, to, ...) of v5.16. */
  shouldFaultIn(w: DioFileWorld, ret: number): boolean;
  /** The v5.16 window: one page minus the offset of the user address. */
  window(w: DioFileWorld): number;
}

export function dioReaderParts(m: Mmu, file: DioFile, it: IovIter): DioReaderParts {
  const U = m.unitsPerPage;
  const parts: DioReaderParts = {
    pos: (w, c) => w.kiPos + c.dioSize,
    atEnd: (w, c) => iterCount(w, it) === 0 || parts.pos(w, c) >= file.iSize,
    blockAt: (w, c) => (parts.atEnd(w, c) ? -1 : file.blocks[parts.pos(w, c)]!),
    complete: (c, loopRet) => {
      let r = loopRet;
      if (r === RET_EFAULT && c.dioSize > 0) r = 0; // IOMAP_DIO_PARTIAL (97308f8b0d86)
      if (r === RET_EFAULT) return RET_EFAULT; // iomap_dio_set_error(); ki_pos stays
      return c.dioSize > 0 ? c.dioSize + c.written : 0; // if (ret > 0) ret += dio->done_before
    },
    shouldFaultIn: (w, ret) => iterCount(w, it) > 0 && (ret > 0 || ret === RET_EFAULT) && it.userBacked,
    window: (w) => U - (iterAddr(w, it) % U),
  };
  return parts;
}

function check(m: Mmu, file: DioFile, it: IovIter): void {
  if (m.unitsPerPage !== 1) throw new RangeError('dio reader: the MMU needs unitsPerPage: 1 (one file block per user page)');
  if (m.refs < 1) throw new RangeError('dio reader: the MMU needs refs >= 1 (the bios hold get_user_pages() references)');
  if (!it.userBacked || it.dataSource !== ITER_DEST || !it.kNofault)
    throw new RangeError('dio reader: the iterator must be a user-backed ITER_DEST iterator with nofault: true');
  if (it.total !== file.iSize || it.addrAt[0] !== 0)
    throw new RangeError(`dio reader: the iterator must cover user units 0..${file.iSize - 1}, one per file block`);
  if (m.pages > 16) throw new RangeError('dio reader: at most 16 pages');
}

/** The gfs2 direct-read machine (see the file comment). */
export function dioReaderMachine(m: Mmu, file: DioFile, it: IovIter, options: DioReaderOptions) {
  assertShape(options, DIO_READER_OPTIONS, 'dioReaderMachine() options');
  check(m, file, it);
  if (options.holeReturn !== 'zero' && options.holeReturn !== 'efault')
    throw new RangeError(`dio reader: holeReturn '${String(options.holeReturn)}' is not 'zero' or 'efault'`);
  const P = dioReaderParts(m, file, it);
  const copyFails = options.holeReturn === 'zero' ? 0 : RET_EFAULT;
  const pageBit = (w: DioFileWorld): number => 1 << iterAddr(w, it);

  // The loop's end: from `iter` it ran out (iomap_iter() returned 0), from `stopped` it ended with the
  // context's ret (0 from a pre-42c498c18a94 copy helper, or -EFAULT).
  const fromIter = (): number => 0;
  const fromStopped = (c: DioReaderContext): number => c.ret;
  // iomap_dio_complete(): the bios complete, ki_pos advances unless the error survived IOMAP_DIO_PARTIAL.
  const completeEffect = (w: DioFileWorld, c: DioReaderContext, loopRet: number): void => {
    // The device has filled every submitted page; bio_release_pages() drops the references.
    for (let p = 0; p < m.pages; p++) if (c.bios & (1 << p)) gupPutFolio(w, m, folioOf(m, p), FOLL_GET);
    if (P.complete(c, loopRet) !== RET_EFAULT) w.kiPos = w.kiPos + c.dioSize;
    setIterNofault(w, it, false); // to->nofault = false; pagefault_enable()
  };

  return setup({
    types: { context: {} as DioReaderContext, events: {} as DioEvent },
    guards: {
      data: ({ context, event }) => P.blockAt(event.world, context) === BLOCK_DATA,
      hole: ({ context, event }) => P.blockAt(event.world, context) === BLOCK_HOLE,
      inline: ({ context, event }) => P.blockAt(event.world, context) === BLOCK_INLINE,
      atEnd: ({ context, event }) => P.atEnd(event.world, context),
      atEndFaultIn: ({ context, event }) => P.atEnd(event.world, context) && P.shouldFaultIn(event.world, P.complete(context, fromIter())),
      stoppedFaultIn: ({ context, event }) => P.shouldFaultIn(event.world, P.complete(context, fromStopped(context))),
      gupTakes: ({ context, event }) => P.blockAt(event.world, context) === BLOCK_DATA && iovIterGetPagesResult(event.world, it, 1) > 0,
      copies: ({ context, event }) => {
        const b = P.blockAt(event.world, context);
        return (b === BLOCK_HOLE || b === BLOCK_INLINE) && copyToIterResult(event.world, it, 1, 0) > 0;
      },
      faultInRuns: ({ event }) => faultInIovIterWriteableResult(event.world, it, P.window(event.world)) !== BLOCKED,
      faultInProgress: ({ event }) => {
        const win = P.window(event.world);
        const left = faultInIovIterWriteableResult(event.world, it, win);
        return left !== BLOCKED && left !== win;
      },
    },
    actions: {
      begin: ({ event }) => setIterNofault(event.world, it, true),
      getPages: ({ event }) => void iovIterGetPages(event.world, it, 1),
      zero: ({ event }) => void iovIterZero(event.world, it, 1, 0),
      copyInline: ({ event }) => void copyToIter(event.world, it, 1, 0),
      faultIn: ({ event }) => void faultInIovIterWriteable(event.world, it, P.window(event.world)),
      completeIter: ({ context, event }) => completeEffect(event.world, context, fromIter()),
      completeStopped: ({ context, event }) => completeEffect(event.world, context, fromStopped(context)),
      iterToFaultIn: assign(({ context }) => afterComplete(context, P.complete(context, fromIter()), false)),
      iterToReturn: assign(({ context }) => afterComplete(context, P.complete(context, fromIter()), true)),
      stoppedToFaultIn: assign(({ context }) => afterComplete(context, P.complete(context, fromStopped(context)), false)),
      stoppedToReturn: assign(({ context }) => afterComplete(context, P.complete(context, fromStopped(context)), true)),
    },
  }).createMachine({
    id: options.name ?? 'reader',
    initial: 'start',
    context: { dioSize: 0, bios: 0, ret: 0, written: 0 },
    states: {
      start: {
        on: {
          iomapDioRw: { target: 'iter', actions: ['begin', assign({ dioSize: 0, bios: 0 })], description: 'iomap_dio_rw()' },
        },
      },
      iter: {
        on: {
          bioIovIterGetPages: [
            {
              guard: 'gupTakes',
              actions: [
                assign({ dioSize: ({ context }) => context.dioSize + 1, bios: ({ context, event }) => context.bios | pageBit(event.world) }),
                'getPages',
              ],
              description: 'iomap_dio_bio_iter()',
            },
            { guard: 'data', target: 'stopped', actions: assign({ ret: RET_EFAULT }), description: 'iomap_dio_bio_iter(): -EFAULT' },
          ],
          iovIterZero: [
            { guard: 'copies', actions: [assign({ dioSize: ({ context }) => context.dioSize + 1 }), 'zero'], description: 'iomap_dio_hole_iter()' },
            { guard: 'hole', target: 'stopped', actions: assign({ ret: copyFails }), description: 'iomap_dio_hole_iter(): nothing copied' },
          ],
          copyToIter: [
            { guard: 'copies', actions: [assign({ dioSize: ({ context }) => context.dioSize + 1 }), 'copyInline'], description: 'iomap_dio_inline_iter()' },
            { guard: 'inline', target: 'stopped', actions: assign({ ret: copyFails }), description: 'iomap_dio_inline_iter(): nothing copied' },
          ],
          iomapDioComplete: [
            {
              guard: 'atEndFaultIn',
              target: 'faultIn',
              actions: ['completeIter', 'iterToFaultIn'],
              description: 'iomap_dio_complete(); should_fault_in_pages()',
            },
            { guard: 'atEnd', target: 'done', actions: ['completeIter', 'iterToReturn'], description: 'iomap_dio_complete(); return' },
          ],
        },
      },
      stopped: {
        on: {
          iomapDioComplete: [
            {
              guard: 'stoppedFaultIn',
              target: 'faultIn',
              actions: ['completeStopped', 'stoppedToFaultIn'],
              description: 'iomap_dio_complete(); should_fault_in_pages()',
            },
            { target: 'done', actions: ['completeStopped', 'stoppedToReturn'], description: 'iomap_dio_complete(); return' },
          ],
        },
      },
      faultIn: {
        meta: { waitsFor: 'fault_in_iov_iter_writeable(): a migration entry or a locked folio' },
        on: {
          faultInIovIterWriteable: [
            { guard: 'faultInProgress', target: 'start', actions: 'faultIn', description: 'fault_in_iov_iter_writeable(): retry_under_glock' },
            {
              guard: 'faultInRuns',
              target: 'done',
              actions: ['faultIn', assign({ ret: ({ context }) => (context.ret === RET_EFAULT ? RET_EFAULT : context.written) })],
              description: 'fault_in_iov_iter_writeable(): no progress',
            },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The context after iomap_dio_rw() returned `ret` and gfs2 updated `written` (and, when it returns now, `ret`). */
function afterComplete(c: DioReaderContext, ret: number, returning: boolean): Partial<DioReaderContext> {
  const written = ret > 0 ? ret : c.written;
  return { dioSize: 0, bios: 0, written, ret: returning && ret !== RET_EFAULT ? written : ret };
}

/** The reader actor (a thread); `ret` reads -EFAULT, 0, 1, ... in traces. */
export function dioReaderActor(m: Mmu, file: DioFile, it: IovIter, options: DioReaderOptions): ActorSpec<DioReaderContext, DioFileWorld> {
  assertShape(options, DIO_READER_OPTIONS, 'dioReaderActor() options');
  const machine = dioReaderMachine(m, file, it, options);
  const P = dioReaderParts(m, file, it);
  const B = file.iSize;
  const page = (w: DioFileWorld): string => `p${iterAddr(w, it)}`;
  const fmt = (r: number): string => (r === RET_EFAULT ? '-EFAULT' : String(r));
  return {
    name: options.name ?? 'reader',
    machine,
    fields: {
      dioSize: int(0, B),
      bios: int(0, (1 << m.pages) - 1),
      ret: { ...int(RET_EFAULT, B), names: retNames(B) },
      written: int(0, B),
    },
    label: ({ context, event }) => {
      const w = event.world as DioFileWorld;
      const c = context;
      switch (event.type) {
        case 'iomapDioRw':
          return `pagefault_disable(); to->nofault = true; iomap_dio_rw(ki_pos ${w.kiPos}, count ${iterCount(w, it)}, IOMAP_DIO_PARTIAL, done_before ${c.written})`;
        case 'bioIovIterGetPages': {
          const r = iovIterGetPagesResult(w, it, 1);
          return r > 0
            ? `${IOMAP_TYPE_NAMES[BLOCK_DATA]} block ${P.pos(w, c)}: bio_iov_iter_get_pages(${page(w)}, FOLL_NOFAULT) = 1 page; submit_bio()`
            : `${IOMAP_TYPE_NAMES[BLOCK_DATA]} block ${P.pos(w, c)}: bio_iov_iter_get_pages(${page(w)}, FOLL_NOFAULT) = -EFAULT (page not present)`;
        }
        case 'iovIterZero':
        case 'copyToIter': {
          const hole = event.type === 'iovIterZero';
          const what = hole
            ? `${IOMAP_TYPE_NAMES[BLOCK_HOLE]} block ${P.pos(w, c)}: iov_iter_zero(${page(w)})`
            : `${IOMAP_TYPE_NAMES[BLOCK_INLINE]} block ${P.pos(w, c)}: copy_to_iter(${page(w)})`;
          if (copyToIterResult(w, it, 1, 0) > 0) return `${what} = 1`;
          return options.holeReturn === 'zero'
            ? `${what} = 0 with page faults disabled; ${hole ? 'iomap_dio_hole_iter' : 'iomap_dio_inline_iter'}() returns 0: iomap_iter() ends the request`
            : `${what} = 0 with page faults disabled; ${hole ? 'iomap_dio_hole_iter' : 'iomap_dio_inline_iter'}() returns -EFAULT`;
        }
        case 'iomapDioComplete': {
          // From `iter` the loop ran to the end (iomap_iter() returned 0); from `stopped` (never at the end:
          // only this reader moves the position) it ended with the context's ret.
          const loopRet = P.atEnd(w, c) ? 0 : c.ret;
          const r = P.complete(c, loopRet);
          const partial = loopRet === RET_EFAULT && c.dioSize > 0 ? `-EFAULT after ${c.dioSize} (IOMAP_DIO_PARTIAL); ` : '';
          const head = `iomap_dio_complete(): ${partial}iomap_dio_rw() = ${fmt(r)}${r !== RET_EFAULT && c.dioSize > 0 ? `, ki_pos ${w.kiPos} -> ${w.kiPos + c.dioSize}` : ''}`;
          if (P.shouldFaultIn(w, r)) return `${head}; should_fault_in_pages()`;
          return `${head}; read() returns ${fmt(r === RET_EFAULT ? r : r > 0 ? r : c.written)}`;
        }
        case 'faultInIovIterWriteable': {
          const win = P.window(w);
          const left = faultInIovIterWriteableResult(w, it, win);
          return left !== win
            ? `fault_in_iov_iter_writeable(${page(w)}, ${win} page) = ${left}; retry_under_glock`
            : `fault_in_iov_iter_writeable(${page(w)}, ${win} page) = ${left}: no progress; read() returns ${fmt(c.ret === RET_EFAULT ? RET_EFAULT : c.written)}`;
        }
        default:
          return event.type;
      }
    },
  };
}
