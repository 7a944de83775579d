/**
 * SPIN's Examples/leader0.pml (nimble-code/Spin): Dolev, Klawe and Rodeh's leader election on a
 * unidirectional ring, N = 5 nodes, node numbers given so that node 3 holds the smallest, channels of
 * L = 10 messages `{ mtype, byte }`. Written row for row from pan's merged transition table (promela.ts);
 * SPIN without reduction (`cc -DNOREDUCE`): 15,779 states, 58,181 transitions (= stored + matched).
 *
 * pan's table for `node` (state: statement, merged local statements after it in brackets):
 *   1 printf -> 2;  2 out!one,mynumber -> 46;  46 inp?one,nr -> 16 | inp?two,nr -> 29 | inp?winner,nr -> 38
 *   16 Active -> 12 | else -> 15;  12 nr != maximum -> 6 | else -> 9
 *   6 out!two,nr [neighbourR = nr] -> 46;  9 assert(nr == N) [know_winner = 1] -> 11;  11 out!winner,nr -> 46
 *   15 out!one,nr -> 46;  29 Active -> 25 | else -> 28
 *   25 neighbourR > nr && neighbourR > maximum [maximum = neighbourR] -> 22 | else -> 24
 *   22 out!one,neighbourR -> 46;  24 Active = 0 -> 46;  28 out!two,nr -> 46
 *   38 nr != mynumber [printf] -> 43 | else -> 35;  35 printf -> 36;  36 nr_leaders++ -> 37
 *   37 assert(nr_leaders == 1) -> 43;  43 know_winner [break] -> 49 | else -> 42;  42 out!winner,nr [break] -> 49
 *   49 -end-
 * init: `atomic { proc = 1; do :: proc <= N -> run node(...); proc++ :: proc > N -> break od }` is one step,
 * `break` included: it is the atomic sequence's last statement (pan's state 9 -> 11), and the states inside
 * an atomic sequence are not stored. (With `break` as a step of its own the count is 2 × 15,778: init's
 * break then interleaves with the whole election.)
 */
import { deadlockFreedom, enumOf, int, type SystemSpec } from '../../checker/index.js';
import { proctype, type ProcessWorld, type Row } from './promela.js';
import { queues, type QueueStyle } from './queues.js';

export const LEADER0 = { N: 5, I: 3, L: 10 } as const;
/** SPIN 6 on Examples/leader0.pml, `-DNOREDUCE`: states stored, and transitions (= stored + matched). */
export const LEADER0_SPIN = { states: 15_779, transitions: 58_181 } as const;

/** SPIN numbers mtypes from the end of the declaration: winner = 1, two = 2, one = 3. */
const WINNER = 1;
const TWO = 2;
const ONE = 3;

interface LeaderWorld extends ProcessWorld {
  nrLeaders: number;
}

export interface Leader0Params {
  readonly N: number;
  readonly I: number;
  readonly L: number;
  /** Node numbers by pid 1..N; default SPIN's `(N + I - proc) % N + 1` (a permutation of 1..N). */
  readonly numbers?: readonly number[];
}

