/**
 * Probe (issue 14, new): mistakes in the scenario file around the machine - an expectation naming a
 * property the system does not have (a typo `gate` must call out, not count as a mismatch against the real
 * violation), a build() that returns nothing, a world field that is not a field. The `count` variant's
 * trace is hand-edited by the test.
 */
import { setup } from 'xstate';
import { defineScenario, int, invariant, type StepEvent } from 'faultline';

const counter = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'tick', { n: number }> },
  actions: {
    tick: ({ event }) => {
      event.world.n = event.world.n + 1;
    },
  },
}).createMachine({ id: 'counter', initial: 'counting', context: {}, states: { counting: { on: { tick: { actions: 'tick' } } } } });

const hypothetical = { kind: 'hypothetical' as const, why: 'a probe' };
export default defineScenario({
  id: 'probe-user-files',
  title: 'mistakes around the machine',
  source: 'issue 14 probe',
  description: 'CPU0 counts n to 2; the invariant says it never gets there.',
  params: {},
  variants: {
    count: { description: 'the model as meant', expected: { verdict: 'violated', property: 'below 2' }, provenance: hypothetical },
    'typo-expectation': {
      description: "expects a violation of 'below two'",
      expected: { verdict: 'violated', property: 'below two' },
      provenance: hypothetical,
    },
    'build-undefined': { description: 'build() returns nothing', expected: { verdict: 'violated' }, provenance: hypothetical },
    'string-field': { description: "a world field written as 'hello' instead of int()", expected: { verdict: 'violated' }, provenance: hypothetical },
  },
  defaultVariant: 'count',
  build: (_p, variant) =>
    variant === 'build-undefined'
      ? (undefined as never)
      : {
          name: 'probe-user-files',
          world: variant === 'string-field' ? ({ n: 'hello' } as never) : { n: int(0, 2) },
          actors: [{ name: 'CPU0', machine: counter, fields: {} }],
          properties: [invariant<{ n: number }>('below 2', (s) => s.world.n < 2)],
        },
});
