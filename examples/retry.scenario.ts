/**
 * A retry loop that terminates only because its environment acts finitely often: copy with faults
 * disabled; on failure fault the page in and retry. Reclaim can evict the page between the fault-in and
 * the copy. With reclaim as an environment actor with budget B, every run ends (at most B+1 fault-ins):
 * `budgeted` holds for every B. With reclaim as an unbudgeted thread with no fairness (an adversary that
 * may evict forever), the loop can spin: `adversary` shows the lasso. This is E.6 of kernel-protocols.md in
 * miniature: the window-shrinking fix cures deterministic LRU thrash, not an adversarial evictor.
 */
import { setup } from 'xstate';
import { bool, defineScenario, terminates, type StepEvent, type SystemSpec } from '../index.js';

interface World {
  present: number;
}

function reader() {
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'copyNofault' | 'faultIn', World> },
    guards: { present: ({ event }) => event.world.present === 1 },
    actions: {
      faultIn: ({ event }) => {
        event.world.present = 1;
      },
    },
  }).createMachine({
    id: 'retry-reader',
    initial: 'copying',
    context: {},
    states: {
      copying: {
        on: {
          copyNofault: [
            { guard: 'present', target: 'done', description: 'copy_to_user_nofault() == 0' },
            { target: 'faulting', description: 'copy_to_user_nofault() == -EFAULT' },
          ],
        },
      },
      faulting: { on: { faultIn: { target: 'copying', actions: 'faultIn', description: 'fault_in_writeable()' } } },
      done: { type: 'final' },
    },
  });
}

function reclaim() {
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'evict', World> },
    guards: { present: ({ event }) => event.world.present === 1 },
    actions: {
      evict: ({ event }) => {
        event.world.present = 0;
      },
    },
  }).createMachine({ id: 'reclaim', initial: 'run', context: {}, states: { run: { on: { evict: { guard: 'present', actions: 'evict' } } } } });
}

function build(variant: 'budgeted' | 'adversary', budget: number): SystemSpec<World> {
  const evictor =
    variant === 'budgeted'
      ? { name: 'reclaim', machine: reclaim(), fields: {}, kind: 'environment' as const, budget }
      : { name: 'reclaim', machine: reclaim(), fields: {}, fairness: 'none' as const };
  return {
    name: `retry-${variant}`,
    world: { present: bool() },
    actors: [{ name: 'CPU0', machine: reader(), fields: {} }, evictor],
    properties: [terminates<World>('CPU0', { name: 'CPU0 returns', description: 'the copy loop eventually returns' })],
  };
}

/** What these variants are (every variant states its provenance). */
const generic = { kind: 'hypothetical', why: 'a generic fault-in + retry loop, not a particular kernel' } as const;

export default defineScenario({
  id: 'retry',
  title: 'a fault-in + nofault-copy retry loop against reclaim: finite budget vs adversary',
  source: 'kernel-protocols.md E.6; faultline issue #4',
  description: 'Terminates for every finite reclaim budget; an unbounded evictor can make it spin.',
  params: { budget: { description: 'reclaim budget (evictions)', default: 3, min: 0, max: 64 } },
  variants: {
    budgeted: {
      description: 'reclaim acts at most `budget` times: terminates',
      expected: { verdict: 'holds' },
      provenance: generic,
    },
    adversary: {
      description: 'reclaim may act forever (no budget, no fairness): spins',
      expected: { verdict: 'violated', property: 'CPU0 returns' },
      provenance: generic,
    },
  },
  defaultVariant: 'budgeted',
  build: (p, v) => build(v, p.budget),
});
