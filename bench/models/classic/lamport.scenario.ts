/**
 * Lamport's fast mutual exclusion (L. Lamport, "A fast mutual exclusion algorithm", ACM TOCS 5(1), 1987;
 * BEEM's lamport.dve models it too), N processes with ids 1..N (0 = none), written with faultline's public
 * API; its Promela twin is lamport.pml (one faultline step is one `atomic` sequence there).
 *
 *   start:  b[i] = 1; x = i; if y != 0 { b[i] = 0; await y == 0; goto start }
 *           y = i; if x != i { b[i] = 0; for j in 1..N: await !b[j]; if y != i { await y == 0; goto start } }
 *   cs:     y = 0; b[i] = 0; goto start
 *
 * Mutual exclusion and deadlock freedom hold (`fast-mutex`), but the algorithm is not starvation-free:
 * under weak fairness P1 can lose the race for y forever (`starvation`, a lasso; SPIN finds the acceptance
 * cycle of `[]<> P[0]@cs` with `pan -a -f`). `no-recheck` is a seeded bug: after the slow path's scan a
 * process enters without checking that y is still its own, and two processes meet in the critical section.
 */
import { assign, setup } from 'xstate';
import { array, bool, deadlockFreedom, defineScenario, int, type Property, type StepEvent, type SystemSpec } from '../../../index.js';
import { entersAgain, mutualExclusion } from './properties.js';

interface World {
  readonly b: Int32Array | number[];
  x: number;
  y: number;
}
type Ev = StepEvent<
  | 'start'
  | 'setX'
  | 'yBusy'
  | 'yFree'
  | 'awaitYFree'
  | 'setY'
  | 'fast'
  | 'slow'
  | 'scanNext'
  | 'scanDone'
  | 'yMine'
  | 'yLost'
  | 'awaitYFreeAgain'
  | 'clearY'
  | 'lowerB',
  World
>;
type Variant = 'fast-mutex' | 'starvation' | 'no-recheck';
interface Ctx {
  id: number;
  j: number;
}

function lamportProcess(n: number, recheck: boolean) {
  return setup({
    types: { context: {} as Ctx, events: {} as Ev, input: {} as { id: number } },
    guards: {
      yBusy: ({ event }) => event.world.y !== 0,
      yFree: ({ event }) => event.world.y === 0,
      xMine: ({ context, event }) => event.world.x === context.id,
      xOther: ({ context, event }) => event.world.x !== context.id,
      nextDown: ({ context, event }) => context.j < n && event.world.b[context.j] === 0,
      scanned: ({ context }) => context.j === n,
      yMine: ({ context, event }) => !recheck || event.world.y === context.id,
      yLost: ({ context, event }) => recheck && event.world.y !== context.id,
    },
    actions: {
      raiseB: ({ context, event }) => {
        event.world.b[context.id - 1] = 1;
      },
      lowerB: ({ context, event }) => {
        event.world.b[context.id - 1] = 0;
      },
      setX: ({ context, event }) => {
        event.world.x = context.id;
      },
      setY: ({ context, event }) => {
        event.world.y = context.id;
      },
      clearY: ({ event }) => {
        event.world.y = 0;
      },
    },
  }).createMachine({
    id: recheck ? 'lamport-fast-mutex' : 'lamport-no-recheck',
    initial: 'ncs',
    context: ({ input }) => ({ id: input.id, j: 0 }),
    states: {
      ncs: { on: { start: { target: 'setX', actions: 'raiseB', description: 'b[i] = 1' } } },
      setX: { on: { setX: { target: 'checkY', actions: 'setX', description: 'x = i' } } },
      checkY: {
        on: {
          yBusy: { guard: 'yBusy', target: 'waitY', actions: 'lowerB', description: 'y != 0: b[i] = 0' },
          yFree: { guard: 'yFree', target: 'setY', description: 'y == 0' },
        },
      },
      waitY: { on: { awaitYFree: { guard: 'yFree', target: 'ncs', description: 'await y == 0; goto start' } }, meta: { waitsFor: 'y == 0' } },
      setY: { on: { setY: { target: 'checkX', actions: 'setY', description: 'y = i' } } },
      checkX: {
        on: {
          fast: { guard: 'xMine', target: 'cs', description: 'x == i: enter' },
          slow: { guard: 'xOther', target: 'scan', actions: 'lowerB', description: 'x != i: b[i] = 0' },
        },
      },
      scan: {
        on: {
          scanNext: { guard: 'nextDown', target: 'scan', actions: assign({ j: ({ context }) => context.j + 1 }), description: 'await !b[j]; j++' },
          scanDone: { guard: 'scanned', target: 'recheckY', actions: assign({ j: 0 }), description: 'all b[j] seen down' },
        },
        meta: { waitsFor: 'b[j] down' },
      },
      recheckY: {
        on: {
          yMine: { guard: 'yMine', target: 'cs', description: recheck ? 'y == i: enter' : 'enter' },
          yLost: { guard: 'yLost', target: 'waitYAgain', description: 'y != i' },
        },
      },
      waitYAgain: {
        on: { awaitYFreeAgain: { guard: 'yFree', target: 'ncs', description: 'await y == 0; goto start' } },
        meta: { waitsFor: 'y == 0' },
      },
      cs: { on: { clearY: { target: 'exiting', actions: 'clearY', description: 'y = 0' } } },
      exiting: { on: { lowerB: { target: 'ncs', actions: 'lowerB', description: 'b[i] = 0' } } },
    },
  });
}

export function lamport(n: number, variant: Variant): SystemSpec<World> {
  const machine = lamportProcess(n, variant !== 'no-recheck');
  const properties: Property<World>[] = [mutualExclusion(), deadlockFreedom()];
  if (variant === 'starvation') properties.push(entersAgain('P1 enters again', 'P1', 'cs', 'P1 enters its critical section infinitely often'));
  return {
    name: `lamport-${variant}`,
    world: { b: array(n, bool()), x: int(0, n), y: int(0, n) },
    actors: Array.from({ length: n }, (_, k) => ({ name: `P${k + 1}`, machine, input: { id: k + 1 }, fields: { id: int(k + 1, k + 1), j: int(0, n) } })),
    properties,
  };
}

const textbook = { kind: 'hypothetical', why: "Lamport's fast mutual exclusion (1987) and a seeded bug, compared with SPIN; not kernel code" } as const;

export default defineScenario({
  id: 'lamport',
  title: "Lamport's fast mutual exclusion",
  source: 'L. Lamport, A fast mutual exclusion algorithm, ACM TOCS 5(1), 1987; twin: bench/models/classic/lamport.pml',
  description: 'N weakly fair processes loop forever through the fast path or the slow path into the critical section.',
  params: { n: { description: 'processes', default: 3, min: 2, max: 4 } },
  variants: {
    'fast-mutex': { description: 'mutual exclusion and deadlock freedom', expected: { verdict: 'holds' }, provenance: textbook },
    starvation: {
      description: 'P1 enters infinitely often: not under weak fairness (it can lose y forever)',
      expected: { verdict: 'violated', property: 'P1 enters again' },
      provenance: textbook,
    },
    'no-recheck': {
      description: 'seeded bug: enter after the scan without checking y again',
      expected: { verdict: 'violated', property: 'mutual exclusion' },
      provenance: textbook,
    },
  },
  defaultVariant: 'fast-mutex',
  build: (p, v) => lamport(p.n, v as Variant),
});
