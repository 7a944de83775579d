/**
 * The page fault a gfs2 syscall takes on its user buffer while it holds the inode glock, with page faults
 * enabled (up to v5.15, before 00bfe02f4796): shared by the buffered read (gfs2Read.ts) and write
 * (gfs2Write.ts). The read's copy_to_user(), or the write's pre-fault of its source in iomap_write_iter()
 * (iov_iter_fault_in_readable()), meets a non-present page of the buffer, a MAP_SHARED mmap of a gfs2
 * file, and the arch fault handler runs handle_mm_fault() -> gfs2_fault() (fs/gfs2/file.c), which asks
 * for the inode glock of the mapped file in SH:
 *     gfs2_holder_init(ip->i_gl, LM_ST_SHARED, 0, &gh); gfs2_glock_nq(&gh);
 *     ret = filemap_fault(vmf); gfs2_glock_dq(&gh);
 * With the buffer an mmap of the syscall's own file (the default) that is the same glock from the same
 * task, which add_to_queue() traps with BUG() (models/fs/glock.ts, recursion 'trap'). With the buffer an
 * mmap of another file (`fg`, the site's faultGlock) it is an ordinary request on that file's glock, queued
 * behind its holders - the "multiple glocks, processes" case of 00bfe02f4796's message: two tasks writing
 * each to its own file from an mmap of the other's wait for each other (ABBA). Once granted (or queued and
 * later granted), filemap_fault() maps the page and the copy resumes, or it fails and the kernel-mode fault
 * goes to the exception-table fixup: the uaccess returns the bytes not copied, and the syscall -EFAULT (or
 * what it did copy) after gfs2_glock_dq() of its own holder.
 *
 * `gfs2Fault(site)` returns the states pageFault (event `gfs2Fault`), faultGlockWait (`glockWait`),
 * faultLocked (`filemapFault`) and BUG, and the guards and actions they and the glock-less fault states name
 * (faultRecursive, faultGrantsNow, faultGranted, faultDone, faultCanRun; faultNq, faultDq, handleFault).
 * The machine spreads them into its own states and setup(); it has the states `copy` (where the copy
 * resumes) and `unlock` (its own gfs2_glock_dq()), and the action `faultEfault` (the copy failed).
 */
import type { StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { FAULT_DONE, FAULT_RETRY, FAULT_WAIT } from '../mmu/constants.js';
import { handleMmFault } from '../mmu/fault.js';
import type { Gfs2GlockUse } from './gfs2Read.js';
import type { MmuWorld } from '../mmu/world.js';
import {
  GLOCK_GRANTED,
  GLOCK_RECURSIVE,
  glockDq,
  glockGranted,
  glockHolder,
  glockNq,
  glockNqOutcome,
  glockWaitsFor,
  LM_ST_NAMES,
  type Glock,
} from '../fs/glock.js';

/** What the fault needs from the syscall (Gfs2Reader, Gfs2Writer). */
export interface Gfs2FaultSite {
  readonly m: Mmu;
  /** The syscall's inode glock; without it only the guards and actions are of use (the fault states need it). */
  readonly g: Glock | undefined;
  /** The syscall's own holder (gh) on g. */
  readonly h: number;
  /** The glock gfs2_fault() takes: that of the file the buffer maps; g itself when it maps the same file. */
  readonly fg: Glock | undefined;
  /** gfs2_fault()'s holder on fg, owned by the same task. */
  readonly fh: number;
  /** handle_mm_fault()'s flags: FAULT_FLAG_WRITE for the read's copy_to_user(), none for the write's pre-fault. */
  readonly faultFlags: number;
  /** The page the copy faults on. */
  faultPage(w: MmuWorld): number;
  /** handle_mm_fault() outcome on that page (handleMmFaultOutcome() with faultFlags). Pure. */
  faultOutcome(w: MmuWorld): number;
}

type Args = { readonly event: StepEvent<string, MmuWorld> };

/**
 * The argument a label gives a glock call of holder slot h on gl: the mode alone while the syscall knows
 * one glock ('SH'); the glock and the mode once its fault takes another file's glock ('G, SH'), so that a
 * trace says which glock it is. '' without a holder.
 */
export function glockArg(site: Pick<Gfs2FaultSite, 'g' | 'fg'>, gl: Glock, h: number): string {
  if (h < 0) return '';
  const mode = LM_ST_NAMES[gl.holderState[h]!]!;
  return site.fg === site.g ? mode : `${gl.display}, ${mode}`;
}

/**
 * The syscall's glock use checked once: its own holder on `glock`, and gfs2_fault()'s holder on
 * `faultGlock` (default: the same glock) or -1 without one. `who` names the actor in error messages.
 */
export function gfs2GlockSlots(who: string, use: Gfs2GlockUse | undefined): { g: Glock | undefined; h: number; fg: Glock | undefined; fh: number } {
  if (!use) return { g: undefined, h: -1, fg: undefined, fh: -1 };
  const fg = use.faultGlock ?? use.glock;
  if (use.faultGlock && use.faultHolder === undefined) throw new RangeError(`${who}: a faultGlock needs the faultHolder gfs2_fault() uses on it`);
  return { g: use.glock, h: glockHolder(use.glock, use.holder), fg, fh: use.faultHolder !== undefined ? glockHolder(fg, use.faultHolder) : -1 };
}

/** The glock page-fault sub-machine (empty without a glock) and the guards and actions of every fault state. */
export function gfs2Fault(site: Gfs2FaultSite) {
  const { m, g, h, fg, fh } = site;
  const states: Record<string, any> = {};
  if (g && fg) {
    const mode = LM_ST_NAMES[g.holderState[h]!];
    const fmode = glockArg(site, fg, fh);
    const held = fg === g ? 'it' : `glock ${g.display}`;
    states.pageFault = {
      on: {
        gfs2Fault: [
          { guard: 'faultRecursive', target: 'BUG', actions: 'faultNq', description: `gfs2_fault(): gfs2_glock_nq(${fmode}): recursive -> BUG()` },
          { guard: 'faultGrantsNow', target: 'faultLocked', actions: 'faultNq', description: `gfs2_fault(): gfs2_glock_nq(${fmode}): granted` },
          { target: 'faultGlockWait', actions: 'faultNq', description: `gfs2_fault(): gfs2_glock_nq(${fmode}): queued` },
        ],
      },
    };
    states.faultGlockWait = {
      meta: { waitsFor: ({ world }: { world: MmuWorld }) => `${glockWaitsFor(world, fg, fh)} in gfs2_fault(), while holding ${held} in ${mode}` },
      on: { glockWait: { guard: 'faultGranted', target: 'faultLocked', description: `gfs2_glock_wait(): ${fmode} granted` } },
    };
    states.faultLocked = {
      on: {
        filemapFault: [
          { guard: 'faultDone', target: 'copy', actions: ['handleFault', 'faultDq'], description: 'filemap_fault(); gfs2_glock_dq()' },
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
    states.BUG = { meta: { waitsFor: 'nothing: add_to_queue() hit BUG() (recursive glock request) and the task died holding the glock' } };
  }
  return {
    states,
    guards: {
      faultRecursive: ({ event }: Args) => glockNqOutcome(event.world, fg!, fh) === GLOCK_RECURSIVE,
      faultGrantsNow: ({ event }: Args) => glockNqOutcome(event.world, fg!, fh) === GLOCK_GRANTED,
      faultGranted: ({ event }: Args) => glockGranted(event.world, fg!, fh),
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
      handleFault: ({ event }: Args) => {
        handleMmFault(event.world, m, site.faultPage(event.world), site.faultFlags, -1);
      },
    },
  };
}
