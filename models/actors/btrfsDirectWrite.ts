/**
 * An O_APPEND direct-I/O write on btrfs: btrfs_direct_write() (fs/btrfs/file.c; fs/btrfs/direct-io.c from
 * v6.11) over btrfs_dio_write() -> __iomap_dio_rw() with the iterator's page faults disabled, the fault-in
 * retry loop of 51bd9563b678 (v5.16, "btrfs: fix deadlock due to page faults during direct IO reads and
 * writes"), and the buffered fallback. One user page per file block (MMU `unitsPerPage: 1`).
 *
 *   relock:  btrfs_inode_lock(inode, ilock_flags);
 *            generic_write_checks(iocb, from);          // IOCB_APPEND: iocb->ki_pos = i_size_read(inode)
 *   again:   from->nofault = true;
 *            dio = btrfs_dio_write(iocb, from, written); // iomap_dio_rw(IOMAP_DIO_PARTIAL, done_before)
 *            from->nofault = false;
 *            [relock form: btrfs_inode_unlock(inode, ilock_flags);]
 *            ret = iomap_dio_complete(dio);             // O_DSYNC: generic_write_sync() -> btrfs_sync_file()
 *            if (ret > 0) written = ret;
 *            if (iov_iter_count(from) > 0 && (ret == -EFAULT || ret > 0)) {
 *                left = iov_iter_count(from);
 *                if (left == prev_left) ret = -ENOTBLK;
 *                else { fault_in_iov_iter_readable(from, left); prev_left = left; goto relock | goto again; }
 *            }
 *            [again form: btrfs_inode_unlock(inode, ilock_flags);]
 *            if ((ret < 0 && ret != -ENOTBLK) || !iov_iter_count(from)) goto out;
 *            btrfs_buffered_write(iocb, from);          // locks again; generic_write_checks() again
 *
 * Inside iomap: btrfs_dio_iomap_begin() -> btrfs_get_blocks_direct_write() allocates the extent for
 * [ki_pos, ki_pos + count) and, beyond EOF, i_size_write()s its end *before* iomap_dio_bio_iter() takes the
 * user pages with bio_iov_iter_get_pages() (FOLL_NOFAULT); a page not present there is -EFAULT, which
 * IOMAP_DIO_PARTIAL keeps as a partial result when some pages went into bios.
 *
 * Option `retry` (the fault-in loop's target):
 *   'relock' - 8184620ae212 ("btrfs: fix lost file sync on direct IO write with nowait and dsync iocb",
 *              v6.1; stable 6.0.9): the inode is unlocked before iomap_dio_complete() (whose O_DSYNC fsync
 *              takes the inode lock) and the retry goes back to `relock`, so generic_write_checks() runs
 *              again and re-reads the i_size the failed attempt extended: the data lands after a hole;
 *   'again'  - 939b656bc8ab ("btrfs: fix corruption after buffer fault in during direct IO append write",
 *              v6.11-rc2): the inode stays locked, the retry goes to `again`, and iomap_dio_complete() runs
 *              under the lock with btrfs_file_private::fsync_skip_inode_lock set, so btrfs_sync_file()
 *              only takes i_mmap_lock (skip_ilock).
 * Option `syncUnlock` (btrfs_sync_file()'s `out_release_extents:` label, taken when skip_inode_logging()
 * or starting the transaction fails; only with retry 'again'):
 *   'inode'      - 939b656bc8ab as merged: btrfs_inode_unlock(inode, BTRFS_ILOCK_MMAP) unconditionally,
 *                  which releases the i_rwsem btrfs_direct_write() holds, and btrfs_direct_write() unlocks
 *                  it again;
 *   'skip-ilock' - e0391e92f9ab ("btrfs: fix double inode unlock for direct IO sync writes", v6.11-rc3):
 *                  only up_write(&i_mmap_lock) when skip_ilock.
 * Option `zeroProgress` (what __iomap_dio_rw() returns when the nofault GUP fails on the first page, so the
 * attempt made no progress at all; btrfs_dio_iomap_end() then sees submitted < length and returns -ENOTBLK):
 *   'efault' - iomap_iter() from f4b896c213f0 (v5.15) to bc264fea0f6f: `if (ret < 0 && !iter->processed)
 *              return ret;` - processed is the iteration's -EFAULT, so ->iomap_end()'s -ENOTBLK is dropped,
 *              the loop ends with -EFAULT, and btrfs_direct_write() faults in and retries;
 *   'zero'   - bc264fea0f6f ("iomap: support incremental iomap_iter advances"): `if (ret < 0 && !advanced)
 *              return ret;` - nothing advanced, so -ENOTBLK wins, __iomap_dio_rw() turns it into 0 ("magic
 *              error code to fall back to buffered I/O"), iomap_dio_complete() returns 0, the fault-in test
 *              (ret == -EFAULT || ret > 0) fails and the write falls back to btrfs_buffered_write() without a
 *              fault-in; Brian Foster's "iomap: prioritize iter.status error over ->iomap_end()" (posted
 *              8 Sep 2025, Fixes bc264fea0f6f) restores 'efault', and btrfs's own acf9ed3a6c00 ("btrfs: retry
 *              faulting in the pages after a zero sized short direct write", btrfs for-next 2026) retries on 0.
 * Option `dsync`: the write is O_DSYNC / RWF_DSYNC (iomap sets IOMAP_DIO_NEED_SYNC). Then the
 * iomap_dio_complete() step has two outcomes: btrfs_sync_file() logs the inode (choice 0) or leaves
 * through `out_release_extents:` (choice 1).
 *
 * Steps: `btrfsInodeLock` (with generic_write_checks()), `btrfsDioIomapBegin`, `bioIovIterGetPages`
 * (the leading present pages of the rest; their data lands in the file - the bio's completion is folded
 * into its submission, nothing else reads the file), `iomapDioComplete`, `faultInIovIterReadable`,
 * `btrfsInodeUnlock` (again form), `btrfsBufferedWrite` (lock, generic_write_checks(), fault in and copy
 * with faults enabled, unlock: one step). Context `ret` is write()'s return value in the final state.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { BLOCKED, FOLL_GET } from '../mmu/constants.js';
import { gupPutFolio } from '../mmu/pins.js';
import { folioOf } from '../mmu/world.js';
import { iovIterAdvance } from '../iov-iter/advance.js';
import { faultInIovIterReadable, faultInIovIterReadableResult } from '../iov-iter/faultIn.js';
import { ITER_SOURCE, iterAddr, iterConsumed, iterCount, setIterNofault, type IovIter } from '../iov-iter/iter.js';
import { iovIterGetPages, iovIterGetPagesResult } from '../iov-iter/pages.js';
import {
  btrfsInodeLock,
  btrfsInodeLockable,
  btrfsInodeUnlock,
  extendISize,
  iMmapLockDownWrite,
  iMmapLockUpWrite,
  writeBlocks,
  type BtrfsInode,
  type BtrfsInodeWorld,
} from '../btrfs/inode.js';

/** The values of `ret` below 0. */
export const DW_EFAULT = -1;
export const DW_ENOTBLK = -2;

