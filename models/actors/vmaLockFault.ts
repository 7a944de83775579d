/**
 * A user page fault on page 0 (an anonymous VMA) through the per-VMA lock path of the arch fault handler:
 * do_user_addr_fault() (arch/x86/mm/fault.c; arm64, powerpc, riscv and s390 have the same block), over
 * lock_vma_under_rcu() (mm/memory.c) and the VMA lock of models/mm/vmaLock.ts, v6.4+:
 *
 *   vma = lock_vma_under_rcu(mm, address);     // NULL: goto lock_mmap
 *   fault = handle_mm_fault(vma, address, flags | FAULT_FLAG_VMA_LOCK, regs);
 *   if (!(fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)))    // v6.6+; v6.4 - v6.5: always
 *       vma_end_read(vma);
 *   if (!(fault & VM_FAULT_RETRY)) goto done;
 * lock_mmap:
 *   vma = lock_mm_and_find_vma(mm, address, regs);           // mmap_read_lock(); NULL: bad_area (SIGSEGV)
 *   fault = handle_mm_fault(vma, address, flags, regs);
 *   mmap_read_unlock(mm);
 *
 * lock_vma_under_rcu(): rcu_read_lock(); mas_walk() (a detached VMA is no longer in the tree: NULL);
 * "Only anonymous vmas are supported for now" (before v6.7); the anon_vma test; vma_start_read() (fails
 * while the VMA is write-locked: NULL); userfaultfd_armed() (before v6.6); the address range; "Check if
 * the VMA got isolated after we found it": vma->detached -> vma_end_read(), retry the walk.
 *
 * Option `anonVmaCheck` (where lock_vma_under_rcu() tests vma->anon_vma, which do_anonymous_page() needs
 * so that it never runs __anon_vma_prepare() under the VMA lock alone):
 *   'before-lock' 5e31275cc997 / v6.4 .. v6.5-rc3: before vma_start_read(), so a concurrent mremap()'s
 *                 move_vma() (vma_start_write(), unlink_anon_vmas()) can clear it in between;
 *   'after-lock'  657b5146955e ("mm: lock_vma_under_rcu() must check vma->anon_vma under vma lock",
 *                 Jann Horn, v6.5-rc4, stable 6.4.y, Aug 2023): after vma_start_read(), `goto inval_end_read`.
 * Option `retryDropsVmaLock` (what handle_mm_fault() does with the VMA lock when it returns VM_FAULT_RETRY,
 * e.g. a swap-in or page-cache read that finds the folio locked):
 *   false v6.4 - v6.5: keeps it (do_swap_page() returned RETRY at once under FAULT_FLAG_VMA_LOCK), the
 *         arch code drops it;
 *   true  4089eef0e6ac ("mm: drop per-VMA lock when returning VM_FAULT_RETRY or VM_FAULT_COMPLETED", v6.6):
 *         the core drops it, "the caller should still release it" no more.
 * Option `archEndRead`: 'always' (the v6.4 - v6.5 arch code: vma_end_read() after any outcome) or
 * 'unless-retry' (v6.6: not after RETRY or COMPLETED). 'always' with `retryDropsVmaLock` is the riscv
 * handler 4089eef0e6ac's series first missed (linux-next 20230725: "WARNING: bad unlock balance
 * detected! ... vma_end_read+0x60/0xb8 ... handle_page_fault"; fixed before the merge).
 * Option `retry`: handle_mm_fault() under the VMA lock may return VM_FAULT_RETRY (one more choice).
 *
 * Option `fileFaults` (only for a file-backed page 0 - MMU backing 'file': a MAP_SHARED mapping whose
 * vm_ops has ->map_pages, so ->fault is filemap_fault(); the fault is a write fault, do_shared_fault()):
 *   'no-vma-lock' v6.4 - v6.5: lock_vma_under_rcu() "Only anonymous vmas are supported for now":
 *                 !vma_is_anonymous() -> NULL, the fault takes mmap_lock;
 *   'retry'       v6.6 ("mm: allow per-VMA locks on file-backed VMAs" and "mm: move FAULT_FLAG_VMA_LOCK
 *                 check down from do_fault()", Matthew Wilcox): lock_vma_under_rcu() hands the VMA out,
 *                 but do_shared_fault() (and wp_page_shared()) under FAULT_FLAG_VMA_LOCK do
 *                 vma_end_read(); return VM_FAULT_RETRY - a spurious fault on a present PTE is handled;
 *   'vma-lock'    v6.7: 4ed4379881aa ("mm: handle shared faults under the VMA lock", vmf_can_call_fault():
 *                 ->map_pages marks the audited ->fault) calls filemap_fault() under the VMA lock, which
 *                 may drop it and return VM_FAULT_RETRY (lock_folio_maybe_drop_mmap() -> release_fault_lock(),
 *                 "mm: make lock_folio_maybe_drop_mmap() VMA lock aware"; with `retry`), and after the page
 *                 is mapped fault_dirty_shared_page() may drop it to throttle in balance_dirty_pages_ratelimited()
 *                 and return VM_FAULT_COMPLETED (maybe_unlock_mmap_for_io() -> release_fault_lock()). Since
 *                 4089eef0e6ac the VMA lock is gone on both, and the v6.6 arch code ends the read only
 *                 `if (!(fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)))`; 4089eef0e6ac's message notes that
 *                 "no path returns VM_FAULT_COMPLETED for now" - this is the path that came with v6.7.
 * The mmap_lock path is handle_mm_fault() then mmap_read_unlock() (no RETRY / COMPLETED choices there:
 * fault-retry-signal models that path).
 *
 * Steps: `lockVmaUnderRcu` (the walk and the checks before the lock), `vmaStartRead` (vma_start_read()
 * and the checks after it), `handleMmFaultVmaLock` (choice 0: the fault is handled; 1: VM_FAULT_RETRY),
 * `vmaEndRead` (the arch code after handle_mm_fault()), `lockMmAndFindVma` (mmap_read_lock(), find_vma()),
 * `handleMmFault` (under mmap_lock, then mmap_read_unlock()). Context `segv` is 1 when the fault ended in
 * bad_area() (the VMA was unmapped).
 */
