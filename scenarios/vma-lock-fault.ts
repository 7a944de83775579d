/**
 * vma-lock-fault: a user page fault under the per-VMA lock (lock_vma_under_rcu(), FAULT_FLAG_VMA_LOCK,
 * v6.4+) against an mmap_lock writer - fork(), mremap(MREMAP_DONTUNMAP) or munmap() - on the same VMA.
 *
 *   fork-unlocked        v6.4 .. 6.4.2: dup_mmap() never vma_start_write()s the parent's VMAs, so a fault
 *                        runs under the VMA lock while fork copies the page tables (fb49c455323f);
 *   anon-check-unlocked  fork fixed; lock_vma_under_rcu() tests vma->anon_vma before vma_start_read():
 *                        mremap() unlinks it in between (657b5146955e);
 *   anon-check-locked    657b5146955e (v6.5-rc4, stable 6.4.y, Aug 2023): the test after the lock;
 *   retry-drops-vma-lock 4089eef0e6ac (v6.6): handle_mm_fault() drops the VMA lock on VM_FAULT_RETRY and
 *                        the arch code no longer does;
 *   end-read-after-retry the riscv handler that series first missed (linux-next 20230725): vma_end_read()
 *                        of a lock handle_mm_fault() already dropped.
 * On a MAP_SHARED file page (a first write, page not mapped; the writer mremap()s or munmap()s):
 *   file-no-vma-lock     v6.4 - v6.5: lock_vma_under_rcu() returns NULL for a file VMA, mmap_lock it is;
 *   file-retry           v6.6: the VMA lock is taken, do_shared_fault() drops it and returns VM_FAULT_RETRY;
 *   file-vma-lock        v6.7 (4ed4379881aa): filemap_fault() runs under the VMA lock and may drop it with
 *                        VM_FAULT_RETRY, fault_dirty_shared_page() with VM_FAULT_COMPLETED;
 *   end-read-after-completed  hypothetical: the v6.5 arch rule (vma_end_read() after any outcome) meeting
 *                        v6.7's VM_FAULT_COMPLETED - the double unlock 4089eef0e6ac's ordering prevented.
 *
 * World: one anonymous page (MMU, mmap_lock owners 0 = the fault, 1 = the writer) and its VMA's lock
 * (models/mm/vmaLock.ts). Actors: models/actors/vmaLockFault.ts, models/actors/mmapWriter.ts.
 */
import { deadlockFreedom, terminates, type SystemSpec } from '../checker/index.js';
import { mmapWriterActor, type MmapWriterOp } from '../models/actors/mmapWriter.js';
import { vmaLockFaultActor, type VmaLockFaultOptions } from '../models/actors/vmaLockFault.js';
import { anonVmaUnderMmapLock, defineVmaLock, vmaLockBalance, vmaLockIsolation, type VmaLockWorld } from '../models/mm/vmaLock.js';
import { defineMmu } from '../models/mmu/index.js';
import { defineScenario } from './scenario.js';

export type VmaLockFaultVariant =
  | 'fork-unlocked'
  | 'anon-check-unlocked'
  | 'anon-check-locked'
  | 'retry-drops-vma-lock'
  | 'end-read-after-retry'
  | 'file-no-vma-lock'
  | 'file-retry'
  | 'file-vma-lock'
  | 'end-read-after-completed';
type Params = 'writes' | 'retry' | 'present';