export interface BtrfsDirectWriteOptions {
  /** Column name in traces. Default 'writer'. */
  readonly name?: string;
  readonly retry: 'relock' | 'again';
  /** btrfs_sync_file()'s out_release_extents with skip_ilock (retry 'again' only). Default 'skip-ilock'. */
  readonly syncUnlock?: 'inode' | 'skip-ilock';
  /** O_DSYNC write. Default false. */
  readonly dsync?: boolean;
  /** A zero-progress attempt returns -EFAULT (to bc264fea0f6f) or 0 (bc264fea0f6f's iomap_iter()). Default 'efault'. */
  readonly zeroProgress?: 'efault' | 'zero';
}

/** Every option of btrfsDirectWriteMachine and btrfsDirectWriteActor: a key not listed is a typo, refused rather than left at its default. */
const DIRECT_WRITE_OPTIONS: Shape<BtrfsDirectWriteOptions> = {
  name: 'string',
  retry: 'checked',
  syncUnlock: 'checked',
  dsync: 'boolean',
  zeroProgress: 'checked',
};

export interface BtrfsDirectWriteContext {
  /** iocb->ki_pos. */
  kiPos: number;
  /** btrfs_direct_write()'s `written` (cumulative, passed as done_before). */
  written: number;
  /** prev_left (0: none yet). */
  prevLeft: number;
  /** Bitmask of user pages a submitted bio holds a reference to. */
  bios: number;
  /** The last iomap_dio_complete() result; in the final state, write()'s return value. */
  ret: number;
}

