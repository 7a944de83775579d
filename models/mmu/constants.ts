/**
 * The small-integer vocabulary of the simulated MMU: VMA permissions, PTE states, page backings, fault
 * flags and outcomes, GUP flags and results. World fields hold these numbers; traces print the names.
 *
 * The FAULT_FLAG_* and FOLL_* values are this model's own bit assignments, not the kernel's: only their
 * meaning is the kernel's (include/linux/mm_types.h enum fault_flag, include/linux/mm.h FOLL_*).
 */

/** VMA permission of a user page (vm_flags VM_READ / VM_WRITE, reduced to three cases). */
export const VMA_NONE = 0;
export const VMA_RO = 1;
export const VMA_RW = 2;
export const VMA_NAMES = ['NONE', 'RO', 'RW'] as const;
export type VmaName = (typeof VMA_NAMES)[number];

/**
 * PTE state of a user page. PRESENT_RO / PRESENT_RW are present PTEs without / with the write bit; SWAP is
 * a swap entry (anon page swapped out); MIGRATION_RO / MIGRATION_RW are migration entries that remember
 * whether the PTE was writable (make_readable/writable_migration_entry(), mm/rmap.c try_to_migrate_one()).
 * A world only carries the states its options ask for: the field's domain is a prefix of this list.
 */
export const PTE_ABSENT = 0;
export const PTE_PRESENT_RO = 1;
export const PTE_PRESENT_RW = 2;
export const PTE_SWAP = 3;
export const PTE_MIGRATION_RO = 4;
export const PTE_MIGRATION_RW = 5;
export const PTE_NAMES = ['ABSENT', 'PRESENT_RO', 'PRESENT_RW', 'SWAP', 'MIGRATION_RO', 'MIGRATION_RW'] as const;
export type PteName = (typeof PTE_NAMES)[number];

/** A present PTE (pte_present() and not a migration entry). */
export function ptePresent(pte: number): boolean {
  return pte === PTE_PRESENT_RO || pte === PTE_PRESENT_RW;
}

/** A migration entry (is_migration_entry()). */
export function pteMigration(pte: number): boolean {
  return pte === PTE_MIGRATION_RO || pte === PTE_MIGRATION_RW;
}

/** The page's memory is resident: mapped, or mapped under a migration entry (its folio is still in RAM). */
export function pteResident(pte: number): boolean {
  return pte === PTE_PRESENT_RO || pte === PTE_PRESENT_RW || pte === PTE_MIGRATION_RO || pte === PTE_MIGRATION_RW;
}

/**
 * What backs a user page (static per page):
 * - anon: private anonymous memory. Evicted to a swap entry (or ABSENT when the world has no swap).
 * - file: MAP_SHARED of a regular file with dirty tracking (write-notify): read faults map read-only, the
 *   first write goes through ->page_mkwrite(); FOLL_LONGTERM|FOLL_WRITE pins are refused (v6.5).
 * - shmem: shared memory (tmpfs): no page_mkwrite, long-term writable pins allowed.
 * - uffd: anonymous memory registered with userfaultfd in MISSING mode: a fault on an absent page waits
 *   for the handler (handle_userfault()), which resolves it with UFFDIO_COPY (`uffdioCopy`).
 */
export const BACKING_ANON = 0;
export const BACKING_FILE = 1;
export const BACKING_SHMEM = 2;
export const BACKING_UFFD = 3;
export const BACKING_NAMES = ['anon', 'file', 'shmem', 'uffd'] as const;
export type BackingName = (typeof BACKING_NAMES)[number];

/** How one unit access ends (what the MMU and the arch fault handler make of it). */
export const ACCESS_OK = 0;
/** An mm fault: the VMA permits the access but the PTE is absent, a swap or migration entry, or read-only. */
export const ACCESS_FAULT = 1;
/** bad_area / access_error: no VMA permission. Never reaches handle_mm_fault(); a uaccess takes the fixup. */
export const ACCESS_BAD_VMA = 2;
/** An MTE tag-check fault: "not an mm fault", the arch code goes straight to the fixup. */
export const ACCESS_TAG = 3;
/** A poisoned (hardware memory error) unit: the access fails and no fault can repair it. */
export const ACCESS_POISON = 4;
export const ACCESS_NAMES = ['ok', 'fault', 'bad-vma', 'tag', 'poison'] as const;

