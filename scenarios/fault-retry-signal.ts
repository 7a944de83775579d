/**
 * fault-retry-signal: VM_FAULT_RETRY and a fatal signal in a kernel-mode fault (Al
 * Viro, "[PATCHES] fix livelock in uaccess" <Y9lz6yk113LmC9SI@ZenIV>, Feb 2023, merged for v6.3-rc1).
 *
 * T0 is a system call in copy_from_user() on a file page; T1 holds the page's folio lock (read I/O in
 * flight) for as long as it likes; `signal` sends T0 SIGKILL once. T0's fault sleeps in
 * __folio_lock_killable() with mmap_lock dropped; SIGKILL ends the sleep with VM_FAULT_RETRY, and
 * fault_signal_pending() is true. The buggy arch handlers just return: the uaccess re-executes in kernel
 * mode, faults again, sleeps killably with SIGKILL pending (a no-op), returns again ... for as long as T1
 * holds the lock. The fixed handlers go to no_context(): the exception-table fixup ends the copy and the
 * syscall returns -EFAULT, so the task reaches user mode and dies.
 */
import { defineMmu } from '../models/mmu/index.js';
import { archPageFaultActor, type KernelModeSignalFixup } from '../models/actors/archPageFault.js';
import { folioLockHolderActor } from '../models/actors/folioLockHolder.js';
import { killability, sigpendingField, signalActor } from '../models/actors/signal.js';
import { uffdHandlerActor } from '../models/actors/uffdHandler.js';
import { mmapLockDiscipline } from '../models/properties/index.js';
import { deadlockFreedom, terminates, type SystemSpec } from '../checker/index.js';
import { defineScenario } from './scenario.js';

export type FaultRetrySignalVariant = 'return' | 'fixup' | 'uffd-nonfatal';

export interface FaultRetrySignalParams {
  /** Pages copy_from_user() reads (one unit each), each a file page with its own folio (uffd pages in 'uffd-nonfatal'). */
  readonly pages: number;
  /** Rounds of folio_lock()/folio_unlock() the lock holder T1 may do. */
  readonly holds: number;
}

export function buildFaultRetrySignal(p: FaultRetrySignalParams, variant: FaultRetrySignalVariant): SystemSpec {
  const uffd = variant === 'uffd-nonfatal';
  const m = defineMmu({
    pages: p.pages,
    unitsPerPage: 1,
    staticVma: true,
    backing: uffd ? 'uffd' : 'file',
    pageLock: !uffd,
    mmapLock: { owners: 1 },
  });
  const fixup: KernelModeSignalFixup = variant === 'return' ? 'return' : 'fixup';
  const t0 = archPageFaultActor({ mmu: m, kernelModeSignalFixup: fixup, addr: 0, len: p.pages, sigField: 'T0sig', mmapOwner: 0 });
  const t1 = uffd ? uffdHandlerActor({ mmu: m, name: 'T1' }) : folioLockHolderActor({ mmu: m, holds: p.holds, name: 'T1' });
  const signal = signalActor({ field: 'T0sig', target: 'T0', signal: uffd ? 'SIGUSR1' : 'SIGKILL' });
  return {
    name: `fault-retry-signal-${variant}`,
    world: { ...m.fields, T0sig: sigpendingField() },
    actors: [t0, t1, signal],
    properties: [
      uffd
        ? terminates('T0', {
            name: 'no busy retry',
            description: 'T0 returns or sleeps: no endless handle_mm_fault() -> VM_FAULT_RETRY -> retry loop while the uffd page stays missing',
          })
        : killability({ actor: 'T0', field: 'T0sig' }),
      mmapLockDiscipline(m, ['T0']),
      deadlockFreedom(),
    ],
  };
}