type Event = StepEvent<
  'btrfsInodeLock' | 'btrfsDioIomapBegin' | 'bioIovIterGetPages' | 'iomapDioComplete' | 'faultInIovIterReadable' | 'btrfsInodeUnlock' | 'btrfsBufferedWrite',
  BtrfsInodeWorld
>;

/** The writer's pure pieces, shared by its machine and its labels. */
interface Parts {
  /** dio->size of the call in progress: what the iterator consumed beyond `written`. */
  dioSize(w: BtrfsInodeWorld, c: BtrfsDirectWriteContext): number;
  /** iomap_dio_rw()'s result after a loop that ended with `efault` (else 0): IOMAP_DIO_PARTIAL, done_before. */
  complete(w: BtrfsInodeWorld, c: BtrfsDirectWriteContext, efault: boolean): number;
  /** The fault-in branch: count left and (ret == -EFAULT || ret > 0), and left != prev_left. */
  faultsIn(w: BtrfsInodeWorld, c: BtrfsDirectWriteContext, ret: number): boolean;
  /** `ret` after the retry test: -ENOTBLK when the fault-in made no difference last time. */
  afterRetryTest(w: BtrfsInodeWorld, c: BtrfsDirectWriteContext, ret: number): number;
  /** The buffered fallback runs: ret is -ENOTBLK or >= 0, and count is left. */
  falls(w: BtrfsInodeWorld, ret: number): boolean;
  /** Units btrfs_buffered_write() copies: what fault_in_iov_iter_readable() can bring in. */
  bufferedCopies(w: BtrfsInodeWorld): number;
}

function parts(it: IovIter, zeroProgress: 'efault' | 'zero'): Parts {
  const p: Parts = {
    dioSize: (w, c) => iterConsumed(w, it) - c.written,
    complete: (w, c, efault) => {
      const size = p.dioSize(w, c);
      if (efault && size === 0) return zeroProgress === 'zero' ? 0 : DW_EFAULT; // -ENOTBLK from ->iomap_end(), then 0
      return size + c.written; // -EFAULT after progress: IOMAP_DIO_PARTIAL (97308f8b0d86); + done_before (4fdccaa0d184)
    },
    faultsIn: (w, c, ret) => iterCount(w, it) > 0 && (ret === DW_EFAULT || ret > 0) && iterCount(w, it) !== c.prevLeft,
    afterRetryTest: (w, c, ret) => (iterCount(w, it) > 0 && (ret === DW_EFAULT || ret > 0) && iterCount(w, it) === c.prevLeft ? DW_ENOTBLK : ret),
    falls: (w, ret) => (ret === DW_ENOTBLK || ret >= 0) && iterCount(w, it) > 0,
    bufferedCopies: (w) => {
      const n = iterCount(w, it);
      const left = faultInIovIterReadableResult(w, it, n);
      return left === BLOCKED ? 0 : n - left;
    },
  };
  return p;
}

function check(m: Mmu, ino: BtrfsInode, it: IovIter, o: BtrfsDirectWriteOptions): void {
  if (m.unitsPerPage !== 1) throw new RangeError('btrfs direct write: the MMU needs unitsPerPage: 1 (one file block per user page)');
  if (m.refs < 1) throw new RangeError('btrfs direct write: the MMU needs refs >= 1 (the bios hold get_user_pages() references)');
  if (!it.userBacked || it.dataSource !== ITER_SOURCE || !it.kNofault)
    throw new RangeError('btrfs direct write: the iterator must be a user-backed ITER_SOURCE iterator with nofault: true');
  if (it.addrAt[0] !== 0 || it.total > m.pages) throw new RangeError('btrfs direct write: the iterator must start at user unit 0 within the MMU');
  if (ino.initial + 2 * it.total > ino.blocks)
    throw new RangeError(`btrfs direct write: the inode needs room for initial + 2 * count = ${ino.initial + 2 * it.total} blocks (a hole, then the data)`);
  if (o.retry !== 'relock' && o.retry !== 'again') throw new RangeError(`btrfs direct write: retry '${String(o.retry)}' is not 'relock' or 'again'`);
  if (o.syncUnlock !== undefined && o.syncUnlock !== 'inode' && o.syncUnlock !== 'skip-ilock')
    throw new RangeError(`btrfs direct write: syncUnlock '${String(o.syncUnlock)}' is not 'inode' or 'skip-ilock'`);
  if (o.zeroProgress !== undefined && o.zeroProgress !== 'efault' && o.zeroProgress !== 'zero')
    throw new RangeError(`btrfs direct write: zeroProgress '${String(o.zeroProgress)}' is not 'efault' or 'zero'`);
  if (o.syncUnlock !== undefined && o.retry !== 'again') throw new RangeError("btrfs direct write: syncUnlock applies only to retry 'again' (skip_ilock)");
}

