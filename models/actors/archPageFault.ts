/**
 * A system call doing copy_from_user() in kernel mode, and the arch page-fault handler that runs when the
 * copy faults: T0 of the fatal-signal-in-a-kernel-mode-fault scenario. Mirrors x86 do_user_addr_fault() (arch/x86/mm/fault.c) and
 * riscv do_page_fault() before/after d835eb3a57de ("riscv: fix livelock in uaccess", v6.3-rc1):
 *
 *   retry:
 *     mmap_read_lock(mm); vma = find_vma(mm, addr);        // lock_mm_and_find_vma() since v6.4
 *     fault = handle_mm_fault(vma, addr, flags, regs);     // may drop mmap_lock and sleep, then VM_FAULT_RETRY
 *     if (fault_signal_pending(fault, regs)) {             // RETRY && (fatal || (user_mode && pending))
 *         if (!user_mode(regs)) no_context(regs, addr);    // 'fixup': the exception-table fixup
 *         return;                                          // 'return' (buggy): the uaccess insn re-executes
 *     }
 *     if (fault & VM_FAULT_COMPLETED) return;              // mmap_lock already released
 *     if (fault & VM_FAULT_RETRY) { flags |= FAULT_FLAG_TRIED; goto retry; }   // mmap_lock already released
 *     mmap_read_unlock(mm);
 *     if (fault & VM_FAULT_ERROR) no_context(...);         // kernel mode: fixup
 *
 * The variant switch `kernelModeSignalFixup`:
 * - 'return': alpha, hexagon, ia64, m68k, microblaze, nios2, openrisc, parisc, riscv and sparc until the
 *   v6.3-rc1 "<arch>: fix livelock in uaccess" commits (riscv d835eb3a57de, m68k bd75497a77cc, ...): a
 *   kernel-mode fault with a fatal signal returns to the faulting instruction, which faults again.
 * - 'fixup': x86 since 26178ec11ef3 (2014), ARM since 746a272e4414 (2017), xtensa since 7b9acbb6aad4 (2021),
 *   the others since v6.3: no_context() -> fixup_exception() makes copy_from_user() return the bytes not
 *   copied, and the system call returns -EFAULT; the task dies of SIGKILL on its way to user mode.
 *
 * Where handle_mm_fault() returns VM_FAULT_RETRY here (models/mmu handleMmFaultOutcome):
 * - a file page whose folio is locked: filemap_fault() -> lock_folio_maybe_drop_mmap() drops mmap_lock
 *   (maybe_unlock_mmap_for_io()) and sleeps in __folio_lock_killable(); it returns VM_FAULT_RETRY both
 *   when it got the lock (the fault is redone because mmap_lock was dropped) and when SIGKILL interrupted
 *   the TASK_KILLABLE sleep. Only a fatal signal wakes this sleep (`folioLockKillable`).
 * - a missing userfaultfd page: handle_userfault() drops mmap_lock and sleeps TASK_INTERRUPTIBLE
 *   (FAULT_FLAG_INTERRUPTIBLE is in FAULT_FLAG_DEFAULT) until UFFDIO_COPY; with ANY signal pending the
 *   sleep does not happen (schedule() returns at once), so with a non-fatal signal a kernel-mode fault
 *   spins RETRY -> retry until the page is resolved (Jens Axboe's
 *   "mm/userfaultfd: prevent busy looping for tasks with signals pending", 2025, only slows the spin down to
 *   one TASK_UNINTERRUPTIBLE HZ/10 sleep per retry, which this untimed model cannot tell from the spin).
 *
 * Kernel-mode faults always take mmap_lock: the per-VMA-lock fast path is taken only with FAULT_FLAG_USER
 * on x86/arm64/powerpc/loongarch, so the model has no VMA-lock branch.
 * Simplifications: copy_from_user() is byte-exact here (it copies the whole accessible prefix; the
 * inexact-copy rule adds nothing to this protocol); VM_FAULT_COMPLETED is not produced by the MMU model.
 */
