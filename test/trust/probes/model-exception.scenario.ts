/**
 * Probe (issue 14): the model's own exceptions - a guard that throws, NaN assigned to the context, a
 * choices function that throws. Each is an assertion violation with its trace, and `replay` of that
 * trace must reproduce it (before: 30 of 38 such traces "diverged", exit 2).
 */
import { assign, setup } from 'xstate';
import { defineScenario, int, type StepEvent } from 'faultline';

type Mistake = 'guard-throws' | 'nan-assigned' | 'choices-throw';
function worker(mistake: Mistake) {
  return setup({
    types: { context: {} as { n: number }, events: {} as StepEvent<'go', Record<string, never>> },
    guards: {
      ready: ({ context }) => {
        if (mistake === 'guard-throws' && context.n === 1) throw new Error('guard saw n = 1');
        return true;
      },
    },
  }).createMachine({
    id: `worker-${mistake}`,
    initial: 'run',
    context: { n: 0 },
    states: {
      run: {
        on: {
          go: {
            guard: 'ready',
            target: 'run',
            actions: assign({ n: ({ context }) => (mistake === 'nan-assigned' && context.n === 1 ? NaN : Math.min(context.n + 1, 2)) }),
          },
        },
      },
    },
  });
}

const variant = (description: string) => ({
  description,
  expected: { verdict: 'holds' as const },
  provenance: { kind: 'hypothetical' as const, why: 'a probe' },
});
export default defineScenario({
  id: 'probe-model-exception',
  title: "the model's own exceptions",
  source: 'issue 14 probe',
  description: 'One worker counts n up to 2 and stays there.',
  params: {},
  variants: {
    'guard-throws': variant('the guard throws at n = 1'),
    'nan-assigned': variant('NaN assigned at n = 1'),
    'choices-throw': variant('choices() throws'),
  },
  defaultVariant: 'guard-throws',
  build: (_p, v) => ({
    name: 'probe-model-exception',
    world: {},
    actors: [
      {
        name: 'CPU0',
        machine: worker(v as Mistake),
        fields: { n: int(0, 2) },
        choices: {
          go: ({ context }: { context: { n: number } }) => {
            if (v === 'choices-throw' && context.n === 1) throw new Error('choices failed at n = 1');
            return 1;
          },
        },
      },
    ],
    properties: [],
  }),
});