/** The btrfs_direct_write() machine (see the file comment). */
export function btrfsDirectWriteMachine(m: Mmu, ino: BtrfsInode, it: IovIter, o: BtrfsDirectWriteOptions) {
  assertShape(o, DIRECT_WRITE_OPTIONS, 'btrfsDirectWriteMachine() options');
  check(m, ino, it, o);
  const P = parts(it, o.zeroProgress ?? 'efault');
  const relock = o.retry === 'relock';
  const unlockAll = o.syncUnlock === 'inode';
  const dsync = Boolean(o.dsync);

  // iomap_dio_complete() and what btrfs_direct_write() does around it. Effects first (they read the
  // pre-state context), assigns after (they read only the iterator, which the effect does not move).
  const completeEffect = (w: BtrfsInodeWorld, c: BtrfsDirectWriteContext, efault: boolean, choice: number): void => {
    const ret = P.complete(w, c, efault);
    setIterNofault(w, it, false);
    if (relock) btrfsInodeUnlock(w, false); // "So unlock it before calling iomap_dio_complete()"
    for (let p = 0; p < m.pages; p++) if (c.bios & (1 << p)) gupPutFolio(w, m, folioOf(m, p), FOLL_GET);
    if (ret > 0 && dsync) {
      // generic_write_sync() -> btrfs_sync_file()
      if (relock) {
        btrfsInodeLock(w, true);
        btrfsInodeUnlock(w, true);
      } else {
        iMmapLockDownWrite(w); // skip_ilock: down_write(&inode->i_mmap_lock)
        if (choice === 1 && unlockAll)
          btrfsInodeUnlock(w, true); // out_release_extents, 939b656bc8ab
        else iMmapLockUpWrite(w);
      }
    }
  };
  // The context after iomap_dio_complete() returned and btrfs_direct_write() ran its retry test.
  const after = (w: BtrfsInodeWorld, c: BtrfsDirectWriteContext, efault: boolean): Partial<BtrfsDirectWriteContext> => {
    const r = P.complete(w, c, efault);
    // ki_pos moved by dio->size inside iomap_dio_complete(); the iterator is where the bios left it.
    const kiPos = r > 0 ? c.kiPos + P.dioSize(w, c) : c.kiPos;
    const written = r > 0 ? r : c.written;
    return { kiPos, written, bios: 0, ret: P.afterRetryTest(w, c, r) };
  };
  return setup({
    types: { context: {} as BtrfsDirectWriteContext, events: {} as Event },
    guards: {
      lockable: ({ event }) => btrfsInodeLockable(event.world, false),
      gupTakes: ({ event }) => iterCount(event.world, it) > 0 && iovIterGetPagesResult(event.world, it, iterCount(event.world, it)) > 0,
      gupFails: ({ event }) => iterCount(event.world, it) > 0,
      loopDone: ({ event }) => iterCount(event.world, it) === 0,
      stoppedFaultsIn: ({ context, event }) => P.faultsIn(event.world, context, P.complete(event.world, context, true)),
      // The unlock's own guards and the relock form's next step read ret after the retry test (in context).
      fallsBack: ({ context, event }) => P.falls(event.world, context.ret),
      stoppedFallsBack: ({ context, event }) => P.falls(event.world, P.afterRetryTest(event.world, context, P.complete(event.world, context, true))),
      faultInRuns: ({ event }) => faultInIovIterReadableResult(event.world, it, iterCount(event.world, it)) !== BLOCKED,
      bufferedRuns: ({ event }) =>
        btrfsInodeLockable(event.world, false) && faultInIovIterReadableResult(event.world, it, iterCount(event.world, it)) !== BLOCKED,
    },
    actions: {
      lockAndCheck: ({ event }) => btrfsInodeLock(event.world, false),
      iomapBegin: ({ context, event }) => {
        setIterNofault(event.world, it, true);
        extendISize(event.world, context.kiPos + iterCount(event.world, it)); // btrfs_get_blocks_direct_write()
      },
      getPages: ({ context, event }) => {
        const w = event.world;
        const pos = context.kiPos + P.dioSize(w, context);
        const n = iovIterGetPages(w, it, iterCount(w, it));
        writeBlocks(w, pos, n);
      },
      completeDone: ({ context, event }) => completeEffect(event.world, context, false, event.choice),
      completeStopped: ({ context, event }) => completeEffect(event.world, context, true, event.choice),
      afterDone: assign(({ context, event }) => after(event.world, context, false)),
      afterStopped: assign(({ context, event }) => after(event.world, context, true)),
      faultIn: ({ event }) => void faultInIovIterReadable(event.world, it, iterCount(event.world, it)),
      unlock: ({ event }) => btrfsInodeUnlock(event.world, false),
      bufferedWrite: ({ event }) => {
        const w = event.world;
        const n = P.bufferedCopies(w);
        btrfsInodeLock(w, false);
        const pos = w.iSize; // generic_write_checks(): IOCB_APPEND
        faultInIovIterReadable(w, it, iterCount(w, it));
        writeBlocks(w, pos, n);
        extendISize(w, pos + n);
        iovIterAdvance(w, it, n);
        btrfsInodeUnlock(w, false);
      },
    },
  }).createMachine({
    id: o.name ?? 'writer',
    initial: 'start',
    context: { kiPos: 0, written: 0, prevLeft: 0, bios: 0, ret: 0 },
    states: {
      start: {
        meta: { waitsFor: 'btrfs_inode_lock(): the inode lock' },
        on: {
          btrfsInodeLock: {
            guard: 'lockable',
            target: 'locked',
            // generic_write_checks() -> generic_write_checks_count(): IOCB_APPEND
            actions: [assign({ kiPos: ({ event }) => event.world.iSize }), 'lockAndCheck'],
            description: 'btrfs_inode_lock(); generic_write_checks()',
          },
        },
      },
      locked: {
        on: {
          btrfsDioIomapBegin: { target: 'mapped', actions: 'iomapBegin', description: 'btrfs_dio_write() -> btrfs_dio_iomap_begin()' },
        },
      },
      mapped: {
        on: {
          bioIovIterGetPages: [
            {
              guard: 'gupTakes',
              actions: [
                assign({
                  bios: ({ context, event }) => {
                    const w = event.world;
                    const n = iovIterGetPagesResult(w, it, iterCount(w, it));
                    const a = iterAddr(w, it);
                    return context.bios | (((1 << n) - 1) << a);
                  },
                }),
                'getPages',
              ],
              description: 'iomap_dio_bio_iter(): bio_iov_iter_get_pages()',
            },
            { guard: 'gupFails', target: 'stopped', description: 'iomap_dio_bio_iter(): -EFAULT' },
          ],
          // The loop ran to the end of the request: nothing left to fault in or to fall back for.
          iomapDioComplete: {
            guard: 'loopDone',
            target: relock ? 'done' : 'unlock',
            actions: ['completeDone', 'afterDone'],
            description: 'iomap_dio_complete()',
          },
        },
      },
      stopped: {
        on: {
          // A complete that does not fault in: the again form unlocks first; the relock form has already
          // unlocked and falls back to the buffered write or returns.
          iomapDioComplete: relock
            ? [
                { guard: 'stoppedFaultsIn', target: 'faultIn', actions: ['completeStopped', 'afterStopped'], description: 'iomap_dio_complete(): -EFAULT' },
                { guard: 'stoppedFallsBack', target: 'buffered', actions: ['completeStopped', 'afterStopped'], description: 'iomap_dio_complete(): -EFAULT' },
                { target: 'done', actions: ['completeStopped', 'afterStopped'], description: 'iomap_dio_complete(): -EFAULT' },
              ]
            : [
                { guard: 'stoppedFaultsIn', target: 'faultIn', actions: ['completeStopped', 'afterStopped'], description: 'iomap_dio_complete(): -EFAULT' },
                { target: 'unlock', actions: ['completeStopped', 'afterStopped'], description: 'iomap_dio_complete(): -EFAULT' },
              ],
        },
      },
      faultIn: {
        meta: { waitsFor: 'fault_in_iov_iter_readable(): a locked folio or a migration entry' },
        on: {
          faultInIovIterReadable: {
            guard: 'faultInRuns',
            target: relock ? 'start' : 'locked',
            actions: [assign({ prevLeft: ({ event }) => iterCount(event.world, it) }), 'faultIn'],
            description: relock ? 'fault_in_iov_iter_readable(); goto relock' : 'fault_in_iov_iter_readable(); goto again',
          },
        },
      },
      unlock: {
        on: {
          btrfsInodeUnlock: [
            { guard: 'fallsBack', target: 'buffered', actions: 'unlock', description: 'btrfs_inode_unlock(); buffered fallback' },
            { target: 'done', actions: 'unlock', description: 'btrfs_inode_unlock()' },
          ],
        },
      },
      buffered: {
        meta: { waitsFor: 'btrfs_buffered_write(): the inode lock, or a fault-in that would sleep' },
        on: {
          btrfsBufferedWrite: {
            guard: 'bufferedRuns',
            target: 'done',
            actions: [
              assign(({ context, event }) => {
                const n = P.bufferedCopies(event.world);
                const total = context.written + n;
                return { kiPos: event.world.iSize + n, ret: total > 0 ? total : DW_EFAULT };
              }),
              'bufferedWrite',
            ],
            description: 'btrfs_buffered_write()',
          },
        },
      },
      done: { type: 'final' },
    },
  });
}

