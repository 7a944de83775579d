/**
 * The page fault a gfs2 syscall takes on its user buffer while it holds the inode glock, with page faults
 * enabled (up to v5.15, before 00bfe02f4796): shared by the buffered read (read.ts) and write
 * (write.ts). The read's copy_to_user(), or the write's pre-fault of its source in iomap_write_iter()
 * (iov_iter_fault_in_readable()), meets a non-present page of the buffer, a MAP_SHARED mmap of a gfs2
 * file, and the arch fault handler runs handle_mm_fault() -> handle_pte_fault() -> do_fault(), which calls
 * ->fault, gfs2_fault() (fs/gfs2/file.c), which asks for the inode glock of the mapped file in SH:
 *     gfs2_holder_init(ip->i_gl, LM_ST_SHARED, 0, &gh); gfs2_glock_nq(&gh);
 *     ret = filemap_fault(vmf); gfs2_glock_dq(&gh);
 * With the buffer an mmap of the syscall's own file (the default) that is the same glock from the same
 * task, which add_to_queue() traps with BUG() (models/gfs2/glock.ts, recursion 'trap'). With the buffer an
 * mmap of another file (`fg`, the site's faultGlock) it is an ordinary request on that file's glock, queued
 * behind its holders - the "multiple glocks, processes" case of 00bfe02f4796's message: two tasks writing
 * each to its own file from an mmap of the other's wait for each other (ABBA). Once granted (or queued and
 * later granted), filemap_fault() maps the page and the copy resumes, or it fails and the kernel-mode fault
 * goes to the exception-table fixup: the uaccess returns the bytes not copied, and the syscall -EFAULT (or
 * what it did copy) after gfs2_glock_dq() of its own holder.
 *
 * A WRITE fault (the read's copy_to_user(), FAULT_FLAG_WRITE; site `mh` >= 0) does more (mm/memory.c,
 * v5.15): do_fault() sends a write fault on a VM_SHARED mapping to do_shared_fault(), which runs
 * __do_fault() (-> gfs2_fault() as above; filemap_fault() returns the page locked) and then, because
 * gfs2_vm_ops has ->page_mkwrite, unlock_page() and do_page_mkwrite() -> gfs2_page_mkwrite(), which asks
 * for the same inode glock in EX:
 *     sb_start_pagefault(); gfs2_holder_init(ip->i_gl, LM_ST_EXCLUSIVE, 0, &gh); gfs2_glock_nq(&gh);
 *     ... (allocate blocks, lock_page()) ... gfs2_glock_dq(&gh); gfs2_holder_uninit(&gh);
 *     set_page_dirty(); wait_for_stable_page(); return VM_FAULT_LOCKED;
 * and only then finish_fault() installs the writable PTE and fault_dirty_shared_page() dirties and unlocks
 * the page. A write fault on a PRESENT read-only PTE skips gfs2_fault(): handle_pte_fault() -> do_wp_page()
 * -> wp_page_shared() -> do_page_mkwrite() -> gfs2_page_mkwrite(), then finish_mkwrite_fault(). Steps:
 *   gfs2Fault      gfs2_fault(): gfs2_glock_nq(SH)          (or, PTE read-only: gfs2_page_mkwrite()'s nq(EX))
 *   glockWait      gfs2_glock_wait() of either request
 *   filemapFault   filemap_fault(); gfs2_glock_dq()         (read fault: the PTE is installed here)
 *   gfs2PageMkwrite  do_shared_fault() -> gfs2_page_mkwrite(): gfs2_glock_nq(EX)
 *   finishFault    gfs2_page_mkwrite()'s gfs2_glock_dq(), set_page_dirty(); finish_fault() /
 *                  finish_mkwrite_fault() installs the writable PTE (one step: the page stays locked from
 *                  gfs2_page_mkwrite()'s lock_page() to fault_dirty_shared_page()'s unlock_page())
 * Between gfs2_fault()'s dq and gfs2_page_mkwrite()'s nq the task holds no holder of that glock: two steps.
 * Left out of gfs2_page_mkwrite(): the EOF check (VM_FAULT_SIGBUS), quota / allocation failures, and the
 * VM_FAULT_NOPAGE retry when a demote truncated the page in that window. The fault's outcome is the whole
 * handle_mm_fault() outcome (handleMmFaultOutcome()), decided at filemap_fault() and again at finishFault.
 *
 * `gfs2Fault(site)` returns the states pageFault (event `gfs2Fault`), faultGlockWait (`glockWait`),
 * faultLocked (`filemapFault`), with `mh` >= 0 also mkwrite (`gfs2PageMkwrite`), mkwriteGlockWait
 * (`glockWait`) and mkwriteLocked (`finishFault`), and BUG; and the guards and actions they and the
 * glock-less fault states name (faultDone, faultCanRun, handleFault, ...). The machine spreads them into its
 * own states and setup(); it has the states `copy` (where the copy resumes) and `unlock` (its own
 * gfs2_glock_dq()), and the action `faultEfault` (the copy failed).
 */
