/**
 * btrfs-dio-append: an O_APPEND direct-I/O write on btrfs whose user buffer is not faulted in
 * (fstests generic/362). btrfs_get_blocks_direct_write() extends i_size before iomap takes the user pages;
 * the nofault GUP fails, btrfs_direct_write() faults the buffer in and retries.
 *
 *   relock      8184620ae212 (v6.1, stable 6.0.9) .. v6.11-rc1: the retry goes back to `relock`, where
 *               generic_write_checks() sets ki_pos = i_size again - the i_size the failed attempt extended:
 *               the data lands after a hole (939b656bc8ab's commit message, steps 1-8);
 *   again       939b656bc8ab (v6.11-rc2): keep the inode locked, retry at `again`, run
 *               iomap_dio_complete() under the lock with fsync_skip_inode_lock; but btrfs_sync_file()'s
 *               out_release_extents still unlocks the inode, and btrfs_direct_write() unlocks it again;
 *   skip-ilock  e0391e92f9ab (v6.11-rc3): out_release_extents only releases i_mmap_lock under skip_ilock.
 *   zero-progress  skip-ilock over bc264fea0f6f's iomap_iter(): a first attempt that makes no progress
 *               returns 0 (btrfs_dio_iomap_end()'s -ENOTBLK wins over the -EFAULT), btrfs skips the fault-in
 *               and the buffered fallback appends at the i_size the direct attempt extended: the hole
 *               without any reclaim (what acf9ed3a6c00 and ff66fe666233 fix on the btrfs side).
 *
 * Actor: models/actors/btrfsDirectWrite.ts over models/btrfs/inode.ts; environment: reclaim
 * (models/actors/reclaim.ts) with a budget.
 */
import { deadlockFreedom, terminates, type ActorSpec, type SystemSpec } from '../checker/index.js';
import { btrfsDirectWriteActor } from '../models/actors/btrfsDirectWrite.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { appendAtEof, defineBtrfsInode, inodeLockBalance, type BtrfsInodeWorld } from '../models/btrfs/inode.js';
import { defineIovIter } from '../models/iov-iter/iter.js';
import { defineMmu } from '../models/mmu/index.js';
import { defineScenario } from './scenario.js';

export type BtrfsDioAppendVariant = 'relock' | 'again' | 'skip-ilock' | 'zero-progress';
type Params = 'count' | 'initial' | 'prefault' | 'dsync' | 'reclaims';

export function buildBtrfsDioAppend(p: Readonly<Record<Params, number>>, variant: BtrfsDioAppendVariant): SystemSpec<BtrfsInodeWorld> {
  const ino = defineBtrfsInode({ blocks: p.initial + 2 * p.count, initial: p.initial });
  const m = defineMmu({ pages: p.count, unitsPerPage: 1, vma: 'RO', pte: p.prefault ? 'PRESENT_RO' : 'ABSENT', staticVma: true, refs: 1 });
  const from = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: p.count }], nofault: true, warn: false });
  const writer = btrfsDirectWriteActor(m, ino, from, {
    retry: variant === 'relock' ? 'relock' : 'again',
    ...(variant === 'relock' ? {} : { syncUnlock: variant === 'again' ? ('inode' as const) : ('skip-ilock' as const) }),
    dsync: p.dsync === 1,
    zeroProgress: variant === 'zero-progress' ? 'zero' : 'efault',
  });
  const actors: ActorSpec<any, any>[] = [writer];
  if (p.reclaims > 0) actors.push(reclaimActor(m, { budget: p.reclaims }));
  return {
    name: `btrfs-dio-append:${variant}`,
    world: { ...m.fields, ...from.fields, ...ino.fields },
    actors,
    properties: [
      appendAtEof(ino, { actor: 'writer' }),
      inodeLockBalance({ actor: 'writer' }),
      deadlockFreedom(),
      terminates<BtrfsInodeWorld>('writer', { name: 'write returns' }),
    ],
  };
}

