/**
 * A buffered read() on gfs2 into a user buffer (fs/gfs2/file.c gfs2_file_read_iter(), buffered case),
 * the reader CPU0 of gfs2-mmap-deadlock, fault-in-partial and fault-in-window. The iterator `to` (ITER_DEST, user-backed) is the
 * user buffer; the file position ki_pos starts at 0, so it is the iterator's consumed count, and the file
 * has `fileUnits` units (i_size) in the page cache. The lockless IOCB_NOIO attempt that gfs2 makes first
 * is left out: the model starts where it returned -EAGAIN (the pages were not cached yet).
 *
 * faults: 'enabled' - the code up to v5.15 (20f829999c38 .. 00bfe02f4796^):
 *     gfs2_glock_nq(SH); generic_file_read_iter(); gfs2_glock_dq();
 *   with page faults enabled during the copy. copy_to_user() writes into the buffer, so a copy that meets
 *   a non-present page takes a WRITE fault on a MAP_SHARED file mapping: handle_mm_fault() ->
 *   do_shared_fault() -> gfs2_fault(), which takes the mapped file's inode glock in SH (the same glock
 *   from the same task when buf maps the file read: a recursive request, which add_to_queue() traps with
 *   BUG(), models/gfs2/glock.ts), filemap_fault() and gfs2_glock_dq(); then do_page_mkwrite() ->
 *   gfs2_page_mkwrite(), which takes that glock in EX, and finish_fault() maps the page writable after its
 *   gfs2_glock_dq(); the copy resumes (fault.ts; glock.mkwriteHolder names gfs2_page_mkwrite()'s holder).
 *
 * faults: 'disabled' - the fix, in its current form (00bfe02f4796 v5.16; glock dropped rather than
 *   demoted since e1fa9ea85ce8 v5.18; should_fault_in_pages() after bb7f5d96aaa8 "gfs2: Fix
 *   should_fault_in_pages() logic", 72382264502d and 324d116c5a5c, all v5.18):
 *     retry: gfs2_glock_nq(&gh);
 *       pagefault_disable(); ret = generic_file_read_iter(iocb, to); pagefault_enable();
 *       if (ret <= 0 && ret != -EFAULT) goto out_unlock;
 *       if (ret > 0) read += ret;
 *       if (should_fault_in_pages(to, iocb, &prev_count, &window_size)) {
 *         gfs2_glock_dq(&gh);
 *         window_size -= fault_in_iov_iter_writeable(to, window_size);
 *         if (window_size) goto retry; }
 *     out_unlock: if (gfs2_holder_queued(&gh)) gfs2_glock_dq(&gh);
 *     return read ? read : ret;
 *   The copy with faults disabled stops at the first inaccessible unit (inexact: one outcome per allowed
 *   length, mmu/copy.ts) and filemap_read() turns a short copy into -EFAULT unless something was read.
 *   The window (`window`: shrinking / whole / fixed1, `bigWindow`) and the fault-in contract
 *   (`faultInContract`: bytesNotFaulted / allOrNothing, the read then returning `read ? read : -EFAULT`)
 *   are described in window.ts.
 *   The fault-in is one atomic step (fault_in_safe_writeable() under mmap_read_lock, one fixup_user_fault()
 *   per page, LRU evictions included). With a glock, the buffer is a MAP_SHARED mmap of the same file: a
 *   fault there runs gfs2_fault() (SH) and gfs2_page_mkwrite() (EX), so the fault-in step waits until it
 *   can get the glock at once (no holder queued) whenever some page of the window needs a fault.
 *
 * Context: read (units read so far), efault (the last generic_file_read_iter() returned -EFAULT),
 * prevCount (prev_count), window (window_size, 0 when not in use). Final states: 'done' (returned `read`,
 * possibly 0 at EOF) and 'efault' (returned -EFAULT). 'BUG' is the task killed by add_to_queue()'s BUG().
 */
