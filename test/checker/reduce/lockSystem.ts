/**
 * A shared lock used by three interchangeable readers: the symmetric system the symmetry tests share
 * (test/checker/reduce/). Actor ids in world scalars and contexts, and a world array indexed by reader.
 */
import { assign, setup } from 'xstate';
import { array, bool, int, invariant, type Property, type StepEvent, type SystemSpec } from '../../../checker/index.js';

export const NONE = 3;

export interface LockWorld {
  owner: number;
  last: number;
  uses: Int32Array | number[];
}

type ReaderEvent = StepEvent<'acquire' | 'release' | 'look', LockWorld>;

/**
 * A lock shared by three interchangeable readers: `owner` and `last` hold reader ids (NONE = nobody),
 * `uses` counts each reader's acquisitions (indexed by reader), a reader remembers whom it saw holding the
 * lock (`seen`, an actor id in its context) and knows its own `id`.
 */
const reader = setup({
  types: { context: {} as { id: number; seen: number; waited: number }, events: {} as ReaderEvent, input: {} as { id: number } },
}).createMachine({
  id: 'reader',
  initial: 'idle',
  context: ({ input }) => ({ id: input.id, seen: NONE, waited: 0 }),
  states: {
    idle: {
      on: {
        acquire: {
          guard: ({ event, context }) => event.world.owner === NONE && event.world.uses[context.id]! < 2,
          target: 'holding',
          actions: ({ event, context }) => {
            event.world.owner = context.id;
            event.world.uses[context.id] = event.world.uses[context.id]! + 1;
          },
        },
        look: {
          guard: ({ event, context }) => event.world.owner !== NONE && context.waited === 0,
          actions: assign({ seen: ({ event }) => event.world.owner, waited: 1 }),
        },
      },
    },
    holding: {
      on: {
        release: {
          target: 'idle',
          actions: [
            ({ event, context }) => {
              event.world.owner = NONE;
              event.world.last = context.id;
            },
            assign({ waited: 0 }),
          ],
        },
      },
    },
  },
});

export function lockSystem(size = 3, ids: 'declared' | 'undeclared' = 'declared', properties?: readonly Property<LockWorld>[]): SystemSpec<LockWorld> {
  const id = (init: number) => int(0, NONE, ids === 'declared' ? { init, actorId: 'readers' } : init);
  const names = Array.from({ length: size }, (_, i) => `R${i}`);
  return {
    name: 'shared-lock',
    world: { owner: id(NONE), last: id(NONE), uses: array(size, int(0, 2), { indexedBy: 'readers' }) },
    actors: names.map((name, i) => ({ name, machine: reader, input: { id: i }, fields: { id: id(0), seen: id(NONE), waited: bool() } })),
    properties: properties ?? [invariant('one owner', (s) => s.actors.filter((a) => a.state === 'holding').length <= 1)],
    symmetric: { readers: names },
  };
}
