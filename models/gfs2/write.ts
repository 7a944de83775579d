/**
 * A buffered write() on gfs2 from a user buffer (fs/gfs2/file.c gfs2_file_buffered_write()). The iterator
 * `from` (ITER_SOURCE, user-backed) is the user buffer; the file position starts at 0, so ki_pos is the
 * iterator's consumed count, and `orig_count` is the iterator's length. The data lands in the page cache,
 * which the model does not track (the write's own page-cache folio is not a user page).
 *
 * faults: 'enabled' - up to v5.15: gfs2_glock_nq(EX); iomap_file_buffered_write() with page faults
 *   enabled; gfs2_glock_dq(). The fault is not in the copy itself: per page, iomap_write_iter()
 *   (fs/iomap/buffered-io.c) first pre-faults the source, under the glock,
 *       if (unlikely(iov_iter_fault_in_readable(i, bytes))) { status = -EFAULT; break; }
 *   (fault_in_pages_readable(): __get_user() per page; renamed fault_in_iov_iter_readable() by a6294593e8a1,
 *   v5.16), then iomap_write_begin() and copy_page_from_iter_atomic(), which does not fault. So a
 *   non-present page of buf takes a read fault in the pre-fault: handle_mm_fault() -> gfs2_fault(), which
 *   asks for buf's file's glock in SH - the same glock from the same task, which add_to_queue() traps with
 *   BUG() (models/gfs2/glock.ts), or another file's (faultGlock). One `copyFromUser` step is the page loop up
 *   to the first page that faults (its label names the pre-fault); a failed fault ends the write with what
 *   it wrote, or -EFAULT.
 *
 * faults: 'disabled' - the fix in its current form (00bfe02f4796 v5.16; e1fa9ea85ce8 v5.18; the `retry:`
 *   label inside the `if` since c8ed1b359312 v6.5). NOT the mirror image of the read:
 *   it faults the window in BEFORE taking the glock and clips the iterator to it:
 *     gfs2_holder_init(ip->i_gl, LM_ST_EXCLUSIVE, 0, gh);
 *     if (should_fault_in_pages(from, iocb, &prev_count, &window_size)) {
 *   retry:
 *         window_size -= fault_in_iov_iter_readable(from, window_size);
 *         if (!window_size) { ret = -EFAULT; goto out_uninit; }
 *         from->count = min(from->count, window_size); }
 *     ret = gfs2_glock_nq(gh);
 *     pagefault_disable(); ret = iomap_file_buffered_write(iocb, from, ...); pagefault_enable();
 *     if (ret > 0) written += ret;
 *     if (ret <= 0 && ret != -EFAULT) goto out_unlock;
 *     from->count = orig_count - written;
 *     if (should_fault_in_pages(from, iocb, &prev_count, &window_size)) { gfs2_glock_dq(gh); goto retry; }
 *   out_unlock: if (gfs2_holder_queued(gh)) gfs2_glock_dq(gh);
 *   out_uninit: from->count = orig_count - written; return written ? written : ret;
 *   should_fault_in_pages() is the one of window.ts (window policy 'shrinking' by default). The
 *   fault-in is one atomic step; with a glock (buf = mmap of the same file) a read fault on buf runs
 *   gfs2_fault() (SH), so the step waits until the glock would be granted in SH at once whenever a page of
 *   the window needs a fault.
 *
 * Context: written, efault (the last iomap_file_buffered_write() returned -EFAULT), prevCount, window.
 * Final states 'done' (returned `written`) and 'efault' (returned -EFAULT); 'BUG' as in read.ts.
 */