export const faultRetrySignal = defineScenario({
  id: 'fault-retry-signal',
  title: 'VM_FAULT_RETRY + SIGKILL in a kernel-mode fault: return (re-fault forever) vs no_context() fixup',
  source:
    'Al Viro, "[PATCHES] fix livelock in uaccess", <Y9lz6yk113LmC9SI@ZenIV>, Feb 2023; v6.3-rc1 "<arch>: fix livelock in uaccess" ' +
    '(riscv d835eb3a57de, m68k bd75497a77cc, alpha dce45493aff3, ...); earlier x86 26178ec11ef3, ARM 746a272e4414, xtensa 7b9acbb6aad4',
  description: [
    'T0 is a system call whose copy_from_user() faults on a file page (kernel mode). mmap_read_lock() (lock_mm_and_find_vma() since v6.4) takes mmap_lock; ' +
      "handle_mm_fault() finds the page's folio locked by T1 (read I/O in flight), drops mmap_lock and sleeps in __folio_lock_killable(); " +
      'it returns VM_FAULT_RETRY when it got the lock or when SIGKILL interrupted the sleep. The arch handler then tests ' +
      'fault_signal_pending(): in kernel mode only a fatal signal counts. T1 is a thread with NO fairness: it may hold the folio lock ' +
      'forever. The signal actor sends SIGKILL once.',
    'return (alpha, hexagon, ia64, m68k, microblaze, nios2, openrisc, parisc, riscv, sparc before v6.3): the handler just returns, the ' +
      'uaccess instruction re-executes, faults, finds the folio still locked, the killable sleep ends at once (SIGKILL pending) ... ' +
      'Killability is violated: a lasso with SIGKILL pending in which T0 never reaches user mode. It needs no fairness on T1: ' +
      'T1 simply never runs its folio_unlock() (with weak fairness on T1 the buggy handler does get out, as Al wrote: "eventually it ' +
      'might get out").',
    'fixup (x86 since 2014, every arch since v6.3): kernel mode -> no_context() -> the exception-table fixup; copy_from_user() ' +
      'returns short, the syscall returns -EFAULT and the task dies of SIGKILL on its way to user mode. Holds with weak fairness of T0 ' +
      'only, T1 never fair, for every pages <= 3 and holds <= 3. mmap_lock discipline (released exactly once per acquisition; after ' +
      'VM_FAULT_RETRY the core mm has already dropped it; handle_mm_fault() is never entered without it, a model assertion) holds in all variants.',
    'uffd-nonfatal: the fixed handler, the pages registered with userfaultfd (MISSING), a handler thread T1 ' +
      'with no fairness that resolves them with UFFDIO_COPY, and a NON-fatal signal (SIGUSR1). handle_userfault() sleeps ' +
      'TASK_INTERRUPTIBLE, which with a signal pending does not sleep; fault_signal_pending() is false in kernel mode; the handler ' +
      'retries with FAULT_FLAG_TRIED and spins until the page is resolved. Violates "no busy retry". The 2025 fix ("mm/userfaultfd: ' +
      'prevent busy looping for tasks with signals pending", Jens Axboe, Fixes 4064b9827063) sleeps TASK_UNINTERRUPTIBLE for HZ/10 ' +
      'per retry: still a retry loop until the handler responds, which this untimed model cannot tell apart, so it has no variant.',
  ].join('\n\n'),
  params: {
    pages: { description: 'pages copy_from_user() reads (one folio each)', default: 1, min: 1, max: 8 },
    holds: { description: 'folio_lock()/folio_unlock() rounds of the lock holder T1 (unused by uffd-nonfatal)', default: 1, min: 1, max: 6 },
  },
  variants: {
    return: {
      description: 'fault_signal_pending() -> return: the uaccess re-faults forever while T1 holds the folio lock (T1 not fair)',
      expected: { verdict: 'violated', property: 'killability' },
      provenance: {
        kind: 'shipped',
        versions: 'before v6.3 on alpha, hexagon, ia64, m68k, microblaze, nios2, openrisc, parisc, riscv, sparc',
        commits: ['d835eb3a57de', 'bd75497a77cc', 'dce45493aff3'],
      },
    },
    fixup: {
      description: 'fault_signal_pending() in kernel mode -> no_context() fixup -> -EFAULT; holds with WF(T0) only, T1 never fair',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'shipped',
        versions: 'x86 since 2014, every arch since v6.3',
        commits: ['26178ec11ef3', 'd835eb3a57de', 'bd75497a77cc', 'dce45493aff3'],
      },
    },
    'uffd-nonfatal': {
      description: 'fixed handler, userfaultfd page, SIGUSR1 pending: RETRY -> retry spins until UFFDIO_COPY',
      expected: { verdict: 'violated', property: 'no busy retry' },
      provenance: {
        kind: 'shipped',
        versions: 'v5.7+ until the 2025 fix "mm/userfaultfd: prevent busy looping for tasks with signals pending"',
        commits: ['4064b9827063'],
      },
    },
  },
  defaultVariant: 'return',
  build: (p, v) => buildFaultRetrySignal(p, v),
});
