/**
 * A btrfs inode as a direct-I/O append write sees it: i_size, which file blocks hold data, and the two
 * inode locks btrfs_inode_lock() / btrfs_inode_unlock() take (fs/btrfs/inode.c): the VFS i_rwsem
 * (inode_lock()) and, with BTRFS_ILOCK_MMAP, the btrfs i_mmap_lock rwsem. Both are taken for write here
 * (an append beyond EOF never takes the shared lock: btrfs_direct_write() only uses BTRFS_ILOCK_SHARED
 * when `pos + count <= i_size`).
 *
 * The file has `blocks` blocks of one unit each (use an MMU with `unitsPerPage: 1`: one block = one user
 * page); the first `initial` hold data, so i_size starts at `initial`.
 *
 * World fields:
 *   `iSize`       i_size (i_size_read() / i_size_write()), 0..blocks;
 *   `fileData[b]` block b holds data written to it (0: a hole - never written, reads back as zeros);
 *   `iRwsem`, `iMmapLock` free / held (one owner: the writer);
 *   `ilockMisuse` an unlock of a lock that was not held happened (lockdep's "bad unlock balance"; with
 *                 assertions, the rwsem's DEBUG_RWSEMS warning). The lock stays free.
 *
 * Properties: `appendAtEof` (an O_APPEND write lands at the i_size it started at: no hole, i_size grows by
 * exactly what write() returned) and `inodeLockBalance` (no unlock of a free lock; both locks released when
 * the write returns).
 */
import { array, assertShape, bool, enumOf, int, invariant, type FieldSpecs, type Property, type Shape, type StateView } from '../../checker/index.js';
import type { MmuWorld } from '../mmu/world.js';
import { ACTOR_PROPERTY_OPTIONS } from '../options.js';

export const ILOCK_FREE = 0;
export const ILOCK_HELD = 1;
const LOCK_NAMES = ['free', 'held'] as const;

export interface BtrfsInode {
  /** Blocks the file may grow to. */
  readonly blocks: number;
  /** i_size (and data blocks) before the write. */
  readonly initial: number;
  readonly fields: FieldSpecs;
}

export interface BtrfsInodeWorld extends MmuWorld {
  iSize: number;
  fileData: Int32Array;
  iRwsem: number;
  iMmapLock: number;
  ilockMisuse: number;
}

/** Every option of defineBtrfsInode: a key not listed is a typo, refused rather than left at its default. */
const INODE_OPTIONS: Shape<{ readonly blocks: number; readonly initial: number }> = { blocks: 'checked', initial: 'checked' };

/** An inode of `initial` data blocks that may grow to `blocks`. */
export function defineBtrfsInode(o: { readonly blocks: number; readonly initial: number }): BtrfsInode {
  assertShape(o, INODE_OPTIONS, 'defineBtrfsInode() options');
  if (!Number.isInteger(o.blocks) || o.blocks < 1 || o.blocks > 16) throw new RangeError(`btrfs inode: blocks ${o.blocks} must be 1..16`);
  if (!Number.isInteger(o.initial) || o.initial < 0 || o.initial > o.blocks) throw new RangeError(`btrfs inode: initial ${o.initial} must be 0..${o.blocks}`);
  return {
    blocks: o.blocks,
    initial: o.initial,
    fields: {
      iSize: int(0, o.blocks, o.initial),
      fileData: array(
        o.blocks,
        bool(),
        Array.from({ length: o.blocks }, (_, b) => (b < o.initial ? 1 : 0)),
      ),
      iRwsem: enumOf(LOCK_NAMES),
      iMmapLock: enumOf(LOCK_NAMES),
      ilockMisuse: bool(),
    },
  };
}

/** btrfs_inode_lock(inode, flags) for write: inode_lock(), then down_write(i_mmap_lock) with BTRFS_ILOCK_MMAP. */
export function btrfsInodeLock(w: BtrfsInodeWorld, mmap: boolean): void {
  w.iRwsem = ILOCK_HELD;
  if (mmap) w.iMmapLock = ILOCK_HELD;
}

/** btrfs_inode_lock() would not sleep: the locks it takes are free. */
export function btrfsInodeLockable(w: BtrfsInodeWorld, mmap: boolean): boolean {
  return w.iRwsem === ILOCK_FREE && (!mmap || w.iMmapLock === ILOCK_FREE);
}

/** up_write() of one of the two rwsems; an unlock of a free lock is recorded in `ilockMisuse`. */
function upWrite(w: BtrfsInodeWorld, field: 'iRwsem' | 'iMmapLock'): void {
  if (w[field] === ILOCK_FREE) w.ilockMisuse = 1;
  w[field] = ILOCK_FREE;
}

