/**
 * Small models whose `terminates('P0')` verdict depends on reading "eventually" on maximal runs: a run
 * that stops (no actor can move) with P0 unfinished violates it, as does a fair cycle that never
 * finishes P0. Each comes as a faultline system and as the same model in Promela, so SPIN (`<> done[0]`
 * under weak fairness, `pan -a -f`) can be asked the same question (spinLiveness.test.ts).
 *
 *   lock-keeps     P0 and P1 each take a lock (await lock == 0; lock = 1); P1 finishes holding it, P0
 *                  then waits forever: the run stops with P0 in flight. Violated.
 *   lock-releases  the same, but each releases the lock as it finishes. Holds.
 *   spin-keeps     P0 busy-waits (a `poll` step while the lock is taken); P1 takes the lock and works
 *                  forever: a weakly fair cycle without P0 finishing. Violated.
 *   spin-releases  P1 works once, then releases and finishes. Holds.
 *   bakery-cap-N   Lamport's bakery as BEEM writes it (bakery.dve: choose scans the tickets for their
 *                  maximum, a ticket is taken only while max < MAX), one round per process: with MAX = 1
 *                  the second process to choose reads ticket 1 and can never take one. Violated. With
 *                  MAX = 2 both finish. Holds.
 */
import { assign, setup } from 'xstate';
import { array, bool, int, terminates, type StepEvent, type SystemSpec } from '../../../checker/index.js';

export interface MaximalRunCase {
  readonly name: string;
  readonly system: SystemSpec;
  readonly promela: string;
  readonly verdict: 'holds' | 'violated';
}

interface LockWorld {
  lock: number;
}
type LockEv = StepEvent<'acquire' | 'poll' | 'work' | 'release', LockWorld>;

function lockCase(name: 'lock-keeps' | 'lock-releases' | 'spin-keeps' | 'spin-releases'): MaximalRunCase {
  const spin = name.startsWith('spin');
  const keeps = name.endsWith('keeps');
  const m = setup({
    types: { context: {} as Record<string, never>, events: {} as LockEv },
    guards: { free: ({ event }) => event.world.lock === 0, taken: ({ event }) => event.world.lock === 1 },
    actions: {
      take: ({ event }) => {
        event.world.lock = 1;
      },
      drop: ({ event }) => {
        event.world.lock = 0;
      },
    },
  });
  const p0 = m.createMachine({
    id: 'p0',
    initial: 'idle',
    context: {},
    states: {
      idle: {
        on: {
          acquire: { guard: 'free', target: 'held', actions: 'take' },
          ...(spin ? { poll: { guard: 'taken', target: 'idle' } } : {}),
        },
      },
      held: { on: { release: { target: 'done', actions: 'drop' } } },
      done: { type: 'final' },
    },
  });
  const p1 = m.createMachine({
    id: 'p1',
    initial: 'idle',
    context: {},
    states: {
      idle: { on: { acquire: { guard: 'free', target: spin ? 'working' : keeps ? 'done' : 'held', actions: 'take' } } },
      working: { on: { work: { target: keeps ? 'working' : 'held' } } },
      held: { on: { release: { target: 'done', actions: 'drop' } } },
      done: { type: 'final' },
    },
  });
  const p0Pml = spin
    ? `active proctype P0() {
idle:
  if
  :: atomic { lock == 0 -> lock = 1 }
  :: atomic { lock == 1 }; goto idle
  fi;
  atomic { lock = 0; done[0] = 1 }
}`
    : `active proctype P0() {
  atomic { lock == 0 -> lock = 1 };
  atomic { lock = 0; done[0] = 1 }
}`;
  const p1Pml = spin
    ? `active proctype P1() {
  atomic { lock == 0 -> lock = 1 };
${keeps ? '  do :: busy = 1 - busy od' : '  busy = 1;\n  atomic { lock = 0; done[1] = 1 }'}
}`
    : `active proctype P1() {
${keeps ? '  atomic { lock == 0 -> lock = 1; done[1] = 1 }' : '  atomic { lock == 0 -> lock = 1 };\n  atomic { lock = 0; done[1] = 1 }'}
}`;
  return {
    name,
    system: {
      name,
      world: { lock: bool() },
      actors: [
        { name: 'P0', machine: p0, fields: {} },
        { name: 'P1', machine: p1, fields: {} },
      ],
      properties: [terminates('P0')],
    },
    promela: `bit lock;\nbit done[2];\nbit busy; /* SPIN refuses a step that changes nothing in a loop */\n${p0Pml}\n${p1Pml}\nltl p0done { <> done[0] }\n`,
    verdict: keeps ? 'violated' : 'holds',
  };
}

