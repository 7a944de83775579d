/** Probe (issue 14): `int(2 ** 32, 2 ** 32 + 3)` - before, accepted and wrapped to 0 in the state: holds. */
import { setup } from 'xstate';
import { defineScenario, int, invariant, type StepEvent } from 'faultline';

const bump = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'bump', { big: number }> },
  actions: {
    bump: ({ event }) => {
      event.world.big = event.world.big + 1;
    },
  },
}).createMachine({ id: 'bump', initial: 'run', context: {}, states: { run: { on: { bump: { target: 'stop', actions: 'bump' } } }, stop: { type: 'final' } } });

export default defineScenario({
  id: 'probe-wrapped-domain',
  title: 'a domain past 32 bits',
  source: 'issue 14 probe',
  description: 'The world field starts at 2^32.',
  params: {},
  variants: { wide: { description: 'int(2 ** 32, 2 ** 32 + 3)', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'wide',
  build: () => ({
    name: 'probe-wrapped-domain',
    world: { big: int(2 ** 32, 2 ** 32 + 3) },
    actors: [{ name: 'CPU0', machine: bump, fields: {} }],
    properties: [invariant<{ big: number }>('big stays at least 2^32', (s) => s.world.big >= 2 ** 32)],
  }),
});
