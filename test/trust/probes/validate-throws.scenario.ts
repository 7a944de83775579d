/** Probe (issue 14): a validate() that throws instead of returning a message. Before: "internal error". */
import { setup } from 'xstate';
import { defineScenario } from 'faultline';

const idle = setup({}).createMachine({ id: 'idle', initial: 'done', states: { done: { type: 'final' } } });

export default defineScenario({
  id: 'probe-validate-throws',
  title: 'validate() throws',
  source: 'issue 14 probe',
  description: 'Nothing happens.',
  params: {},
  variants: { only: { description: 'only', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'only',
  validate: () => {
    throw new Error('validate blew up');
  },
  build: () => ({ name: 'probe-validate-throws', world: {}, actors: [{ name: 'CPU0', machine: idle, fields: {} }], properties: [] }),
});
