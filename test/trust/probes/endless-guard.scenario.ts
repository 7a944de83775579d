/** Probe (issue 14): a guard in an endless loop. Before: `--timeout` never stopped it. */
import { setup } from 'xstate';
import { defineScenario, type StepEvent } from 'faultline';

const spinner = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'spin', Record<string, never>> },
  guards: {
    forever: () => {
      for (;;);
    },
  },
}).createMachine({ id: 'spinner', initial: 'a', context: {}, states: { a: { on: { spin: { guard: 'forever', target: 'a' } } } } });

export default defineScenario({
  id: 'probe-endless-guard',
  title: 'a guard in an endless loop',
  source: 'issue 14 probe',
  description: 'The first guard evaluated never returns.',
  params: {},
  variants: { spin: { description: 'spin', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'spin',
  build: () => ({ name: 'probe-endless-guard', world: {}, actors: [{ name: 'CPU0', machine: spinner, fields: {} }], properties: [] }),
});