/** Fault flags (enum fault_flag). FAULT_FLAG_DEFAULT is ALLOW_RETRY | KILLABLE | INTERRUPTIBLE. */
export const FAULT_FLAG_WRITE = 1;
export const FAULT_FLAG_ALLOW_RETRY = 2;
export const FAULT_FLAG_KILLABLE = 4;
export const FAULT_FLAG_RETRY_NOWAIT = 8;
export const FAULT_FLAG_TRIED = 16;
export const FAULT_FLAG_USER = 32;
export const FAULT_FLAG_INTERRUPTIBLE = 64;
export const FAULT_FLAG_DEFAULT = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE;

/**
 * What handle_mm_fault() (plus the arch's VMA checks in front of it) returns for one page.
 * FAULT_DONE: 0 - the PTE now allows the access.
 * FAULT_RETRY: VM_FAULT_RETRY - the folio was locked (or the page is a userfaultfd page still missing) and
 *   the core mm dropped mmap_lock for the caller (unless FAULT_FLAG_RETRY_NOWAIT); the kernel sleeps until
 *   the folio is unlocked / the uffd is resolved / a signal arrives, then the arch code retries.
 * FAULT_SIGSEGV: bad_area / access_error (no VMA permission; the arch check before handle_mm_fault).
 * FAULT_SIGBUS: VM_FAULT_SIGBUS (a userfaultfd page without FAULT_FLAG_ALLOW_RETRY).
 * FAULT_HWPOISON: VM_FAULT_HWPOISON (a poisoned page that is not mapped).
 * FAULT_OOM: VM_FAULT_OOM (the resident capacity is full and nothing can be evicted).
 * FAULT_WAIT: not a return value - the fault would sleep uninterruptibly (migration_entry_wait(), a folio
 *   lock taken without ALLOW_RETRY, folio_wait_stable() in ->page_mkwrite()). An actor keeps the step
 *   disabled while this is the outcome; applying it is a model error.
 */
export const FAULT_DONE = 0;
export const FAULT_RETRY = 1;
export const FAULT_SIGSEGV = 2;
export const FAULT_SIGBUS = 3;
export const FAULT_HWPOISON = 4;
export const FAULT_OOM = 5;
export const FAULT_WAIT = 6;
export const FAULT_NAMES = ['done', 'VM_FAULT_RETRY', 'SIGSEGV', 'VM_FAULT_SIGBUS', 'VM_FAULT_HWPOISON', 'VM_FAULT_OOM', 'wait'] as const;

/** GUP flags (FOLL_*). FOLL_GET and FOLL_PIN are mutually exclusive; one of them must be given. */
export const FOLL_WRITE = 1;
export const FOLL_GET = 2;
export const FOLL_PIN = 4;
export const FOLL_NOFAULT = 8;
export const FOLL_LONGTERM = 16;

/** Errno values as positive numbers; functions return them negated, as the kernel does. */
export const EFAULT = 14;
export const ENOMEM = 12;
export const EHWPOISON = 133;

/**
 * Not a kernel value: "this call would sleep here". The `...Result` dry-run functions return it so a guard
 * can keep the step disabled (fault-in and GUP calls are one atomic step each, enabled only when they can
 * run to the end without sleeping).
 */
export const BLOCKED = -1;

/** GUP per-page outcomes (the fast path's fallback and the slow path's results). */
export const GUP_OK = 0;
/** GUP-fast cannot take this page (PTE not present / not writable, or a refused FOLL_LONGTERM pin): slow path. */
export const GUP_SLOW = 1;
export const GUP_EFAULT = 2;
export const GUP_ENOMEM = 3;
export const GUP_EHWPOISON = 4;
/** The slow path's fault returned VM_FAULT_RETRY: mmap_lock was dropped, the caller retries after the wait. */
export const GUP_RETRY = 5;
/** The slow path would sleep (FAULT_WAIT). */
export const GUP_BLOCKED = 6;
export const GUP_NAMES = ['ok', 'slow', '-EFAULT', '-ENOMEM', '-EHWPOISON', 'retry', 'blocked'] as const;
