/**
 * The fork() child that shares the parent's anonymous page copy-on-write (T1 of the iov_iter direction scenario; the
 * COW fragment models/cow/anonCow.ts). Its one step is its exit: exit_mmap() -> zap_pte_range() drops its
 * mapping of the shared folio A, after which A is the parent's alone (it exists once the parent's fork() ran). Whether a device write into A is a
 * leak depends on whether it lands before that step. A thread (weakly fair): the child does exit.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { childExitMmap, type CowWorld } from '../cow/anonCow.js';

export interface ForkChildOptions {
  /** Column name in traces. Default 'child'. */
  readonly name?: string;
}

/** Every option of forkChildMachine and forkChildActor: a key not listed is a typo, refused rather than left at its default. */
const FORK_CHILD_OPTIONS: Shape<ForkChildOptions> = { name: 'string' };

/** The machine: running, then `exitMmap` to exited. */
export function forkChildMachine(options: ForkChildOptions = {}) {
  assertShape(options, FORK_CHILD_OPTIONS, 'forkChildMachine() options');
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'exitMmap', CowWorld> },
    guards: { forked: ({ event }) => event.world.childMapsA === 1 },
    actions: { exitMmap: ({ event }) => childExitMmap(event.world) },
  }).createMachine({
    id: options.name ?? 'child',
    initial: 'running',
    context: {},
    states: {
      running: { on: { exitMmap: { guard: 'forked', target: 'exited', actions: 'exitMmap', description: 'exit_mmap(): the child unmaps folio A' } } },
      exited: { type: 'final' },
    },
  });
}

/** The child actor. */
export function forkChildActor(options: ForkChildOptions = {}): ActorSpec<Record<string, never>, CowWorld> {
  assertShape(options, FORK_CHILD_OPTIONS, 'forkChildActor() options');
  return { name: options.name ?? 'child', machine: forkChildMachine(options), fields: {} };
}
