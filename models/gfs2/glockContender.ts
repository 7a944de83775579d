/**
 * The glock contender (CPU1 of gfs2-mmap-deadlock): another process - or, with
 * `invalidate`, another cluster node - that wants the inode glock in a conflicting state, takes it and
 * releases it again, `requests` times. Each request is gfs2_glock_nq() (queued behind the holders already
 * there: no barging), gfs2_glock_wait() once do_promote() granted it, then gfs2_glock_dq().
 *
 * A local writer (write(F) in gfs2_file_buffered_write() wants EX) only queues. A remote node's request
 * reaches this node as a demote callback: before the remote EX is granted the local glock is demoted and
 * inode_go_inval() -> truncate_inode_pages() drops the page cache of the inode, which unmaps every user
 * page mapped from it (unmap_mapping_range()): `invalidate` lists those user pages (buf = mmap(F)); their
 * PTEs are zapped when the contender's grant takes effect. That is the glock being stolen from the reader: every theft can
 * send the reader back to fault its buffer in again.
 *
 * As a thread (default) it is weakly fair and must finish its requests; as an environment each request
 * costs one budget unit (it acts finitely often, and never counts as blocked).
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { zapPage } from '../mmu/env.js';
import type { MmuWorld } from '../mmu/world.js';
import { oneOf } from '../options.js';
import {
  GLOCK_GRANTED,
  GLOCK_RECURSIVE,
  glockDq,
  glockGranted,
  glockHolder,
  glockNq,
  glockNqOutcome,
  glockWaitsFor,
  LM_ST_NAMES,
  type Glock,
} from './glock.js';

export interface GlockContenderOptions {
  /** Column name in traces. Default 'CPU1'. */
  readonly name?: string;
  readonly glock: Glock;
  /** The name of its holder slot in the glock. */
  readonly holder: string;
  /** How many times it takes and releases the glock (thread) / its budget (environment). Default 1. */
  readonly requests?: number;
  /** 'thread' (default) or 'environment'. */
  readonly kind?: 'thread' | 'environment';
  /** A remote node: the MMU and the user pages mapped from the inode whose PTEs its grant zaps. */
  readonly invalidate?: { readonly mmu: Mmu; readonly pages: readonly number[] };
}

/** Every option of glockContenderMachine and glockContenderActor: a key not listed is a typo, refused rather than left at its default. */
const CONTENDER_OPTIONS: Shape<GlockContenderOptions> = {
  name: 'string',
  glock: 'object',
  holder: 'string',
  requests: 'checked',
  kind: 'checked',
  invalidate: 'object',
};

type Ctx = { left: number };
type Ev = StepEvent<'glockNq' | 'glockWait' | 'glockDq', MmuWorld>;

/** The contender's machine; context `left`: requests still to make (thread form). */
export function glockContenderMachine(options: GlockContenderOptions) {
  assertShape(options, CONTENDER_OPTIONS, 'glockContenderMachine() options');
  const g = options.glock;
  const h = glockHolder(g, options.holder);
  const requests = options.requests ?? 1;
  const env = oneOf('glock contender', 'kind', options.kind, ['thread', 'environment'], 'thread') === 'environment';
  if (!Number.isInteger(requests) || requests < 1) throw new RangeError(`glock contender: requests must be 1 or more, not ${requests}`);
  const inv = options.invalidate;
  const invalidate = (w: MmuWorld): void => {
    if (!inv) return;
    for (const p of inv.pages) zapPage(w, inv.mmu, p);
  };
  const mode = LM_ST_NAMES[g.holderState[h]!];
  const nqDesc = `gfs2_glock_nq(${mode})`;
  const grantDesc = inv ? `gfs2_glock_wait(): ${mode} granted; inode_go_inval() unmaps the page cache` : `gfs2_glock_wait(): ${mode} granted`;
  return setup({
    types: { context: {} as Ctx, events: {} as Ev },
    guards: {
      grantsNow: ({ event }) => glockNqOutcome(event.world, g, h) === GLOCK_GRANTED,
      notRecursive: ({ event }) => glockNqOutcome(event.world, g, h) !== GLOCK_RECURSIVE,
      granted: ({ event }) => glockGranted(event.world, g, h),
      more: ({ context }) => env || context.left > 1,
    },
    actions: {
      nq: ({ event }) => {
        glockNq(event.world, g, h);
      },
      nqAndInvalidate: ({ event }) => {
        glockNq(event.world, g, h);
        invalidate(event.world);
      },
      invalidate: ({ event }) => invalidate(event.world),
      dq: ({ event }) => glockDq(event.world, g, h),
      count: assign({ left: ({ context }) => (env ? context.left : context.left - 1) }),
    },
  }).createMachine({
    id: options.name ?? 'CPU1',
    initial: 'idle',
    context: { left: env ? 0 : requests },
    states: {
      idle: {
        on: {
          glockNq: [
            { guard: 'grantsNow', target: 'held', actions: 'nqAndInvalidate', description: `${nqDesc}: granted` },
            { guard: 'notRecursive', target: 'waiting', actions: 'nq', description: `${nqDesc}: queued` },
          ],
        },
      },
      waiting: {
        meta: { waitsFor: ({ world }: { world: MmuWorld }) => glockWaitsFor(world, g, h) },
        on: { glockWait: { guard: 'granted', target: 'held', actions: 'invalidate', description: grantDesc } },
      },
      held: {
        on: {
          glockDq: [
            { guard: 'more', target: 'idle', actions: ['dq', 'count'], description: 'gfs2_glock_dq()' },
            { target: 'done', actions: ['dq', 'count'], description: 'gfs2_glock_dq()' },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The contender actor. */
export function glockContenderActor(options: GlockContenderOptions): ActorSpec<Ctx, MmuWorld> {
  assertShape(options, CONTENDER_OPTIONS, 'glockContenderActor() options');
  const env = oneOf('glock contender', 'kind', options.kind, ['thread', 'environment'], 'thread') === 'environment';
  const requests = options.requests ?? 1;
  return {
    name: options.name ?? 'CPU1',
    machine: glockContenderMachine(options),
    fields: { left: int(0, env ? 0 : requests, env ? 0 : requests) },
    ...(env ? { kind: 'environment' as const, budget: requests, cost: { glockNq: 1, glockWait: 0, glockDq: 0 } } : {}),
  };
}