export const btrfsDioAppend = defineScenario({
  id: 'btrfs-dio-append',
  title: 'btrfs O_APPEND direct write after a buffer fault-in: a hole (939b656bc8ab), then a double inode unlock (e0391e92f9ab)',
  source:
    '939b656bc8ab "btrfs: fix corruption after buffer fault in during direct IO append write" (v6.11-rc2, Fixes 8184620ae212), fstests generic/362; e0391e92f9ab "btrfs: fix double inode unlock for direct IO sync writes" (syzbot)',
  description:
    'btrfs_direct_write() locks the inode and calls generic_write_checks(), which for IOCB_APPEND sets ki_pos = i_size. iomap then calls btrfs_dio_iomap_begin() -> ' +
    'btrfs_get_blocks_direct_write(), which allocates the extent and extends i_size to the end of the write, and only then takes the user pages with ' +
    'bio_iov_iter_get_pages() under from->nofault: a buffer that was never touched gives -EFAULT, and btrfs faults it in and retries (51bd9563b678). ' +
    'Bug (relock, 8184620ae212 until 939b656bc8ab): the retry jumps to `relock`, so generic_write_checks() runs again and reads the extended i_size: ' +
    'the data is written one write-length further and the file keeps a hole where it should have gone (generic/362: "Wrong file size"). ' +
    'Fix (again, 939b656bc8ab): keep the inode lock, retry at `again`, and call iomap_dio_complete() under it with fsync_skip_inode_lock so that an O_DSYNC ' +
    "write's btrfs_sync_file() takes only i_mmap_lock. Its bug: btrfs_sync_file()'s out_release_extents label (no inode logging needed, or a transaction " +
    'error) still calls btrfs_inode_unlock(BTRFS_ILOCK_MMAP), releasing the i_rwsem btrfs_direct_write() holds, which then unlocks it again. ' +
    'Fix (skip-ilock, e0391e92f9ab): up_write(&i_mmap_lock) only, when skip_ilock. ' +
    'Assumptions of the fix: no reclaim between the fault-in and the retry (reclaims=0). With reclaims=1 it does not hold: the retry gets -EFAULT again, ' +
    "left == prev_left gives -ENOTBLK, and the buffered fallback's generic_write_checks() reads the i_size the direct attempt extended - the hole again, " +
    'by the path a later btrfs fix ("btrfs: fix incorrect buffered IO fallback for append direct writes", ff66fe666233) describes. ' +
    'zero-progress: the same btrfs code over the iomap_iter() of bc264fea0f6f ("iomap: support incremental iomap_iter advances"), where an iteration that advanced nothing ' +
    "returns ->iomap_end()'s error: btrfs_dio_iomap_end() says -ENOTBLK for the unsubmitted range, __iomap_dio_rw() turns -ENOTBLK into 0, so a first attempt whose " +
    'buffer is not faulted in returns 0 instead of -EFAULT; btrfs_direct_write() faults in only on -EFAULT or progress, so it falls back to the buffered write at once, ' +
    'whose generic_write_checks() reads the extended i_size: the hole, with no reclaim at all. This is what acf9ed3a6c00 ("btrfs: retry faulting in the pages after a zero sized short direct write") ' +
    'and ff66fe666233 address in btrfs (for-next, 2026), and "iomap: prioritize iter.status error over ->iomap_end()" (Brian Foster, Sep 2025, Fixes bc264fea0f6f) in iomap. ' +
    "Up to bc264fea0f6f iomap_iter() returned the iteration's own -EFAULT (`if (ret < 0 && !iter->processed)`), which is what relock, again and skip-ilock model. " +
    'Not modelled: a concurrent writer or truncate in the relock window, the shared inode lock, NOWAIT, the later move of the skip flag to journal_info (cd9253c23aed).',
  params: {
    count: { description: 'blocks written (one user page each)', default: 1, min: 1, max: 2 },
    initial: { description: 'i_size before the write, in blocks', default: 0, min: 0, max: 1 },
    prefault: { description: '1: the user buffer is already mapped (PRESENT_RO); 0: never touched', default: 0, min: 0, max: 1 },
    dsync: { description: '1: O_DSYNC write (iomap_dio_complete() calls btrfs_sync_file())', default: 1, min: 0, max: 1 },
    reclaims: { description: 'reclaim evictions of the user buffer (reclaim budget)', default: 0, min: 0, max: 1 },
  },
  variants: {
    relock: {
      description: '8184620ae212 .. v6.11-rc1: unlock before iomap_dio_complete(), fault in, goto relock - generic_write_checks() re-reads the extended i_size',
      expected: { verdict: 'violated', property: 'append at EOF' },
      provenance: { kind: 'shipped', versions: 'v6.1 .. v6.11-rc1 (stable from 6.0.9)', commits: ['8184620ae212'] },
    },
    again: {
      description: '939b656bc8ab (v6.11-rc2): keep the inode locked and goto again; an O_DSYNC fsync that skips logging unlocks the inode twice',
      expected: { verdict: 'violated', property: 'inode lock balance' },
      provenance: { kind: 'shipped', versions: 'v6.11-rc2', commits: ['939b656bc8ab'] },
    },
    'skip-ilock': {
      description: 'e0391e92f9ab (v6.11-rc3): out_release_extents releases only i_mmap_lock under skip_ilock; holds without reclaim between fault-in and retry',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'shipped',
        versions: 'v6.11-rc3 .., while iomap_iter() returns the -EFAULT of an attempt without progress (before bc264fea0f6f; see zero-progress)',
        commits: ['939b656bc8ab', 'e0391e92f9ab'],
      },
    },
    'zero-progress': {
      description:
        "skip-ilock over bc264fea0f6f's iomap_iter(): a zero-progress attempt returns 0 (->iomap_end()'s -ENOTBLK), no fault-in, and the buffered fallback appends after the hole",
      expected: { verdict: 'violated', property: 'append at EOF' },
      provenance: {
        kind: 'shipped',
        versions:
          'kernels with bc264fea0f6f (iomap incremental advance, 2025) and without "iomap: prioritize iter.status error over ->iomap_end()" (Sep 2025) or acf9ed3a6c00 (btrfs, 2026); release tags not re-checked',
        commits: ['939b656bc8ab', 'e0391e92f9ab', 'bc264fea0f6f'],
      },
    },
  },
  defaultVariant: 'relock',
  build: (p, v) => buildBtrfsDioAppend(p, v),
});
