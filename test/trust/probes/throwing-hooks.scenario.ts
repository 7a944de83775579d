/**
 * Probe (issue 14): user code around the model that throws - an invariant's explain, a bound's value, a
 * progress property's inFlight and progress, a transition property, a step's label function. Each is a
 * model error (or, for the label, an assertion violation of the step), never "internal error".
 */
import { setup } from 'xstate';
import { bound, defineScenario, int, invariant, progress, transitionProperty, type StepEvent } from 'faultline';

interface World {
  x: number;
}
const inc = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'inc', World> },
  actions: {
    inc: ({ event }) => {
      event.world.x = event.world.x + 1;
    },
  },
}).createMachine({ id: 'inc', initial: 'run', context: {}, states: { run: { on: { inc: { target: 'stop', actions: 'inc' } } }, stop: { type: 'final' } } });

const boom = (): never => {
  throw new Error('boom');
};
const PROPERTIES = {
  explain: () => [invariant<World>('x stays 0', (s) => s.world.x === 0, { explain: boom })],
  'bound-value': () => [bound<World>('x small', (s) => (s.world.x === 1 ? boom() : s.world.x), 5)],
  'in-flight': () => [progress<World>('inc ends', { inFlight: (s) => (s.world.x === 1 ? boom() : s.world.x === 0), progress: () => false })],
  'progress-step': () => [progress<World>('inc ends', { inFlight: (s) => s.world.x === 0, progress: boom })],
  transition: () => [transitionProperty<World>('x grows', () => boom())],
  label: () => [invariant<World>('x stays 0', (s) => s.world.x === 0)],
} as const;
type Hook = keyof typeof PROPERTIES;

const variant = (description: string) => ({
  description,
  expected: { verdict: 'holds' as const },
  provenance: { kind: 'hypothetical' as const, why: 'a probe' },
});
export default defineScenario({
  id: 'probe-throwing-hooks',
  title: 'user hooks that throw',
  source: 'issue 14 probe',
  description: 'CPU0 increments x once.',
  params: {},
  variants: Object.fromEntries(Object.keys(PROPERTIES).map((k) => [k, variant(k)])),
  defaultVariant: 'explain',
  build: (_p, v) => ({
    name: 'probe-throwing-hooks',
    world: { x: int(0, 1) },
    actors: [{ name: 'CPU0', machine: inc, fields: {}, ...(v === 'label' ? { label: boom } : {}) }],
    properties: [...PROPERTIES[v as Hook]()],
  }),
});
