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

export type VmaLockFaultVariant = 'fork-unlocked' | 'anon-check-unlocked' | 'anon-check-locked' | 'retry-drops-vma-lock' | 'end-read-after-retry';
type Params = 'writes' | 'retry' | 'present';

// fork-unlocked's writer only forks: v6.4.0 also had the anon_vma race, which anon-check-unlocked shows.
const FORMS: Record<VmaLockFaultVariant, { fault: Omit<VmaLockFaultOptions, 'mmapOwner' | 'retry'>; forkLocksVma: boolean; ops?: readonly MmapWriterOp[] }> = {
  'fork-unlocked': { fault: { anonVmaCheck: 'before-lock', retryDropsVmaLock: false, archEndRead: 'always' }, forkLocksVma: false, ops: ['fork'] },
  'anon-check-unlocked': { fault: { anonVmaCheck: 'before-lock', retryDropsVmaLock: false, archEndRead: 'always' }, forkLocksVma: true },
  'anon-check-locked': { fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: false, archEndRead: 'always' }, forkLocksVma: true },
  'retry-drops-vma-lock': { fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'unless-retry' }, forkLocksVma: true },
  'end-read-after-retry': { fault: { anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'always' }, forkLocksVma: true },
};

export function buildVmaLockFault(p: Readonly<Record<Params, number>>, variant: VmaLockFaultVariant): SystemSpec<VmaLockWorld> {
  const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'anon', pte: p.present ? 'PRESENT_RW' : 'ABSENT', mmapLock: { owners: 2 } });
  const v = defineVmaLock(m, { faults: 1, writes: p.writes });
  const form = FORMS[variant];
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
    'Not modelled: file-backed VMAs (NULL from lock_vma_under_rcu() before v6.7), userfaultfd (NULL before v6.6), VM_FAULT_COMPLETED, signals, vm_lock_seq wrap-around.',
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
  },
  defaultVariant: 'fork-unlocked',
  build: (p, v) => buildVmaLockFault(p, v),
});
