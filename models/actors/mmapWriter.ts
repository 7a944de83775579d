/**
 * An mmap_lock writer changing the VMA of page 0 (models/mm/vmaLock.ts) while another thread faults on
 * it: an environment actor whose budget counts calls; each call picks one operation (a choice at its
 * mmap_write_lock() step, among `ops`):
 *
 *   fork    dup_mmap() (kernel/fork.c) on the parent: mmap_write_lock(oldmm), then per VMA anon_vma_fork()
 *           and copy_page_range(), which write-protects the parent's anonymous PTEs for COW. From
 *           fb49c455323f ("fork: lock VMAs of the parent process when forking", v6.5-rc1, stable 6.4.3;
 *           the bug Jacob Young reported as memory corruption, https://bugzilla.kernel.org/show_bug.cgi?id=217624)
 *           it vma_start_write()s every parent VMA first ("Disallow any page faults before calling
 *           flush_cache_dup_mm"); v6.4 .. 6.4.2 did not (`forkLocksVma: false`), and CONFIG_PER_VMA_LOCK
 *           was switched off meanwhile (f96c48670319);
 *   mremap  mremap(MREMAP_DONTUNMAP) -> move_vma(): vma_start_write(), move_page_tables() (the PTE moves to
 *           the new VMA), unlink_anon_vmas() on the old VMA, which stays mapped without an anon_vma;
 *   munmap  do_vmi_align_munmap(): vma_start_write(), vma_mark_detached(), unmap_region() (the VMA goes).
 *
 * Steps per call: `mmapWriteLock` (choice: the op; costs the call), `vmaStartWrite` (waits for the VMA's
 * readers; skipped by fork without `forkLocksVma`), the change (`dupMmap` / `moveVma` / `munmapVma`), and
 * `mmapWriteUnlock` (vma_end_write_all(): mm_lock_seq++, up_write()). Between the change and the unlock
 * the VMA counts as being changed (`vmaChanging`).
 */
