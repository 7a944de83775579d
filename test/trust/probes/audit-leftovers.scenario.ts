/**
 * Probe (issue 14, the audit's leftovers): a step's `label` function that throws (before: the event name
 * printed instead); a progress property whose progress() throws at the first step (before: "no steps: the
 * initial state itself is the counterexample"); a choices function that writes a world array (before:
 * under random and pct, named only once its own step was picked). Each is a model error or a model
 * assertion named where it happens.
 */
import { setup } from 'xstate';
import { array, defineScenario, int, invariant, progress, type Property, type StepEvent } from 'faultline';

interface World {
  x: number;
  a: number[];
}
const worker = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'inc' | 'done', World> },
  guards: { more: ({ event }) => event.world.x < 2 },
  actions: {
    inc: ({ event }) => {
      event.world.x = event.world.x + 1;
    },
  },
}).createMachine({
  id: 'leftover-worker',
  initial: 'run',
  context: {},
  states: { run: { on: { inc: { guard: 'more', actions: 'inc' }, done: { target: 'stop' } } }, stop: { type: 'final' } },
});

type Mistake = 'label-throws' | 'progress-throws' | 'choices-write';
const PROPERTIES: Record<Mistake, Property<World>> = {
  // A violation at x = 2, so the label of the step reaching it is printed.
  'label-throws': invariant<World>('x below 2', (s) => s.world.x < 2),
  'progress-throws': progress<World>('x grows', {
    inFlight: (s) => s.actor('W0').state === 'run',
    progress: (_before, after) => {
      if (after.world.x === 1) throw new Error('progress saw x = 1');
      return after.world.x > 0;
    },
  }),
  'choices-write': invariant<World>('x below 3', (s) => s.world.x < 3),
};

export default defineScenario({
  id: 'probe-audit-leftovers',
  title: "the audit's leftovers",
  source: 'issue 14 probe',
  description: 'W0 counts x up to 2, then stops.',
  params: {},
  variants: Object.fromEntries(
    (Object.keys(PROPERTIES) as Mistake[]).map((k) => [
      k,
      { description: k, expected: { verdict: 'violated' as const }, provenance: { kind: 'hypothetical' as const, why: 'a probe' } },
    ]),
  ),
  defaultVariant: 'label-throws',
  build: (_p, variant) => ({
    name: 'probe-audit-leftovers',
    world: { x: int(0, 2), a: array(2, int(0, 1)) },
    actors: [
      {
        name: 'W0',
        machine: worker,
        fields: {},
        ...(variant === 'label-throws'
          ? {
              label: ({ event }: { event: StepEvent<string, World> }) => {
                if (event.world.x === 1) throw new Error('label saw x = 1');
                return `inc_x(${event.world.x})`;
              },
            }
          : {}),
        ...(variant === 'choices-write'
          ? {
              choices: {
                inc: ({ event }: { event: StepEvent<string, World> }) => {
                  if (event.world.x === 1) event.world.a[0] = 1; // the mistake: a choices function only reads the world
                  return 1;
                },
              },
            }
          : {}),
      },
      // A second worker, so that a sampled execution can take W1's step where W0's choices function wrote.
      ...(variant === 'choices-write' ? [{ name: 'W1', machine: worker, fields: {} }] : []),
    ],
    properties: [PROPERTIES[variant as Mistake]],
  }),
});
