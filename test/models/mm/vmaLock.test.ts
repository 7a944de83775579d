/**
 * The per-VMA lock fragment (models/mm/vmaLock.ts) against a reference written from its definition in
 * include/linux/mm.h and Documentation/mm/process_addrs.rst, without sequence numbers: a VMA is
 * write-locked from vma_start_write() until the same writer's mmap_write_unlock(); vma_start_read()
 * fails while it is; vma_start_write() waits for the readers already in. Random sequences of mmap_lock
 * sessions, VMA reads and writes, in both world representations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  defineVmaLock,
  vmaEndRead,
  vmaLockedFaultRuns,
  vmaMmapWriteUnlock,
  vmaStartRead,
  vmaStartReadOk,
  vmaStartWrite,
  vmaStartWriteOk,
  vmaWriteLocked,
  vmaBeginChange,
  vmaEndChange,
  type VmaLockWorld,
} from '../../../models/mm/vmaLock.js';
import { defineMmu, mmapWriteLock, mmapWriteLockable } from '../../../models/mmu/index.js';
import { engineWorld, plainWorld } from '../helpers.js';

// --- the reference: readers, and whether the current mmap_lock write session has write-locked the VMA --
interface Ref {
  readers: number;
  writerHolds: boolean;
  writeLocked: boolean;
  sessions: number;
  misuse: boolean;
}

type Op = 'startRead' | 'endRead' | 'mmapWriteLock' | 'startWrite' | 'mmapWriteUnlock';
const OPS: readonly Op[] = ['startRead', 'endRead', 'mmapWriteLock', 'startWrite', 'mmapWriteUnlock'];
const WRITER = 1;

/** Applies `op` to the reference if it is possible now (a blocked or unsupported call is skipped); returns whether it ran. */
function refStep(r: Ref, op: Op, writes: number): boolean {
  switch (op) {
    case 'startRead': // fails (no change) while write-locked: the caller falls back to mmap_lock
      if (!r.writeLocked) r.readers++;
      return true;
    case 'endRead':
      if (r.readers === 0) r.misuse = true;
      else r.readers--;
      return true;
    case 'mmapWriteLock':
      if (r.writerHolds) return false;
      r.writerHolds = true;
      return true;
    case 'startWrite': // down_write() waits for the readers; a second call in the same session returns at once
      if (!r.writerHolds || (!r.writeLocked && r.readers > 0)) return false;
      r.writeLocked = true;
      return true;
    case 'mmapWriteUnlock':
      if (!r.writerHolds || r.sessions >= writes) return false;
      r.writerHolds = false;
      r.writeLocked = false; // vma_end_write_all()
      r.sessions++;
      return true;
  }
}

describe('models/mm/vmaLock.ts', () => {
  const m = defineMmu({ pages: 1, unitsPerPage: 1, mmapLock: { owners: 2 } });

  it('follows the reference on random sequences of mmap_lock sessions and VMA reads and writes, in both world representations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.constantFrom(...OPS), { maxLength: 24 }), (writes, ops) => {
        const v = defineVmaLock(m, { faults: 3, writes });
        for (const w of [plainWorld({ ...m.fields, ...v.fields }), engineWorld({ ...m.fields, ...v.fields })] as unknown as VmaLockWorld[]) {
          const r: Ref = { readers: 0, writerHolds: false, writeLocked: false, sessions: 0, misuse: false };
          for (const op of ops) {
            // Keep within the model's domains: at most `faults` readers.
            if (op === 'startRead' && r.readers === 3) continue;
            const before = { ...r };
            if (!refStep(r, op, writes)) continue;
            switch (op) {
              case 'startRead':
                assert.equal(vmaStartReadOk(w), !before.writeLocked);
                if (vmaStartReadOk(w)) vmaStartRead(w);
                else assert.throws(() => vmaStartRead(w), /write-locked/);
                break;
              case 'endRead':
                vmaEndRead(w);
                break;
              case 'mmapWriteLock':
                assert.equal(mmapWriteLockable(w, m), true);
                mmapWriteLock(w, m, WRITER);
                break;
              case 'startWrite':
                assert.equal(vmaStartWriteOk(w), true);
                vmaStartWrite(w, v, WRITER);
                break;
              case 'mmapWriteUnlock':
                vmaMmapWriteUnlock(w, v, WRITER);
                break;
            }
            assert.equal(w.vmaReaders, r.readers, op);
            assert.equal(vmaWriteLocked(w), r.writeLocked, op);
            assert.equal(w.vmaLockMisuse === 1, r.misuse, op);
            assert.equal(w.mmLockSeq, r.sessions, op);
            assert.equal(vmaStartWriteOk(w), r.writeLocked || r.readers === 0, op);
            assert.equal(w.mmapMisuse, 0, op);
          }
        }
      }),
    );
  });

  it('vma_start_write() needs mmap_lock held for write and no readers; too many sessions is a model error', () => {
    const v = defineVmaLock(m, { faults: 1, writes: 1 });
    const w = plainWorld({ ...m.fields, ...v.fields }) as unknown as VmaLockWorld;
    assert.throws(() => vmaStartWrite(w, v, WRITER), /does not hold mmap_lock for write/);
    vmaStartRead(w);
    mmapWriteLock(w, m, WRITER);
    assert.equal(vmaStartWriteOk(w), false);
    assert.throws(() => vmaStartWrite(w, v, WRITER), /must wait for the VMA readers/);
    vmaEndRead(w);
    vmaStartWrite(w, v, WRITER);
    assert.equal(vmaStartReadOk(w), false);
    vmaMmapWriteUnlock(w, v, WRITER);
    assert.equal(vmaStartReadOk(w), true, 'vma_end_write_all() unlocks it');
    mmapWriteLock(w, m, WRITER);
    assert.throws(() => vmaMmapWriteUnlock(w, v, WRITER), /more than 1 mmap_lock write sessions/);
    assert.throws(() => defineVmaLock(defineMmu({ pages: 1 }), { faults: 1, writes: 1 }), /needs mmapLock/);
    assert.throws(() => defineVmaLock(m, { faults: 0, writes: 1 }), /faults 0/);
    assert.throws(() => defineVmaLock(m, { faults: 1, writes: 5 }), /writes 5/);
  });

  it('a fault under the VMA lock records a writer changing the VMA and an anon_vma it had to prepare', () => {
    const v = defineVmaLock(m, { faults: 1, writes: 1, anonVma: false });
    const w = plainWorld({ ...m.fields, ...v.fields }) as unknown as VmaLockWorld;
    vmaLockedFaultRuns(w, false); // a RETRY before do_anonymous_page()
    assert.deepEqual([w.vmaRace, w.vmaAnonPrepared, w.vmaAnonVma], [0, 0, 0]);
    vmaBeginChange(w);
    vmaLockedFaultRuns(w);
    assert.deepEqual([w.vmaRace, w.vmaAnonPrepared, w.vmaAnonVma], [1, 1, 1]);
    vmaEndChange(w);
    assert.equal(w.vmaChanging, 0);
  });
});
