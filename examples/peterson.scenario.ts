/**
 * Peterson's mutual exclusion for two processes (G. L. Peterson, "Myths about the mutual exclusion
 * problem", IPL 12(3), 1981), and two broken locks that drop the `turn` variable. Not a kernel model: it
 * pins the engine (exact state and transition counts, a golden counterexample) and shows that the checker
 * is domain-free. Run it with `faultline check examples/peterson.scenario.ts:peterson`.
 *
 *   peterson         flag[me] = 1; turn = other; await (!flag[other] || turn == me); CS; flag[me] = 0
 *   no-turn          await (!flag[other]); flag[me] = 1; CS; flag[me] = 0      (both can enter)
 *   no-turn-flag-first  flag[me] = 1; await (!flag[other]); CS; flag[me] = 0   (both can wait forever)
 *
 * Starvation freedom ("P0 eventually enters its critical section") holds under weak fairness: once P0 has
 * set `turn`, P1 can enter at most once more before it blocks on P0's flag (bounded bypass). With the
 * processes unfair (`peterson-unfair`), P1 can run round its loop forever while P0 never moves from idle.
 */
import { setup } from 'xstate';
import { array, bool, deadlockFreedom, defineScenario, int, invariant, progress, type Fairness, type StepEvent, type SystemSpec } from '../index.js';

export interface LockWorld {
  readonly flag: Int32Array | number[];
  turn: number;
}

type Lock = 'peterson' | 'no-turn' | 'no-turn-flag-first';
type Variant = Lock | 'peterson-unfair';
type Ev = StepEvent<'raiseFlag' | 'yieldTurn' | 'enter' | 'leave', LockWorld>;

export function lockMachine(variant: Lock) {
  const m = setup({
    types: { context: {} as { me: number }, events: {} as Ev, input: {} as { me: number } },
    guards: {
      otherNotInterested: ({ context, event }) => event.world.flag[1 - context.me] === 0,
      mayEnter: ({ context, event }) => event.world.flag[1 - context.me] === 0 || event.world.turn === context.me,
    },
    actions: {
      raiseFlag: ({ context, event }) => {
        event.world.flag[context.me] = 1;
      },
      giveTurn: ({ context, event }) => {
        event.world.turn = 1 - context.me;
      },
      lowerFlag: ({ context, event }) => {
        event.world.flag[context.me] = 0;
      },
    },
  });
  const context = ({ input }: { input: { me: number } }) => ({ me: input.me });
  const critical = { on: { leave: { target: 'idle', actions: 'lowerFlag', description: 'leave; flag[me] = 0' } } } as const;
  if (variant === 'peterson') {
    return m.createMachine({
      id: 'peterson',
      initial: 'idle',
      context,
      states: {
        idle: { on: { raiseFlag: { target: 'flagged', actions: 'raiseFlag', description: 'flag[me] = 1' } } },
        flagged: { on: { yieldTurn: { target: 'waiting', actions: 'giveTurn', description: 'turn = other' } } },
        waiting: {
          on: { enter: { guard: 'mayEnter', target: 'critical', description: 'await (!flag[other] || turn == me); enter' } },
          meta: { waitsFor: 'the other flag down or its turn' },
        },
        critical,
      },
    });
  }
  if (variant === 'no-turn') {
    return m.createMachine({
      id: 'flag-lock-check-first',
      initial: 'idle',
      context,
      states: {
        idle: {
          on: { enter: { guard: 'otherNotInterested', target: 'checked', description: 'await (!flag[other])' } },
          meta: { waitsFor: 'the other flag down' },
        },
        checked: { on: { raiseFlag: { target: 'critical', actions: 'raiseFlag', description: 'flag[me] = 1; enter' } } },
        critical,
      },
    });
  }
  return m.createMachine({
    id: 'flag-lock-flag-first',
    initial: 'idle',
    context,
    states: {
      idle: { on: { raiseFlag: { target: 'waiting', actions: 'raiseFlag', description: 'flag[me] = 1' } } },
      waiting: {
        on: { enter: { guard: 'otherNotInterested', target: 'critical', description: 'await (!flag[other]); enter' } },
        meta: { waitsFor: 'the other flag down' },
      },
      critical,
    },
  });
}

export function buildLock(variant: Variant): SystemSpec<LockWorld> {
  const machine = lockMachine(variant === 'peterson-unfair' ? 'peterson' : variant);
  const fairness: Fairness = variant === 'peterson-unfair' ? 'none' : 'weak';
  return {
    name: `lock-${variant}`,
    world: { flag: array(2, bool()), turn: int(0, 1) },
    actors: [0, 1].map((me) => ({ name: `P${me}`, machine, input: { me }, fields: { me: int(me, me) }, fairness })),
    properties: [
      invariant<LockWorld>('mutual exclusion', (s) => !(s.actors[0]!.state === 'critical' && s.actors[1]!.state === 'critical'), {
        description: 'never both processes in the critical section',
        explain: () => 'P0 and P1 are both in the critical section',
      }),
      deadlockFreedom(),
      progress<LockWorld>('P0 not starved', {
        description: 'P0 eventually enters its critical section',
        inFlight: (s) => s.actors[0]!.state !== 'critical',
        progress: (_b, a, step) => step.actorIndex === 0 && a.actors[0]!.state === 'critical',
      }),
    ],
  };
}

/** What these variants are (every variant states its provenance). */
const textbook = { kind: 'hypothetical', why: "Peterson's mutual-exclusion algorithm (1981) and textbook mistakes, not kernel code" } as const;

export default defineScenario({
  id: 'peterson',
  title: "Peterson's two-process lock, and the lock without its turn variable",
  source: 'G. L. Peterson, Myths about the mutual exclusion problem, IPL 12(3), 1981',
  description: 'Two processes loop forever through idle, entry protocol, critical section. Generic engine pin, not a kernel model.',
  params: {},
  variants: {
    peterson: {
      description: 'flag, then turn, then wait; weakly fair processes',
      expected: { verdict: 'holds' },
      provenance: textbook,
    },
    'peterson-unfair': {
      description: 'the same lock with no fairness: P0 can be starved',
      expected: { verdict: 'violated', property: 'P0 not starved' },
      provenance: textbook,
    },
    'no-turn': {
      description: 'check the other flag, then raise ours',
      expected: { verdict: 'violated', property: 'mutual exclusion' },
      provenance: textbook,
    },
    'no-turn-flag-first': {
      description: 'raise our flag, then wait for the other to drop',
      expected: { verdict: 'violated', property: 'deadlock' },
      provenance: textbook,
    },
  },
  defaultVariant: 'peterson',
  build: (_p, v) => buildLock(v as Variant),
});
