/**
 * SPIN's Examples/sort.pml (nimble-code/Spin): N = 7 processes sort N "random" numbers in a pipeline,
 * `left` generating them, N - 1 `middle`s each keeping the smallest it has seen, `right` taking the
 * biggest, over channels of L = 10 bytes. Written row for row from pan's merged transition table
 * (promela.ts); SPIN without reduction (`cc -DNOREDUCE`): 107,713 states, 512,419 transitions.
 *
 * pan's table (state: statement, merged local statements after it in brackets):
 *   left:   1 counter = 0 [seed = 15] -> 12;  12 out!seed [counter++] -> 9
 *           9 counter == N [break] -> 15 | counter != N -> 8;  8 skip [seed = RANDOM] -> 12;  15 -end-
 *   middle: 1 counter = N - procnum -> 2;  2 inp?myval -> 15;  15 counter > 0 -> 4 | counter == 0 [break] -> 18
 *           4 inp?nextval -> 10;  10 nextval >= myval -> 6 | nextval < myval -> 8
 *           6 out!nextval [counter--] -> 15;  8 out!myval [myval = nextval; counter--] -> 15;  18 -end-
 *   right:  1 inp?biggest -> 2;  2 -end-
 *   init:   `atomic { run left(q[0]); do ... run middle(...) ... od; run right(q[N-1]) }`: one step.
 */
import { deadlockFreedom, int, type SystemSpec } from '../../checker/index.js';
import { proctype, type ProcessWorld, type Row } from './promela.js';
import { queues, type QueueStyle } from './queues.js';

export const SORT = { N: 7, L: 10 } as const;
/** SPIN 6 on Examples/sort.pml, `-DNOREDUCE`: states stored, and transitions (= stored + matched). */
export const SORT_SPIN = { states: 107_713, transitions: 512_419 } as const;

const random = (seed: number): number => (seed * 3 + 14) % 100;

export function sort(style: QueueStyle, { N, L }: { N: number; L: number } = SORT): SystemSpec<ProcessWorld> {
  const { fields, ops: Q } = queues(style, N, L, [int(0, 99)]);
  const born = (c: Record<string, number>, w: ProcessWorld) => w.alive > c.pid!;
  const left = proctype<ProcessWorld>(
    'left',
    's1',
    () => ({ counter: 0, seed: 0 }),
    [
      { from: 's1', to: 's12', event: 'init', when: born, set: () => ({ counter: 0, seed: 15 }) },
      {
        from: 's12',
        to: 's9',
        event: 'send',
        when: (_c, w) => Q.canSend(w, 0),
        effect: (c, w) => Q.send(w, 0, c.seed!),
        set: (c) => ({ counter: c.counter! + 1 }),
      },
      { from: 's9', to: 's15', event: 'done', when: (c) => c.counter === N },
      { from: 's9', to: 's8', event: 'more', when: (c) => c.counter !== N },
      { from: 's8', to: 's12', event: 'next', set: (c) => ({ seed: random(c.seed!) }) },
    ] satisfies Row<ProcessWorld>[],
    's15',
    { counter: 0, seed: 0 },
  );
  // middle's procnum is pid - 1; it reads q[procnum - 1] and writes q[procnum].
  const inp = (c: Record<string, number>) => c.pid! - 2;
  const out = (c: Record<string, number>) => c.pid! - 1;
  const middle = proctype<ProcessWorld>(
    'middle',
    's1',
    () => ({ counter: 0, myval: 0, nextval: 0 }),
    [
      { from: 's1', to: 's2', event: 'init', when: born, set: (c) => ({ counter: N - (c.pid! - 1) }) },
      {
        from: 's2',
        to: 's15',
        event: 'first',
        when: (c, w) => Q.headIs(w, inp(c)),
        set: (c, w) => ({ myval: Q.head(w, inp(c)) }),
        effect: (c, w) => Q.receive(w, inp(c)),
      },
      { from: 's15', to: 's4', event: 'more', when: (c) => c.counter! > 0 },
      { from: 's15', to: 's18', event: 'done', when: (c) => c.counter === 0 },
      {
        from: 's4',
        to: 's10',
        event: 'next',
        when: (c, w) => Q.headIs(w, inp(c)),
        set: (c, w) => ({ nextval: Q.head(w, inp(c)) }),
        effect: (c, w) => Q.receive(w, inp(c)),
      },
      { from: 's10', to: 's6', event: 'passOn', when: (c) => c.nextval! >= c.myval! },
      { from: 's10', to: 's8', event: 'keep', when: (c) => c.nextval! < c.myval! },
      {
        from: 's6',
        to: 's15',
        event: 'sendNext',
        when: (c, w) => Q.canSend(w, out(c)),
        effect: (c, w) => Q.send(w, out(c), c.nextval!),
        set: (c) => ({ counter: c.counter! - 1 }),
      },
      {
        from: 's8',
        to: 's15',
        event: 'sendMine',
        when: (c, w) => Q.canSend(w, out(c)),
        effect: (c, w) => Q.send(w, out(c), c.myval!),
        set: (c) => ({ myval: c.nextval!, counter: c.counter! - 1 }),
      },
    ] satisfies Row<ProcessWorld>[],
    's18',
    { counter: 0, myval: 0, nextval: 0 },
  );
  const right = proctype<ProcessWorld>(
    'right',
    's1',
    () => ({ biggest: 0 }),
    [
      {
        from: 's1',
        to: 's2',
        event: 'take',
        when: (c, w) => born(c, w) && Q.headIs(w, N - 1),
        set: (_c, w) => ({ biggest: Q.head(w, N - 1) }),
        effect: (_c, w) => Q.receive(w, N - 1),
      },
    ],
    's2',
    { biggest: 0 },
  );
  const init = proctype<ProcessWorld>(
    'init',
    's11',
    () => ({ proc: 1 }),
    [{ from: 's11', to: 's12', event: 'start', set: () => ({ proc: N }), effect: (_c, w) => void (w.alive = N + 2) }],
    's12',
    { proc: 0 },
  );
  const byte = int(0, 99);
  return {
    name: `sort-${style}`,
    world: { alive: int(0, N + 2, 1), ...fields },
    actors: [
      { name: 'init', machine: init, input: { pid: 0, arg: 0 }, fields: { pid: int(0, 0), proc: int(0, N) } },
      { name: 'left', machine: left, input: { pid: 1, arg: 0 }, fields: { pid: int(1, 1), counter: int(0, N), seed: byte } },
      ...Array.from({ length: N - 1 }, (_, k) => ({
        name: `middle${k + 1}`,
        machine: middle,
        input: { pid: k + 2, arg: 0 },
        fields: { pid: int(0, N + 1), counter: int(0, N), myval: byte, nextval: byte },
      })),
      { name: 'right', machine: right, input: { pid: N + 1, arg: 0 }, fields: { pid: int(0, N + 1), biggest: byte } },
    ],
    properties: [deadlockFreedom()],
  };
}
