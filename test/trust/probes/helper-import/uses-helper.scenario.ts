/** Probe (issue 14): a scenario whose helper (./lock.ts) imports 'faultline' as the scenario does. */
import { setup } from 'xstate';
import { defineScenario, type StepEvent } from 'faultline';
import { lockField } from './lock.js';

const taker = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'take', { locked: number }> },
  actions: { take: ({ event }) => void (event.world.locked = 1) },
}).createMachine({
  id: 'taker',
  initial: 'idle',
  context: {},
  states: { idle: { on: { take: { target: 'done', actions: 'take' } } }, done: { type: 'final' } },
});

export default defineScenario({
  id: 'probe-helper-import',
  title: 'a helper that imports faultline',
  source: 'issue 14 probe',
  description: 'One actor takes a lock.',
  params: {},
  variants: { only: { description: 'only', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'only',
  build: () => ({ name: 'probe-helper-import', world: { locked: lockField() }, actors: [{ name: 'CPU0', machine: taker, fields: {} }], properties: [] }),
});
