/**
 * Probe (issue 14, sweep): a scenario whose build() is wrong at some parameter values only - it throws
 * at n = 2, its validate() throws at n = 3, rejects n = 4 (a combination it does not model: skipped), and
 * at n = 5 it defines a world field whose domain is empty. A sweep over 1..6 must show every point that
 * ran, an error row for each point that failed to build, and not read as a pass.
 */
import { setup } from 'xstate';
import { defineScenario, int, invariant, type StepEvent } from 'faultline';

const counter = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'tick', { n: number }> },
  actions: {
    tick: ({ event }) => {
      event.world.n = Math.min(event.world.n + 1, 1);
    },
  },
}).createMachine({ id: 'counter', initial: 'counting', context: {}, states: { counting: { on: { tick: { actions: 'tick' } } } } });

export default defineScenario({
  id: 'probe-sweep-some-fail',
  title: 'a build that fails at some points',
  source: 'issue 14 probe',
  description: 'CPU0 sets n to 1; the invariant holds.',
  params: { n: { description: 'where it breaks', default: 1, min: 1, max: 6 } },
  variants: { only: { description: 'only', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'only',
  validate: ({ n }) => {
    if (n === 3) throw new Error('validate cannot read n = 3');
    return n === 4 ? 'n = 4 is not modelled' : null;
  },
  build: ({ n }) => {
    if (n === 2) throw new Error('no pages for n = 2');
    return {
      name: 'probe-sweep-some-fail',
      world: { n: n === 5 ? int(3, 1) : int(0, 1) },
      actors: [{ name: 'CPU0', machine: counter, fields: {} }],
      properties: [invariant<{ n: number }>('at most 1', (s) => s.world.n <= 1)],
    };
  },
});
