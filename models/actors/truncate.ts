/**
 * Truncate or hole punch of a file's page cache (models/pagecache/truncate.ts), the way a filesystem's
 * ->setattr() / ->fallocate(FALLOC_FL_PUNCH_HOLE) drives it (ext4_setattr(), ext4_punch_hole(); XFS alike):
 *
 *   filemap_invalidate_lock(mapping);        // v5.15 (730633f0b7f9); ext4 v4.5 - v5.14: down_write(i_mmap_sem)
 *   i_size_write(inode, newsize);            // truncate only: truncate_setsize()
 *   truncate_pagecache[_range]():
 *     unmap_mapping_range(mapping, start, len, 0);
 *     truncate_inode_pages_range(mapping, start, end):
 *       for each folio in the range: folio_lock(); truncate_inode_folio() (unmap_mapping_folio(),
 *         filemap_remove_folio(): folio->mapping = NULL); folio_unlock();
 *   free the blocks (ext4_ext_remove_space() / ext4_truncate());
 *   filemap_invalidate_unlock(mapping);
 *
 * Option `invalidateLock`: false is a filesystem with no such lock (ext4 before ea3d7209ca01, v4.5: the
 * punch ran under i_mutex alone, which faults never take); `lockName` names the lock in labels (ext4's
 * i_mmap_sem before v5.15). Steps: `filemapInvalidateLock`, `iSizeWrite`, `unmapMappingRange`, `folioLock`
 * (one per cached folio of the range; sleeps while it is locked), `noFolio` (find_lock_entries() finds no
 * folio at the index), `truncateInodeFolio` (folio_wait_writeback() - it sleeps while the folio is under
 * writeback, with a fragment built with `writeback` - then the removal and folio_unlock()), `freeBlocks`,
 * `filemapInvalidateUnlock`. Not modelled: partial folios.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { pcFolioCached, pcFolioLock, pcFolioLocked, pcFolioUnlock, pcFreeBlocks } from '../pagecache/folio.js';
import {
  invalidateLock,
  invalidateLockOk,
  invalidateUnlock,
  iSizeWrite,
  pcFolioWriteback,
  truncateInodeFolio,
  unmapMappingRange,
  type Truncate,
  type TruncateWorld,
} from '../pagecache/truncate.js';

export interface TruncateActorOptions {
  /** Column name in traces. Default 'punch' or 'truncate'. */
  readonly name?: string;
  /** 'truncate': i_size shrinks to `from` and every folio from there goes; 'punch': the folios [from, to) go, i_size stays. */
  readonly op: 'truncate' | 'punch';
  /** First folio index removed. */
  readonly from: number;
  /** End of a punched range (exclusive; default from + 1); a truncate always runs to the end of the file. */
  readonly to?: number;
  /** Takes the invalidate lock exclusive around the whole operation. */
  readonly invalidateLock: boolean;
  /** The lock's name in labels. Default 'invalidate_lock'. */
  readonly lockName?: string;
}

/** Every option of truncateMachine and truncateActor: a key not listed is a typo, refused rather than left at its default. */
const TRUNCATE_OPTIONS: Shape<TruncateActorOptions> = {
  name: 'string',
  op: 'checked',
  from: 'checked',
  to: 'checked',
  invalidateLock: 'boolean',
  lockName: 'string',
};

interface Ctx {
  /** The next folio index truncate_inode_pages_range() handles. */
  idx: number;
}

type Event = StepEvent<
  'filemapInvalidateLock' | 'iSizeWrite' | 'unmapMappingRange' | 'folioLock' | 'noFolio' | 'truncateInodeFolio' | 'freeBlocks' | 'filemapInvalidateUnlock',
  TruncateWorld
>;

function range(t: Truncate, o: TruncateActorOptions): { from: number; to: number } {
  const F = t.pc.folios;
  if (o.op !== 'truncate' && o.op !== 'punch') throw new RangeError(`truncate: op '${String(o.op)}' is not truncate or punch`);
  const to = o.op === 'truncate' ? F : (o.to ?? o.from + 1);
  if (!Number.isInteger(o.from) || !Number.isInteger(to) || o.from < 0 || o.from >= to || to > F)
    throw new RangeError(`truncate: the range [${o.from}, ${to}) is not inside the file's ${F} folios`);
  return { from: o.from, to };
}