/** Names for a `ret` field of domain -2..n. */
function retNames(n: number): string[] {
  return ['-ENOTBLK', '-EFAULT', ...Array.from({ length: n + 1 }, (_, i) => String(i))];
}

/** The writer actor (a thread). */
export function btrfsDirectWriteActor(m: Mmu, ino: BtrfsInode, it: IovIter, o: BtrfsDirectWriteOptions): ActorSpec<BtrfsDirectWriteContext, BtrfsInodeWorld> {
  assertShape(o, DIRECT_WRITE_OPTIONS, 'btrfsDirectWriteActor() options');
  const machine = btrfsDirectWriteMachine(m, ino, it, o);
  const P = parts(it, o.zeroProgress ?? 'efault');
  const N = it.total;
  const relock = o.retry === 'relock';
  const dsync = Boolean(o.dsync);
  const fmt = (r: number): string => (r === DW_EFAULT ? '-EFAULT' : r === DW_ENOTBLK ? '-ENOTBLK' : String(r));
  const pages = (w: BtrfsInodeWorld, n: number): string => {
    const a = iterAddr(w, it);
    return n <= 1 ? `p${a}` : `p${a}..p${a + n - 1}`;
  };
  // What btrfs_direct_write() does after iomap_dio_complete() returned r (the pre-state's iterator).
  const afterText = (w: BtrfsInodeWorld, c: BtrfsDirectWriteContext, r: number): string => {
    const t = P.afterRetryTest(w, c, r);
    if (P.faultsIn(w, c, r)) return `; ${iterCount(w, it)} left: fault in and retry`;
    const unlock = relock ? '' : '; btrfs_inode_unlock() next';
    if (t === DW_ENOTBLK) return `; left == prev_left: -ENOTBLK${unlock}${relock ? '; buffered fallback' : ''}`;
    if (!relock) return unlock;
    return P.falls(w, t) ? '; buffered fallback' : `; write() returns ${fmt(t > 0 ? t : c.written > 0 ? c.written : t)}`;
  };
  return {
    name: o.name ?? 'writer',
    machine,
    fields: {
      kiPos: int(0, ino.blocks),
      written: int(0, N),
      prevLeft: int(0, N),
      bios: int(0, (1 << m.pages) - 1),
      ret: { ...int(DW_ENOTBLK, N), names: retNames(N) },
    },
    choices: {
      // btrfs_sync_file(): logs the inode (0) or leaves through out_release_extents (1).
      iomapDioComplete: ({ context, event }) => (dsync && P.complete(event.world, context, iterCount(event.world, it) > 0) > 0 ? 2 : 1),
    },
    label: ({ context, event }) => {
      const w = event.world as BtrfsInodeWorld;
      const c = context;
      switch (event.type) {
        case 'btrfsInodeLock':
          return `btrfs_inode_lock(); generic_write_checks(): IOCB_APPEND, ki_pos = i_size_read() = ${w.iSize}`;
        case 'btrfsDioIomapBegin': {
          const end = c.kiPos + iterCount(w, it);
          const grow = end > w.iSize ? `, i_size_write(${end})` : '';
          return `from->nofault = true; btrfs_dio_write(ki_pos ${c.kiPos}, count ${iterCount(w, it)}, done_before ${c.written}) -> btrfs_dio_iomap_begin() -> btrfs_get_blocks_direct_write(): extent [${c.kiPos}, ${end})${grow}`;
        }
        case 'bioIovIterGetPages': {
          const n = iovIterGetPagesResult(w, it, iterCount(w, it));
          const pos = c.kiPos + P.dioSize(w, c);
          return n > 0
            ? `iomap_dio_bio_iter(): bio_iov_iter_get_pages(${pages(w, n)}, FOLL_NOFAULT) = ${n}; submit_bio() to block ${pos}${n > 1 ? `..${pos + n - 1}` : ''}`
            : `iomap_dio_bio_iter(): bio_iov_iter_get_pages(${pages(w, 1)}, FOLL_NOFAULT) = -EFAULT (page not present)`;
        }
        case 'iomapDioComplete': {
          const efault = iterCount(w, it) > 0;
          const r = P.complete(w, c, efault);
          const size = P.dioSize(w, c);
          const why =
            efault && size > 0
              ? ' (-EFAULT after progress: IOMAP_DIO_PARTIAL)'
              : efault && r === 0
                ? ' (no progress: btrfs_dio_iomap_end() = -ENOTBLK wins in iomap_iter(), __iomap_dio_rw() makes it 0)'
                : '';
          const head = `${relock ? 'btrfs_inode_unlock(); ' : ''}iomap_dio_complete() = ${fmt(r)}${why}`;
          let sync = '';
          if (dsync && r > 0) {
            if (relock) sync = '; btrfs_sync_file(): btrfs_inode_lock(BTRFS_ILOCK_MMAP) ... btrfs_inode_unlock()';
            else if (event.choice === 0) sync = '; btrfs_sync_file() (skip_ilock): down_write(i_mmap_lock), logs the inode, up_write(i_mmap_lock)';
            else
              sync =
                o.syncUnlock === 'inode'
                  ? '; btrfs_sync_file() (skip_ilock): down_write(i_mmap_lock), nothing to log: out_release_extents: btrfs_inode_unlock(BTRFS_ILOCK_MMAP) releases i_mmap_lock and i_rwsem'
                  : '; btrfs_sync_file() (skip_ilock): down_write(i_mmap_lock), nothing to log: out_release_extents: up_write(i_mmap_lock)';
          }
          return head + sync + afterText(w, c, r);
        }
        case 'faultInIovIterReadable':
          return `fault_in_iov_iter_readable(${pages(w, iterCount(w, it))}) = ${faultInIovIterReadableResult(w, it, iterCount(w, it))}; prev_left = ${iterCount(w, it)}; goto ${relock ? 'relock' : 'again'}`;
        case 'btrfsInodeUnlock': {
          const fall = P.falls(w, c.ret) ? '; buffered fallback' : `; write() returns ${fmt(c.ret === DW_ENOTBLK ? c.written : c.ret)}`;
          return `btrfs_inode_unlock()${w.iRwsem === 0 ? ' of an inode lock that is not held' : ''}${fall}`;
        }
        case 'btrfsBufferedWrite': {
          const n = P.bufferedCopies(w);
          return `btrfs_buffered_write(): btrfs_inode_lock(); generic_write_checks(): IOCB_APPEND, ki_pos = i_size_read() = ${w.iSize}; copies ${n} to block ${w.iSize}${n > 1 ? `..${w.iSize + n - 1}` : ''}; btrfs_inode_unlock(); write() returns ${c.written + n > 0 ? c.written + n : '-EFAULT'}`;
        }
        default:
          return event.type;
      }
    },
  };
}