import { and, assign, setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { unitAccess } from '../mmu/access.js';
import type { Mmu } from '../mmu/config.js';
import {
  pteResident,
  ACCESS_FAULT,
  BLOCKED,
  FAULT_DONE,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_WRITE,
  FAULT_NAMES,
  PTE_PRESENT_RW,
  VMA_NONE,
} from '../mmu/constants.js';
import { handleMmFaultOutcome } from '../mmu/fault.js';
import type { MmuWorld } from '../mmu/world.js';
import { copyToIter, copyToIterChoices, copyToIterResult } from '../iov-iter/copy.js';
import { faultInIovIterWriteable, faultInIovIterWriteableResult } from '../iov-iter/faultIn.js';
import { iterConsumed, iterCount, type IovIter } from '../iov-iter/iter.js';
import {
  glockAllowDemote,
  glockDisallowDemote,
  glockIdle,
  glockDqThenNqGrants,
  glockGranted,
  glockNqOutcome,
  glockQueued,
  glockWaitsFor,
  GLOCK_GRANTED,
  type Glock,
} from './glock.js';
import { gfs2Fault, gfs2FaultLabel, type Gfs2FaultSite } from './fault.js';
import { faultInWindow, maxFaultInWindow, windowOptions, type FaultInContract, type WindowPolicy } from './window.js';
import { gfs2GlockSlots, gfs2SyscallActor, gfs2SyscallGlock, glockArg, type Gfs2GlockUse } from './syscall.js';

export interface Gfs2ReadOptions {
  /** Column name. Default 'CPU0'. */
  readonly name?: string;
  readonly faults: 'enabled' | 'disabled';
  /** faults 'disabled': the window policy. Default 'shrinking'. */
  readonly window?: WindowPolicy;
  /** faults 'disabled': the fault-in contract. Default 'bytesNotFaulted'. */
  readonly faultInContract?: FaultInContract;
  /** The big window in pages (max(nr_dirtied_pause - nr_dirtied, 8)). Default 8. */
  readonly bigWindow?: number;
  /** i_size in units. Default: the iterator's length. */
  readonly fileUnits?: number;
  /** The inode glock; without it the glock steps are left out (a file nobody else locks). */
  readonly glock?: Gfs2GlockUse;
  /**
   * faults 'disabled' with a glock: what the read does with its holder around the fault-in. 'dq' (default,
   * v5.18+): gfs2_glock_dq(), fault in, gfs2_glock_nq() again. 'allow-demote' (v5.16 - v5.17,
   * 00bfe02f4796): gfs2_holder_allow_demote(), fault in, gfs2_holder_disallow_demote(), then
   * retry_under_glock if gfs2_holder_queued() still, else retry (nq again); needs a glock with autoDemote
   * and the faultHolder.
   */
  readonly glockDuringFaultIn?: 'dq' | 'allow-demote';
}

/** Every option of gfs2ReadMachine and gfs2ReadActor: a key not listed is a typo, refused rather than left at its default. */
const READ_OPTIONS: Shape<Gfs2ReadOptions> = {
  name: 'string',
  faults: 'checked',
  window: 'checked',
  faultInContract: 'checked',
  bigWindow: 'checked',
  fileUnits: 'checked',
  glock: 'object',
  glockDuringFaultIn: 'checked',
};

export interface Gfs2ReadContext {
  read: number;
  efault: number;
  prevCount: number;
  window: number;
}

type Ev = StepEvent<
  | 'glockNq'
  | 'glockWait'
  | 'genericFileReadIter'
  | 'glockDq'
  | 'faultInIovIterWriteable'
  | 'copyToUser'
  | 'gfs2Fault'
  | 'handleMmFault'
  | 'filemapFault'
  | 'gfs2PageMkwrite'
  | 'finishFault'
  | 'gfs2HolderDisallowDemote',
  MmuWorld
>;

/** Everything the read's transitions compute from a pre-state, in one reusable scratch object. */
interface ReadStep {
  /** Units this copy step copies. */
  k: number;
  /** generic_file_read_iter()'s return: k, 0 (EOF / nothing asked) or -EFAULT (= -1 here). */
  ret: number;
  /** should_fault_in_pages(): the window (0 = do not fault in) and the new prev_count. */
  window: number;
  prev: number;
}

/** Static facts of one reader, shared by its guards, actions and label. */
export class Gfs2Reader implements Gfs2FaultSite {
  readonly m: Mmu;
  readonly it: IovIter;
  readonly faults: 'enabled' | 'disabled';
  readonly window: WindowPolicy;
  readonly contract: FaultInContract;
  readonly bigWindow: number;
  readonly fileUnits: number;
  readonly g: Glock | undefined;
  readonly h: number;
  readonly fg: Glock | undefined;
  readonly fh: number;
  readonly mh: number;
  /** handle_mm_fault() flags of the copy_to_user() fault (faults 'enabled'). */
  readonly faultFlags = FAULT_FLAG_DEFAULT | FAULT_FLAG_WRITE;
  /** Largest window value. */
  readonly maxWindow: number;
  /** glockDuringFaultIn 'allow-demote'. */
  readonly mayDemote: boolean;
  private readonly s: ReadStep = { k: 0, ret: 0, window: 0, prev: 0 };

  constructor(m: Mmu, it: IovIter, o: Gfs2ReadOptions) {
    if (!it.userBacked || it.dataSource !== 0) throw new RangeError('gfs2 read: the iterator must be a user-backed ITER_DEST (UBUF or IOVEC)');
    if (o.faults !== 'enabled' && o.faults !== 'disabled') throw new RangeError(`gfs2 read: faults '${String(o.faults)}' is not 'enabled' or 'disabled'`);
    this.m = m;
    this.it = it;
    this.faults = o.faults;
    ({ window: this.window, bigWindow: this.bigWindow } = windowOptions('gfs2 read', o));
    this.contract = o.faultInContract ?? 'bytesNotFaulted';
    if (!['allOrNothing', 'bytesNotFaulted'].includes(this.contract))
      throw new RangeError(`gfs2 read: faultInContract '${this.contract}' is not allOrNothing or bytesNotFaulted`);
    this.fileUnits = o.fileUnits ?? it.total;
    if (!Number.isInteger(this.fileUnits) || this.fileUnits < 0)
      throw new RangeError(`gfs2 read: fileUnits must be a whole number >= 0, not ${this.fileUnits}`);
    ({ g: this.g, h: this.h, fg: this.fg, fh: this.fh, mh: this.mh } = gfs2GlockSlots('gfs2 read', o.glock));
    if (this.faults === 'enabled' && this.g && this.fh < 0)
      throw new RangeError('gfs2 read: faults enabled with a glock needs the faultHolder gfs2_fault() uses');
    if (this.faults === 'enabled' && this.g && this.mh < 0)
      throw new RangeError('gfs2 read: faults enabled with a glock needs the mkwriteHolder gfs2_page_mkwrite() uses (copy_to_user() faults for write)');
    const during = o.glockDuringFaultIn ?? 'dq';
    if (during !== 'dq' && during !== 'allow-demote') throw new RangeError(`gfs2 read: glockDuringFaultIn '${String(during)}' is not 'dq' or 'allow-demote'`);
    this.mayDemote = during === 'allow-demote';
    if (this.mayDemote && (this.faults !== 'disabled' || !this.g || !this.g.autoDemote || this.fh < 0))
      throw new RangeError("gfs2 read: glockDuringFaultIn 'allow-demote' needs faults 'disabled', a glock with autoDemote and the faultHolder");
    this.maxWindow = maxFaultInWindow(this.faults, this.window, this.bigWindow, m.unitsPerPage, it.total);
  }

  /** Units generic_file_read_iter() may copy now: min(count, i_size - ki_pos). */
  avail(w: MmuWorld): number {
    return Math.max(0, Math.min(iterCount(w, this.it), this.fileUnits - iterConsumed(w, this.it)));
  }

  /** The copy's outcomes (faults disabled: inexact; enabled: one, up to the first inaccessible unit). */
  copyChoices(w: MmuWorld): number {
    return this.faults === 'disabled' ? copyToIterChoices(w, this.it, this.avail(w)) : 1;
  }

  private copied(w: MmuWorld, choice: number): number {
    const n = this.avail(w);
    if (this.faults === 'disabled') return copyToIterResult(w, this.it, n, choice);
    return copyToIterResult(w, this.it, n, copyToIterChoices(w, this.it, n) - 1);
  }

  /** should_fault_in_pages() after a copy of k units: the window (0: no) and prev_count. */
  private shouldFaultIn(w: MmuWorld, prevCount: number, k: number, s: ReadStep): void {
    const count = iterCount(w, this.it) - k;
    const pos = iterConsumed(w, this.it) + k;
    s.window = faultInWindow(this.window, this.bigWindow, this.m.unitsPerPage, count, pos, prevCount, this.it.addrAt[pos]!);
    s.prev = count === 0 ? prevCount : count;
  }

  /** The faults-disabled read step from this pre-state with this choice. */
  readStep(w: MmuWorld, ctx: Gfs2ReadContext, choice: number): ReadStep {
    const s = this.s;
    const n = this.avail(w);
    s.k = this.copied(w, choice);
    s.ret = s.k > 0 ? s.k : n === 0 ? 0 : -1;
    s.window = 0;
    s.prev = ctx.prevCount;
    if (s.ret <= 0 && s.ret !== -1) return s;
    this.shouldFaultIn(w, ctx.prevCount, s.k, s);
    return s;
  }

  /** The faults-enabled copy step: k copied, then done (-2), a fault at the next unit (-3) or -EFAULT (-1). */
  copyStep(w: MmuWorld): ReadStep {
    const s = this.s;
    const n = this.avail(w);
    s.k = this.copied(w, 0);
    s.window = 0;
    if (s.k === n) s.ret = -2;
    else s.ret = unitAccess(w, this.m, this.it.addrAt[iterConsumed(w, this.it) + s.k]!, true) === ACCESS_FAULT ? -3 : -1;
    return s;
  }

  /** The page the faults-enabled copy faults on (the next unit's page). */
  faultPage(w: MmuWorld): number {
    return (this.it.addrAt[iterConsumed(w, this.it)]! / this.m.unitsPerPage) | 0;
  }

  /** handle_mm_fault() outcome for the faulting page (a write fault from a kernel-mode uaccess). */
  faultOutcome(w: MmuWorld): number {
    return handleMmFaultOutcome(w, this.m, this.faultPage(w), this.faultFlags);
  }

  /** Some page of [pos, pos + window) needs a fault (its PTE is not present-writable and its VMA allows it). */
  windowNeedsFault(w: MmuWorld, window: number): boolean {
    const it = this.it;
    const pos = iterConsumed(w, it);
    const end = Math.min(pos + window, it.total);
    for (let q = pos; q < end; q++) {
      const p = (it.addrAt[q]! / this.m.unitsPerPage) | 0;
      if (w.vma[p] !== VMA_NONE && w.pte[p] !== PTE_PRESENT_RW) return true;
    }
    return false;
  }

  /** The fault-in step can run now: it would not sleep, and the buffer's glock is free if a page needs gfs2_fault(). */
  faultInEnabled(w: MmuWorld, window: number): boolean {
    if (faultInIovIterWriteableResult(w, this.it, window) === BLOCKED) return false;
    // Under a weak holder the fault's own glock requests are steps of their own (faultGlockWait ...).
    if (this.mayDemote) return !this.windowNeedsFault(w, window);
    return !this.fg || glockIdle(w, this.fg) || !this.windowNeedsFault(w, window);
  }

  /** window_size after the fault-in: window - leftover, or 0 for an all-or-nothing failure. Pure. */
  windowAfterFaultIn(w: MmuWorld, window: number): number {
    const r = faultInIovIterWriteableResult(w, this.it, window);
    if (this.contract === 'allOrNothing') return r === 0 ? window : 0;
    return window - r;
  }
}

/** The gfs2 buffered read machine. */
export function gfs2ReadMachine(m: Mmu, it: IovIter, options: Gfs2ReadOptions) {
  assertShape(options, READ_OPTIONS, 'gfs2ReadMachine() options');
  const r = new Gfs2Reader(m, it, options);
  const g = r.g;
  const h = r.h;
  const fg = r.fg;
  const fh = r.fh;
  const start = g ? 'lock' : r.faults === 'disabled' ? 'readIter' : 'copy';
  const afterLock = r.faults === 'disabled' ? 'readIter' : 'copy';
  const fault = gfs2Fault(r);
  /** The fault-in's step under a weak holder: whether it made progress decides what follows gfs2_holder_disallow_demote(). */
  const faultInUnderWeakHolder = (runs: string, dq: readonly string[]) => [
    { guard: and([runs, 'retries']), target: 'disallowDemote', actions: [...dq, 'faultIn', 'resetWindow'] },
    { guard: runs, target: 'disallowDemoteNoProgress', actions: [...dq, 'faultIn', 'resetWindow'] },
  ];

  const states: Record<string, any> = {
    done: { type: 'final' },
    efault: { type: 'final' },
  };
  const lock = gfs2SyscallGlock(r, {
    afterLock,
    retry: r.faults === 'disabled' ? { target: 'faultIn', description: 'gfs2_glock_dq()' } : undefined,
    result: 'read',
    who: 'gfs2 read',
  });
  Object.assign(states, lock.states);
  const leave = (to: string): string => (g ? 'unlock' : to);
  if (r.faults === 'disabled') {
    states.readIter = {
      on: {
        genericFileReadIter: [
          r.mayDemote
            ? { guard: 'readThenFaultIn', target: 'faultIn', actions: ['afterRead', 'copy', 'allowDemote'] }
            : { guard: 'readThenFaultIn', target: g ? 'unlock' : 'faultIn', actions: ['afterRead', 'copy'] },
          { guard: 'readFails', target: leave('efault'), actions: ['afterRead', 'copy'] },
          { target: leave('done'), actions: ['afterRead', 'copy'] },
        ],
      },
    };
    states.faultIn = {
      meta: {
        waitsFor: g
          ? ({ world }: { world: MmuWorld }) =>
              r.mh >= 0
                ? `${glockWaitsFor(world, fg!, r.mh)} for gfs2_fault() and gfs2_page_mkwrite()`
                : `${fh >= 0 ? glockWaitsFor(world, fg!, fh) : glockWaitsFor(world, g, h)} for gfs2_fault()`
          : 'the fault-in',
      },
      on: {
        faultInIovIterWriteable: r.mayDemote
          ? faultInUnderWeakHolder('canFaultIn', [])
          : [
              { guard: and(['canFaultIn', 'retries']), target: g ? 'lock' : 'readIter', actions: ['faultIn', 'resetWindow'] },
              { guard: and(['canFaultIn', 'failed']), target: 'efault', actions: ['faultIn', 'resetWindow'] },
              { guard: 'canFaultIn', target: 'done', actions: ['faultIn', 'resetWindow'] },
            ],
      },
    };
    if (r.mayDemote) {
      // The fault on the window's first page, under the weak holder: gfs2_fault()'s SH, then (write
      // fault) gfs2_page_mkwrite()'s EX, each granted at once or queued; the rest of the fault-in is
      // one step after the last dq. The own weak holder does not make these requests recursive.
      const fmode = glockArg(r, fg!, fh);
      states.faultIn.on.gfs2Fault = [
        {
          guard: and(['weakFaultNeeded', 'weakFaultGrantsNow']),
          target: 'weakFaultLocked',
          actions: 'faultNq',
          description: `gfs2_fault(): gfs2_glock_nq(${fmode}): granted`,
        },
        { guard: 'weakFaultNeeded', target: 'weakFaultGlockWait', actions: 'faultNq', description: `gfs2_fault(): gfs2_glock_nq(${fmode}): queued` },
      ];
      states.weakFaultGlockWait = {
        meta: { waitsFor: ({ world }: { world: MmuWorld }) => `${glockWaitsFor(world, fg!, fh)} in gfs2_fault(), holding ${g!.display} with HIF_MAY_DEMOTE` },
        on: { glockWait: { guard: 'weakFaultGranted', target: 'weakFaultLocked', description: `gfs2_glock_wait(): ${fmode} granted` } },
      };
      if (r.mh >= 0) {
        const mmode = glockArg(r, fg!, r.mh);
        states.weakFaultLocked = {
          on: {
            filemapFault: [
              {
                guard: 'weakMkwriteGrantsNow',
                target: 'weakMkwriteLocked',
                actions: ['faultDq', 'mkwriteNq'],
                description: `filemap_fault(); gfs2_glock_dq(); gfs2_page_mkwrite(): gfs2_glock_nq(${mmode}): granted`,
              },
              {
                target: 'weakMkwriteGlockWait',
                actions: ['faultDq', 'mkwriteNq'],
                description: `filemap_fault(); gfs2_glock_dq(); gfs2_page_mkwrite(): gfs2_glock_nq(${mmode}): queued`,
              },
            ],
          },
        };
        states.weakMkwriteGlockWait = {
          meta: {
            waitsFor: ({ world }: { world: MmuWorld }) =>
              `${glockWaitsFor(world, fg!, r.mh)} in gfs2_page_mkwrite(), holding ${g!.display} with HIF_MAY_DEMOTE`,
          },
          on: { glockWait: { guard: 'weakMkwriteGranted', target: 'weakMkwriteLocked', description: `gfs2_glock_wait(): ${mmode} granted` } },
        };
        states.weakMkwriteLocked = { on: { faultInIovIterWriteable: faultInUnderWeakHolder('faultInRuns', ['mkwriteDq']) } };
      } else {
        states.weakFaultLocked = { on: { faultInIovIterWriteable: faultInUnderWeakHolder('faultInRuns', ['faultDq']) } };
      }
      const off = 'gfs2_holder_disallow_demote()';
      states.disallowDemote = {
        on: {
          gfs2HolderDisallowDemote: [
            { guard: 'holderQueued', target: 'readIter', actions: 'disallowDemote', description: `${off}; still queued: retry_under_glock` },
            { target: 'lock', actions: 'disallowDemote', description: `${off}; demoted: retry, gfs2_glock_nq() again` },
          ],
        },
      };
      states.disallowDemoteNoProgress = {
        on: {
          gfs2HolderDisallowDemote: [
            {
              guard: and(['holderQueued', 'failed']),
              target: 'efault',
              actions: ['disallowDemote', 'dq'],
              description: `${off}; no progress: gfs2_glock_dq(); return -EFAULT`,
            },
            { guard: 'holderQueued', target: 'done', actions: ['disallowDemote', 'dq'], description: `${off}; no progress: gfs2_glock_dq(); return read` },
            { guard: 'failed', target: 'efault', actions: 'disallowDemote', description: `${off}; no progress, demoted: return -EFAULT` },
            { target: 'done', actions: 'disallowDemote', description: `${off}; no progress, demoted: return read` },
          ],
        },
      };
    }
  } else {
    states.copy = {
      on: {
        copyToUser: [
          { guard: 'copyFaults', target: 'pageFault', actions: ['afterCopy', 'copy'] },
          { guard: 'copyFails', target: leave('efault'), actions: ['afterCopy', 'copy'] },
          { target: leave('done'), actions: ['afterCopy', 'copy'] },
        ],
      },
    };
    if (g) {
      Object.assign(states, fault.states);
    } else {
      states.pageFault = {
        on: {
          handleMmFault: [
            { guard: 'faultDone', target: 'copy', actions: 'handleFault', description: 'handle_mm_fault()' },
            { guard: and(['faultCanRun', 'nothingRead']), target: 'efault', actions: 'faultEfault', description: 'handle_mm_fault() fails; fixup: -EFAULT' },
            { guard: 'faultCanRun', target: 'done', actions: 'faultEfault', description: 'handle_mm_fault() fails; fixup: return read' },
          ],
        },
      };
    }
  }

  return setup({
    types: { context: {} as Gfs2ReadContext, events: {} as Ev },
    guards: {
      ...lock.guards,
      nothingRead: ({ context }) => context.read === 0,
      readThenFaultIn: ({ context, event }) => r.readStep(event.world, context, event.choice).window > 0,
      readFails: ({ context, event }) => {
        const s = r.readStep(event.world, context, event.choice);
        return s.ret === -1 && context.read + s.k === 0;
      },
      canFaultIn: ({ context, event }) => r.faultInEnabled(event.world, context.window),
      retries: ({ context, event }) => r.windowAfterFaultIn(event.world, context.window) > 0,
      holderQueued: ({ event }) => glockQueued(event.world, g!, h),
      faultInRuns: ({ context, event }) => faultInIovIterWriteableResult(event.world, it, context.window) !== BLOCKED,
      weakFaultNeeded: ({ context, event }) =>
        faultInIovIterWriteableResult(event.world, it, context.window) !== BLOCKED && r.windowNeedsFault(event.world, context.window),
      weakFaultGrantsNow: ({ event }) => glockNqOutcome(event.world, fg!, fh) === GLOCK_GRANTED,
      weakFaultGranted: ({ event }) => glockGranted(event.world, fg!, fh),
      weakMkwriteGrantsNow: ({ event }) => glockDqThenNqGrants(event.world, fg!, fh, r.mh),
      weakMkwriteGranted: ({ event }) => glockGranted(event.world, fg!, r.mh),
      copyFaults: ({ event }) => r.copyStep(event.world).ret === -3,
      copyFails: ({ context, event }) => {
        const s = r.copyStep(event.world);
        return s.ret === -1 && context.read + s.k === 0;
      },
      ...fault.guards,
    },
    actions: {
      ...lock.actions,
      ...fault.actions,
      afterRead: assign(({ context, event }) => {
        const s = r.readStep(event.world, context, event.choice);
        return { read: context.read + s.k, efault: s.ret === -1 ? 1 : 0, prevCount: s.prev, window: s.window };
      }),
      afterCopy: assign(({ context, event }) => {
        const s = r.copyStep(event.world);
        return { read: context.read + s.k, efault: s.ret === -1 ? 1 : 0 };
      }),
      copy: ({ event }) => {
        const n = r.avail(event.world);
        copyToIter(event.world, it, n, r.faults === 'disabled' ? event.choice : copyToIterChoices(event.world, it, n) - 1);
      },
      resetWindow: assign({ window: 0 }),
      allowDemote: ({ event }) => glockAllowDemote(event.world, g!, h),
      disallowDemote: ({ event }) => glockDisallowDemote(event.world, g!, h),

      faultIn: ({ context, event }) => {
        faultInIovIterWriteable(event.world, it, context.window);
      },
      faultEfault: assign(({ context }) => ({ efault: 1, read: context.read })),
    },
  }).createMachine({ id: options.name ?? 'CPU0', initial: start, context: { read: 0, efault: 0, prevCount: 0, window: 0 }, states });
}

/** The label of each step, naming the kernel function and what it returned. */
function readLabel(r: Gfs2Reader) {
  const U = r.m.unitsPerPage;
  const units = (n: number): string => (U === 1 ? `${n}` : `${n}u`);
  return ({ context, event }: { context: Gfs2ReadContext; event: StepEvent<string, MmuWorld> }, description: string | undefined): string => {
    const w = event.world;
    switch (event.type) {
      case 'genericFileReadIter': {
        const s = r.readStep(w, context, event.choice);
        const ret = s.ret === -1 ? '-EFAULT' : String(s.ret);
        const next =
          s.window === 0 ? '' : r.window === 'whole' ? `; fault in the remaining ${units(s.window)}` : `; should_fault_in_pages(): window ${units(s.window)}`;
        const weak = r.mayDemote && s.window > 0 ? '; gfs2_holder_allow_demote()' : '';
        return `pagefault_disable(); generic_file_read_iter() = ${ret}${next}${weak}`;
      }
      case 'faultInIovIterWriteable': {
        const left = faultInIovIterWriteableResult(w, r.it, context.window);
        // The dry run left its post-state in the iterator's shadow: name the pages it faulted in and evicted.
        const after = r.it.shadow.world as MmuWorld;
        const pos = iterConsumed(w, r.it);
        const faulted = Math.min(context.window - left, iterCount(w, r.it));
        const first = faulted > 0 ? (r.it.addrAt[pos]! / U) | 0 : 0;
        const last = faulted > 0 ? (r.it.addrAt[pos + faulted - 1]! / U) | 0 : -1;
        const evicted: string[] = [];
        for (let p = 0; p < r.m.pages; p++) {
          if ((pteResident(w.pte[p]!) || (p >= first && p <= last)) && !pteResident(after.pte[p]!)) evicted.push(`p${p}`);
        }
        const range = last < 0 ? '' : first === last ? `p${first} faulted in` : `p${first}..p${last} faulted in`;
        const what = [range, evicted.length ? `${evicted.join(' ')} evicted by the LRU` : ''].filter(Boolean).join(', ');
        const after2 = r.windowAfterFaultIn(w, context.window);
        const ends = after2 > 0 ? '' : `; read() returns ${context.read > 0 ? units(context.read) : context.efault ? '-EFAULT' : '0'}`;
        if (r.contract === 'allOrNothing') {
          // The gfs2 v4 RFC's all-or-nothing helper, faulting in the rest of the buffer (size SIZE_MAX).
          return `iov_iter_fault_in_writeable(to, SIZE_MAX) = ${left === 0 ? '0' : '-EFAULT'}${what ? `: ${what}` : ''}${ends}`;
        }
        return `fault_in_iov_iter_writeable(to, ${units(context.window)}) = ${units(left)}${what ? `: ${what}` : ''}${ends}`;
      }
      case 'copyToUser': {
        const s = r.copyStep(w);
        const at = r.it.addrAt[iterConsumed(w, r.it) + s.k]!;
        const tail = s.ret === -2 ? '' : s.ret === -3 ? `, #PF at p${(at / U) | 0}` : `, fault at p${(at / U) | 0}: -EFAULT`;
        return `generic_file_read_iter(): copy_to_user() copies ${units(s.k)}${tail}`;
      }
      case 'gfs2Fault':
      case 'finishFault':
        return gfs2FaultLabel(r, w, event.type, description)!;
      case 'handleMmFault':
      case 'filemapFault': {
        const o = r.faultOutcome(w);
        return `${description ?? event.type}${o === FAULT_DONE ? '' : ` (${FAULT_NAMES[o]})`}`;
      }
      default:
        return description ?? event.type;
    }
  };
}

/** The reader actor (a thread). */
export function gfs2ReadActor(m: Mmu, it: IovIter, options: Gfs2ReadOptions): ActorSpec<Gfs2ReadContext, MmuWorld> {
  assertShape(options, READ_OPTIONS, 'gfs2ReadActor() options');
  const r = new Gfs2Reader(m, it, options);
  return gfs2SyscallActor({
    name: options.name,
    machine: gfs2ReadMachine(m, it, options),
    result: 'read',
    it,
    site: r,
    copyEvent: 'genericFileReadIter',
    label: readLabel(r),
  });
}
