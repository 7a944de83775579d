/**
 * What gfs2's buffered read and write share around their copy (fs/gfs2/file.c): the glocks they use (their
 * own inode glock and, through the user buffer's mapping, the glock gfs2_fault() and gfs2_page_mkwrite()
 * take), the gfs2_glock_nq() ... gfs2_glock_dq() states around the copy, and the actor built from either
 * machine. The fault itself is fault.ts; the fault-in window window.ts.
 */
import { assertShape, bool, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { MmuWorld } from '../mmu/world.js';
import type { IovIter } from '../iov-iter/iter.js';
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
} from './glock.js';

export interface Gfs2GlockUse {
  /** The inode glock of the file the syscall reads or writes. */
  readonly glock: Glock;
  /** The syscall's own holder (gh: LM_ST_SHARED for the read, LM_ST_EXCLUSIVE for the write). */
  readonly holder: string;
  /**
   * The inode glock of the file the user buffer maps, which gfs2_fault() takes. Default: `glock` (buf is
   * an mmap of the same file). Another file's glock gives the multi-glock case (ABBA between two tasks).
   */
  readonly faultGlock?: Glock;
  /** The holder gfs2_fault() initialises on faultGlock, owned by the same task. */
  readonly faultHolder?: string;
  /**
   * The EX holder gfs2_page_mkwrite() initialises on faultGlock, owned by the same task: the read's
   * copy_to_user() faults for write (do_shared_fault() -> ->page_mkwrite()). Required by a read with page
   * faults enabled; a write's pre-fault is a read fault and takes none.
   */
  readonly mkwriteHolder?: string;
}

/** Every key of a Gfs2GlockUse: a misspelt `mkwriteHoldr` would otherwise leave the read without gfs2_page_mkwrite()'s holder. */
const GLOCK_USE: Shape<Gfs2GlockUse> = { glock: 'object', holder: 'string', faultGlock: 'object', faultHolder: 'string', mkwriteHolder: 'string' };

/** The glock slots of one syscall (Gfs2Reader, Gfs2Writer), as gfs2GlockSlots() checked them. */
export interface Gfs2GlockSite {
  /** The syscall's inode glock; without it only the guards and actions are of use (the fault states need it). */
  readonly g: Glock | undefined;
  /** The syscall's own holder (gh) on g. */
  readonly h: number;
  /** The glock gfs2_fault() takes: that of the file the buffer maps; g itself when it maps the same file. */
  readonly fg: Glock | undefined;
  /** gfs2_fault()'s holder on fg, owned by the same task. */
  readonly fh: number;
  /** gfs2_page_mkwrite()'s EX holder on fg, owned by the same task; -1: the fault is a read fault (no ->page_mkwrite()). */
  readonly mh: number;
}

type Args = { readonly event: StepEvent<string, MmuWorld> };

/**
 * The argument a label gives a glock call of holder slot h on gl: the mode alone while the syscall knows
 * one glock ('SH'); the glock and the mode once its fault takes another file's glock ('G, SH'), so that a
 * trace says which glock it is. '' without a holder.
 */
export function glockArg(site: Pick<Gfs2GlockSite, 'g' | 'fg'>, gl: Glock, h: number): string {
  if (h < 0) return '';
  const mode = LM_ST_NAMES[gl.holderState[h]!]!;
  return site.fg === site.g ? mode : `${gl.display}, ${mode}`;
}

/**
 * The syscall's glock use checked once: its own holder on `glock`, gfs2_fault()'s holder on `faultGlock`
 * (default: the same glock) or -1 without one, and gfs2_page_mkwrite()'s holder on it or -1. `who` names
 * the actor in error messages.
 */
export function gfs2GlockSlots(who: string, use: Gfs2GlockUse | undefined): Gfs2GlockSite {
  if (!use) return { g: undefined, h: -1, fg: undefined, fh: -1, mh: -1 };
  assertShape(use, GLOCK_USE, `${who}: glock`);
  const fg = use.faultGlock ?? use.glock;
  if (use.faultGlock && use.faultHolder === undefined) throw new RangeError(`${who}: a faultGlock needs the faultHolder gfs2_fault() uses on it`);
  const mh = use.mkwriteHolder !== undefined ? glockHolder(fg, use.mkwriteHolder) : -1;
  if (mh >= 0 && LM_ST_NAMES[fg.holderState[mh]!] !== 'EX')
    throw new RangeError(`${who}: gfs2_page_mkwrite() takes the glock in EX, not '${use.mkwriteHolder}'`);
  return { g: use.glock, h: glockHolder(use.glock, use.holder), fg, fh: use.faultHolder !== undefined ? glockHolder(fg, use.faultHolder) : -1, mh };
}

