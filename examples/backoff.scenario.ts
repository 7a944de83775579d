/**
 * Two threads that back off politely from each other: each raises its flag, and if the other's flag is up
 * it lowers its own and tries again. Every step of both threads is enabled and taken in turn, so weak
 * fairness is satisfied, and yet neither ever enters: a livelock. The classic shape of "retry until the
 * other side gives way" loops. `polite` livelocks. `ordered` breaks the symmetry: T0 never backs off, and
 * T1, after backing off, waits until T0's flag is down before it tries again - so it terminates.
 *
 * A tempting `ordered` that is still wrong: T1 backs off and retries at once. Then T0 busy-checks only
 * while T1's flag happens to be up, forever: T0 steps (so weak fairness is met) but never sees the flag
 * down. The checker reports that lasso too; only strong fairness of T0's "flag down" branch would exclude
 * it, and the branch is not a separate actor.
 */
import { setup } from 'xstate';
import { array, bool, defineScenario, deadlockFreedom, int, progress, type StepEvent, type SystemSpec } from '../index.js';

interface World {
  readonly flag: Int32Array | number[];
}
type Ev = StepEvent<'raise' | 'check' | 'lower' | 'retry' | 'leave', World>;

function politeThread(yields: boolean, waitAfterYield: boolean) {
  return setup({
    types: { context: {} as { me: number }, events: {} as Ev, input: {} as { me: number } },
    guards: {
      otherUp: ({ context, event }) => event.world.flag[1 - context.me] === 1,
      otherDown: ({ context, event }) => event.world.flag[1 - context.me] === 0,
      mayYield: () => yields,
    },
    actions: {
      raise: ({ context, event }) => {
        event.world.flag[context.me] = 1;
      },
      lower: ({ context, event }) => {
        event.world.flag[context.me] = 0;
      },
    },
  }).createMachine({
    id: !yields ? 'insistent-thread' : waitAfterYield ? 'deferring-thread' : 'polite-thread',
    initial: 'idle',
    context: ({ input }) => ({ me: input.me }),
    states: {
      idle: { on: { raise: { target: 'trying', actions: 'raise' } } },
      trying: {
        on: {
          check: [
            { guard: 'otherUp', target: yields ? 'yielding' : 'trying', description: 'other flag up' },
            { target: 'critical', description: 'other flag down: enter' },
          ],
        },
      },
      yielding: { on: { lower: { target: waitAfterYield ? 'deferring' : 'idle', actions: 'lower' } } },
      deferring: { on: { retry: { guard: 'otherDown', target: 'idle' } }, meta: { waitsFor: 'the other flag down' } },
      critical: { on: { leave: { target: 'done', actions: 'lower' } } },
      done: { type: 'final' },
    },
  });
}

function build(variant: 'polite' | 'ordered'): SystemSpec<World> {
  const machines = variant === 'polite' ? [politeThread(true, false), politeThread(true, false)] : [politeThread(false, false), politeThread(true, true)];
  return {
    name: `backoff-${variant}`,
    world: { flag: array(2, bool()) },
    actors: [0, 1].map((me) => ({ name: `T${me}`, machine: machines[me]!, input: { me }, fields: { me: int(me, me) } })),
    properties: [
      deadlockFreedom(),
      progress<World>('someone enters', {
        description: 'while a thread is still trying, some thread eventually enters the critical section',
        inFlight: (s) => !s.actors[0]!.final || !s.actors[1]!.final,
        progress: (b, a) =>
          (b.actors[0]!.state !== 'critical' && a.actors[0]!.state === 'critical') || (b.actors[1]!.state !== 'critical' && a.actors[1]!.state === 'critical'),
      }),
    ],
  };
}

export default defineScenario({
  id: 'backoff',
  title: 'two threads that back off politely forever (livelock under weak fairness)',
  source: 'textbook livelock; faultline issue #4',
  description: 'Each thread raises its flag, checks the other, and if it is up lowers its own and retries.',
  params: {},
  variants: {
    polite: {
      description: 'both back off: livelock',
      expected: { verdict: 'violated', property: 'someone enters' },
      provenance: { kind: 'hypothetical', why: 'a textbook livelock (polite back-off), not kernel code' },
    },
    ordered: {
      description: 'T0 never backs off; T1 backs off and waits for T0: terminates',
      expected: { verdict: 'holds' },
      provenance: { kind: 'hypothetical', why: 'a textbook fix of the polite back-off, not kernel code' },
    },
  },
  defaultVariant: 'polite',
  build: (_p, v) => build(v),
});
