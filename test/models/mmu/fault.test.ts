/**
 * handle_mm_fault() outcomes (models/mmu/fault.ts) case by case, the environment's migration, mprotect and
 * userfaultfd steps, the writeback side of stable pages, and the mmap_lock discipline.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FAULT_DONE,
  FAULT_FLAG_ALLOW_RETRY,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_WRITE,
  FAULT_HWPOISON,
  FAULT_OOM,
  FAULT_RETRY,
  FAULT_SIGBUS,
  FAULT_SIGSEGV,
  FAULT_WAIT,
  FOLL_PIN,
  PTE_MIGRATION_RW,
  PTE_PRESENT_RO,
  PTE_PRESENT_RW,
  PTE_SWAP,
  VMA_RO,
  defineMmu,
  folioClearDirtyForIo,
  folioEndWriteback,
  folioLock,
  folioStartWriteback,
  folioUnlock,
  getPage,
  getUserPagesFast,
  handleMmFault,
  handleMmFaultOutcome,
  migrateFolio,
  migrateFolioFinish,
  migrateFolioStart,
  mmapHeld,
  mmapReadLock,
  mmapReadLockable,
  mmapReadUnlock,
  mmapWriteLockable,
  mmapWriteLockAcquire,
  mmapWriteLockQueue,
  mmapWriteUnlock,
  mprotectPage,
  munmapPage,
  reclaimFolio,
  reclaimFolioOk,
  uffdioCopy,
  uffdioCopyOk,
  type MmuOptions,
} from '../../../models/index.js';
import { bothWorlds } from '../helpers.js';

const W = FAULT_FLAG_WRITE;
const D = FAULT_FLAG_DEFAULT;

describe('models/mmu/fault.ts: handle_mm_fault() outcomes', () => {
  const rows: readonly { what: string; opts: MmuOptions; flags: number; lock?: boolean; expect: number; pte?: number }[] = [
    { what: 'no VMA', opts: { pages: 1, vma: 'NONE' }, flags: D, expect: FAULT_SIGSEGV },
    { what: 'write to a read-only VMA', opts: { pages: 1, vma: 'RO' }, flags: D | W, expect: FAULT_SIGSEGV },
    { what: 'anon read fault maps writable', opts: { pages: 1 }, flags: D, expect: FAULT_DONE, pte: PTE_PRESENT_RW },
    { what: 'file read fault maps read-only (write-notify)', opts: { pages: 1, backing: 'file' }, flags: D, expect: FAULT_DONE, pte: PTE_PRESENT_RO },
    {
      what: 'file write fault runs page_mkwrite',
      opts: { pages: 1, backing: 'file', pte: 'PRESENT_RO', dirty: true, buffers: true },
      flags: D | W,
      expect: FAULT_DONE,
      pte: PTE_PRESENT_RW,
    },
    { what: 'a spurious fault', opts: { pages: 1, pte: 'PRESENT_RW' }, flags: D | W, expect: FAULT_DONE, pte: PTE_PRESENT_RW },
    { what: 'swap-in', opts: { pages: 1, swap: true, pte: 'SWAP' }, flags: D, expect: FAULT_DONE, pte: PTE_PRESENT_RW },
    { what: 'locked file folio, ALLOW_RETRY', opts: { pages: 1, backing: 'file', pageLock: true }, flags: D, lock: true, expect: FAULT_RETRY },
    { what: 'locked file folio, no ALLOW_RETRY', opts: { pages: 1, backing: 'file', pageLock: true }, flags: 0, lock: true, expect: FAULT_WAIT },
    { what: 'locked swapped folio', opts: { pages: 1, swap: true, pte: 'SWAP', pageLock: true }, flags: D, lock: true, expect: FAULT_RETRY },
    { what: 'locked anon folio, first touch', opts: { pages: 1, pageLock: true }, flags: D, lock: true, expect: FAULT_DONE },
    {
      what: 'write to a read-only file PTE, folio locked (page_mkwrite sleeps)',
      opts: { pages: 1, backing: 'file', pte: 'PRESENT_RO', pageLock: true },
      flags: D | W,
      lock: true,
      expect: FAULT_WAIT,
    },
    { what: 'missing userfaultfd page', opts: { pages: 1, backing: 'uffd' }, flags: D, expect: FAULT_RETRY },
    { what: 'missing userfaultfd page without ALLOW_RETRY', opts: { pages: 1, backing: 'uffd' }, flags: 0, expect: FAULT_SIGBUS },
    { what: 'poisoned page not mapped', opts: { pages: 1, unitsPerPage: 2, poison: [1] }, flags: D, expect: FAULT_HWPOISON },
    { what: 'migration entry', opts: { pages: 1, migration: true, pte: 'MIGRATION_RW' }, flags: D, expect: FAULT_WAIT },
  ];
  for (const r of rows) {
    it(`${r.what}: ${['done', 'retry', 'SIGSEGV', 'SIGBUS', 'HWPOISON', 'OOM', 'wait'][r.expect]}`, () => {
      const m = defineMmu(r.opts);
      for (const w of bothWorlds(m.fields)) {
        if (r.lock) folioLock(w, m, 0);
        assert.equal(handleMmFaultOutcome(w, m, 0, r.flags), r.expect);
        if (r.expect === FAULT_WAIT) {
          assert.throws(() => handleMmFault(w, m, 0, r.flags, -1), /must sleep/);
          continue;
        }
        assert.equal(handleMmFault(w, m, 0, r.flags, -1), r.expect);
        if (r.pte !== undefined) assert.equal(w.pte[0], r.pte);
        if (r.what.includes('page_mkwrite')) {
          assert.equal(w.folioDirty![0], 1);
          assert.equal(w.folioBuffers![0], 1);
        }
      }
    });
  }

  it('VM_FAULT_OOM when the resident set is full of unevictable pages', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 1, capacity: 1, pte: ['PRESENT_RW', 'ABSENT'], refs: 1 });
    for (const w of bothWorlds(m.fields)) {
      getPage(w, m, 0);
      assert.equal(handleMmFault(w, m, 1, D, -1), FAULT_OOM);
      assert.deepEqual(Array.from(w.pte), [PTE_PRESENT_RW, 0], 'an OOM fault changes nothing');
    }
  });

  it("VM_FAULT_RETRY drops the caller's mmap_lock, RETRY_NOWAIT keeps it", () => {
    const m = defineMmu({ pages: 1, backing: 'file', pageLock: true, mmapLock: { owners: 1 } });
    for (const w of bothWorlds(m.fields)) {
      folioLock(w, m, 0);
      mmapReadLock(w, m, 0);
      assert.equal(handleMmFault(w, m, 0, FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT, 0), FAULT_RETRY);
      assert.equal(mmapHeld(w, m, 0), true);
      assert.equal(handleMmFault(w, m, 0, D, 0), FAULT_RETRY);
      assert.equal(mmapHeld(w, m, 0), false);
      assert.equal(w.mmapMisuse, 0);
    }
  });
});

describe('models/mmu/env.ts and folio.ts', () => {
  it('migration fails on an extra reference or a pin, and puts the PTEs back either way', () => {
    const m = defineMmu({ pages: 1, pte: 'PRESENT_RW', migration: true, refs: 1, pins: 1, pageLock: true });
    for (const w of bothWorlds(m.fields)) {
      assert.equal(migrateFolio(w, m, 0), true);
      migrateFolioStart(w, m, 0);
      assert.equal(w.pte[0], PTE_MIGRATION_RW);
      assert.equal(handleMmFaultOutcome(w, m, 0, D), FAULT_WAIT);
      getPage(w, m, 0); // a GUP reference taken in the window
      assert.equal(migrateFolioFinish(w, m, 0), false);
      assert.equal(w.pte[0], PTE_PRESENT_RW);
      assert.equal(w.folioLocked![0], 0);
      assert.equal(getUserPagesFast(w, m, 0, 1, FOLL_PIN), 1);
      w.folioRef![0] = 0;
      assert.equal(migrateFolio(w, m, 0), false, 'a pinned folio does not migrate');
    }
  });

  it('reclaim takes clean, unreferenced, unpinned, unlocked folios; anon pages go to swap', () => {
    const m = defineMmu({ pages: 2, pte: 'PRESENT_RW', backing: ['anon', 'file'], swap: true, dirty: true, pageLock: true });
    for (const w of bothWorlds(m.fields)) {
      w.folioDirty![1] = 1;
      assert.equal(reclaimFolioOk(w, m, 1), false, 'a dirty file folio needs writeback first');
      folioLock(w, m, 0);
      assert.equal(reclaimFolioOk(w, m, 0), false);
      folioUnlock(w, m, 0);
      reclaimFolio(w, m, 0);
      assert.equal(w.pte[0], PTE_SWAP);
    }
  });

  it('mprotect write-protects PTEs; munmap removes VMA and PTE', () => {
    const m = defineMmu({ pages: 2, pte: 'PRESENT_RW' });
    for (const w of bothWorlds(m.fields)) {
      mprotectPage(w, m, 0, VMA_RO);
      assert.deepEqual([w.vma[0], w.pte[0]], [VMA_RO, PTE_PRESENT_RO]);
      assert.equal(handleMmFaultOutcome(w, m, 0, D | W), FAULT_SIGSEGV);
      munmapPage(w, m, 1);
      assert.deepEqual([w.vma[1], w.pte[1]], [0, 0]);
    }
  });

  it('UFFDIO_COPY resolves a missing userfaultfd page', () => {
    const m = defineMmu({ pages: 1, backing: 'uffd', versions: 2 });
    for (const w of bothWorlds(m.fields)) {
      assert.equal(uffdioCopyOk(w, m, 0), true);
      uffdioCopy(w, m, 0);
      assert.equal(w.pte[0], PTE_PRESENT_RW);
      assert.equal(w.folioVersion![0], 1);
      assert.equal(uffdioCopyOk(w, m, 0), false);
    }
  });

  it('writeback: clear_dirty_for_io write-protects, page_mkwrite waits while stable writeback runs', () => {
    const m = defineMmu({ pages: 1, backing: 'file', pte: 'PRESENT_RW', dirty: true, writeback: true, versions: 2, pins: 1, stableWrites: true });
    for (const w of bothWorlds(m.fields)) {
      w.folioDirty![0] = 1;
      assert.equal(folioClearDirtyForIo(w, m, 0), true);
      assert.deepEqual([w.pte[0], w.folioDirty![0]], [PTE_PRESENT_RO, 0]);
      folioStartWriteback(w, m, 0);
      assert.deepEqual([w.folioWriteback![0], w.folioWbSnapshot![0], w.folioWbChecked![0]], [1, 0, 1]);
      assert.equal(handleMmFaultOutcome(w, m, 0, D | W), FAULT_WAIT, 'folio_wait_stable()');
      folioEndWriteback(w, m, 0);
      assert.deepEqual([w.folioWriteback![0], w.folioWbChecked![0]], [0, 0]);
      assert.equal(handleMmFaultOutcome(w, m, 0, D | W), FAULT_DONE);
    }
  });
});

describe('models/mmu/mmapLock.ts', () => {
  it('readers share, a queued writer stops new readers, misuse is recorded, not applied', () => {
    const m = defineMmu({ pages: 1, mmapLock: { owners: 3 } });
    for (const w of bothWorlds(m.fields)) {
      mmapReadLock(w, m, 0);
      mmapReadLock(w, m, 1);
      mmapWriteLockQueue(w, m, 2);
      assert.equal(mmapReadLockable(w, m), false, 'no barging past a queued writer');
      assert.equal(mmapWriteLockable(w, m), false);
      mmapReadUnlock(w, m, 0);
      mmapReadUnlock(w, m, 1);
      mmapWriteLockAcquire(w, m, 2);
      assert.deepEqual([w.mmapHolders, w.mmapWriter, w.mmapWritersWaiting], [4, 1, 0]);
      mmapWriteUnlock(w, m, 2);
      assert.equal(w.mmapMisuse, 0);
      mmapReadUnlock(w, m, 0);
      assert.equal(w.mmapMisuse, 1, 'an unlock without the lock');
      assert.equal(w.mmapHolders, 0);
    }
  });
});