import { assign, setup } from 'xstate';
import { assertShape, bool, enumOf, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { BACKING_FILE, FAULT_FLAG_DEFAULT, FAULT_FLAG_USER, FAULT_FLAG_WRITE, PTE_PRESENT_RW, VMA_NONE } from '../mmu/constants.js';
import { handleMmFault } from '../mmu/fault.js';
import { mmapReadLock, mmapReadLockable, mmapReadUnlock } from '../mmu/mmapLock.js';
import { vmaEndRead, vmaLockedFaultRuns, vmaStartRead, vmaStartReadOk, type VmaLock, type VmaLockWorld } from '../mm/vmaLock.js';

export interface VmaLockFaultOptions {
  /** Column name in traces. Default 'CPU0'. */
  readonly name?: string;
  /** Its mmap_lock owner index. */
  readonly mmapOwner: number;
  readonly anonVmaCheck: 'before-lock' | 'after-lock';
  readonly retryDropsVmaLock: boolean;
  readonly archEndRead: 'always' | 'unless-retry';
  /** handle_mm_fault() under the VMA lock may return VM_FAULT_RETRY. Default false. */
  readonly retry?: boolean;
  /** How faults on a file-backed page 0 go (see the file comment); required exactly when page 0 is file-backed. */
  readonly fileFaults?: 'no-vma-lock' | 'retry' | 'vma-lock';
}

/** Every option of vmaLockFaultMachine and vmaLockFaultActor: a key not listed is a typo, refused rather than left at its default. */
const VMA_LOCK_FAULT_OPTIONS: Shape<VmaLockFaultOptions> = {
  name: 'string',
  mmapOwner: 'checked',
  anonVmaCheck: 'checked',
  retryDropsVmaLock: 'boolean',
  archEndRead: 'checked',
  retry: 'boolean',
  fileFaults: 'checked',
};

export const VMA_FAULT_NONE = 0;
export const VMA_FAULT_DONE = 1;
export const VMA_FAULT_RETRY = 2;
export const VMA_FAULT_COMPLETED = 3;

export interface VmaLockFaultContext {
  /** What handle_mm_fault() under the VMA lock returned: none yet, 0, VM_FAULT_RETRY, VM_FAULT_COMPLETED. */
  fault: number;
  /** The fault ended in bad_area(): SIGSEGV. */
  segv: number;
}

type Event = StepEvent<'lockVmaUnderRcu' | 'vmaStartRead' | 'handleMmFaultVmaLock' | 'vmaEndRead' | 'lockMmAndFindVma' | 'handleMmFault', VmaLockWorld>;

const FLAGS = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER | FAULT_FLAG_WRITE;
const ONLY_DONE = [VMA_FAULT_DONE] as const;
const ONLY_RETRY = [VMA_FAULT_RETRY] as const;
const ANON_RETRY = [VMA_FAULT_DONE, VMA_FAULT_RETRY] as const;
const FILE_ALL = [VMA_FAULT_DONE, VMA_FAULT_COMPLETED, VMA_FAULT_RETRY] as const;
const FILE_NO_RETRY = [VMA_FAULT_DONE, VMA_FAULT_COMPLETED] as const;

function check(v: VmaLock, o: VmaLockFaultOptions): void {
  const file = v.mmu.backing[0] === BACKING_FILE;
  if (file && o.fileFaults !== 'no-vma-lock' && o.fileFaults !== 'retry' && o.fileFaults !== 'vma-lock')
    throw new RangeError(`vma lock fault: page 0 is file-backed, so fileFaults must be no-vma-lock, retry or vma-lock (got '${String(o.fileFaults)}')`);
  if (!file && o.fileFaults !== undefined) throw new RangeError('vma lock fault: fileFaults applies only to a file-backed page 0');
  if (file && o.fileFaults !== 'no-vma-lock' && !o.retryDropsVmaLock)
    throw new RangeError(
      `vma lock fault: fileFaults '${String(o.fileFaults)}' is v6.6+, where handle_mm_fault() drops the VMA lock on VM_FAULT_RETRY (retryDropsVmaLock: true)`,
    );
  if (o.anonVmaCheck !== 'before-lock' && o.anonVmaCheck !== 'after-lock')
    throw new RangeError(`vma lock fault: anonVmaCheck '${String(o.anonVmaCheck)}' is not before-lock or after-lock`);
  if (o.archEndRead !== 'always' && o.archEndRead !== 'unless-retry')
    throw new RangeError(`vma lock fault: archEndRead '${String(o.archEndRead)}' is not always or unless-retry`);
  if (!Number.isInteger(o.mmapOwner) || o.mmapOwner < 0) throw new RangeError(`vma lock fault: mmapOwner ${o.mmapOwner} is not an owner index`);
}

/** The pure decisions of lock_vma_under_rcu() and handle_mm_fault(), shared by the machine and the labels. */
function lookup(v: VmaLock, o: VmaLockFaultOptions) {
  const before = o.anonVmaCheck === 'before-lock';
  const file = v.mmu.backing[0] === BACKING_FILE;
  // The anon_vma tests apply to anonymous VMAs only (a MAP_SHARED file fault needs no anon_vma).
  const anonMissing = (w: VmaLockWorld): boolean => !file && w.vmaAnonVma === 0;
  return {
    file,
    /** mas_walk() finds no VMA (it was detached), the VMA is file-backed before v6.6, or the anon_vma test before the lock fails: NULL. */
    walkFails: (w: VmaLockWorld): boolean => w.vmaDetached === 1 || (file && o.fileFaults === 'no-vma-lock') || (before && anonMissing(w)),
    /** After a successful vma_start_read(): the anon_vma test (after-lock form) or the detached test fails. */
    lockedFails: (w: VmaLockWorld): boolean => (!before && anonMissing(w)) || w.vmaDetached === 1,
    anonMissing,
    /**
     * What handle_mm_fault(FAULT_FLAG_VMA_LOCK) may return now, in choice order. Anonymous: 0, then
     * VM_FAULT_RETRY with `retry`. File-backed, PTE already writable: 0 (a spurious fault). Otherwise
     * 'retry': VM_FAULT_RETRY only; 'vma-lock': 0, VM_FAULT_COMPLETED, then VM_FAULT_RETRY with `retry`.
     */
    outcomes: (w: VmaLockWorld): readonly number[] => {
      if (!file) return o.retry ? ANON_RETRY : ONLY_DONE;
      if (w.pte[0] === PTE_PRESENT_RW) return ONLY_DONE;
      if (o.fileFaults === 'retry') return ONLY_RETRY;
      return o.retry ? FILE_ALL : FILE_NO_RETRY;
    },
    /** The page is unmapped: lock_mm_and_find_vma() finds no VMA. */
    badArea: (w: VmaLockWorld): boolean => w.vma[0] === VMA_NONE || w.vmaDetached === 1,
  };
}

export function vmaLockFaultMachine(v: VmaLock, o: VmaLockFaultOptions) {
  assertShape(o, VMA_LOCK_FAULT_OPTIONS, 'vmaLockFaultMachine() options');
  check(v, o);
  const L = lookup(v, o);
  const owner = o.mmapOwner;
  const outcome = (w: VmaLockWorld, choice: number): number => L.outcomes(w)[choice]!;
  const endsRead = (fault: number): boolean => fault === VMA_FAULT_DONE || o.archEndRead === 'always';
  return setup({
    types: { context: {} as VmaLockFaultContext, events: {} as Event },
    guards: {
      walkFails: ({ event }) => L.walkFails(event.world),
      startReadFails: ({ event }) => !vmaStartReadOk(event.world),
      lockedFails: ({ event }) => L.lockedFails(event.world),
      retried: ({ context }) => context.fault === VMA_FAULT_RETRY,
      mmapLockable: ({ event }) => mmapReadLockable(event.world, v.mmu),
      badArea: ({ event }) => L.badArea(event.world),
    },
    actions: {
      startRead: ({ event }) => vmaStartRead(event.world),
      faultUnderVmaLock: ({ event }) => {
        const w = event.world;
        const f = outcome(w, event.choice);
        if (f === VMA_FAULT_RETRY) {
          // VM_FAULT_RETRY: nothing mapped; a writer changing the VMA meanwhile is still a race.
          vmaLockedFaultRuns(w, false);
          if (o.retryDropsVmaLock) vmaEndRead(w);
          return;
        }
        vmaLockedFaultRuns(w, !L.file);
        handleMmFault(w, v.mmu, 0, FLAGS, -1);
        // VM_FAULT_COMPLETED: fault_dirty_shared_page() dropped the VMA lock after mapping the page.
        if (f === VMA_FAULT_COMPLETED) vmaEndRead(w);
      },
      archEndRead: ({ context, event }) => {
        if (endsRead(context.fault)) vmaEndRead(event.world);
      },
      mmapLock: ({ event }) => mmapReadLock(event.world, v.mmu, owner),
      segv: ({ event }) => mmapReadUnlock(event.world, v.mmu, owner),
      faultUnderMmapLock: ({ event }) => {
        const w = event.world;
        if (!L.file) w.vmaAnonVma = 1; // anon_vma_prepare() under mmap_lock, where it belongs
        handleMmFault(w, v.mmu, 0, FLAGS, owner);
        mmapReadUnlock(w, v.mmu, owner);
      },
    },
  }).createMachine({
    id: o.name ?? 'CPU0',
    initial: 'start',
    context: { fault: VMA_FAULT_NONE, segv: 0 },
    states: {
      start: {
        on: {
          lockVmaUnderRcu: [
            { guard: 'walkFails', target: 'mmap', description: 'lock_vma_under_rcu() = NULL' },
            { target: 'found', description: 'lock_vma_under_rcu(): mas_walk()' },
          ],
        },
      },
      found: {
        on: {
          vmaStartRead: [
            { guard: 'startReadFails', target: 'mmap', description: 'vma_start_read() fails: lock_vma_under_rcu() = NULL' },
            // vma_start_read() succeeded, a test after it failed: vma_end_read() - no net change.
            { guard: 'lockedFails', target: 'mmap', description: 'vma_start_read(); inval_end_read: vma_end_read()' },
            { target: 'vmaLocked', actions: 'startRead', description: 'vma_start_read()' },
          ],
        },
      },
      vmaLocked: {
        on: {
          handleMmFaultVmaLock: {
            target: 'returned',
            actions: [assign({ fault: ({ event }) => outcome(event.world, event.choice) }), 'faultUnderVmaLock'],
            description: 'handle_mm_fault(FAULT_FLAG_VMA_LOCK)',
          },
        },
      },
      returned: {
        on: {
          vmaEndRead: [
            { guard: 'retried', target: 'mmap', actions: 'archEndRead', description: 'VM_FAULT_RETRY: goto lock_mmap' },
            { target: 'done', actions: 'archEndRead', description: 'vma_end_read(); done' },
          ],
        },
      },
      mmap: {
        meta: { waitsFor: 'mmap_read_lock(): an mmap_lock writer holds it' },
        on: {
          lockMmAndFindVma: [{ guard: 'mmapLockable', target: 'mmapLocked', actions: 'mmapLock', description: 'lock_mm_and_find_vma()' }],
        },
      },
      mmapLocked: {
        on: {
          handleMmFault: [
            { guard: 'badArea', target: 'done', actions: [assign({ segv: 1 }), 'segv'], description: 'bad_area(): SIGSEGV' },
            { target: 'done', actions: 'faultUnderMmapLock', description: 'handle_mm_fault(); mmap_read_unlock()' },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The faulting thread (weakly fair). */
export function vmaLockFaultActor(v: VmaLock, o: VmaLockFaultOptions): ActorSpec<VmaLockFaultContext, VmaLockWorld> {
  assertShape(o, VMA_LOCK_FAULT_OPTIONS, 'vmaLockFaultActor() options');
  const machine = vmaLockFaultMachine(v, o);
  const L = lookup(v, o);
  const before = o.anonVmaCheck === 'before-lock';
  const outcome = (w: VmaLockWorld, choice: number): number => L.outcomes(w)[choice]!;
  return {
    name: o.name ?? 'CPU0',
    machine,
    fields: { fault: enumOf(['none', '0', 'VM_FAULT_RETRY', 'VM_FAULT_COMPLETED']), segv: bool() },
    choices: { handleMmFaultVmaLock: ({ event }) => L.outcomes(event.world).length },
    label: ({ context, event }) => {
      const w = event.world as VmaLockWorld;
      const seq = `vm_lock_seq ${w.vmLockSeq}, mm_lock_seq ${w.mmLockSeq}`;
      switch (event.type) {
        case 'lockVmaUnderRcu':
          if (w.vmaDetached === 1) return 'lock_vma_under_rcu(): mas_walk() finds no VMA (unmapped) = NULL; goto lock_mmap';
          if (L.file && o.fileFaults === 'no-vma-lock') return 'lock_vma_under_rcu(): mas_walk(); !vma_is_anonymous() (a file VMA) = NULL; goto lock_mmap';
          if (L.file) return 'lock_vma_under_rcu(): rcu_read_lock(); mas_walk(); a MAP_SHARED file VMA';
          if (before)
            return w.vmaAnonVma === 1
              ? 'lock_vma_under_rcu(): mas_walk(); vma_is_anonymous(); vma->anon_vma set'
              : 'lock_vma_under_rcu(): mas_walk(); vma->anon_vma NULL = NULL; goto lock_mmap';
          return 'lock_vma_under_rcu(): rcu_read_lock(); mas_walk(); vma_is_anonymous()';
        case 'vmaStartRead':
          if (!vmaStartReadOk(w)) return `vma_start_read() = false (${seq}: write-locked); lock_vma_under_rcu() = NULL; goto lock_mmap`;
          if (!before && L.anonMissing(w)) return `vma_start_read() (${seq}); vma->anon_vma NULL: inval_end_read: vma_end_read(); goto lock_mmap`;
          if (w.vmaDetached === 1) return `vma_start_read() (${seq}); vma->detached: vma_end_read(); mas_walk() = NULL; goto lock_mmap`;
          return `vma_start_read() (${seq}); ${before || L.file ? '' : 'vma->anon_vma set; '}lock_vma_under_rcu() = vma`;
        case 'handleMmFaultVmaLock': {
          const racing = w.vmaChanging === 1 ? ' while the mmap_lock writer is changing the VMA' : '';
          const f = outcome(w, event.choice);
          if (L.file) return fileFaultText(w, f, o) + racing;
          if (f === VMA_FAULT_RETRY)
            return `handle_mm_fault(FAULT_FLAG_VMA_LOCK) = VM_FAULT_RETRY (folio locked)${o.retryDropsVmaLock ? ', VMA lock dropped' : ''}${racing}`;
          const anon = w.vmaAnonVma === 0 ? ': do_anonymous_page(): anon_vma_prepare() -> __anon_vma_prepare() under the VMA lock only' : '';
          return `handle_mm_fault(FAULT_FLAG_VMA_LOCK) = 0${anon}${racing}`;
        }
        case 'vmaEndRead':
          if (context.fault === VMA_FAULT_COMPLETED)
            return o.archEndRead === 'always'
              ? 'vma_end_read() of a lock fault_dirty_shared_page() already dropped; VM_FAULT_COMPLETED: done'
              : 'VM_FAULT_COMPLETED: the VMA lock is already dropped; done';
          if (context.fault === VMA_FAULT_RETRY)
            return o.archEndRead === 'always'
              ? `vma_end_read()${o.retryDropsVmaLock ? ' of a lock handle_mm_fault() already dropped' : ''}; VM_FAULT_RETRY: goto lock_mmap`
              : 'VM_FAULT_RETRY: the VMA lock is already dropped; goto lock_mmap';
          return 'vma_end_read(); done';
        case 'lockMmAndFindVma':
          return 'lock_mm_and_find_vma(): mmap_read_lock(); find_vma()';
        case 'handleMmFault':
          if (L.badArea(w)) return 'find_vma() = NULL: bad_area(): mmap_read_unlock(); SIGSEGV';
          return `handle_mm_fault() = 0${L.anonMissing(w) ? ' (anon_vma_prepare() under mmap_lock)' : ''}; mmap_read_unlock()`;
        default:
          return event.type;
      }
    },
  };
}

/** The label of handle_mm_fault(FAULT_FLAG_VMA_LOCK) on a MAP_SHARED file page with outcome `f`. */
function fileFaultText(w: VmaLockWorld, f: number, o: VmaLockFaultOptions): string {
  if (w.pte[0] === PTE_PRESENT_RW) return 'handle_mm_fault(FAULT_FLAG_VMA_LOCK) = 0 (the PTE is already writable: a spurious fault)';
  const drop = o.retryDropsVmaLock ? 'vma_end_read(); ' : '';
  if (o.fileFaults === 'retry') return `handle_mm_fault(FAULT_FLAG_VMA_LOCK): do_shared_fault(): FAULT_FLAG_VMA_LOCK: ${drop}VM_FAULT_RETRY`;
  const shared = 'do_shared_fault() -> filemap_fault()';
  if (f === VMA_FAULT_RETRY)
    return `handle_mm_fault(FAULT_FLAG_VMA_LOCK): ${shared}: folio locked, lock_folio_maybe_drop_mmap() -> release_fault_lock(): ${drop}VM_FAULT_RETRY`;
  const mapped = `handle_mm_fault(FAULT_FLAG_VMA_LOCK): ${shared}, do_page_mkwrite(), finish_fault()`;
  if (f === VMA_FAULT_COMPLETED)
    return `${mapped}; fault_dirty_shared_page(): maybe_unlock_mmap_for_io() -> release_fault_lock(): vma_end_read(); balance_dirty_pages_ratelimited(); VM_FAULT_COMPLETED`;
  return `${mapped}; fault_dirty_shared_page() = 0`;
}
