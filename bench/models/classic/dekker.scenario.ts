/**
 * Dekker's mutual exclusion for two processes (E. W. Dijkstra, "Cooperating sequential processes",
 * EWD123, 1965, where Dekker's solution is given), written as a user would with faultline's public API,
 * with its twin in Promela beside it (dekker.pml: one faultline step is one `atomic` sequence there).
 *
 *   ncs:      flag[me] = 1
 *   check:    flag[other] == 0 -> enter | flag[other] && turn == me -> check again
 *             | flag[other] && turn != me -> flag[me] = 0; await turn == me; flag[me] = 1; check again
 *   cs:       turn = other; then flag[me] = 0; back to ncs
 *
 * `dekker` holds: mutual exclusion, no deadlock, and P0 enters its critical section infinitely often
 * under weak fairness (SPIN: `[]<> P[0]@cs`, `pan -a -f`, no acceptance cycle). `turn-shortcut` is a seeded
 * bug: a process whose turn it is enters without looking at the other flag, and both end up inside.
 */
import { setup } from 'xstate';
import { array, bool, deadlockFreedom, defineScenario, int, type StepEvent, type SystemSpec } from '../../../index.js';
import { entersAgain, mutualExclusion } from './properties.js';

interface World {
  readonly flag: Int32Array | number[];
  turn: number;
}
type Ev = StepEvent<'want' | 'enter' | 'insist' | 'backOff' | 'retry' | 'passTurn' | 'lowerFlag', World>;
type Variant = 'dekker' | 'turn-shortcut';

function dekkerProcess(variant: Variant) {
  return setup({
    types: { context: {} as { me: number }, events: {} as Ev, input: {} as { me: number } },
    guards: {
      otherDown: ({ context, event }) => event.world.flag[1 - context.me] === 0 || (variant === 'turn-shortcut' && event.world.turn === context.me),
      otherUpMyTurn: ({ context, event }) => event.world.flag[1 - context.me] === 1 && event.world.turn === context.me,
      otherUpItsTurn: ({ context, event }) => event.world.flag[1 - context.me] === 1 && event.world.turn !== context.me,
      myTurn: ({ context, event }) => event.world.turn === context.me,
    },
    actions: {
      raiseFlag: ({ context, event }) => {
        event.world.flag[context.me] = 1;
      },
      lowerFlag: ({ context, event }) => {
        event.world.flag[context.me] = 0;
      },
      passTurn: ({ context, event }) => {
        event.world.turn = 1 - context.me;
      },
    },
  }).createMachine({
    id: `dekker-${variant}`,
    initial: 'ncs',
    context: ({ input }) => ({ me: input.me }),
    states: {
      ncs: { on: { want: { target: 'check', actions: 'raiseFlag', description: 'flag[me] = 1' } } },
      check: {
        on: {
          enter: { guard: 'otherDown', target: 'cs', description: 'flag[other] == 0: enter' },
          insist: { guard: 'otherUpMyTurn', target: 'check', description: 'flag[other] && turn == me: check again' },
          backOff: { guard: 'otherUpItsTurn', target: 'backedOff', actions: 'lowerFlag', description: 'flag[other] && turn != me: flag[me] = 0' },
        },
      },
      backedOff: {
        on: { retry: { guard: 'myTurn', target: 'check', actions: 'raiseFlag', description: 'await turn == me; flag[me] = 1' } },
        meta: { waitsFor: 'its turn' },
      },
      cs: { on: { passTurn: { target: 'exiting', actions: 'passTurn', description: 'turn = other' } } },
      exiting: { on: { lowerFlag: { target: 'ncs', actions: 'lowerFlag', description: 'flag[me] = 0' } } },
    },
  });
}

export function dekker(variant: Variant): SystemSpec<World> {
  const machine = dekkerProcess(variant);
  return {
    name: `dekker-${variant}`,
    world: { flag: array(2, bool()), turn: int(0, 1) },
    actors: [0, 1].map((me) => ({ name: `P${me}`, machine, input: { me }, fields: { me: int(me, me) } })),
    properties: [mutualExclusion(), deadlockFreedom(), entersAgain('P0 enters again', 'P0', 'cs', 'P0 enters its critical section infinitely often')],
  };
}

const textbook = { kind: 'hypothetical', why: "Dekker's algorithm (EWD123) and a seeded bug, compared with SPIN; not kernel code" } as const;

export default defineScenario({
  id: 'dekker',
  title: "Dekker's two-process lock",
  source: 'E. W. Dijkstra, Cooperating sequential processes (EWD123), 1965; twin: bench/models/classic/dekker.pml',
  description: 'Two weakly fair processes loop forever through ncs, entry protocol, critical section.',
  params: {},
  variants: {
    dekker: { description: 'the algorithm', expected: { verdict: 'holds' }, provenance: textbook },
    'turn-shortcut': {
      description: 'seeded bug: enter on our turn without looking at the other flag',
      expected: { verdict: 'violated', property: 'mutual exclusion' },
      provenance: textbook,
    },
  },
  defaultVariant: 'dekker',
  build: (_p, v) => dekker(v as Variant),
});