import type { StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { FAULT_DONE, FAULT_NAMES, FAULT_RETRY, FAULT_WAIT, PTE_PRESENT_RO } from '../mmu/constants.js';
import { handleMmFault } from '../mmu/fault.js';
import type { MmuWorld } from '../mmu/world.js';
import { GLOCK_GRANTED, GLOCK_RECURSIVE, glockDq, glockGranted, glockNq, glockNqOutcome, glockWaitsFor, LM_ST_NAMES } from './glock.js';
import { glockArg, type Gfs2GlockSite } from './syscall.js';

/** What the fault needs from the syscall (Gfs2Reader, Gfs2Writer): its glock slots and the faulting page. */
export interface Gfs2FaultSite extends Gfs2GlockSite {
  readonly m: Mmu;
  /** handle_mm_fault()'s flags: FAULT_FLAG_WRITE for the read's copy_to_user(), none for the write's pre-fault. */
  readonly faultFlags: number;
  /** The page the copy faults on. */
  faultPage(w: MmuWorld): number;
  /** handle_mm_fault() outcome on that page (handleMmFaultOutcome() with faultFlags). Pure. */
  faultOutcome(w: MmuWorld): number;
}

type Args = { readonly event: StepEvent<string, MmuWorld> };

/** gfs2_glock_nq() from `fn`: recursive (BUG), granted at once, or queued. */
function nqTransitions(
  fn: string,
  mode: string,
  guards: { recursive: string; grants: string; queued?: string },
  action: string,
  locked: string,
  wait: string,
): Record<string, unknown>[] {
  return [
    { guard: guards.recursive, target: 'BUG', actions: action, description: `${fn}: gfs2_glock_nq(${mode}): recursive -> BUG()` },
    { guard: guards.grants, target: locked, actions: action, description: `${fn}: gfs2_glock_nq(${mode}): granted` },
    { ...(guards.queued ? { guard: guards.queued } : {}), target: wait, actions: action, description: `${fn}: gfs2_glock_nq(${mode}): queued` },
  ];
}

/** The glock page-fault sub-machine (empty without a glock) and the guards and actions of every fault state. */
export function gfs2Fault(site: Gfs2FaultSite) {
  const { m, g, h, fg, fh, mh } = site;
  const states: Record<string, any> = {};
  if (g && fg) {
    const mode = LM_ST_NAMES[g.holderState[h]!];
    const fmode = glockArg(site, fg, fh);
    const held = fg === g ? 'it' : `glock ${g.display}`;
    const mk = mh >= 0;
    const mmode = mk ? glockArg(site, fg, mh) : '';
    const waitMeta = (fn: string, slot: number) => ({
      waitsFor: ({ world }: { world: MmuWorld }) => `${glockWaitsFor(world, fg, slot)} in ${fn}, while holding ${held} in ${mode}`,
    });
    states.pageFault = {
      on: {
        gfs2Fault: [
          // handle_pte_fault(): a write fault on a present read-only PTE -> do_wp_page() -> wp_page_shared().
          ...(mk
            ? nqTransitions(
                'wp_page_shared() -> gfs2_page_mkwrite()',
                mmode,
                { recursive: 'wpMkwriteRecursive', grants: 'wpMkwriteGrantsNow', queued: 'faultWriteProtected' },
                'mkwriteNq',
                'mkwriteLocked',
                'mkwriteGlockWait',
              )
            : []),
          ...nqTransitions('gfs2_fault()', fmode, { recursive: 'faultRecursive', grants: 'faultGrantsNow' }, 'faultNq', 'faultLocked', 'faultGlockWait'),
        ],
      },
    };
    states.faultGlockWait = {
      meta: waitMeta('gfs2_fault()', fh),
      on: { glockWait: { guard: 'faultGranted', target: 'faultLocked', description: `gfs2_glock_wait(): ${fmode} granted` } },
    };
    states.faultLocked = {
      on: {
        filemapFault: [
          mk
            ? // do_shared_fault(): the page is found (and locked); its PTE waits for finish_fault() after ->page_mkwrite().
              { guard: 'faultDone', target: 'mkwrite', actions: 'faultDq', description: 'filemap_fault(); gfs2_glock_dq()' }
            : { guard: 'faultDone', target: 'copy', actions: ['handleFault', 'faultDq'], description: 'filemap_fault(); gfs2_glock_dq()' },
          // A failed fault in kernel mode: no_context() / kernelmode_fixup_or_oops() -> fixup_exception().
          {
            guard: 'faultCanRun',
            target: 'unlock',
            actions: ['faultEfault', 'faultDq'],
            description: 'filemap_fault() fails; gfs2_glock_dq(); fixup: -EFAULT',
          },
        ],
      },
    };
    if (mk) {
      states.mkwrite = {
        on: {
          gfs2PageMkwrite: nqTransitions(
            'do_shared_fault() -> gfs2_page_mkwrite()',
            mmode,
            { recursive: 'mkwriteRecursive', grants: 'mkwriteGrantsNow' },
            'mkwriteNq',
            'mkwriteLocked',
            'mkwriteGlockWait',
          ),
        },
      };
      states.mkwriteGlockWait = {
        meta: waitMeta('gfs2_page_mkwrite()', mh),
        on: { glockWait: { guard: 'mkwriteGranted', target: 'mkwriteLocked', description: `gfs2_glock_wait(): ${mmode} granted` } },
      };
      states.mkwriteLocked = {
        on: {
          finishFault: [
            {
              guard: 'faultDone',
              target: 'copy',
              actions: ['handleFault', 'mkwriteDq'],
              description: 'gfs2_page_mkwrite(): gfs2_glock_dq(), set_page_dirty()',
            },
            {
              guard: 'faultCanRun',
              target: 'unlock',
              actions: ['faultEfault', 'mkwriteDq'],
              description: 'gfs2_page_mkwrite() fails; gfs2_glock_dq(); fixup: -EFAULT',
            },
          ],
        },
      };
    }
    states.BUG = { meta: { waitsFor: 'nothing: add_to_queue() hit BUG() (recursive glock request) and the task died holding the glock' } };
  }
  const writeProtected = (w: MmuWorld): boolean => w.pte[site.faultPage(w)] === PTE_PRESENT_RO;
  return {
    states,
    guards: {
      faultRecursive: ({ event }: Args) => glockNqOutcome(event.world, fg!, fh) === GLOCK_RECURSIVE,
      faultGrantsNow: ({ event }: Args) => glockNqOutcome(event.world, fg!, fh) === GLOCK_GRANTED,
      faultGranted: ({ event }: Args) => glockGranted(event.world, fg!, fh),
      faultWriteProtected: ({ event }: Args) => writeProtected(event.world),
      wpMkwriteRecursive: ({ event }: Args) => writeProtected(event.world) && glockNqOutcome(event.world, fg!, mh) === GLOCK_RECURSIVE,
      wpMkwriteGrantsNow: ({ event }: Args) => writeProtected(event.world) && glockNqOutcome(event.world, fg!, mh) === GLOCK_GRANTED,
      mkwriteRecursive: ({ event }: Args) => glockNqOutcome(event.world, fg!, mh) === GLOCK_RECURSIVE,
      mkwriteGrantsNow: ({ event }: Args) => glockNqOutcome(event.world, fg!, mh) === GLOCK_GRANTED,
      mkwriteGranted: ({ event }: Args) => glockGranted(event.world, fg!, mh),
      faultDone: ({ event }: Args) => site.faultOutcome(event.world) === FAULT_DONE,
      faultCanRun: ({ event }: Args) => {
        const o = site.faultOutcome(event.world);
        return o !== FAULT_WAIT && o !== FAULT_RETRY;
      },
    },
    actions: {
      faultNq: ({ event }: Args) => {
        glockNq(event.world, fg!, fh);
      },
      faultDq: ({ event }: Args) => glockDq(event.world, fg!, fh),
      mkwriteNq: ({ event }: Args) => {
        glockNq(event.world, fg!, mh);
      },
      mkwriteDq: ({ event }: Args) => glockDq(event.world, fg!, mh),
      handleFault: ({ event }: Args) => {
        handleMmFault(event.world, m, site.faultPage(event.world), site.faultFlags, -1);
      },
    },
  };
}

/**
 * The trace label of a fault step, shared by the read's and the write's labels: the page and the call
 * chain for `gfs2Fault`; for `finishFault` which function installs the writable PTE (finish_mkwrite_fault()
 * after wp_page_shared(), finish_fault() after do_shared_fault()) and a failed outcome. Undefined for
 * other steps.
 */
export function gfs2FaultLabel(site: Gfs2FaultSite, w: MmuWorld, type: string, description: string | undefined): string | undefined {
  if (type === 'gfs2Fault') return `handle_mm_fault(p${site.faultPage(w)}) -> ${description ?? 'gfs2_fault()'}`;
  if (type !== 'finishFault') return undefined;
  const o = site.faultOutcome(w);
  if (o !== FAULT_DONE) return `${description ?? type} (${FAULT_NAMES[o]})`;
  const finish = w.pte[site.faultPage(w)] === PTE_PRESENT_RO ? 'finish_mkwrite_fault()' : 'finish_fault()';
  return `${description ?? type}; ${finish}: PTE writable`;
}