import { and, assign, not, setup } from 'xstate';
import { assertShape, enumOf, int, shown, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import {
  accessiblePrefix,
  BACKING_UFFD,
  FAULT_DONE,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_TRIED,
  FAULT_NAMES,
  FAULT_RETRY,
  FAULT_WAIT,
  folioLocked,
  folioOf,
  handleMmFault,
  handleMmFaultOutcome,
  mmapHeld,
  mmapReadLock,
  mmapReadLockable,
  mmapReadUnlock,
  pageOf,
  ptePresent,
  type Mmu,
  type MmuWorld,
} from '../mmu/index.js';
import { faultSignalPending, fatalSignalPending, signalPending } from './signal.js';

export type KernelModeSignalFixup = 'return' | 'fixup';

export interface ArchPageFaultOptions {
  readonly mmu: Mmu;
  /** 'return' (the buggy arches before v6.3) or 'fixup'. */
  readonly kernelModeSignalFixup: KernelModeSignalFixup;
  /** copy_from_user(to, from, len): the user source range, units [addr, addr + len), len >= 1. */
  readonly addr: number;
  readonly len: number;
  /** The world field with this task's pending signal (models/actors/signal.ts sigpendingField). */
  readonly sigField: string;
  /** This task's mmap_lock owner index (the MMU needs `mmapLock`). */
  readonly mmapOwner: number;
}

/** Every option of archPageFaultMachine and archPageFaultActor: a key not listed is a typo, refused rather than left at its default. */
const ARCH_FAULT_OPTIONS: Shape<ArchPageFaultOptions & { readonly name?: string }> = {
  name: 'string',
  mmu: 'object',
  kernelModeSignalFixup: 'checked',
  addr: 'checked',
  len: 'checked',
  sigField: 'string',
  mmapOwner: 'checked',
};

interface Ctx {
  /** Units copy_from_user() has copied so far. */
  copied: number;
  /** What the last handle_mm_fault() returned (FAULT_*). */
  fault: number;
  /** FAULT_FLAG_TRIED is set in the flags of the next handle_mm_fault(). */
  tried: number;
}

type World = MmuWorld & Record<string, number>;
type Ev = StepEvent<
  | 'rawCopyFromUser'
  | 'mmapReadLock'
  | 'handleMmFault'
  | 'folioLockKillable'
  | 'handleUserfault'
  | 'faultSignalPending'
  | 'retryFault'
  | 'mmapReadUnlock'
  | 'fixupException',
  World
>;

/** The arch handler's per-step facts, shared by guards, assigns, effects and labels (all pure). */
function facts(o: ArchPageFaultOptions) {
  const m = o.mmu;
  const rest = (c: Ctx): number => o.len - c.copied;
  const prefix = (w: MmuWorld, c: Ctx): number => accessiblePrefix(w, m, o.addr + c.copied, rest(c), false);
  const faultPage = (c: Ctx): number => pageOf(m, o.addr + c.copied);
  const flags = (c: Ctx): number => FAULT_FLAG_DEFAULT | (c.tried ? FAULT_FLAG_TRIED : 0);
  const outcome = (w: MmuWorld, c: Ctx): number => handleMmFaultOutcome(w, m, faultPage(c), flags(c));
  const sig = (w: World): number => w[o.sigField]!;
  return { m, rest, prefix, faultPage, flags, outcome, sig };
}

/** T0's machine: the uaccess, the #PF handler around handle_mm_fault(), and the two kernel-mode endings. */
export function archPageFaultMachine(o: ArchPageFaultOptions) {
  assertShape(o, ARCH_FAULT_OPTIONS, 'archPageFaultMachine() options');
  const f = facts(o);
  const m = f.m;
  if (!(o.len >= 1 && o.addr >= 0 && o.addr + o.len <= m.units))
    throw new RangeError(`archPageFault: [${o.addr}, ${o.addr + o.len}) is not a non-empty range of user memory`);
  if (m.mmapOwners === 0) throw new Error('archPageFault: the MMU has no mmap_lock (mmapLock: { owners })');
  if (!Number.isInteger(o.mmapOwner) || o.mmapOwner < 0 || o.mmapOwner >= m.mmapOwners)
    throw new RangeError(`archPageFault: mmapOwner ${shown(o.mmapOwner)} is not an owner of the MMU's mmap_lock (0..${m.mmapOwners - 1})`);
  const fixup = o.kernelModeSignalFixup === 'fixup';
  if (!fixup && o.kernelModeSignalFixup !== 'return')
    throw new RangeError(`archPageFault: kernelModeSignalFixup '${o.kernelModeSignalFixup}' is not return or fixup`);
  return setup({
    types: { context: {} as Ctx, events: {} as Ev },
    guards: {
      allAccessible: ({ context, event }) => f.prefix(event.world, context) === f.rest(context),
      mmapLockable: ({ event }) => mmapReadLockable(event.world, m),
      faultSleeps: ({ context, event }) => f.outcome(event.world, context) === FAULT_RETRY,
      faultUffd: ({ context }) => m.backing[f.faultPage(context)] === BACKING_UFFD,
      faultReturns: ({ context, event }) => f.outcome(event.world, context) !== FAULT_WAIT,
      // __folio_lock_killable(): the folio was unlocked, or SIGKILL interrupts the TASK_KILLABLE sleep.
      folioWakes: ({ context, event }) => !folioLocked(event.world, m, folioOf(m, f.faultPage(context))) || fatalSignalPending(f.sig(event.world)),
      // handle_userfault(): UFFDIO_COPY mapped the page, or any signal makes the interruptible sleep a no-op.
      userfaultWakes: ({ context, event }) => ptePresent(event.world.pte[f.faultPage(context)]!) || signalPending(f.sig(event.world)),
      signalEndsFault: ({ context, event }) => faultSignalPending(context.fault === FAULT_RETRY, f.sig(event.world), false),
      retried: ({ context }) => context.fault === FAULT_RETRY,
      faultDone: ({ context }) => context.fault === FAULT_DONE,
    },
    actions: {
      lockMm: ({ event }) => mmapReadLock(event.world, m, o.mmapOwner),
      unlockMm: ({ event }) => mmapReadUnlock(event.world, m, o.mmapOwner),
      handleMmFault: ({ context, event }) => {
        // mmap_lock discipline, second half: handle_mm_fault() is never entered without mmap_lock (a model assertion).
        if (!mmapHeld(event.world, m, o.mmapOwner)) throw new Error('handle_mm_fault() entered without mmap_lock (mmap_lock discipline)');
        handleMmFault(event.world, m, f.faultPage(context), f.flags(context), o.mmapOwner);
      },
      recordPrefix: assign({ copied: ({ context, event }) => context.copied + f.prefix(event.world, context) }),
      recordFault: assign({ fault: ({ context, event }) => f.outcome(event.world, context) }),
      recordRetry: assign({ fault: FAULT_RETRY }),
      freshFault: assign({ tried: 0 }),
      setTried: assign({ tried: 1 }),
    },
  }).createMachine({
    id: `arch-page-fault-${o.kernelModeSignalFixup}`,
    initial: 'uaccess',
    context: { copied: 0, fault: FAULT_DONE, tried: 0 },
    states: {
      uaccess: {
        on: {
          rawCopyFromUser: [
            { guard: 'allAccessible', target: 'returned', actions: 'recordPrefix', description: 'copy_from_user() == 0: the syscall returns to user mode' },
            { target: 'pageFault', actions: 'recordPrefix', description: 'copy_from_user() faults: #PF in kernel mode' },
          ],
        },
      },
      pageFault: {
        meta: { waitsFor: 'mmap_lock' },
        on: { mmapReadLock: { guard: 'mmapLockable', target: 'handleMmFault', actions: 'lockMm', description: 'mmap_read_lock(); find_vma()' } },
      },
      handleMmFault: {
        meta: { waitsFor: 'the fault (an uninterruptible sleep in handle_mm_fault())' },
        on: {
          handleMmFault: [
            // Assign first: it reads the pre-state; the effect then changes the world.
            { guard: and(['faultSleeps', 'faultUffd']), target: 'userfaultWait', actions: ['recordRetry', 'handleMmFault'] },
            { guard: 'faultSleeps', target: 'folioWait', actions: ['recordRetry', 'handleMmFault'] },
            { guard: 'faultReturns', target: 'faultDone', actions: ['recordFault', 'handleMmFault'] },
          ],
        },
      },
      folioWait: {
        meta: { waitsFor: ({ context }: { context: Ctx }) => `folio lock of F${folioOf(m, f.faultPage(context))} (or SIGKILL)` },
        on: { folioLockKillable: { guard: 'folioWakes', target: 'faultDone' } },
      },
      userfaultWait: {
        meta: { waitsFor: ({ context }: { context: Ctx }) => `UFFDIO_COPY of p${f.faultPage(context)} (or a signal)` },
        on: { handleUserfault: { guard: 'userfaultWakes', target: 'faultDone' } },
      },
      faultDone: {
        on: {
          faultSignalPending: fixup
            ? { guard: 'signalEndsFault', target: 'noContext', description: 'fault_signal_pending() in kernel mode: no_context()' }
            : {
                guard: 'signalEndsFault',
                target: 'uaccess',
                actions: 'freshFault',
                description: 'fault_signal_pending(): return; the uaccess insn re-executes',
              },
          retryFault: {
            guard: and(['retried', not('signalEndsFault')]),
            target: 'pageFault',
            actions: 'setTried',
            description: 'VM_FAULT_RETRY: flags |= FAULT_FLAG_TRIED; goto retry',
          },
          mmapReadUnlock: [
            { guard: 'faultDone', target: 'uaccess', actions: ['unlockMm', 'freshFault'], description: 'mmap_read_unlock(); the uaccess insn re-executes' },
            { guard: not('retried'), target: 'noContext', actions: 'unlockMm', description: 'mmap_read_unlock(); VM_FAULT_ERROR in kernel mode: no_context()' },
          ],
        },
      },
      noContext: {
        on: { fixupException: { target: 'efault', description: 'fixup_exception(): copy_from_user() returns the rest; the syscall returns -EFAULT' } },
      },
      returned: { type: 'final' },
      efault: { type: 'final' },
    },
  });
}

/**
 * T0 as an actor spec (a weakly fair thread). Labels name the kernel functions with the page, folio and
 * outcome of the step, e.g. `handle_mm_fault(p0): F0 locked: drop mmap_lock, __folio_lock_killable()`.
 */
export function archPageFaultActor(o: ArchPageFaultOptions & { readonly name?: string }): ActorSpec<Ctx, World> {
  assertShape(o, ARCH_FAULT_OPTIONS, 'archPageFaultActor() options');
  const f = facts(o);
  const m = f.m;
  return {
    name: o.name ?? 'T0',
    machine: archPageFaultMachine(o),
    fields: { copied: int(0, o.len), fault: enumOf(FAULT_NAMES), tried: int(0, 1) },
    label: ({ context, event }, description) => {
      const w = event.world;
      const p = f.faultPage(context);
      const F = `F${folioOf(m, p)}`;
      switch (event.type) {
        case 'rawCopyFromUser': {
          const k = f.prefix(w, context);
          return k === f.rest(context)
            ? `copy_from_user(): ${k} units; the syscall returns to user mode`
            : `copy_from_user(): #PF on p${pageOf(m, o.addr + context.copied + k)} in kernel mode`;
        }
        case 'handleMmFault': {
          const out = f.outcome(w, context);
          const tried = context.tried ? ' [TRIED]' : '';
          if (out !== FAULT_RETRY) return `handle_mm_fault(p${p})${tried} == ${FAULT_NAMES[out]}`;
          return m.backing[p] === BACKING_UFFD
            ? `handle_mm_fault(p${p})${tried}: handle_userfault(): drop mmap_lock, sleep`
            : `handle_mm_fault(p${p})${tried}: ${F} locked: drop mmap_lock, __folio_lock_killable(${F})`;
        }
        case 'folioLockKillable':
          return folioLocked(w, m, folioOf(m, p))
            ? `__folio_lock_killable(${F}) == -EINTR (SIGKILL): VM_FAULT_RETRY`
            : `__folio_lock_killable(${F}) got it, mmap_lock was dropped: VM_FAULT_RETRY`;
        case 'handleUserfault':
          return ptePresent(w.pte[p]!)
            ? `handle_userfault() woken by UFFDIO_COPY: VM_FAULT_RETRY`
            : `handle_userfault(): ${f.sig(w) === 0 ? '' : 'signal pending, '}schedule() returns at once: VM_FAULT_RETRY`;
        default:
          return description ?? event.type;
      }
    },
  };
}