// fork-unlocked's writer only forks: v6.4.0 also had the anon_vma race, which anon-check-unlocked shows.
// The file variants' writer mremap()s or munmap()s: dup_mmap() leaves a MAP_SHARED file VMA's PTEs alone
// (copy_page_range() skips it), which the writer's fork, written for anonymous memory, does not model.
const FILE_OPS: readonly MmapWriterOp[] = ['mremap', 'munmap'];
const FORMS: Record<VmaLockFaultVariant, { fault: Omit<VmaLockFaultOptions, 'mmapOwner' | 'retry'>; forkLocksVma: boolean; ops?: readonly MmapWriterOp[] }> = {
  'fork-unlocked': { fault: { anonVmaCheck: 'before-lock', retryDropsVmaLock: false, archEndRead: 'always' }, forkLocksVma: false, ops: ['fork'] },
  'anon-check-unlocked': { fault: { anonVmaCheck: 'before-lock', retryDropsVmaLock: false, archEndRead: 'always' }, forkLocksVma: true },
  'anon-check-locked': { fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: false, archEndRead: 'always' }, forkLocksVma: true },
  'retry-drops-vma-lock': { fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'unless-retry' }, forkLocksVma: true },
  'end-read-after-retry': { fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'always' }, forkLocksVma: true },
  'file-no-vma-lock': {
    fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: false, archEndRead: 'always', fileFaults: 'no-vma-lock' },
    forkLocksVma: true,
    ops: FILE_OPS,
  },
  'file-retry': {
    fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'unless-retry', fileFaults: 'retry' },
    forkLocksVma: true,
    ops: FILE_OPS,
  },
  'file-vma-lock': {
    fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'unless-retry', fileFaults: 'vma-lock' },
    forkLocksVma: true,
    ops: FILE_OPS,
  },
  'end-read-after-completed': {
    fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'always', fileFaults: 'vma-lock' },
    forkLocksVma: true,
    ops: FILE_OPS,
  },
};

export function buildVmaLockFault(p: Readonly<Record<Params, number>>, variant: VmaLockFaultVariant): SystemSpec<VmaLockWorld> {
  const form = FORMS[variant];
  const file = form.fault.fileFaults !== undefined;
  // A file variant is a first write to a page of a MAP_SHARED file mapping: never mapped (present does not apply).
  const pte = !file && p.present ? 'PRESENT_RW' : 'ABSENT';
  const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: file ? 'file' : 'anon', pte, mmapLock: { owners: 2 } });
  const v = defineVmaLock(m, { faults: 1, writes: p.writes });
  return {
    name: `vma-lock-fault:${variant}`,
    world: { ...m.fields, ...v.fields },
    actors: [
      vmaLockFaultActor(v, { ...form.fault, mmapOwner: 0, retry: p.retry === 1 }),
      mmapWriterActor(v, { budget: p.writes, mmapOwner: 1, forkLocksVma: form.forkLocksVma, ...(form.ops ? { ops: form.ops } : {}) }),
    ],
    properties: [vmaLockIsolation(), anonVmaUnderMmapLock(), vmaLockBalance(), deadlockFreedom(), terminates<VmaLockWorld>('CPU0', { name: 'fault returns' })],
  };
}