import { assign, setup } from 'xstate';
import { assertShape, enumOf, shown, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { PTE_PRESENT_RO, PTE_PRESENT_RW } from '../mmu/constants.js';
import { munmapPage, zapPage } from '../mmu/env.js';
import { mmapWriteLock, mmapWriteLockable } from '../mmu/mmapLock.js';
import { vmaBeginChange, vmaEndChange, vmaMmapWriteUnlock, vmaStartWrite, vmaStartWriteOk, type VmaLock, type VmaLockWorld } from '../mm/vmaLock.js';

export const MMAP_WRITER_OPS = ['fork', 'mremap', 'munmap'] as const;
export type MmapWriterOp = (typeof MMAP_WRITER_OPS)[number];

export interface MmapWriterOptions {
  /** Column name in traces. Default 'writer'. */
  readonly name?: string;
  /** Calls it may make (each one mmap_lock write session). */
  readonly budget: number;
  /** Its mmap_lock owner index. */
  readonly mmapOwner: number;
  /** The operations a call may be (default all three). */
  readonly ops?: readonly MmapWriterOp[];
  /** dup_mmap() vma_start_write()s the parent's VMAs (fb49c455323f). Default true. */
  readonly forkLocksVma?: boolean;
}

/** Every option of mmapWriterMachine and mmapWriterActor: a key not listed is a typo, refused rather than left at its default. */
const MMAP_WRITER_OPTIONS: Shape<MmapWriterOptions> = { name: 'string', budget: 'checked', mmapOwner: 'checked', ops: 'array', forkLocksVma: 'boolean' };

export interface MmapWriterContext {
  /** The operation of the call in progress (index into MMAP_WRITER_OPS). */
  op: number;
}

type Event = StepEvent<'mmapWriteLock' | 'vmaStartWrite' | 'dupMmap' | 'moveVma' | 'munmapVma' | 'mmapWriteUnlock', VmaLockWorld>;

function opList(o: MmapWriterOptions): Int32Array {
  const ops = o.ops ?? MMAP_WRITER_OPS;
  if (ops.length === 0) throw new RangeError('mmap writer: no ops');
  return Int32Array.from(
    ops.map((op) => {
      const i = MMAP_WRITER_OPS.indexOf(op);
      if (i < 0) throw new RangeError(`mmap writer: op '${String(op)}' is not ${MMAP_WRITER_OPS.join(', ')}`);
      return i;
    }),
  );
}

export function mmapWriterMachine(v: VmaLock, o: MmapWriterOptions) {
  assertShape(o, MMAP_WRITER_OPTIONS, 'mmapWriterMachine() options');
  const ops = opList(o);
  const owner = o.mmapOwner;
  if (!Number.isInteger(owner) || owner < 0 || owner >= v.mmu.mmapOwners)
    throw new RangeError(`mmap writer: mmapOwner ${shown(owner)} is not an owner of the MMU's mmap_lock (0..${v.mmu.mmapOwners - 1})`);
  const locksVma = (op: number): boolean => MMAP_WRITER_OPS[op] !== 'fork' || o.forkLocksVma !== false;
  // The VMA still exists (a call after munmap has nothing to change) and nobody holds mmap_lock.
  const lockable = (w: VmaLockWorld): boolean => w.vmaDetached === 0 && mmapWriteLockable(w, v.mmu);
  const is =
    (name: MmapWriterOp) =>
    ({ context }: { context: MmapWriterContext }) =>
      MMAP_WRITER_OPS[context.op] === name;
  return setup({
    types: { context: {} as MmapWriterContext, events: {} as Event },
    guards: {
      lockable: ({ event }) => lockable(event.world),
      lockableLocksVma: ({ event }) => lockable(event.world) && locksVma(ops[event.choice]!),
      startWriteOk: ({ event }) => vmaStartWriteOk(event.world),
      fork: is('fork'),
      mremap: is('mremap'),
      munmap: is('munmap'),
    },
    actions: {
      lock: ({ event }) => mmapWriteLock(event.world, v.mmu, owner),
      startWrite: ({ event }) => vmaStartWrite(event.world, v, owner),
      beginChange: ({ event }) => vmaBeginChange(event.world),
      // copy_page_range() -> copy_present_pte(): a writable private PTE becomes read-only in the parent.
      copyPageRange: ({ event }) => {
        const w = event.world;
        if (w.pte[0] === PTE_PRESENT_RW) w.pte[0] = PTE_PRESENT_RO;
      },
      // move_page_tables(): the PTE goes to the new VMA; unlink_anon_vmas(): the old VMA loses its anon_vma.
      moveVma: ({ event }) => {
        zapPage(event.world, v.mmu, 0);
        event.world.vmaAnonVma = 0;
      },
      // vma_mark_detached(); unmap_region().
      munmapVma: ({ event }) => {
        event.world.vmaDetached = 1;
        munmapPage(event.world, v.mmu, 0);
      },
      unlock: ({ event }) => {
        vmaEndChange(event.world);
        vmaMmapWriteUnlock(event.world, v, owner);
      },
    },
  }).createMachine({
    id: o.name ?? 'writer',
    initial: 'idle',
    context: { op: 0 },
    states: {
      idle: {
        meta: { waitsFor: 'mmap_write_lock(): mmap_lock held' },
        on: {
          mmapWriteLock: [
            {
              guard: 'lockableLocksVma',
              target: 'locked',
              actions: [assign({ op: ({ event }) => ops[event.choice]! }), 'lock'],
              description: 'mmap_write_lock()',
            },
            {
              guard: 'lockable',
              target: 'writeLocked',
              actions: [assign({ op: ({ event }) => ops[event.choice]! }), 'lock'],
              description: 'mmap_write_lock()',
            },
          ],
        },
      },
      locked: {
        meta: { waitsFor: 'vma_start_write(): the VMA read lock held by a fault' },
        on: { vmaStartWrite: { guard: 'startWriteOk', target: 'writeLocked', actions: 'startWrite', description: 'vma_start_write()' } },
      },
      writeLocked: {
        on: {
          dupMmap: { guard: 'fork', target: 'changing', actions: ['beginChange', 'copyPageRange'], description: 'dup_mmap(): copy_page_range()' },
          moveVma: {
            guard: 'mremap',
            target: 'changing',
            actions: ['beginChange', 'moveVma'],
            description: 'move_vma(): move_page_tables(); unlink_anon_vmas()',
          },
          munmapVma: { guard: 'munmap', target: 'changing', actions: ['beginChange', 'munmapVma'], description: 'vma_mark_detached(); unmap_region()' },
        },
      },
      changing: { on: { mmapWriteUnlock: { target: 'idle', actions: 'unlock', description: 'mmap_write_unlock(): vma_end_write_all()' } } },
    },
  });
}

/** The writer: an environment actor with `budget` calls (each pays its unit at mmap_write_lock()). */
export function mmapWriterActor(v: VmaLock, o: MmapWriterOptions): ActorSpec<MmapWriterContext, VmaLockWorld> {
  assertShape(o, MMAP_WRITER_OPTIONS, 'mmapWriterActor() options');
  const ops = opList(o);
  if (!Number.isInteger(o.budget) || o.budget < 1 || o.budget > v.writes)
    throw new RangeError(`mmap writer: budget ${o.budget} is not 1..${v.writes} (the VMA lock's writes)`);
  return {
    name: o.name ?? 'writer',
    kind: 'environment',
    budget: o.budget,
    machine: mmapWriterMachine(v, o),
    fields: { op: enumOf(MMAP_WRITER_OPS) },
    choices: { mmapWriteLock: ops.length },
    cost: { mmapWriteLock: 1, vmaStartWrite: 0, dupMmap: 0, moveVma: 0, munmapVma: 0, mmapWriteUnlock: 0 },
    label: ({ context, event }) => {
      const w = event.world as VmaLockWorld;
      switch (event.type) {
        case 'mmapWriteLock': {
          const op = MMAP_WRITER_OPS[ops[event.choice]!]!;
          const call = op === 'fork' ? 'fork(): dup_mmap()' : op === 'mremap' ? 'mremap(MREMAP_DONTUNMAP)' : 'munmap()';
          return `${call}: mmap_write_lock()`;
        }
        case 'vmaStartWrite':
          return `vma_start_write(): vm_lock_seq = mm_lock_seq = ${w.mmLockSeq}`;
        case 'dupMmap':
          return `dup_mmap(): ${o.forkLocksVma === false ? 'no vma_start_write(); ' : ''}anon_vma_fork(); copy_page_range()${w.pte[0] === PTE_PRESENT_RW ? " write-protects the parent's PTE for COW" : ''}`;
        case 'moveVma':
          return 'move_vma(): move_page_tables(); unlink_anon_vmas(): vma->anon_vma = NULL';
        case 'munmapVma':
          return 'do_vmi_align_munmap(): vma_mark_detached(); unmap_region()';
        case 'mmapWriteUnlock':
          return `mmap_write_unlock(): vma_end_write_all(): mm_lock_seq = ${w.mmLockSeq + 1}${MMAP_WRITER_OPS[context.op] === 'fork' ? '; fork() returns' : ''}`;
        default:
          return event.type;
      }
    },
  };
}
