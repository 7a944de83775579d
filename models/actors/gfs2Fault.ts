/**
 * The page fault a gfs2 syscall takes on its own mmap while it holds the inode glock, with page faults
 * enabled (up to v5.15, before 00bfe02f4796): shared by the buffered read (gfs2Read.ts) and write
 * (gfs2Write.ts). The copy (copy_to_user() / copy_from_user()) meets a non-present page of the buffer, a
 * MAP_SHARED mmap of the same file, and the arch fault handler runs handle_mm_fault() -> gfs2_fault()
 * (fs/gfs2/file.c), which asks for the same inode glock in SH from the same task:
 *     gfs2_holder_init(ip->i_gl, LM_ST_SHARED, 0, &gh); gfs2_glock_nq(&gh);
 *     ret = filemap_fault(vmf); gfs2_glock_dq(&gh);
 * add_to_queue() traps the recursive request with BUG() (models/fs/glock.ts, recursion 'trap'); if it is
 * granted (or queued and later granted, recursion 'queue'), filemap_fault() maps the page and the copy
 * resumes, or it fails and the kernel-mode fault goes to the exception-table fixup: the uaccess returns
 * the bytes not copied, and the syscall -EFAULT (or what it did copy) after gfs2_glock_dq() of its own
 * holder.
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
import type { MmuWorld } from '../mmu/world.js';
import { GLOCK_GRANTED, GLOCK_RECURSIVE, glockDq, glockGranted, glockNq, glockNqOutcome, glockWaitsFor, LM_ST_NAMES, type Glock } from '../fs/glock.js';

/** What the fault needs from the syscall (Gfs2Reader, Gfs2Writer). */
export interface Gfs2FaultSite {
  readonly m: Mmu;
  /** The inode glock; without it only the guards and actions are of use (the fault states need it). */
  readonly g: Glock | undefined;
  /** The syscall's own holder (gh). */
  readonly h: number;
  /** gfs2_fault()'s holder on the same task. */
  readonly fh: number;
  /** handle_mm_fault()'s flags: FAULT_FLAG_WRITE for the read's copy_to_user(), none for the write's copy_from_user(). */
  readonly faultFlags: number;
  /** The page the copy faults on. */
  faultPage(w: MmuWorld): number;
  /** handle_mm_fault() outcome on that page (handleMmFaultOutcome() with faultFlags). Pure. */
  faultOutcome(w: MmuWorld): number;
}

type Args = { readonly event: StepEvent<string, MmuWorld> };

/** The glock page-fault sub-machine (empty without a glock) and the guards and actions of every fault state. */
export function gfs2Fault(site: Gfs2FaultSite) {
  const { m, g, h, fh } = site;
  const states: Record<string, any> = {};
  if (g) {
    const mode = LM_ST_NAMES[g.holderState[h]!];
    const fmode = fh >= 0 ? LM_ST_NAMES[g.holderState[fh]!] : '';
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
      meta: { waitsFor: ({ world }: { world: MmuWorld }) => `${glockWaitsFor(world, g, fh)} in gfs2_fault(), while holding it in ${mode}` },
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
      faultRecursive: ({ event }: Args) => glockNqOutcome(event.world, g!, fh) === GLOCK_RECURSIVE,
      faultGrantsNow: ({ event }: Args) => glockNqOutcome(event.world, g!, fh) === GLOCK_GRANTED,
      faultGranted: ({ event }: Args) => glockGranted(event.world, g!, fh),
      faultDone: ({ event }: Args) => site.faultOutcome(event.world) === FAULT_DONE,
      faultCanRun: ({ event }: Args) => {
        const o = site.faultOutcome(event.world);
        return o !== FAULT_WAIT && o !== FAULT_RETRY;
      },
    },
    actions: {
      faultNq: ({ event }: Args) => {
        glockNq(event.world, g!, fh);
      },
      faultDq: ({ event }: Args) => glockDq(event.world, g!, fh),
      handleFault: ({ event }: Args) => {
        handleMmFault(event.world, m, site.faultPage(event.world), site.faultFlags, -1);
      },
    },
  };
}
