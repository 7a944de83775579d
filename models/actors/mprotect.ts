/**
 * Mprotect: the `Mprotect` environment agent - another user thread that
 * changes the protection of part of the buffer a syscall is using. Each call sets one page's VMA
 * permission: mprotect() -> mprotect_fixup() -> change_protection() under mmap_write_lock(), which
 * write-protects present PTEs (and migration entries) when write permission goes away; PROT_NONE keeps the
 * translation and makes every access fail the VMA check (`mprotectPage` of models/mmu/env.ts).
 *
 * It acts only finitely often: an environment actor whose budget counts calls. One outcome per (page,
 * target permission) pair; a call that would not change the page's permission is not offered. With
 * `mmapOwner` (an MMU built with `mmapLock`) a call is three steps: mmap_write_lock() (queue, take),
 * the change, mmap_write_unlock(); the budget unit is spent at the lock step.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { VMA_NAMES, type VmaName } from '../mmu/constants.js';
import { mprotectPage } from '../mmu/env.js';
import type { MmuWorld } from '../mmu/world.js';
import { mmapLockedEnv } from './mmapLockedEnv.js';
import { envPageList } from './munmap.js';

export interface MprotectOptions {
  /** Column name in traces. Default 'mprotect'. */
  readonly name?: string;
  /** Calls it may make in one run. */
  readonly budget: number;
  /** The pages it may change (default: every page). */
  readonly pages?: readonly number[];
  /** The permissions it may set (default: NONE, RO and RW). */
  readonly to?: readonly VmaName[];
  /** Its mmap_lock owner index (the MMU needs `mmapLock`); without it a call is one atomic step. */
  readonly mmapOwner?: number;
}

/** Every option of mprotectMachine and mprotectActor: a key not listed is a typo, refused rather than left at its default. */
const MPROTECT_OPTIONS: Shape<MprotectOptions> = { name: 'string', budget: 'number', pages: 'array', to: 'array', mmapOwner: 'number' };

/** PROT_* of each VMA permission, for labels. */
export const PROT_NAMES = ['PROT_NONE', 'PROT_READ', 'PROT_READ|PROT_WRITE'] as const;

type MprotectEvent = StepEvent<'mprotect' | 'mmapWriteLock' | 'mmapLockAcquired' | 'mmapUnlock', MmuWorld>;

function targets(options: MprotectOptions): Int32Array {
  const to = options.to ?? VMA_NAMES;
  if (to.length === 0) throw new RangeError('mprotect: no target permissions');
  return Int32Array.from(to, (v) => {
    const i = VMA_NAMES.indexOf(v);
    if (i < 0) throw new RangeError(`mprotect: permission '${v}' is not one of ${VMA_NAMES.join(', ')}`);
    return i;
  });
}

/** The mprotect machine; its context is empty. Choice c = page index c / targets, target c % targets. */
export function mprotectMachine(m: Mmu, options: MprotectOptions) {
  assertShape(options, MPROTECT_OPTIONS, 'mprotectMachine() options');
  const pages = envPageList(m, options.pages, 'mprotect');
  const to = targets(options);
  const page = (c: number): number => pages[(c / to.length) | 0]!;
  const target = (c: number): number => to[c % to.length]!;
  const env = mmapLockedEnv(m, {
    who: 'mprotect',
    owner: options.mmapOwner,
    write: true,
    lockEvent: 'mmapWriteLock',
    event: 'mprotect',
    action: 'mprotect',
    description: 'mprotect()',
    changes: 'changes',
  });
  return setup({
    types: { context: {} as Record<string, never>, events: {} as MprotectEvent },
    guards: {
      changes: ({ event }) => event.world.vma[page(event.choice)] !== target(event.choice),
      ...env.guards,
    },
    actions: {
      mprotect: ({ event }) => mprotectPage(event.world, m, page(event.choice), target(event.choice)),
      ...env.actions,
    },
  }).createMachine({ id: options.name ?? 'mprotect', initial: 'idle', context: {}, states: env.states });
}

/** The mprotect actor: an environment with `budget` calls. */
export function mprotectActor(m: Mmu, options: MprotectOptions): ActorSpec<Record<string, never>, MmuWorld> {
  assertShape(options, MPROTECT_OPTIONS, 'mprotectActor() options');
  const pages = envPageList(m, options.pages, 'mprotect');
  const to = targets(options);
  return {
    name: options.name ?? 'mprotect',
    kind: 'environment',
    budget: options.budget,
    machine: mprotectMachine(m, options),
    fields: {},
    choices: { mprotect: pages.length * to.length },
    cost: options.mmapOwner !== undefined ? { mmapWriteLock: 1, mmapLockAcquired: 0, mprotect: 0, mmapUnlock: 0 } : { mprotect: 1 },
    label: ({ event }, description) => {
      if (event.type !== 'mprotect') return description ?? event.type;
      const p = pages[(event.choice / to.length) | 0]!;
      return `mprotect(p${p}, ${PROT_NAMES[to[event.choice % to.length]!]})`;
    },
  };
}
