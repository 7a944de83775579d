/**
 * madv-populate: MADV_POPULATE_READ on a file page whose read fails with -EIO (Darrick J. Wong's report;
 * fstests "generic: test MADV_POPULATE_READ with IO errors").
 *
 *   retry-forever  4ca9b3859dac (v5.14) .. v6.8: __get_user_pages() returns 0 on VM_FAULT_RETRY and
 *                  madvise_populate() calls it again without FOLL_TRIED: filemap_fault() drops mmap_lock,
 *                  reads, fails and returns VM_FAULT_RETRY every time;
 *   foll-tried     631426ba1d45 (v6.9): __get_user_pages_locked() retries with FOLL_TRIED, filemap_fault()
 *                  reads under mmap_lock, VM_FAULT_SIGBUS, -EFAULT.
 *
 * Actor: models/actors/madvisePopulate.ts over models/mm/populate.ts.
 */
import { deadlockFreedom, invariant, terminates, type SystemSpec } from '../checker/index.js';
import { madvisePopulateActor, POP_RET_EFAULT } from '../models/actors/madvisePopulate.js';
import { definePopulateFile, POP_PRESENT, type PopulateWorld, type ReadFails } from '../models/mm/populate.js';
import { defineScenario } from './scenario.js';

export type MadvPopulateVariant = 'retry-forever' | 'foll-tried';
type Params = 'readFails';
const READ_FAILS: readonly ReadFails[] = ['never', 'once', 'always'];

export function buildMadvPopulate(p: Readonly<Record<Params, number>>, variant: MadvPopulateVariant): SystemSpec<PopulateWorld> {
  const f = definePopulateFile({ readFails: READ_FAILS[p.readFails]! });
  const actor = madvisePopulateActor(f, { gup: variant === 'retry-forever' ? 'get-user-pages' : 'get-user-pages-locked' });
  // MADV_POPULATE_READ's contract (madvise(2)): 0 means the page is populated; -EFAULT means "populating
  // failed because a SIGBUS would have been generated on actual access" - here, only on a bad block.
  const result = invariant<PopulateWorld>(
    'populate result',
    (s) => {
      const a = s.actors[0]!;
      if (!a.final) return true;
      return a.context.ret === POP_RET_EFAULT ? f.readFails === 'always' : s.world.popPte === POP_PRESENT;
    },
    {
      description: 'madvise(MADV_POPULATE_READ) returns 0 only with the page mapped, and -EFAULT only where an access would SIGBUS',
      explain: (s) =>
        s.actors[0]!.context.ret === POP_RET_EFAULT ? 'madvise() = -EFAULT although the file can be read' : 'madvise() = 0 but the page is not mapped',
    },
  );
  return {
    name: `madv-populate:${variant}`,
    world: { ...f.fields },
    actors: [actor],
    properties: [result, deadlockFreedom(), terminates<PopulateWorld>('madvise', { name: 'madvise returns' })],
  };
}

export const madvPopulate = defineScenario({
  id: 'madv-populate',
  title: 'MADV_POPULATE_READ retrying VM_FAULT_RETRY forever on a read error (631426ba1d45)',
  source:
    '631426ba1d45 "mm/madvise: make MADV_POPULATE_(READ|WRITE) handle VM_FAULT_RETRY properly" (David Hildenbrand, v6.9; Fixes 4ca9b3859dac, v5.14; reported by Darrick J. Wong)',
  description:
    'MADV_POPULATE_READ faults the range in through GUP with FOLL_UNLOCKABLE. On a file folio that is not uptodate, filemap_fault() drops mmap_lock for the I/O ' +
    '(maybe_unlock_mmap_for_io(), first try only), reads the folio and returns VM_FAULT_RETRY; only a fault with FAULT_FLAG_TRIED reads under the lock and turns a failed ' +
    'read into VM_FAULT_SIGBUS. Bug (retry-forever): faultin_vma_page_range() called __get_user_pages(), which returns 0 pages on VM_FAULT_RETRY, and madvise_populate() ' +
    'relocked and called it again, never with FOLL_TRIED: on a bad block every fault is a RETRY and madvise() never returns (a signal can interrupt it; none is modelled). ' +
    'Fix (foll-tried): faultin_page_range() calls __get_user_pages_locked(), which retries the page with FOLL_TRIED, so the read error becomes -EFAULT, as madvise(2) documents. ' +
    'Parameter readFails: 0 = the read succeeds, 1 = only the first read fails, 2 = every read fails (a bad block). Not modelled: MADV_POPULATE_WRITE (the same path with FOLL_WRITE), ' +
    "mlock()'s populate_vma_page_range(), which 631426ba1d45's cover letter says still retries endlessly, more than one page.",
  params: {
    readFails: { description: 'filemap_read_folio(): 0 = succeeds, 1 = fails once with -EIO, 2 = always fails (bad block)', default: 2, min: 0, max: 2 },
  },
  variants: {
    'retry-forever': {
      description: '4ca9b3859dac .. v6.8: __get_user_pages() returns 0 on VM_FAULT_RETRY, retried without FOLL_TRIED: never returns on a bad block',
      expected: { verdict: 'violated', property: 'madvise returns' },
      provenance: { kind: 'shipped', versions: 'v5.14 .. v6.8', commits: ['4ca9b3859dac'] },
    },
    'foll-tried': {
      description: '631426ba1d45 (v6.9): __get_user_pages_locked() retries with FOLL_TRIED; the failed read is -EFAULT',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.9 ..', commits: ['631426ba1d45'] },
    },
  },
  defaultVariant: 'retry-forever',
  build: (p, v) => buildMadvPopulate(p, v),
});