export function leader0(style: QueueStyle, { N, I, L, numbers }: Leader0Params = LEADER0): SystemSpec<LeaderWorld> {
  const { fields, ops: Q } = queues(style, N, L, [enumOf(['none', 'winner', 'two', 'one']), int(0, N)]);
  const inp = (c: Record<string, number>) => c.pid! - 1;
  const out = (c: Record<string, number>) => c.pid! % N;
  const rows: Row<LeaderWorld>[] = [
    { from: 's1', to: 's2', event: 'printf', when: (c, w) => w.alive > c.pid! },
    { from: 's2', to: 's46', event: 'sendOne', when: (c, w) => Q.canSend(w, out(c)), effect: (c, w) => Q.send(w, out(c), ONE, c.mynumber!) },
    ...(
      [
        ['recvOne', ONE, 's16'],
        ['recvTwo', TWO, 's29'],
        ['recvWinner', WINNER, 's38'],
      ] as const
    ).map(([event, kind, to]) => ({
      from: 's46',
      to,
      event,
      when: (c: Record<string, number>, w: LeaderWorld) => Q.headIs(w, inp(c), kind),
      set: (c: Record<string, number>, w: LeaderWorld) => ({ nr: Q.head(w, inp(c), 1) }),
      effect: (c: Record<string, number>, w: LeaderWorld) => Q.receive(w, inp(c)),
    })),
    { from: 's16', to: 's12', event: 'active1', when: (c) => c.Active === 1 },
    { from: 's16', to: 's15', event: 'else1', when: (c) => c.Active !== 1 },
    { from: 's12', to: 's6', event: 'notMax', when: (c) => c.nr !== c.maximum },
    { from: 's12', to: 's9', event: 'isMax', when: (c) => c.nr === c.maximum },
    {
      from: 's6',
      to: 's46',
      event: 'sendTwo',
      when: (c, w) => Q.canSend(w, out(c)),
      effect: (c, w) => Q.send(w, out(c), TWO, c.nr!),
      set: (c) => ({ neighbourR: c.nr! }),
    },
    {
      from: 's9',
      to: 's11',
      event: 'assertMax',
      set: (c) => {
        if (c.nr !== N) throw new Error(`assert(nr == ${N}) failed: nr = ${c.nr}`);
        return { know_winner: 1 };
      },
    },
    { from: 's11', to: 's46', event: 'sendWinner', when: (c, w) => Q.canSend(w, out(c)), effect: (c, w) => Q.send(w, out(c), WINNER, c.nr!) },
    { from: 's15', to: 's46', event: 'passOne', when: (c, w) => Q.canSend(w, out(c)), effect: (c, w) => Q.send(w, out(c), ONE, c.nr!) },
    { from: 's29', to: 's25', event: 'active2', when: (c) => c.Active === 1 },
    { from: 's29', to: 's28', event: 'else2', when: (c) => c.Active !== 1 },
    {
      from: 's25',
      to: 's22',
      event: 'newMax',
      when: (c) => c.neighbourR! > c.nr! && c.neighbourR! > c.maximum!,
      set: (c) => ({ maximum: c.neighbourR! }),
    },
    { from: 's25', to: 's24', event: 'else3', when: (c) => !(c.neighbourR! > c.nr! && c.neighbourR! > c.maximum!) },
    { from: 's22', to: 's46', event: 'sendOneR', when: (c, w) => Q.canSend(w, out(c)), effect: (c, w) => Q.send(w, out(c), ONE, c.neighbourR!) },
    { from: 's24', to: 's46', event: 'passive', set: () => ({ Active: 0 }) },
    { from: 's28', to: 's46', event: 'passTwo', when: (c, w) => Q.canSend(w, out(c)), effect: (c, w) => Q.send(w, out(c), TWO, c.nr!) },
    { from: 's38', to: 's43', event: 'lost', when: (c) => c.nr !== c.mynumber },
    { from: 's38', to: 's35', event: 'else4', when: (c) => c.nr === c.mynumber },
    { from: 's35', to: 's36', event: 'printLeader' },
    { from: 's36', to: 's37', event: 'countLeader', effect: (_c, w) => void (w.nrLeaders += 1) },
    {
      from: 's37',
      to: 's43',
      event: 'assertOne',
      when: (_c, w) => {
        if (w.nrLeaders !== 1) throw new Error(`assert(nr_leaders == 1) failed: nr_leaders = ${w.nrLeaders}`);
        return true;
      },
    },
    { from: 's43', to: 's49', event: 'knowWinner', when: (c) => c.know_winner === 1 },
    { from: 's43', to: 's42', event: 'else5', when: (c) => c.know_winner !== 1 },
    { from: 's42', to: 's49', event: 'forwardWinner', when: (c, w) => Q.canSend(w, out(c)), effect: (c, w) => Q.send(w, out(c), WINNER, c.nr!) },
  ];
  const initial = (mynumber: number) => ({ Active: 1, know_winner: 0, nr: 0, maximum: mynumber, neighbourR: 0, mynumber });
  const node = proctype<LeaderWorld>('node', 's1', ({ arg }) => initial(arg), rows, 's49', {
    Active: 0,
    know_winner: 0,
    nr: 0,
    maximum: 0,
    neighbourR: 0,
    mynumber: 0,
  });
  const init = proctype<LeaderWorld>(
    'init',
    's10',
    () => ({ proc: 0 }),
    [{ from: 's10', to: 's11', event: 'start', set: () => ({ proc: N + 1 }), effect: (_c, w) => void (w.alive = N + 1) }],
    's11',
    { proc: 0 },
  );
  const id = int(0, N);
  return {
    name: `leader0-${style}`,
    world: { alive: int(0, N + 1, 1), nrLeaders: int(0, N), ...fields },
    actors: [
      { name: 'init', machine: init, input: { pid: 0, arg: 0 }, fields: { pid: int(0, 0), proc: int(0, N + 1) } },
      ...Array.from({ length: N }, (_, k) => {
        const proc = k + 1;
        return {
          name: `node${proc}`,
          machine: node,
          input: { pid: proc, arg: numbers?.[k] ?? ((N + I - proc) % N) + 1 },
          fields: { pid: int(0, N), Active: int(0, 1), know_winner: int(0, 1), nr: id, maximum: id, neighbourR: id, mynumber: id },
        };
      }),
    ],
    properties: [deadlockFreedom()],
  };
}