/**
 * The syscall's own inode glock around its copy (gfs2_glock_nq() ... gfs2_glock_dq(), shared by the read
 * and the write): the states lock (event `glockNq`), glockWait (`glockWait`) and unlock (`glockDq`) - none
 * without a glock - and the guards (grantsNow, granted, windowSet, failed) and actions (nq, dq) they name.
 * `afterLock` is where the copy starts; `retry`, with page faults disabled, is the unlock taken when a
 * fault-in window is set; `result` is the context counter of units transferred (read / written).
 */
export function gfs2SyscallGlock(
  site: Pick<Gfs2GlockSite, 'g' | 'fg' | 'h'>,
  o: {
    readonly afterLock: string;
    readonly retry: { readonly target: string; readonly description: string } | undefined;
    readonly result: 'read' | 'written';
    readonly who: string;
  },
) {
  const { g, h } = site;
  const states: Record<string, any> = {};
  if (g) {
    const mode = glockArg(site, g, h);
    states.lock = {
      on: {
        glockNq: [
          { guard: 'grantsNow', target: o.afterLock, actions: 'nq', description: `gfs2_glock_nq(${mode}): granted` },
          { target: 'glockWait', actions: 'nq', description: `gfs2_glock_nq(${mode}): queued` },
        ],
      },
    };
    states.glockWait = {
      meta: { waitsFor: ({ world }: { world: MmuWorld }) => glockWaitsFor(world, g, h) },
      on: { glockWait: { guard: 'granted', target: o.afterLock, description: `gfs2_glock_wait(): ${mode} granted` } },
    };
    states.unlock = {
      on: {
        glockDq: [
          ...(o.retry ? [{ guard: 'windowSet', target: o.retry.target, actions: 'dq', description: o.retry.description }] : []),
          { guard: 'failed', target: 'efault', actions: 'dq', description: 'gfs2_glock_dq(); return -EFAULT' },
          { target: 'done', actions: 'dq', description: `gfs2_glock_dq(); return ${o.result}` },
        ],
      },
    };
  }
  type Ctx = { readonly context: { readonly window: number; readonly efault: number; readonly read?: number; readonly written?: number } };
  return {
    states,
    guards: {
      grantsNow: ({ event }: Args) => glockNqOutcome(event.world, g!, h) === GLOCK_GRANTED,
      granted: ({ event }: Args) => glockGranted(event.world, g!, h),
      windowSet: ({ context }: Ctx) => context.window > 0,
      failed: ({ context }: Ctx) => context[o.result] === 0 && context.efault === 1,
    },
    actions: {
      nq: ({ event }: Args) => {
        if (glockNq(event.world, g!, h) === GLOCK_RECURSIVE) throw new Error(`${o.who}: its own glock request was recursive`);
      },
      dq: ({ event }: Args) => glockDq(event.world, g!, h),
    },
  };
}

/** Every option of gfs2SyscallActor (built by gfs2ReadActor and gfs2WriteActor). */
const SYSCALL_ACTOR_OPTIONS: Shape<Parameters<typeof gfs2SyscallActor>[0]> = {
  name: 'checked',
  machine: 'object',
  result: 'checked',
  it: 'object',
  site: 'object',
  copyEvent: 'string',
  label: 'function',
};

/**
 * The actor of a gfs2 buffered syscall (read or write, a thread): its context is the result counter
 * (`result`: read / written), efault, prevCount and window; with page faults disabled the copy step
 * (`copyEvent`) branches over the copy lengths the inexact-copy rule allows.
 */
export function gfs2SyscallActor<C>(o: {
  readonly name: string | undefined;
  readonly machine: ActorSpec<C, MmuWorld>['machine'];
  readonly result: 'read' | 'written';
  readonly it: IovIter;
  readonly site: { readonly maxWindow: number; readonly faults: 'enabled' | 'disabled'; copyChoices(w: MmuWorld): number };
  readonly copyEvent: string;
  readonly label: unknown;
}): ActorSpec<C, MmuWorld> {
  assertShape(o, SYSCALL_ACTOR_OPTIONS, 'gfs2SyscallActor() options');
  const { it, site } = o;
  return {
    name: o.name ?? 'CPU0',
    machine: o.machine,
    fields: { [o.result]: int(0, it.total), efault: bool(), prevCount: int(0, it.total), window: int(0, site.maxWindow) },
    ...(site.faults === 'disabled' ? { choices: { [o.copyEvent]: ({ event }: { event: StepEvent<string, MmuWorld> }) => site.copyChoices(event.world) } } : {}),
    label: o.label as NonNullable<ActorSpec<C, MmuWorld>['label']>,
  };
}