/** btrfs_inode_unlock(inode, flags): up_write(i_mmap_lock) with BTRFS_ILOCK_MMAP, then inode_unlock(). */
export function btrfsInodeUnlock(w: BtrfsInodeWorld, mmap: boolean): void {
  if (mmap) upWrite(w, 'iMmapLock');
  upWrite(w, 'iRwsem');
}

/** down_write(&inode->i_mmap_lock) alone (btrfs_sync_file() with skip_ilock). */
export function iMmapLockDownWrite(w: BtrfsInodeWorld): void {
  w.iMmapLock = ILOCK_HELD;
}

/** up_write(&inode->i_mmap_lock) alone. */
export function iMmapLockUpWrite(w: BtrfsInodeWorld): void {
  upWrite(w, 'iMmapLock');
}

/** i_size_write() when the range [pos, end) goes beyond i_size (btrfs_get_blocks_direct_write(), the buffered write). */
export function extendISize(w: BtrfsInodeWorld, end: number): void {
  if (end > w.iSize) w.iSize = end;
}

/** Data lands in blocks [pos, pos + n) (the bio, or the buffered copy). */
export function writeBlocks(w: BtrfsInodeWorld, pos: number, n: number): void {
  for (let b = pos; b < pos + n; b++) w.fileData[b] = 1;
}

/** The first hole below i_size, or -1. */
export function firstHole(w: BtrfsInodeWorld): number {
  for (let b = 0; b < w.iSize; b++) if (w.fileData[b] === 0) return b;
  return -1;
}

/**
 * Why a finished O_APPEND write of `ret` blocks (ret >= 0) breaks "append at EOF", or null: the data must
 * land right after the old i_size, so afterwards i_size = initial + ret and no block below it is a hole.
 */
export function appendProblem(w: BtrfsInodeWorld, ino: BtrfsInode, ret: number): string | null {
  if (ret < 0) return null;
  const hole = firstHole(w);
  if (hole < 0 && w.iSize === ino.initial + ret) return null;
  const where = hole >= 0 ? `, block ${hole} is a hole` : '';
  return `write() = ${ret} appending at i_size ${ino.initial}, but i_size is now ${w.iSize}${where} (expected i_size ${ino.initial + ret}, no hole)`;
}

/** Finds the named actor's view once per system (the StateView's actor list is fixed). */
function actorIndex(name: string): (s: StateView<BtrfsInodeWorld>) => number {
  let index = -1;
  let actors: unknown = null;
  return (s) => {
    if (s.actors !== actors) {
      index = s.actor(name).index;
      actors = s.actors;
    }
    return index;
  };
}

/**
 * "Append at EOF" (fstests generic/362), checked once the writer `actor` has returned. Its context must
 * hold write()'s return value in `ret` (negative: an error, which the property does not judge).
 */
export function appendAtEof(ino: BtrfsInode, options: { readonly actor: string; readonly name?: string }): Property<BtrfsInodeWorld> {
  assertShape(options, ACTOR_PROPERTY_OPTIONS, 'appendAtEof() options');
  const at = actorIndex(options.actor);
  const problem = (s: StateView<BtrfsInodeWorld>): string | null => {
    const a = s.actors[at(s)]!;
    return a.final ? appendProblem(s.world, ino, a.context.ret as number) : null;
  };
  return invariant<BtrfsInodeWorld>(options.name ?? 'append at EOF', (s) => problem(s) === null, {
    description:
      'an O_APPEND write lands at the i_size it started from: afterwards i_size grew by exactly what write() returned and no block below it is a hole',
    explain: (s) => problem(s) ?? '',
  });
}

/** Why the inode locks are out of balance, or null. */
function lockProblem(s: StateView<BtrfsInodeWorld>, at: number): string | null {
  const w = s.world;
  if (w.ilockMisuse) return 'an inode lock was unlocked while not held (a double unlock: lockdep "bad unlock balance")';
  if (s.actors[at]!.final && (w.iRwsem !== ILOCK_FREE || w.iMmapLock !== ILOCK_FREE))
    return `write() returned with ${w.iRwsem !== ILOCK_FREE ? 'the inode lock (i_rwsem)' : 'i_mmap_lock'} still held`;
  return null;
}

/** Lock discipline of btrfs_inode_lock()/btrfs_inode_unlock(): every unlock matches a lock, and write() returns with both released. */
export function inodeLockBalance(options: { readonly actor: string; readonly name?: string }): Property<BtrfsInodeWorld> {
  assertShape(options, ACTOR_PROPERTY_OPTIONS, 'inodeLockBalance() options');
  const at = actorIndex(options.actor);
  return invariant<BtrfsInodeWorld>(options.name ?? 'inode lock balance', (s) => lockProblem(s, at(s)) === null, {
    description: 'every btrfs_inode_unlock() / up_write() releases a lock its caller holds, and write() returns with i_rwsem and i_mmap_lock released',
    explain: (s) => lockProblem(s, at(s)) ?? '',
  });
}