interface BakeryWorld {
  readonly number: Int32Array | number[];
  readonly choosing: Int32Array | number[];
}
type BakeryEv = StepEvent<'start' | 'scanUp' | 'scanSkip' | 'take' | 'check' | 'enter' | 'pass' | 'leave', BakeryWorld>;
const N = 2;

/** BEEM's bakery.dve process, one round: NCS, choose (scan for the maximum ticket), forloop/wait, CS. */
function bakeryCase(max: number): MaximalRunCase {
  type Ctx = { me: number; j: number; max: number };
  const m = setup({
    types: { context: {} as Ctx, events: {} as BakeryEv, input: {} as { me: number } },
    guards: {
      upper: ({ context, event }) => context.j < N && event.world.number[context.j]! > context.max,
      lower: ({ context, event }) => context.j < N && event.world.number[context.j]! <= context.max,
      canTake: ({ context }) => context.j === N && context.max < max,
      notChoosing: ({ context, event }) => context.j < N && event.world.choosing[context.j] === 0,
      scanned: ({ context }) => context.j === N,
      mayPass: ({ context, event }) => {
        const { number } = event.world;
        const other = number[context.j]!;
        const mine = number[context.me]!;
        return other === 0 || other > mine || (other === mine && context.me <= context.j);
      },
    },
    actions: {
      startChoosing: ({ context, event }) => {
        event.world.choosing[context.me] = 1;
      },
      takeTicket: ({ context, event }) => {
        event.world.number[context.me] = context.max + 1;
        event.world.choosing[context.me] = 0;
      },
      dropTicket: ({ context, event }) => {
        event.world.number[context.me] = 0;
      },
    },
  });
  const machine = m.createMachine({
    id: `bakery-${max}`,
    initial: 'ncs',
    context: ({ input }) => ({ me: input.me, j: 0, max: 0 }),
    states: {
      ncs: { on: { start: { target: 'choose', actions: ['startChoosing', assign({ j: 0, max: 0 })] } } },
      choose: {
        on: {
          scanUp: { guard: 'upper', actions: assign({ max: ({ context, event }) => event.world.number[context.j]!, j: ({ context }) => context.j + 1 }) },
          scanSkip: { guard: 'lower', actions: assign({ j: ({ context }) => context.j + 1 }) },
          take: { guard: 'canTake', target: 'forloop', actions: ['takeTicket', assign({ j: 0 })] },
        },
      },
      forloop: {
        on: {
          check: { guard: 'notChoosing', target: 'wait' },
          enter: { guard: 'scanned', target: 'cs' },
        },
      },
      wait: { on: { pass: { guard: 'mayPass', target: 'forloop', actions: assign({ j: ({ context }) => context.j + 1 }) } } },
      cs: { on: { leave: { target: 'done', actions: 'dropTicket' } } },
      done: { type: 'final' },
    },
  });
  const name = `bakery-cap-${max}`;
  return {
    name,
    system: {
      name,
      world: { number: array(N, int(0, max)), choosing: array(N, bool()) },
      actors: [0, 1].map((me) => ({ name: `P${me}`, machine, input: { me }, fields: { me: int(me, me), j: int(0, N), max: int(0, max) } })),
      properties: [terminates('P0')],
    },
    promela: `#define N ${N}
#define MAX ${max}
byte number[N];
bit choosing[N];
bit done[N];
active [N] proctype P() {
  byte j, max;
  atomic { choosing[_pid] = 1; j = 0; max = 0 };
choose:
  if
  :: atomic { j < N && number[j] > max -> max = number[j]; j++ }; goto choose
  :: atomic { j < N && number[j] <= max -> j++ }; goto choose
  :: atomic { j == N && max < MAX -> number[_pid] = max + 1; choosing[_pid] = 0; j = 0 }
  fi;
forloop:
  if
  :: atomic { j < N && choosing[j] == 0 }
  :: j == N -> goto cs
  fi;
  atomic { number[j] == 0 || number[j] > number[_pid] || (number[j] == number[_pid] && _pid <= j) -> j++ };
  goto forloop;
cs:
  atomic { number[_pid] = 0; done[_pid] = 1 }
}
ltl p0done { <> done[0] }
`,
    verdict: max < N ? 'violated' : 'holds',
  };
}

export const maximalRunCases: readonly MaximalRunCase[] = [
  lockCase('lock-keeps'),
  lockCase('lock-releases'),
  lockCase('spin-keeps'),
  lockCase('spin-releases'),
  bakeryCase(1),
  bakeryCase(2),
];
