/**
 * Probe (issue 14): a property whose own code fails. `typo` reads an actor that does not exist
 * (s.actor('CPU1') in a system of CPU0); `wrong-signature` passes { holds } where the predicate goes; the
 * rest throw from an invariant's explain, a bound's value, a progress property's inFlight or progress
 * function, a transition property. Every variant expects a violation, so `gate` must not call a model
 * error "as expected".
 */
import { setup } from 'xstate';
import { bound, defineScenario, int, invariant, progress, transitionProperty, type Property, type StepEvent } from 'faultline';

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
const PROPERTIES: Record<string, () => Property<World>> = {
  typo: () => invariant<World>('x stays 0', (s) => s.actor('CPU1').state === 'run' && s.world.x === 0),
  'wrong-signature': () => invariant<World>('x stays 0', { holds: (s: { world: World }) => s.world.x === 0 } as never),
  explain: () => invariant<World>('x stays 0', (s) => s.world.x === 0, { explain: boom }),
  'bound-value': () => bound<World>('x small', (s) => (s.world.x === 1 ? boom() : s.world.x), 5),
  'in-flight': () => progress<World>('inc ends', { inFlight: (s) => (s.world.x === 1 ? boom() : s.world.x === 0), progress: () => false }),
  'progress-step': () => progress<World>('inc ends', { inFlight: (s) => s.world.x === 0, progress: boom }),
  transition: () => transitionProperty<World>('x grows', () => boom()),
};

export default defineScenario({
  id: 'probe-property-mistakes',
  title: 'properties that fail themselves',
  source: 'issue 14 probe',
  description: 'CPU0 increments x once.',
  params: {},
  variants: Object.fromEntries(
    Object.keys(PROPERTIES).map((k) => [
      k,
      { description: k, expected: { verdict: 'violated' as const }, provenance: { kind: 'hypothetical' as const, why: 'a probe' } },
    ]),
  ),
  defaultVariant: 'typo',
  build: (_p, variant) => ({
    name: 'probe-property-mistakes',
    world: { x: int(0, 1) },
    actors: [{ name: 'CPU0', machine: inc, fields: {} }],
    properties: [PROPERTIES[variant]!()],
  }),
});