export const vmaLockFault = defineScenario({
  id: 'vma-lock-fault',
  title: 'user faults under the per-VMA lock against mmap_lock writers (fb49c455323f, 657b5146955e, 4089eef0e6ac)',
  source:
    'fb49c455323f "fork: lock VMAs of the parent process when forking" (Suren Baghdasaryan, v6.5-rc1, stable 6.4.3; bugzilla 217624); ' +
    '657b5146955e "mm: lock_vma_under_rcu() must check vma->anon_vma under vma lock" (Jann Horn, v6.5-rc4, stable 6.4.y, Aug 2023; Fixes 5e31275cc997); ' +
    '4089eef0e6ac "mm: drop per-VMA lock when returning VM_FAULT_RETRY or VM_FAULT_COMPLETED" (v6.6) and its riscv fix-up (Conor Dooley\'s report, <20230725-anaconda-that-ac3f79880af1@wendy>)',
  description:
    'Since v6.4 the arch fault handler first tries lock_vma_under_rcu(): it finds the VMA without mmap_lock and takes its read lock with vma_start_read(), which fails while ' +
    "vm_lock_seq == mm_lock_seq, that is from an mmap_lock writer's vma_start_write() until its mmap_write_unlock() (vma_end_write_all()). Then handle_mm_fault() runs with " +
    'FAULT_FLAG_VMA_LOCK; a NULL VMA, or VM_FAULT_RETRY, sends the fault to the mmap_lock path. The lock protects only against writers that call vma_start_write(): ' +
    'fork-unlocked (v6.4 .. 6.4.2): dup_mmap() did not, so a fault ran while fork copied and write-protected the page tables (fb49c455323f; memory corruption); ' +
    "its writer only forks (v6.4.0 also had the next variant's race). " +
    'anon-check-unlocked (6.4.y to Aug 2023, v6.5-rc3): lock_vma_under_rcu() tested vma->anon_vma before vma_start_read(), so mremap(MREMAP_DONTUNMAP) could unlink it in between ' +
    'and do_anonymous_page() ran __anon_vma_prepare() under the VMA lock alone, whose find_mergeable_anon_vma() reads neighbouring VMAs (657b5146955e: a use-after-free). ' +
    'anon-check-locked (657b5146955e) holds. retry-drops-vma-lock (4089eef0e6ac, v6.6): a RETRY drops the VMA lock inside handle_mm_fault() and the arch code ends the read ' +
    'only for other outcomes; end-read-after-retry: the riscv handler kept its unconditional vma_end_read() (linux-next 20230725: "bad unlock balance detected"). ' +
    'Parameters: writes = mmap_lock writer calls (fork, mremap or munmap each), retry = handle_mm_fault() under the VMA lock may return VM_FAULT_RETRY (a swap-in or ' +
    'page-cache read that finds the folio locked), present = the page is mapped already (a write fault on a present page is spurious). ' +
    'File-backed VMAs (a first write to a MAP_SHARED file page, whose vm_ops has ->map_pages, so ->fault is filemap_fault()): file-no-vma-lock (v6.4 - v6.5): ' +
    'lock_vma_under_rcu() returns NULL for a VMA that is not anonymous and the fault takes mmap_lock; file-retry (v6.6, "mm: allow per-VMA locks on file-backed VMAs"): ' +
    'the VMA lock is taken but do_shared_fault() under FAULT_FLAG_VMA_LOCK does vma_end_read() and returns VM_FAULT_RETRY; file-vma-lock (v6.7, 4ed4379881aa ' +
    '"mm: handle shared faults under the VMA lock"): filemap_fault() runs under the VMA lock and may drop it and return VM_FAULT_RETRY (a locked folio, with retry=1), ' +
    'and after mapping the page fault_dirty_shared_page() may drop it to throttle dirtying and return VM_FAULT_COMPLETED; the v6.6 arch code ends the read ' +
    'only when neither is set. end-read-after-completed (hypothetical) puts the v6.5 arch rule - vma_end_read() after any outcome - in front of that: ' +
    'the double unlock of a VM_FAULT_COMPLETED. It never shipped: 4089eef0e6ac changed the rule in v6.6, when "no path returns VM_FAULT_COMPLETED for now". ' +
    "Not modelled: userfaultfd (NULL before v6.6), private file mappings (do_cow_fault(), v6.7 4de8c93a4751), the mmap_lock path's own RETRY / COMPLETED, " +
    'signals, vm_lock_seq wrap-around.',
  params: {
    writes: { description: 'mmap_lock writer calls (fork, mremap(MREMAP_DONTUNMAP) or munmap each)', default: 1, min: 1, max: 2 },
    retry: { description: '1: handle_mm_fault() under the VMA lock may return VM_FAULT_RETRY (folio locked); 0: never', default: 1, min: 0, max: 1 },
    present: { description: '1: the page is mapped writable (fork write-protects it); 0: not yet (a first touch)', default: 1, min: 0, max: 1 },
  },
  variants: {
    'fork-unlocked': {
      description: 'v6.4 .. 6.4.2: dup_mmap() does not vma_start_write() the parent VMA; a fault under the VMA lock runs while fork copies its page tables',
      expected: { verdict: 'violated', property: 'VMA lock isolation' },
      provenance: { kind: 'shipped', versions: 'v6.4 .. 6.4.2 (per-VMA locks switched off by f96c48670319 until the fix)', commits: ['5e31275cc997'] },
    },
    'anon-check-unlocked': {
      description:
        'v6.4.3 .. the Aug 2023 6.4.y, v6.5-rc1 .. rc3: vma->anon_vma tested before vma_start_read(); mremap(MREMAP_DONTUNMAP) unlinks it in between',
      expected: { verdict: 'violated', property: 'anon_vma under mmap_lock' },
      provenance: { kind: 'shipped', versions: 'v6.4.3 .. 6.4.y (fixed Aug 2023), v6.5-rc1 .. v6.5-rc3', commits: ['fb49c455323f'] },
    },
    'anon-check-locked': {
      description: '657b5146955e (v6.5-rc4, stable 6.4.y, Aug 2023): the anon_vma test after vma_start_read(); the arch code ends the read after any outcome',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: '6.4.y from Aug 2023, v6.5', commits: ['fb49c455323f', '657b5146955e'] },
    },
    'retry-drops-vma-lock': {
      description: '4089eef0e6ac (v6.6): handle_mm_fault() drops the VMA lock on VM_FAULT_RETRY; the arch code ends the read only for other outcomes',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.6+', commits: ['fb49c455323f', '657b5146955e', '4089eef0e6ac'] },
    },
    'end-read-after-retry': {
      description: 'the riscv handler missed by 4089eef0e6ac as first posted: vma_end_read() after a VM_FAULT_RETRY that already dropped the lock',
      expected: { verdict: 'violated', property: 'VMA lock balance' },
      provenance: {
        kind: 'proposal',
        thread:
          'linux-next 20230725, "Re: [PATCH v3 02/10] mm: Allow per-VMA locks on file-backed VMAs" (Conor Dooley, <20230725-anaconda-that-ac3f79880af1@wendy>); fixed by the folded "fix riscv"',
      },
    },
    'file-no-vma-lock': {
      description: 'v6.4 - v6.5: lock_vma_under_rcu() returns NULL for a file VMA ("Only anonymous vmas are supported for now"); the fault takes mmap_lock',
      params: ['writes', 'retry'],
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.4 .. v6.5', commits: ['5e31275cc997', '657b5146955e'] },
    },
    'file-retry': {
      description:
        'v6.6: the file VMA is locked, but do_shared_fault() under FAULT_FLAG_VMA_LOCK drops the lock and returns VM_FAULT_RETRY; the fault retries under mmap_lock',
      params: ['writes', 'retry'],
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.6 ("mm: allow per-VMA locks on file-backed VMAs")', commits: ['657b5146955e', '4089eef0e6ac'] },
    },
    'file-vma-lock': {
      description:
        '4ed4379881aa (v6.7): filemap_fault() under the VMA lock; VM_FAULT_RETRY (locked folio) or VM_FAULT_COMPLETED (dirty throttling) drop it, and the arch code does not',
      params: ['writes', 'retry'],
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.7+', commits: ['4089eef0e6ac', '12214eba1992', '4ed4379881aa'] },
    },
    'end-read-after-completed': {
      description:
        'hypothetical: an arch handler that still calls vma_end_read() after any outcome, in front of v6.7 shared faults: VM_FAULT_COMPLETED is unlocked twice',
      params: ['writes', 'retry'],
      expected: { verdict: 'violated', property: 'VMA lock balance' },
      provenance: {
        kind: 'hypothetical',
        why:
          'the v6.4 - v6.5 rule "the caller releases the VMA lock" meets the v6.7 path that returns VM_FAULT_COMPLETED with the lock dropped (fault_dirty_shared_page() -> maybe_unlock_mmap_for_io() -> release_fault_lock()); ' +
          '4089eef0e6ac changed every arch in v6.6, before any path returned VM_FAULT_COMPLETED under the VMA lock, so no release had both - an arch port or backport that takes the shared-fault series without it would',
      },
    },
  },
  defaultVariant: 'fork-unlocked',
  build: (p, v) => buildVmaLockFault(p, v),
});
