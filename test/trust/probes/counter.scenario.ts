/**
 * Probe (issue 14): one actor counts to `n`; the invariant says it never gets there. Used for the bounds
 * and bad-input mistakes: a sampling run with a huge --max-depth, a sweep over a huge range, a
 * counterexample of n steps printed as text.
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

export default defineScenario({
  id: 'probe-counter',
  title: 'count to n',
  source: 'issue 14 probe',
  description: 'The counterexample is n steps long.',
  params: { n: { description: 'the count the invariant forbids', default: 3, min: 1, max: 1_000_000_000 } },
  variants: { count: { description: 'count', expected: { verdict: 'violated' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'count',
  build: ({ n }) => ({
    name: 'probe-counter',
    world: { n: int(0, n) },
    actors: [{ name: 'CPU0', machine: counter, fields: {} }],
    properties: [invariant<{ n: number }>('below n', (s) => s.world.n < n)],
  }),
});
