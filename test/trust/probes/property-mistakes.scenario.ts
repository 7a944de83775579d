/**
 * Probe (issue 14): a property whose own code fails. `typo` reads an actor that does not exist
 * (s.actor('CPU1') in a system of CPU0); `wrong-signature` passes { holds } where the predicate goes.
 * Both variants expect a violation, so `gate` must not call a model error "as expected".
 */
import { setup } from 'xstate';
import { defineScenario, int, invariant, type StepEvent } from 'faultline';

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

const expectViolation = (description: string) => ({
  description,
  expected: { verdict: 'violated' as const, property: 'x stays 0' },
  provenance: { kind: 'hypothetical' as const, why: 'a probe' },
});

export default defineScenario({
  id: 'probe-property-mistakes',
  title: 'properties that fail themselves',
  source: 'issue 14 probe',
  description: 'CPU0 increments x once.',
  params: {},
  variants: { typo: expectViolation("s.actor('CPU1') in a system of CPU0"), 'wrong-signature': expectViolation('invariant(name, { holds })') },
  defaultVariant: 'typo',
  build: (_p, variant) => ({
    name: 'probe-property-mistakes',
    world: { x: int(0, 1) },
    actors: [{ name: 'CPU0', machine: inc, fields: {} }],
    properties: [
      variant === 'typo'
        ? invariant<World>('x stays 0', (s) => s.actor('CPU1').state === 'run' && s.world.x === 0)
        : invariant<World>('x stays 0', { holds: (s: { world: World }) => s.world.x === 0 } as never),
    ],
  }),
});