export function truncateMachine(t: Truncate, o: TruncateActorOptions) {
  assertShape(o, TRUNCATE_OPTIONS, 'truncateMachine() options');
  const { from, to } = range(t, o);
  const pc = t.pc;
  const initial = o.invalidateLock ? 'start' : o.op === 'truncate' ? 'setSize' : 'unmap';
  return setup({
    types: { context: {} as Ctx, events: {} as Event },
    guards: {
      lockable: ({ event }) => invalidateLockOk(event.world),
      folioToLock: ({ context, event }) => context.idx < to && pcFolioCached(event.world, pc, context.idx) && !pcFolioLocked(event.world, pc, context.idx),
      noFolio: ({ context, event }) => context.idx < to && !pcFolioCached(event.world, pc, context.idx),
      rangeDone: ({ context }) => context.idx === to,
      noWriteback: ({ context, event }) => !pcFolioWriteback(event.world, t, context.idx),
    },
    actions: {
      lock: ({ event }) => invalidateLock(event.world),
      unlock: ({ event }) => invalidateUnlock(event.world),
      setSize: ({ event }) => iSizeWrite(event.world, t, from),
      unmap: ({ event }) => unmapMappingRange(event.world, from, to),
      folioLock: ({ context, event }) => pcFolioLock(event.world, pc, context.idx),
      truncateFolio: ({ context, event }) => {
        truncateInodeFolio(event.world, t, context.idx);
        pcFolioUnlock(event.world, pc, context.idx);
      },
      freeBlocks: ({ event }) => {
        for (let f = from; f < to; f++) pcFreeBlocks(event.world, pc, f);
      },
    },
  }).createMachine({
    id: o.name ?? o.op,
    initial,
    context: { idx: from },
    states: {
      start: {
        meta: { waitsFor: `${o.lockName ?? 'invalidate_lock'} (down_write): a reader holds it` },
        on: {
          filemapInvalidateLock: {
            guard: 'lockable',
            target: o.op === 'truncate' ? 'setSize' : 'unmap',
            actions: 'lock',
            description: 'filemap_invalidate_lock()',
          },
        },
      },
      setSize: { on: { iSizeWrite: { target: 'unmap', actions: 'setSize', description: 'truncate_setsize(): i_size_write()' } } },
      unmap: { on: { unmapMappingRange: { target: 'scan', actions: 'unmap', description: 'unmap_mapping_range()' } } },
      scan: {
        meta: { waitsFor: 'folio_lock(): the folio is locked' },
        on: {
          folioLock: { guard: 'folioToLock', target: 'locked', actions: 'folioLock', description: 'truncate_inode_pages_range(): folio_lock()' },
          noFolio: {
            guard: 'noFolio',
            target: 'scan',
            actions: assign({ idx: ({ context }) => context.idx + 1 }),
            description: 'find_lock_entries(): no folio',
          },
          freeBlocks: {
            guard: 'rangeDone',
            target: o.invalidateLock ? 'freed' : 'done',
            actions: 'freeBlocks',
            description: 'the filesystem frees the blocks',
          },
        },
      },
      locked: {
        meta: { waitsFor: 'folio_wait_writeback(): the folio is under writeback' },
        on: {
          truncateInodeFolio: {
            guard: 'noWriteback',
            target: 'scan',
            actions: ['truncateFolio', assign({ idx: ({ context }) => context.idx + 1 })],
            description: 'truncate_inode_folio(); folio_unlock()',
          },
        },
      },
      freed: { on: { filemapInvalidateUnlock: { target: 'done', actions: 'unlock', description: 'filemap_invalidate_unlock()' } } },
      done: { type: 'final' },
    },
  });
}

/** Truncate or hole punch as a thread (weakly fair: the syscall runs to its end). */
export function truncateActor(t: Truncate, o: TruncateActorOptions): ActorSpec<Ctx, TruncateWorld> {
  assertShape(o, TRUNCATE_OPTIONS, 'truncateActor() options');
  const { from, to } = range(t, o);
  const lock = o.lockName ?? 'invalidate_lock';
  const call = o.op === 'truncate' ? `truncate(${from})` : `fallocate(PUNCH_HOLE, folios ${from}..${to - 1})`;
  return {
    name: o.name ?? o.op,
    machine: truncateMachine(t, o),
    fields: { idx: int(0, t.pc.folios) },
    label: ({ context, event }) => {
      const c = context as Ctx;
      switch (event.type) {
        case 'filemapInvalidateLock':
          return `${call}: down_write(${lock})`;
        case 'iSizeWrite':
          return `truncate_setsize(): i_size_write(${from} folios)`;
        case 'unmapMappingRange':
          return `unmap_mapping_range(folios ${from}..${to - 1})`;
        case 'folioLock':
          return `truncate_inode_pages_range(): folio_lock(folio ${c.idx})`;
        case 'noFolio':
          return `truncate_inode_pages_range(): no folio at index ${c.idx}`;
        case 'truncateInodeFolio':
          return `${t.writeback ? 'folio_wait_writeback(); ' : ''}truncate_inode_folio(folio ${c.idx}): filemap_remove_folio(), folio->mapping = NULL; folio_unlock()`;
        case 'freeBlocks':
          return `${o.op === 'truncate' ? 'ext4_truncate()' : 'ext4_ext_remove_space()'}: the blocks of folios ${from}..${to - 1} are freed`;
        case 'filemapInvalidateUnlock':
          return `up_write(${lock})`;
        default:
          return event.type;
      }
    },
  };
}
