/** The README's example: copy one page with faults disabled, fault it in on failure, retry; reclaim may evict it. */
import { assign, setup } from 'xstate';
import { bool, bound, defineScenario, int, terminates, type StepEvent } from '../index.js';

interface World {
  present: number;
}

const reader = setup({
  types: { context: {} as { tries: number }, events: {} as StepEvent<'copy' | 'faultIn', World> },
  guards: { pagePresent: ({ event }) => event.world.present === 1 },
  actions: {
    faultIn: ({ event }) => {
      event.world.present = 1;
    },
  },
}).createMachine({
  id: 'reader',
  initial: 'copying',
  context: { tries: 0 },
  states: {
    copying: {
      on: {
        copy: [
          { guard: 'pagePresent', target: 'done', description: 'copy_to_user_nofault() == 0' },
          { target: 'faulting', description: 'copy_to_user_nofault() == -EFAULT' },
        ],
      },
    },
    faulting: {
      on: { faultIn: { target: 'copying', actions: ['faultIn', assign({ tries: ({ context }) => context.tries + 1 })], description: 'fault_in_writeable()' } },
    },
    done: { type: 'final' },
  },
});

const reclaim = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'evict', World> },
  guards: { pagePresent: ({ event }) => event.world.present === 1 },
  actions: {
    evict: ({ event }) => {
      event.world.present = 0;
    },
  },
}).createMachine({
  id: 'reclaim',
  initial: 'idle',
  context: {},
  states: { idle: { on: { evict: { guard: 'pagePresent', actions: 'evict', description: 'shrink_folio_list()' } } } },
});

export default defineScenario({
  id: 'first-loop',
  title: 'a fault-in + nofault-copy retry loop against reclaim',
  source: 'README.md',
  description: 'Returns for every finite reclaim budget; the worst case takes budget + 1 fault-ins.',
  params: { budget: { description: 'evictions reclaim may make', default: 2, min: 0, max: 8 } },
  variants: {
    loop: {
      description: 'retry until the copy succeeds',
      expected: { verdict: 'holds' },
      provenance: { kind: 'hypothetical', why: 'a first example: a copy + retry loop, not a particular kernel' },
    },
  },
  defaultVariant: 'loop',
  build: ({ budget }) => ({
    name: 'first-loop',
    world: { present: bool() },
    actors: [
      { name: 'CPU0', machine: reader, fields: { tries: int(0, budget + 1) } },
      { name: 'reclaim', kind: 'environment', budget, machine: reclaim, fields: {} },
    ],
    properties: [terminates('CPU0', { name: 'read returns' }), bound('fault-ins', (s) => s.actor('CPU0').context.tries, budget + 1)],
  }),
});