import { assign, setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { unitAccess } from '../mmu/access.js';
import type { Mmu } from '../mmu/config.js';
import { ACCESS_FAULT, BLOCKED, FAULT_FLAG_DEFAULT, PTE_ABSENT, VMA_NONE } from '../mmu/constants.js';
import { handleMmFaultOutcome } from '../mmu/fault.js';
import type { MmuWorld } from '../mmu/world.js';
import { iovIterReexpand, iovIterTruncate } from '../iov-iter/advance.js';
import { copyFromIter, copyFromIterChoices, copyFromIterResult } from '../iov-iter/copy.js';
import { faultInIovIterReadable, faultInIovIterReadableResult } from '../iov-iter/faultIn.js';
import { ITER_SOURCE, iterConsumed, iterCount, type IovIter } from '../iov-iter/iter.js';
import { glockWaitsFor, glockWouldGrant, type Glock } from './glock.js';
import { gfs2Fault, gfs2FaultLabel, type Gfs2FaultSite } from './fault.js';
import { gfs2GlockSlots, gfs2SyscallActor, gfs2SyscallGlock, type Gfs2GlockUse } from './syscall.js';
import { faultInWindow, maxFaultInWindow, windowOptions, type WindowPolicy } from './window.js';

export interface Gfs2WriteOptions {
  /** Column name. Default 'CPU0'. */
  readonly name?: string;
  readonly faults: 'enabled' | 'disabled';
  /** faults 'disabled': the window policy. Default 'shrinking'. */
  readonly window?: WindowPolicy;
  /** The big window in pages. Default 8. */
  readonly bigWindow?: number;
  /** The inode glock (holder: the write's EX holder; faultGlock, faultHolder: gfs2_fault()'s SH holder). */
  readonly glock?: Gfs2GlockUse;
}

/** Every option of gfs2WriteMachine and gfs2WriteActor: a key not listed is a typo, refused rather than left at its default. */
const WRITE_OPTIONS: Shape<Gfs2WriteOptions> = { name: 'string', faults: 'checked', window: 'checked', bigWindow: 'checked', glock: 'object' };

export interface Gfs2WriteContext {
  written: number;
  efault: number;
  prevCount: number;
  window: number;
}

type Ev = StepEvent<
  'faultInIovIterReadable' | 'glockNq' | 'glockWait' | 'iomapFileBufferedWrite' | 'glockDq' | 'copyFromUser' | 'gfs2Fault' | 'filemapFault',
  MmuWorld
>;

/** Static facts of one writer, shared by its guards, actions and label. */
export class Gfs2Writer implements Gfs2FaultSite {
  readonly m: Mmu;
  readonly it: IovIter;
  readonly faults: 'enabled' | 'disabled';
  readonly window: WindowPolicy;
  readonly bigWindow: number;
  readonly g: Glock | undefined;
  readonly h: number;
  readonly fg: Glock | undefined;
  readonly fh: number;
  /** Always -1: a read fault runs no ->page_mkwrite(). */
  readonly mh: number;
  /** handle_mm_fault() flags of iov_iter_fault_in_readable()'s fault (faults 'enabled'): a read fault. */
  readonly faultFlags = FAULT_FLAG_DEFAULT;
  readonly maxWindow: number;

  constructor(m: Mmu, it: IovIter, o: Gfs2WriteOptions) {
    if (!it.userBacked || it.dataSource !== ITER_SOURCE) throw new RangeError('gfs2 write: the iterator must be a user-backed ITER_SOURCE (UBUF or IOVEC)');
    if (o.faults !== 'enabled' && o.faults !== 'disabled') throw new RangeError(`gfs2 write: faults '${String(o.faults)}' is not 'enabled' or 'disabled'`);
    this.m = m;
    this.it = it;
    this.faults = o.faults;
    ({ window: this.window, bigWindow: this.bigWindow } = windowOptions('gfs2 write', o));
    ({ g: this.g, h: this.h, fg: this.fg, fh: this.fh, mh: this.mh } = gfs2GlockSlots('gfs2 write', o.glock));
    if (this.g && this.fh < 0) throw new RangeError('gfs2 write: with a glock, give the faultHolder gfs2_fault() uses');
    if (this.mh >= 0) throw new RangeError('gfs2 write: its pre-fault is a read fault, which runs no gfs2_page_mkwrite() (no mkwriteHolder)');
    this.maxWindow = maxFaultInWindow(this.faults, this.window, this.bigWindow, m.unitsPerPage, it.total);
  }

  /** should_fault_in_pages() with count = orig_count - written, ki_pos = written and the user pointer there: the window, 0 for no. */
  shouldFaultIn(prevCount: number, written: number): number {
    return faultInWindow(this.window, this.bigWindow, this.m.unitsPerPage, this.it.total - written, written, prevCount, this.it.addrAt[written]!);
  }

  /** The window the prefault step uses: the one already computed, or the first should_fault_in_pages(). */
  prefaultWindow(ctx: Gfs2WriteContext): number {
    return ctx.window > 0 ? ctx.window : this.shouldFaultIn(ctx.prevCount, ctx.written);
  }

  /** A page of the window needs a read fault (not mapped yet and its VMA allows it). */
  windowNeedsFault(w: MmuWorld, window: number): boolean {
    const it = this.it;
    const pos = iterConsumed(w, it);
    const end = Math.min(pos + window, it.total);
    for (let q = pos; q < end; q++) {
      const p = (it.addrAt[q]! / this.m.unitsPerPage) | 0;
      if (w.vma[p] !== VMA_NONE && w.pte[p] === PTE_ABSENT) return true;
    }
    return false;
  }

  prefaultEnabled(w: MmuWorld, ctx: Gfs2WriteContext): boolean {
    const win = this.prefaultWindow(ctx);
    if (faultInIovIterReadableResult(w, this.it, win) === BLOCKED) return false;
    return !this.fg || !this.windowNeedsFault(w, win) || glockWouldGrant(w, this.fg, this.fh);
  }

  /** window_size after the prefault. */
  windowAfterPrefault(w: MmuWorld, ctx: Gfs2WriteContext): number {
    const win = this.prefaultWindow(ctx);
    return win - faultInIovIterReadableResult(w, this.it, win);
  }

  copyChoices(w: MmuWorld): number {
    return this.faults === 'disabled' ? copyFromIterChoices(w, this.it, iterCount(w, this.it)) : 1;
  }

  /** Units the write's copy takes now (faults enabled: up to the first inaccessible unit). */
  copied(w: MmuWorld, choice: number): number {
    const n = iterCount(w, this.it);
    return copyFromIterResult(w, this.it, n, this.faults === 'disabled' ? choice : copyFromIterChoices(w, this.it, n) - 1);
  }

  /** The faults-enabled copy stopped at a unit that faults (rather than the end or a bad unit). */
  copyFaults(w: MmuWorld): boolean {
    const k = this.copied(w, 0);
    if (k === iterCount(w, this.it)) return false;
    return unitAccess(w, this.m, this.it.addrAt[iterConsumed(w, this.it) + k]!, false) === ACCESS_FAULT;
  }

  faultPage(w: MmuWorld): number {
    return (this.it.addrAt[iterConsumed(w, this.it)]! / this.m.unitsPerPage) | 0;
  }

  faultOutcome(w: MmuWorld): number {
    return handleMmFaultOutcome(w, this.m, this.faultPage(w), this.faultFlags);
  }
}

/** The gfs2 buffered write machine. */
export function gfs2WriteMachine(m: Mmu, it: IovIter, options: Gfs2WriteOptions) {
  assertShape(options, WRITE_OPTIONS, 'gfs2WriteMachine() options');
  const r = new Gfs2Writer(m, it, options);
  const g = r.g;
  const fg = r.fg;
  const fh = r.fh;
  const enabled = r.faults === 'enabled';
  const fault = gfs2Fault(r);
  const afterLock = enabled ? 'copy' : 'write';
  const states: Record<string, any> = { done: { type: 'final' }, efault: { type: 'final' } };
  if (!enabled) {
    states.prefault = {
      meta: { waitsFor: fg ? ({ world }: { world: MmuWorld }) => `${glockWaitsFor(world, fg, fh)} for gfs2_fault()` : 'the fault-in' },
      on: {
        faultInIovIterReadable: [
          { guard: 'prefaultSome', target: g ? 'lock' : 'write', actions: ['prefault', 'setWindow'] },
          { guard: 'prefaultNothingWritten', target: 'efault', actions: ['prefault', 'clearWindow'] },
          { guard: 'canPrefault', target: 'done', actions: ['prefault', 'clearWindow'] },
        ],
      },
    };
    states.write = {
      on: {
        iomapFileBufferedWrite: [
          { guard: 'writeThenRetry', target: g ? 'unlock' : 'prefault', actions: ['afterWrite', 'write'] },
          { guard: 'writeFails', target: g ? 'unlock' : 'efault', actions: ['afterWrite', 'write'] },
          { target: g ? 'unlock' : 'done', actions: ['afterWrite', 'write'] },
        ],
      },
    };
  }
  const lock = gfs2SyscallGlock(r, {
    afterLock,
    retry: enabled ? undefined : { target: 'prefault', description: 'gfs2_glock_dq(); goto retry' },
    result: 'written',
    who: 'gfs2 write',
  });
  Object.assign(states, lock.states);
  if (enabled) {
    states.copy = {
      on: {
        copyFromUser: [
          { guard: 'copyFaults', target: 'pageFault', actions: ['afterCopy', 'copyAll'] },
          { guard: 'copyFails', target: g ? 'unlock' : 'efault', actions: ['afterCopy', 'copyAll'] },
          { target: g ? 'unlock' : 'done', actions: ['afterCopy', 'copyAll'] },
        ],
      },
    };
    if (g) {
      Object.assign(states, fault.states);
    } else {
      states.pageFault = {
        on: {
          filemapFault: [
            { guard: 'faultDone', target: 'copy', actions: 'handleFault', description: 'handle_mm_fault()' },
            { guard: 'faultCanRun', target: 'done', actions: 'faultEfault', description: 'handle_mm_fault() fails; -EFAULT' },
          ],
        },
      };
    }
  }
  const initial = enabled ? (g ? 'lock' : 'copy') : 'prefault';
  return setup({
    types: { context: {} as Gfs2WriteContext, events: {} as Ev },
    guards: {
      canPrefault: ({ context, event }) => r.prefaultEnabled(event.world, context),
      prefaultSome: ({ context, event }) => r.prefaultEnabled(event.world, context) && r.windowAfterPrefault(event.world, context) > 0,
      prefaultNothingWritten: ({ context, event }) => r.prefaultEnabled(event.world, context) && context.written === 0 && r.prefaultWindow(context) > 0,
      ...lock.guards,
      writeThenRetry: ({ context, event }) => r.shouldFaultIn(context.prevCount, context.written + r.copied(event.world, event.choice)) > 0,
      writeFails: ({ context, event }) => context.written + r.copied(event.world, event.choice) === 0,
      copyFaults: ({ event }) => r.copyFaults(event.world),
      copyFails: ({ context, event }) => context.written + r.copied(event.world, 0) === 0 && r.copied(event.world, 0) < iterCount(event.world, it),
      ...fault.guards,
    },
    actions: {
      // fault_in_iov_iter_readable(from, window_size); from->count = min(from->count, window_size).
      prefault: ({ context, event }) => {
        const win = r.prefaultWindow(context);
        const left = win - faultInIovIterReadable(event.world, it, win);
        if (left > 0) iovIterTruncate(event.world, it, left);
      },
      // The window is used up; the first should_fault_in_pages() (before the glock) also set prev_count.
      setWindow: assign(({ context }) => ({ window: 0, prevCount: context.window > 0 ? context.prevCount : r.it.total - context.written })),
      clearWindow: assign({ window: 0 }),
      ...lock.actions,
      ...fault.actions,
      afterWrite: assign(({ context, event }) => {
        const k = r.copied(event.world, event.choice);
        const written = context.written + k;
        const window = r.shouldFaultIn(context.prevCount, written);
        return { written, efault: k === 0 ? 1 : 0, window, prevCount: window > 0 ? r.it.total - written : context.prevCount };
      }),
      // iomap_file_buffered_write() with page faults disabled, then from->count = orig_count - written.
      write: ({ event }) => {
        copyFromIter(event.world, it, iterCount(event.world, it), event.choice);
        iovIterReexpand(event.world, it, it.total - iterConsumed(event.world, it));
      },
      afterCopy: assign(({ context, event }) => {
        const k = r.copied(event.world, 0);
        const stop = k < iterCount(event.world, it) && !r.copyFaults(event.world);
        return { written: context.written + k, efault: stop ? 1 : 0 };
      }),
      copyAll: ({ event }) => {
        const n = iterCount(event.world, it);
        copyFromIter(event.world, it, n, copyFromIterChoices(event.world, it, n) - 1);
      },
      faultEfault: assign({ efault: 1 }),
    },
  }).createMachine({ id: options.name ?? 'CPU0', initial, context: { written: 0, efault: 0, prevCount: 0, window: 0 }, states });
}

function writeLabel(r: Gfs2Writer) {
  const U = r.m.unitsPerPage;
  const units = (n: number): string => (U === 1 ? `${n}` : `${n}u`);
  return ({ context, event }: { context: Gfs2WriteContext; event: StepEvent<string, MmuWorld> }, description: string | undefined): string => {
    const w = event.world;
    switch (event.type) {
      case 'faultInIovIterReadable': {
        const win = r.prefaultWindow(context);
        const left = faultInIovIterReadableResult(w, r.it, win);
        const first = context.window === 0 && context.prevCount === 0 ? `should_fault_in_pages(): window ${units(win)}; ` : '';
        const ends =
          win - left > 0
            ? `; from->count = ${units(Math.min(iterCount(w, r.it), win - left))}`
            : `; write() returns ${context.written > 0 ? units(context.written) : '-EFAULT'}`;
        return `${first}fault_in_iov_iter_readable(from, ${units(win)}) = ${units(left)}${ends}`;
      }
      case 'iomapFileBufferedWrite': {
        const k = r.copied(w, event.choice);
        const next = r.shouldFaultIn(context.prevCount, context.written + k);
        return `pagefault_disable(); iomap_file_buffered_write() = ${k > 0 ? units(k) : '-EFAULT'}${next > 0 ? `; should_fault_in_pages(): window ${units(next)}` : ''}`;
      }
      case 'copyFromUser': {
        // v5.15 iomap_write_iter(): per page iov_iter_fault_in_readable() (faults here), then the atomic copy.
        const k = r.copied(w, 0);
        const at = r.it.addrAt[iterConsumed(w, r.it) + k];
        const copies = k > 0 || k === iterCount(w, r.it) ? `copies ${units(k)}` : '';
        if (k === iterCount(w, r.it)) return `iomap_write_iter(): ${copies}`;
        const pf = `iov_iter_fault_in_readable(): ${r.copyFaults(w) ? `#PF at p${((at ?? 0) / U) | 0}` : '-EFAULT'}`;
        return `iomap_write_iter(): ${copies ? `${copies}, then ` : ''}${pf}`;
      }
      case 'gfs2Fault':
        return gfs2FaultLabel(r, w, event.type, description)!;
      default:
        return description ?? event.type;
    }
  };
}

/** The writer actor (a thread). */
export function gfs2WriteActor(m: Mmu, it: IovIter, options: Gfs2WriteOptions): ActorSpec<Gfs2WriteContext, MmuWorld> {
  assertShape(options, WRITE_OPTIONS, 'gfs2WriteActor() options');
  const r = new Gfs2Writer(m, it, options);
  return gfs2SyscallActor({
    name: options.name,
    machine: gfs2WriteMachine(m, it, options),
    result: 'written',
    it,
    site: r,
    copyEvent: 'iomapFileBufferedWrite',
    label: writeLabel(r),
  });
}
