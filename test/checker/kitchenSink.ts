/**
 * A system that uses every machine feature the compiler supports (checker/system/compile.ts), for the
 * conformance test and the engine pins: named guards with params, `and`/`or`/`not`, inline guards,
 * guarded transition lists (first passing guard wins), targetless transitions with and without actions,
 * a self-transition with and without `reenter`, entry and exit actions (assign and effects), `assign` in
 * object and function form, several fields in one assign, named effects with constant params, a choices
 * function of the world, array fields, and an environment actor with a budget and per-event costs
 * (including a free step).
 */
import { and, assign, not, or, setup } from 'xstate';
import { array, bool, int, type StepEvent, type SystemSpec } from '../../checker/index.js';

export interface SinkWorld {
  a: number;
  readonly arr: Int32Array | number[];
  flag: number;
}

type ThreadEvent = StepEvent<'step' | 'pick' | 'back' | 'again' | 'stay' | 'noop' | 'fin', SinkWorld>;

const thread = setup({
  types: { context: {} as { i: number; j: number }, events: {} as ThreadEvent },
  guards: {
    aLow: ({ event }) => event.world.a < 4,
    flagUp: ({ event }) => event.world.flag === 1,
    iOdd: ({ context }) => context.i % 2 === 1,
    atLeast: ({ context }, params: { n: number }) => context.j >= params.n,
  },
  actions: {
    incA: ({ event }) => {
      event.world.a = Math.min(event.world.a + 1, 5);
    },
    touchArr: ({ event, context }) => {
      event.world.arr[context.i % 3] = (event.world.arr[context.i % 3]! + 1) % 4;
    },
    pickArr: ({ event }) => {
      event.world.arr[event.choice] = (event.world.arr[event.choice]! + 1) % 4;
    },
    toggle: ({ event }) => {
      event.world.flag = 1 - event.world.flag;
    },
    setA: ({ event }, params: { v: number }) => {
      event.world.a = params.v;
    },
  },
}).createMachine({
  id: 'kitchen-sink',
  initial: 's0',
  context: { i: 0, j: 0 },
  states: {
    s0: {
      on: {
        step: [
          {
            guard: and(['aLow', not('flagUp')]),
            target: 's1',
            actions: ['incA', assign({ i: ({ context }) => (context.i + 1) % 4, j: ({ context }) => context.i })],
          },
          { guard: or(['iOdd', 'flagUp']), actions: ['touchArr', assign(({ context }) => ({ i: (context.i + 1) % 4 }))] },
        ],
        pick: { actions: 'pickArr' },
      },
    },
    s1: {
      entry: [assign({ j: ({ context }) => Math.min(context.j + 1, 5) }), 'toggle'],
      exit: ['toggle', { type: 'setA', params: { v: 2 } }],
      on: {
        back: { target: 's0' },
        again: { target: 's1', reenter: true, guard: ({ context }) => context.j < 5 },
        stay: { target: 's1', actions: 'incA' },
        noop: { guard: ({ event }) => event.world.a > 2 },
        fin: { guard: { type: 'atLeast', params: { n: 3 } }, target: 'done' },
      },
    },
    done: { type: 'final' },
  },
});

const environment = setup({
  types: { context: {} as Record<string, never>, events: {} as StepEvent<'poke' | 'free', SinkWorld> },
}).createMachine({
  id: 'kitchen-sink-env',
  initial: 'run',
  context: {},
  states: {
    run: {
      on: {
        poke: {
          actions: ({ event }) => {
            event.world.a = Math.min(event.world.a + 1, 5);
          },
        },
        free: {
          guard: ({ event }) => event.world.a > 0,
          actions: ({ event }) => {
            event.world.a -= 1;
          },
        },
      },
    },
  },
});

export function kitchenSink(): SystemSpec<SinkWorld> {
  return {
    name: 'kitchen-sink',
    world: { a: int(0, 5), arr: array(3, int(0, 3)), flag: bool() },
    actors: [
      { name: 'T', machine: thread, fields: { i: int(0, 3), j: int(0, 5) }, choices: { pick: ({ event }) => (event.world.a % 3) + 1 } },
      { name: 'E', kind: 'environment', budget: 3, machine: environment, fields: {}, cost: { poke: 2, free: 0 } },
    ],
    properties: [],
  };
}
