/**
 * Probe (issue 14): `terminates('P0')` when P0 can never finish. P1 takes a lock and finishes holding
 * it; P0 then waits for the lock forever and the maximal run ends there. SPIN, checking `<> P0 done`,
 * reports it; before, faultline said holds (it looked only for fair cycles).
 */
import { setup } from 'xstate';
import { bool, defineScenario, terminates, type StepEvent } from 'faultline';

interface World {
  locked: number;
}
const process = (releases: boolean) =>
  setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'lock' | 'unlock', World> },
    guards: { free: ({ event }) => event.world.locked === 0 },
    actions: {
      lock: ({ event }) => void (event.world.locked = 1),
      unlock: ({ event }) => void (event.world.locked = 0),
    },
  }).createMachine({
    id: releases ? 'polite' : 'hog',
    initial: 'idle',
    context: {},
    states: {
      idle: { on: { lock: { guard: 'free', target: releases ? 'holding' : 'done', actions: 'lock' } } },
      holding: { on: { unlock: { target: 'done', actions: 'unlock' } } },
      done: { type: 'final' },
    },
  });

export default defineScenario({
  id: 'probe-stuck-at-end',
  title: 'a lock never released',
  source: 'issue 14 probe',
  description: 'P1 finishes holding the lock P0 needs.',
  params: {},
  variants: {
    hog: {
      description: 'P1 never unlocks',
      expected: { verdict: 'violated', property: 'P0 terminates' },
      provenance: { kind: 'hypothetical', why: 'a probe' },
    },
  },
  defaultVariant: 'hog',
  build: () => ({
    name: 'probe-stuck-at-end',
    world: { locked: bool() },
    actors: [
      { name: 'P0', machine: process(true), fields: {} },
      { name: 'P1', machine: process(false), fields: {} },
    ],
    properties: [terminates('P0')],
  }),
});
