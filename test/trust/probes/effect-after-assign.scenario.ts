/**
 * Probe (issue 14): an effect placed before an assign that reads the world it wrote. The compiled actor
 * would run them in order, xstate runs assigns first - the compiled model is not the machine. The
 * property holds either way, so only the cross-check against xstate can say so.
 */
import { assign, setup } from 'xstate';
import { defineScenario, int, invariant, type StepEvent } from 'faultline';

interface World {
  x: number;
}
const worker = setup({
  types: { context: {} as { seen: number }, events: {} as StepEvent<'add', World> },
  actions: {
    bump: ({ event }) => {
      event.world.x = event.world.x + 1;
    },
  },
}).createMachine({
  id: 'trap-worker',
  initial: 'run',
  context: { seen: 0 },
  states: { run: { on: { add: { target: 'stop', actions: ['bump', assign({ seen: ({ event }) => event.world.x })] } } }, stop: { type: 'final' } },
});

export default defineScenario({
  id: 'probe-effect-after-assign',
  title: 'an effect before an assign',
  source: 'issue 14 probe',
  description: 'Two workers add 1 to x and remember what they saw.',
  params: {},
  variants: { trap: { description: 'bump, then assign', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'trap',
  build: () => ({
    name: 'probe-effect-after-assign',
    world: { x: int(0, 2) },
    actors: ['W0', 'W1'].map((name) => ({ name, machine: worker, fields: { seen: int(0, 2) } })),
    properties: [invariant<World>('x at most 2', (s) => s.world.x <= 2)],
  }),
});
