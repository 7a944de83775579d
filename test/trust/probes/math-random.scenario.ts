/** Probe (issue 14): Math.random() inside an action. Before: violated, held or "internal error", by the run. */
import { setup } from 'xstate';
import { defineScenario, int, invariant, type StepEvent } from 'faultline';

interface World {
  x: number;
}
const coin = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'flip', World> },
  actions: {
    flip: ({ event }) => {
      event.world.x = event.world.x + (Math.random() < 0.5 ? 1 : 0);
    },
  },
}).createMachine({ id: 'coin', initial: 'run', context: {}, states: { run: { on: { flip: { target: 'stop', actions: 'flip' } } }, stop: { type: 'final' } } });

export default defineScenario({
  id: 'probe-math-random',
  title: 'Math.random in an action',
  source: 'issue 14 probe',
  description: 'Three coins add 0 or 1 to x.',
  params: {},
  variants: { flip: { description: 'flip', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'flip',
  build: () => ({
    name: 'probe-math-random',
    world: { x: int(0, 3) },
    actors: ['C0', 'C1', 'C2'].map((name) => ({ name, machine: coin, fields: {} })),
    properties: [invariant<World>('x at most 3', (s) => s.world.x <= 3)],
  }),
});
