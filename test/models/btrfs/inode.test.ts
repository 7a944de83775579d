/**
 * The btrfs inode fragment (models/btrfs/inode.ts) against a brute-force reference: random sequences of
 * lock, unlock, i_size and data operations on the model and on a plain record of lock depths and a set of
 * written blocks, written from fs/btrfs/inode.c (btrfs_inode_lock() / btrfs_inode_unlock()) and
 * fs/btrfs/file.c, not from the model code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  appendProblem,
  btrfsInodeLock,
  btrfsInodeLockable,
  btrfsInodeUnlock,
  defineBtrfsInode,
  extendISize,
  firstHole,
  iMmapLockDownWrite,
  iMmapLockUpWrite,
  writeBlocks,
  type BtrfsInodeWorld,
} from '../../../models/btrfs/inode.js';
import { plainWorld } from '../../checker/conformance.js';

const BLOCKS = 6;

/** The reference: each rwsem's holder count (a write lock: 0 or 1; an unlock at 0 is misuse), i_size, the written blocks. */
interface Ref {
  rwsem: number;
  mmap: number;
  misuse: boolean;
  iSize: number;
  data: Set<number>;
}

type Op =
  | { op: 'lock'; mmap: boolean }
  | { op: 'unlock'; mmap: boolean }
  | { op: 'mmapDown' }
  | { op: 'mmapUp' }
  | { op: 'extend'; end: number }
  | { op: 'write'; pos: number; n: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('lock' as const), mmap: fc.boolean() }),
  fc.record({ op: fc.constant('unlock' as const), mmap: fc.boolean() }),
  fc.record({ op: fc.constant('mmapDown' as const) }),
  fc.record({ op: fc.constant('mmapUp' as const) }),
  fc.record({ op: fc.constant('extend' as const), end: fc.integer({ min: 0, max: BLOCKS }) }),
  fc
    .integer({ min: 0, max: BLOCKS - 1 })
    .chain((pos) => fc.record({ op: fc.constant('write' as const), pos: fc.constant(pos), n: fc.integer({ min: 0, max: BLOCKS - pos }) })),
);

function refApply(r: Ref, o: Op): void {
  const up = (k: 'rwsem' | 'mmap'): void => {
    if (r[k] === 0) r.misuse = true;
    else r[k] -= 1;
  };
  switch (o.op) {
    case 'lock':
      r.rwsem += 1;
      if (o.mmap) r.mmap += 1;
      return;
    case 'unlock':
      if (o.mmap) up('mmap');
      up('rwsem');
      return;
    case 'mmapDown':
      r.mmap += 1;
      return;
    case 'mmapUp':
      up('mmap');
      return;
    case 'extend':
      r.iSize = Math.max(r.iSize, o.end);
      return;
    case 'write':
      for (let b = o.pos; b < o.pos + o.n; b++) r.data.add(b);
  }
}

function modelApply(w: BtrfsInodeWorld, o: Op): void {
  if (o.op === 'lock') btrfsInodeLock(w, o.mmap);
  else if (o.op === 'unlock') btrfsInodeUnlock(w, o.mmap);
  else if (o.op === 'mmapDown') iMmapLockDownWrite(w);
  else if (o.op === 'mmapUp') iMmapLockUpWrite(w);
  else if (o.op === 'extend') extendISize(w, o.end);
  else writeBlocks(w, o.pos, o.n);
}

/** A write lock is only taken when free (the writer would sleep otherwise): drop ops that would recurse. */
function legal(r: Ref, o: Op): boolean {
  if (o.op === 'lock') return r.rwsem === 0 && (!o.mmap || r.mmap === 0);
  if (o.op === 'mmapDown') return r.mmap === 0;
  return true;
}

describe('models/btrfs/inode.ts', () => {
  it('starts with `initial` data blocks, i_size = initial, both locks free', () => {
    const ino = defineBtrfsInode({ blocks: 4, initial: 2 });
    const w = plainWorld(ino.fields) as unknown as BtrfsInodeWorld;
    assert.deepEqual([w.iSize, [...w.fileData], w.iRwsem, w.iMmapLock, w.ilockMisuse], [2, [1, 1, 0, 0], 0, 0, 0]);
    assert.throws(() => defineBtrfsInode({ blocks: 2, initial: 3 }), /initial 3 must be 0..2/);
    assert.throws(() => defineBtrfsInode({ blocks: 0, initial: 0 }), /blocks 0 must be 1..16/);
  });

  it('lock state, misuse, i_size and holes follow the reference for any sequence of operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.array(opArb, { maxLength: 14 }), (initial, ops) => {
        const ino = defineBtrfsInode({ blocks: BLOCKS, initial });
        const w = plainWorld(ino.fields) as unknown as BtrfsInodeWorld;
        const r: Ref = { rwsem: 0, mmap: 0, misuse: false, iSize: initial, data: new Set(Array.from({ length: initial }, (_, b) => b)) };
        for (const o of ops) {
          assert.equal(btrfsInodeLockable(w, o.op === 'lock' && o.mmap), r.rwsem === 0 && (!(o.op === 'lock' && o.mmap) || r.mmap === 0));
          if (!legal(r, o)) continue;
          refApply(r, o);
          modelApply(w, o);
          assert.equal(w.iRwsem, r.rwsem);
          assert.equal(w.iMmapLock, r.mmap);
          assert.equal(w.ilockMisuse === 1, r.misuse);
          assert.equal(w.iSize, r.iSize);
          let hole = -1;
          for (let b = 0; b < r.iSize && hole < 0; b++) if (!r.data.has(b)) hole = b;
          assert.equal(firstHole(w), hole);
          // "append at EOF" for every possible return value: exactly i_size = initial + ret and no hole.
          for (let ret = -1; ret <= BLOCKS; ret++) {
            const fine = ret < 0 || (hole < 0 && r.iSize === initial + ret);
            assert.equal(appendProblem(w, ino, ret) === null, fine, `ret ${ret}`);
          }
        }
      }),
    );
  });
});
