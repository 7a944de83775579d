/**
 * Munmap: the `Munmap` environment agent - another user thread that unmaps
 * part of the buffer a syscall is copying to or from (Al Viro's dynamic counterexample to the fault-in partial-success rule: "the pages might
 * get unmapped right as your function returns"). Each call takes one user page away:
 * - op 'munmap' (default): munmap() - __do_munmap() / do_vmi_align_munmap() under mmap_write_lock(): the VMA
 *   goes (vma := NONE) and unmap_region() zaps the PTE (`munmapPage` of models/mmu/env.ts).
 * - op 'madvDontneed': madvise(MADV_DONTNEED) - zap_page_range_single() under mmap_read_lock(): the VMA
 *   stays, the PTE goes (`zapPage`), so the next access faults the page back in.
 * Pins and references stay on the folio (a pinned folio outlives its mapping).
 *
 * It acts only finitely often: an environment actor whose budget counts calls. With `mmapOwner` (an owner
 * index of an MMU built with `mmapLock`), a munmap call is three steps - mmap_write_lock() (queue, then
 * take it once no reader holds it), the unmap, mmap_write_unlock() - so a fault that needs mmap_lock waits
 * for it; the call costs its budget unit at the lock step. Without `mmapOwner` a call is one atomic step.
 * MADV_DONTNEED takes mmap_read_lock(): with `mmapOwner` it is lock, zap, unlock likewise.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { PTE_ABSENT, VMA_NONE } from '../mmu/constants.js';
import { munmapPage, zapPage } from '../mmu/env.js';
import type { MmuWorld } from '../mmu/world.js';
import { mmapLockedEnv } from './mmapLockedEnv.js';

export interface MunmapOptions {
  /** Column name in traces. Default 'munmap'. */
  readonly name?: string;
  /** Calls it may make in one run. */
  readonly budget: number;
  /** The pages it may unmap, one per call (default: every page). */
  readonly pages?: readonly number[];
  /** 'munmap' (default) or 'madvDontneed'. */
  readonly op?: 'munmap' | 'madvDontneed';
  /** Its mmap_lock owner index (the MMU needs `mmapLock`); without it a call is one atomic step. */
  readonly mmapOwner?: number;
}

/** Every option of munmapMachine and munmapActor: a key not listed is a typo, refused rather than left at its default. */
const MUNMAP_OPTIONS: Shape<MunmapOptions> = { name: 'string', budget: 'number', pages: 'array', op: 'checked', mmapOwner: 'number' };

type MunmapEvent = StepEvent<'munmap' | 'mmapLock' | 'mmapLockAcquired' | 'mmapUnlock', MmuWorld>;

export function envPageList(m: Mmu, pages: readonly number[] | undefined, who: string): Int32Array {
  const list = pages ?? Array.from({ length: m.pages }, (_, p) => p);
  if (list.length === 0) throw new RangeError(`${who}: no pages`);
  for (const p of list)
    if (!Number.isInteger(p) || p < 0 || p >= m.pages) throw new RangeError(`${who}: page ${p} is not a page of the MMU (0..${m.pages - 1})`);
  return Int32Array.from(list);
}

/** The munmap / MADV_DONTNEED machine; its context is empty. */
export function munmapMachine(m: Mmu, options: MunmapOptions) {
  assertShape(options, MUNMAP_OPTIONS, 'munmapMachine() options');
  const op = options.op ?? 'munmap';
  if (op !== 'munmap' && op !== 'madvDontneed') throw new RangeError(`munmap: op '${String(op)}' is not 'munmap' or 'madvDontneed'`);
  const pages = envPageList(m, options.pages, 'munmap');
  const write = op === 'munmap';
  const env = mmapLockedEnv(m, {
    who: 'munmap',
    owner: options.mmapOwner,
    write,
    lockEvent: 'mmapLock',
    event: 'munmap',
    action: 'unmap',
    description: write ? 'munmap()' : 'madvise(MADV_DONTNEED)',
    changes: 'mapped',
  });
  const can = (w: MmuWorld, choice: number): boolean => {
    const p = pages[choice]!;
    return write ? w.vma[p] !== VMA_NONE : w.pte[p] !== PTE_ABSENT;
  };
  // Under mmap_lock the call always completes (an already unmapped page is a no-op, as in the kernel), so
  // the actor never sits on the lock; as one atomic step it is offered only when it changes something.
  const apply = (w: MmuWorld, choice: number): void => {
    const p = pages[choice]!;
    if (write) munmapPage(w, m, p);
    else zapPage(w, m, p);
  };
  return setup({
    types: { context: {} as Record<string, never>, events: {} as MunmapEvent },
    guards: {
      mapped: ({ event }) => can(event.world, event.choice),
      ...env.guards,
    },
    actions: {
      unmap: ({ event }) => apply(event.world, event.choice),
      ...env.actions,
    },
  }).createMachine({ id: options.name ?? 'munmap', initial: 'idle', context: {}, states: env.states });
}

/** The munmap actor: an environment with `budget` calls. */
export function munmapActor(m: Mmu, options: MunmapOptions): ActorSpec<Record<string, never>, MmuWorld> {
  assertShape(options, MUNMAP_OPTIONS, 'munmapActor() options');
  const pages = envPageList(m, options.pages, 'munmap');
  const write = (options.op ?? 'munmap') === 'munmap';
  const locked = options.mmapOwner !== undefined;
  return {
    name: options.name ?? 'munmap',
    kind: 'environment',
    budget: options.budget,
    machine: munmapMachine(m, options),
    fields: {},
    choices: { munmap: pages.length },
    // One budget unit per call: at the lock step when the call is three steps, else at the unmap.
    cost: locked ? { mmapLock: 1, mmapLockAcquired: 0, munmap: 0, mmapUnlock: 0 } : { munmap: 1 },
    label: ({ event }, description) => {
      if (event.type !== 'munmap') return description ?? event.type;
      const p = pages[event.choice]!;
      return write ? `munmap(p${p})` : `madvise(p${p}, MADV_DONTNEED)`;
    },
  };
}
