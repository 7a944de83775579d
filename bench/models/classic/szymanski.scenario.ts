/**
 * Szymanski's mutual exclusion (B. K. Szymanski, "A simple solution to Lamport's concurrent programming
 * problem with linear wait", ICS 1988; BEEM's szymanski.dve models it too), N processes, written with
 * faultline's public API; Promela twin: szymanski.pml (N = 3; one faultline step is one `atomic` sequence).
 *
 *   flag[i] = 1; await all flag[j] < 3; flag[i] = 3
 *   if some flag[j] == 1 { flag[i] = 2; await some flag[j] == 4 }
 *   flag[i] = 4; await all flag[j] < 2 for j < i; critical section
 *   await all flag[j] < 2 or flag[j] > 3 for j > i; flag[i] = 0
 *
 * `szymanski` holds: mutual exclusion, no deadlock, and P0 enters infinitely often under weak fairness
 * (SPIN: no acceptance cycle of `[]<> P[0]@cs` with `pan -a -f`). `no-lower-wait` is a seeded bug: a
 * process enters without waiting for the lower-numbered ones, and two meet in the critical section.
 */
import { setup } from 'xstate';
import { array, deadlockFreedom, defineScenario, int, type StepEvent, type SystemSpec } from '../../../index.js';
import { entersAgain, mutualExclusion } from './properties.js';

interface World {
  readonly flag: Int32Array | number[];
}
type Ev = StepEvent<
  'request' | 'enterRoom' | 'closeDoor' | 'waitForOthers' | 'noneWaiting' | 'released' | 'setFour' | 'enter' | 'higherOut' | 'release',
  World
>;
type Variant = 'szymanski' | 'no-lower-wait';

function szymanskiProcess(n: number, variant: Variant) {
  const flags = (w: World) => Array.from({ length: n }, (_, j) => w.flag[j]!);
  const set =
    (v: number) =>
    ({ context, event }: { context: { me: number }; event: Ev }) => {
      event.world.flag[context.me] = v;
    };
  return setup({
    types: { context: {} as { me: number }, events: {} as Ev, input: {} as { me: number } },
    guards: {
      allBelow3: ({ event }) => flags(event.world).every((f) => f < 3),
      someWaiting: ({ event }) => flags(event.world).some((f) => f === 1),
      noneWaiting: ({ event }) => !flags(event.world).some((f) => f === 1),
      someAtFour: ({ event }) => flags(event.world).some((f) => f === 4),
      lowerOut: ({ context, event }) => variant === 'no-lower-wait' || flags(event.world).every((f, j) => j >= context.me || f < 2),
      higherOut: ({ context, event }) => flags(event.world).every((f, j) => j <= context.me || f < 2 || f > 3),
    },
    actions: { flag0: set(0), flag1: set(1), flag2: set(2), flag3: set(3), flag4: set(4) },
  }).createMachine({
    id: `szymanski-${variant}`,
    initial: 'ncs',
    context: ({ input }) => ({ me: input.me }),
    states: {
      ncs: { on: { request: { target: 'waitRoom', actions: 'flag1', description: 'flag[i] = 1' } } },
      waitRoom: {
        on: { enterRoom: { guard: 'allBelow3', target: 'inRoom', description: 'await all flag[j] < 3' } },
        meta: { waitsFor: 'the door open (all flags below 3)' },
      },
      inRoom: { on: { closeDoor: { target: 'doorCheck', actions: 'flag3', description: 'flag[i] = 3' } } },
      doorCheck: {
        on: {
          waitForOthers: { guard: 'someWaiting', target: 'waiting', actions: 'flag2', description: 'some flag[j] == 1: flag[i] = 2' },
          noneWaiting: { guard: 'noneWaiting', target: 'closing', description: 'no flag[j] == 1' },
        },
      },
      waiting: {
        on: { released: { guard: 'someAtFour', target: 'closing', description: 'await some flag[j] == 4' } },
        meta: { waitsFor: 'some flag at 4' },
      },
      closing: { on: { setFour: { target: 'exitCheck', actions: 'flag4', description: 'flag[i] = 4' } } },
      exitCheck: {
        on: { enter: { guard: 'lowerOut', target: 'cs', description: variant === 'no-lower-wait' ? 'enter' : 'await flag[j] < 2 for j < i; enter' } },
        meta: { waitsFor: 'the lower-numbered processes out' },
      },
      cs: {
        on: { higherOut: { guard: 'higherOut', target: 'exiting', description: 'await flag[j] < 2 or > 3 for j > i' } },
        meta: { waitsFor: 'the higher-numbered processes past the door' },
      },
      exiting: { on: { release: { target: 'ncs', actions: 'flag0', description: 'flag[i] = 0' } } },
    },
  });
}

export function szymanski(n: number, variant: Variant): SystemSpec<World> {
  const machine = szymanskiProcess(n, variant);
  return {
    name: `szymanski-${variant}`,
    world: { flag: array(n, int(0, 4)) },
    actors: Array.from({ length: n }, (_, me) => ({ name: `P${me}`, machine, input: { me }, fields: { me: int(me, me) } })),
    properties: [mutualExclusion(), deadlockFreedom(), entersAgain('P0 enters again', 'P0', 'cs', 'P0 enters its critical section infinitely often')],
  };
}

const textbook = { kind: 'hypothetical', why: "Szymanski's algorithm (1988) and a seeded bug, compared with SPIN; not kernel code" } as const;

export default defineScenario({
  id: 'szymanski',
  title: "Szymanski's mutual exclusion",
  source: "B. K. Szymanski, A simple solution to Lamport's concurrent programming problem with linear wait, ICS 1988; twin: bench/models/classic/szymanski.pml",
  description: 'N weakly fair processes loop forever through the waiting room and the critical section.',
  params: { n: { description: 'processes', default: 3, min: 2, max: 4 } },
  variants: {
    szymanski: { description: 'mutual exclusion, no deadlock, no starvation', expected: { verdict: 'holds' }, provenance: textbook },
    'no-lower-wait': {
      description: 'seeded bug: enter without waiting for the lower-numbered processes',
      expected: { verdict: 'violated', property: 'mutual exclusion' },
      provenance: textbook,
    },
  },
  defaultVariant: 'szymanski',
  build: (p, v) => szymanski(p.n, v as Variant),
});
