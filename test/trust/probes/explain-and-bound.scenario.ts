/**
 * Probe (issue 14): an invariant without `explain` (before: "violated: <its own name>", which reads like
 * a pass) and a bound (before: the first excess was reported, not the worst value, unless --all).
 * A retry loop against reclaim: each eviction costs the reader one more fault-in.
 */
import { assign, setup } from 'xstate';
import { bool, bound, defineScenario, int, invariant, type StepEvent } from 'faultline';

interface World {
  present: number;
}
const reader = setup({
  types: { context: {} as { tries: number }, events: {} as StepEvent<'copy' | 'faultIn', World> },
  guards: { present: ({ event }) => event.world.present === 1 },
  actions: { faultIn: ({ event }) => void (event.world.present = 1) },
}).createMachine({
  id: 'reader',
  initial: 'copying',
  context: { tries: 0 },
  states: {
    copying: { on: { copy: [{ guard: 'present', target: 'done' }, { target: 'faulting' }] } },
    faulting: { on: { faultIn: { target: 'copying', actions: ['faultIn', assign({ tries: ({ context }) => context.tries + 1 })] } } },
    done: { type: 'final' },
  },
});
const reclaim = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'evict', World> },
  guards: { present: ({ event }) => event.world.present === 1 },
  actions: { evict: ({ event }) => void (event.world.present = 0) },
}).createMachine({ id: 'reclaim', initial: 'idle', context: {}, states: { idle: { on: { evict: { guard: 'present', actions: 'evict' } } } } });

const variant = (description: string) => ({
  description,
  expected: { verdict: 'violated' as const },
  provenance: { kind: 'hypothetical' as const, why: 'a probe' },
});
export default defineScenario({
  id: 'probe-explain-and-bound',
  title: 'a retry loop against reclaim',
  source: 'issue 14 probe',
  description: 'Each eviction costs one more fault-in.',
  params: { budget: { description: 'evictions reclaim may make', default: 3, min: 0, max: 8 } },
  variants: { invariant: variant('an invariant without explain'), bound: variant('a bound of one fault-in') },
  defaultVariant: 'invariant',
  build: ({ budget }, v) => ({
    name: 'probe-explain-and-bound',
    world: { present: bool() },
    actors: [
      { name: 'CPU0', machine: reader, fields: { tries: int(0, budget + 1) } },
      { name: 'reclaim', kind: 'environment' as const, budget, machine: reclaim, fields: {} },
    ],
    properties:
      v === 'invariant'
        ? [invariant<World>('at most one try', (s) => s.actor('CPU0').context.tries <= 1)]
        : [bound<World>('fault-ins', (s) => s.actor('CPU0').context.tries, 1)],
  }),
});
