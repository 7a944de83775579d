/**
 * Partial-order reduction (checker/reduce/por.ts, footprint.ts): exact reduced counts on tiny models, the
 * restart when a later footprint contradicts a reduction, the fallbacks (progress properties, model code
 * that reads hidden state), and a differential property test - random small systems of shared counters, a
 * lock, a channel and local steps give the same verdicts with and without the reduction, on fewer states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assign, setup, type AnyStateMachine } from 'xstate';
import {
  array,
  bound,
  chan,
  check,
  deadlockFreedom,
  int,
  invariant,
  terminates,
  transitionProperty,
  type CheckResult,
  type StepEvent,
  type SystemSpec,
} from '../../../checker/index.js';

interface W {
  x: number;
  c: Int32Array | number[];
  own: Int32Array | number[];
  lock: number;
  q: Chan;
  p: Chan;
}
interface Chan {
  readonly length: number;
  isFull(): boolean;
  isEmpty(): boolean;
  send(v: number): void;
  receive(): number;
  peek(i?: number): number;
  poll(v: number): boolean;
}
type Ev = StepEvent<string, W>;

/** An actor that takes `n` local steps (its own counter) and ends. */
function counter(n: number): AnyStateMachine {
  return setup({ types: { context: {} as { i: number }, events: {} as Ev } }).createMachine({
    id: 'counter',
    initial: 'run',
    context: { i: 0 },
    states: {
      run: {
        on: {
          tick: [
            { guard: ({ context }) => context.i + 1 === n, target: 'done', actions: assign({ i: ({ context }) => context.i + 1 }) },
            { actions: assign({ i: ({ context }) => context.i + 1 }) },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

const run = (spec: SystemSpec, reduce: 'none' | 'por', more: Parameters<typeof check>[1] = {}): CheckResult => check(spec, { reduce, ...more });

/** `spec` holds with and without the reduction, on exactly these states (and reduced transitions), with no note. */
function assertHoldsOn(spec: SystemSpec, expected: { none: number; por: number; porTransitions: number }): void {
  const none = run(spec, 'none');
  const por = run(spec, 'por');
  assert.deepEqual([none.verdict, por.verdict], ['holds', 'holds']);
  assert.deepEqual({ none: none.stats.states, por: por.stats.states, porTransitions: por.stats.transitions }, expected);
  assert.deepEqual(por.reduction?.notes, []);
}

describe('partial-order reduction: exact counts on tiny models', () => {
  it('two actors of 3 local steps each: 16 interleaved states, 7 reduced (one actor runs to its end, then the other)', () => {
    const spec: SystemSpec = {
      name: 'local',
      world: {},
      actors: [0, 1].map((k) => ({ name: `t${k}`, machine: counter(3), fields: { i: int(0, 3) } })),
      properties: [deadlockFreedom()],
    };
    assertHoldsOn(spec, { none: 16, por: 7, porTransitions: 6 });
  });

  it('an invariant that reads one actor makes that actor visible: the other is reduced, the violation found', () => {
    const spec: SystemSpec = {
      name: 'visible',
      world: {},
      actors: [0, 1].map((k) => ({ name: `t${k}`, machine: counter(3), fields: { i: int(0, 3) } })),
      properties: [invariant('t1 below 3', (s) => s.actors[1]!.context.i < 3), deadlockFreedom()],
    };
    const none = run(spec, 'none');
    const por = run(spec, 'por');
    assert.equal(none.verdict, 'violated');
    assert.equal(por.verdict, 'violated');
    assert.equal(por.violations[0]!.property, 't1 below 3');
    assert.ok(por.stats.states < none.stats.states);
  });

  it('an invariant over both actors makes both visible: the interleaving it needs is kept', () => {
    const spec: SystemSpec = {
      name: 'both-visible',
      world: {},
      actors: [0, 1].map((k) => ({ name: `t${k}`, machine: counter(3), fields: { i: int(0, 3) } })),
      properties: [invariant('not both at 1', (s) => !(s.actors[0]!.context.i === 1 && s.actors[1]!.context.i === 1)), deadlockFreedom()],
    };
    const por = run(spec, 'por');
    assert.equal(por.verdict, 'violated');
    assert.equal(por.violations[0]!.property, 'not both at 1');
    assert.equal(por.violations[0]!.trace.steps.length, 2);
  });

  it('the same counts under dfs', () => {
    const spec: SystemSpec = {
      name: 'local-dfs',
      world: {},
      actors: [0, 1, 2].map((k) => ({ name: `t${k}`, machine: counter(2), fields: { i: int(0, 2) } })),
      properties: [deadlockFreedom()],
    };
    assert.equal(run(spec, 'none', { strategy: 'dfs' }).stats.states, 27);
    assert.equal(run(spec, 'por', { strategy: 'dfs' }).stats.states, 7);
    assert.equal(run(spec, 'por').stats.states, 7);
  });
});

describe('partial-order reduction: what it learns, and when it stands down', () => {
  /** t0 writes x at once; t1 reads x only after two local steps, so the first reduction relies on x being t0's. */
  const writer = setup({ types: { context: {} as Record<string, never>, events: {} as Ev } }).createMachine({
    id: 'writer',
    initial: 'a',
    context: {},
    states: { a: { on: { set: { target: 'done', actions: ({ event }) => void (event.world.x = 1) } } }, done: { type: 'final' } },
  });
  const late = setup({ types: { context: {} as { i: number }, events: {} as Ev } }).createMachine({
    id: 'late',
    initial: 'a',
    context: { i: 0 },
    states: {
      a: { on: { step: { target: 'b' } } },
      b: { on: { step: { target: 'c' } } },
      c: {
        on: {
          look: {
            target: 'done',
            actions: ({ event }) => {
              if (event.world.x === 0) throw new Error('saw x = 0');
            },
          },
        },
      },
      done: { type: 'final' },
    },
  });
  const spec: SystemSpec = {
    name: 'late-reader',
    world: { x: int(0, 1) },
    actors: [
      { name: 'w', machine: writer, fields: {} },
      { name: 'r', machine: late, fields: { i: int(0, 0) } },
    ],
    properties: [deadlockFreedom()],
  };

  it('a reader found later contradicts a reduction: the search runs again and finds the violation', () => {
    const none = run(spec, 'none');
    const por = run(spec, 'por');
    assert.equal(none.verdict, 'violated');
    assert.equal(por.verdict, 'violated');
    assert.equal(por.violations[0]!.property, 'assertion');
    assert.match((por.reduction?.notes ?? []).join('\n'), /searched 2 times/);
  });

  it('a run with progress properties is not reduced, and says so', () => {
    const spec2: SystemSpec = {
      name: 'progress',
      world: {},
      actors: [0, 1].map((k) => ({ name: `t${k}`, machine: counter(2), fields: { i: int(0, 2) } })),
      properties: [terminates('t0')],
    };
    const none = run(spec2, 'none');
    const por = run(spec2, 'por');
    assert.equal(por.verdict, none.verdict);
    assert.equal(por.stats.states, none.stats.states);
    assert.match((por.reduction?.notes ?? []).join('\n'), /off for this run: it checks progress properties/);
  });

  it("reduce: 'all' on a system with no symmetric actors: partial-order reduction alone, and the note says why", () => {
    const spec2: SystemSpec = {
      name: 'all',
      world: {},
      actors: [0, 1].map((k) => ({ name: `t${k}`, machine: counter(2), fields: { i: int(0, 2) } })),
      properties: [deadlockFreedom()],
    };
    const all = check(spec2, { reduce: 'all' });
    assert.equal(all.verdict, 'holds');
    assert.equal(all.reduction?.applied, 'por');
    assert.match((all.reduction?.notes ?? []).join('\n'), /symmetry off: the system declares no symmetric actors/);
  });

  it('model code that reads hidden state: the recorded footprint disagrees with the fast path, and the reduction stands down', () => {
    let calls = 0;
    const flaky = setup({ types: { context: {} as { i: number }, events: {} as Ev } }).createMachine({
      id: 'flaky',
      initial: 'a',
      context: { i: 0 },
      // Odd calls take the step, even ones do not: a guard that reads a counter outside the world.
      states: { a: { on: { go: { guard: () => ++calls % 2 === 1, target: 'done' } } }, done: { type: 'final' } },
    });
    const hidden: SystemSpec = {
      name: 'hidden',
      world: {},
      actors: [
        { name: 'f', machine: flaky, fields: { i: int(0, 0) } },
        { name: 't', machine: counter(2), fields: { i: int(0, 2) } },
      ],
      properties: [deadlockFreedom()],
    };
    const por = run(hidden, 'por');
    assert.notEqual(por.verdict, 'holds');
    assert.match((por.reduction?.notes ?? []).join('\n'), /off for this run: a step of f did not do the same/);
  });
});

describe("partial-order reduction on channels: a sole sender's sends and a sole receiver's receives (SPIN's xs / xr)", () => {
  /** `n` rounds of `event` (when `guard` holds: `act`, count) then a local step `next`; then done. */
  const rounds = (id: string, n: number, event: string, guard: (e: Ev, i: number) => boolean, act: (e: Ev, i: number) => void) =>
    setup({ types: { context: {} as { i: number }, events: {} as Ev } }).createMachine({
      id,
      initial: 'run',
      context: { i: 0 },
      states: {
        run: {
          on: {
            [event]: {
              guard: ({ event: e, context }) => guard(e, context.i),
              target: 'between',
              actions: [({ event: e, context }) => act(e, context.i), assign({ i: ({ context }) => context.i + 1 })],
            },
          },
        },
        between: { on: { next: [{ guard: ({ context }) => context.i === n, target: 'done' }, { target: 'run' }] } },
        done: { type: 'final' },
      },
    });
  /** Sends 1, 2, 3 (as many as `n`), each when the queue is not full. */
  const producer = (n: number) =>
    rounds(
      'producer',
      n,
      'send',
      (e) => !e.world.q.isFull(),
      (e, i) => e.world.q.send(i + 1),
    );
  /** Receives 1, 2, 3 (as many as `n`): each when it is the queue's head. */
  const consumer = (n: number) =>
    rounds(
      'consumer',
      n,
      'receive',
      (e, i) => e.world.q.poll(i + 1),
      (e) => void e.world.q.receive(),
    );
  const pipeline: SystemSpec = {
    name: 'pipeline',
    world: { q: chan(2, [int(0, 3)]) },
    actors: [
      { name: 'producer', machine: producer(3), fields: { i: int(0, 3) } },
      { name: 'consumer', machine: consumer(3), fields: { i: int(0, 3) } },
    ],
    properties: [deadlockFreedom()],
  };

  it('three messages through a queue of two: 29 states unreduced, 13 reduced - one run, the producer sending until the queue is full, the consumer making room', () => {
    assertHoldsOn(pipeline, { none: 29, por: 13, porTransitions: 12 });
  });

  it('an invariant that reads the queue makes its sends and receives visible: they stay interleaved, only the local steps are reduced', () => {
    const watched: SystemSpec<W> = { ...(pipeline as SystemSpec<W>), properties: [invariant<W>('below 3', (s) => s.world.q.length < 3), deadlockFreedom()] };
    assert.equal(run(watched, 'por').stats.states, 19);
  });

  it('a receiver that acts on an empty queue: the send is not moved in front of it, and the violation is found', () => {
    // The receiver looks only after a local step, so the first reduction relies on the queue being the
    // sender's alone; the look contradicts it, the search runs again, and the empty-queue probe marks the
    // receiver empty-positive.
    const once = producer(1);
    const looker = setup({ types: { context: {} as { i: number }, events: {} as Ev } }).createMachine({
      id: 'looker',
      initial: 'a',
      context: { i: 0 },
      states: {
        a: { on: { step: { target: 'b' } } },
        b: {
          on: {
            look: {
              guard: ({ event }) => event.world.q.isEmpty(),
              target: 'done',
              actions: () => {
                throw new Error('saw an empty queue');
              },
            },
          },
        },
        done: { type: 'final' },
      },
    });
    const spec: SystemSpec = {
      name: 'empty-positive',
      world: { q: chan(2, [int(0, 3)]) },
      actors: [
        { name: 'sender', machine: once, fields: { i: int(0, 1) } },
        { name: 'looker', machine: looker, fields: { i: int(0, 0) } },
      ],
      properties: [deadlockFreedom()],
    };
    const none = run(spec, 'none');
    const por = run(spec, 'por');
    assert.equal(none.verdict, 'violated');
    assert.equal(por.verdict, 'violated');
    assert.match(por.violations[0]!.message, /saw an empty queue/);
    assert.match((por.reduction?.notes ?? []).join('\n'), /searched 2 times/);
  });
});

// ---- the differential property test ----

type Op =
  | { readonly kind: 'local'; readonly k: number }
  | { readonly kind: 'pick' }
  | { readonly kind: 'incr'; readonly i: number }
  | { readonly kind: 'test'; readonly i: number; readonly k: number }
  | { readonly kind: 'acquire' }
  | { readonly kind: 'release' }
  // A flag, a guard that reads counter i only while the flag is up, and per-actor slots read by the others.
  | { readonly kind: 'flag'; readonly v: number }
  | { readonly kind: 'flagged'; readonly i: number; readonly k: number }
  | { readonly kind: 'mine' }
  | { readonly kind: 'theirs'; readonly k: number }
  | { readonly kind: 'send'; readonly v: number }
  | { readonly kind: 'recv' }
  // Channel p: the ends SPIN's xs / xr rule is about, and the uses that break it (channelOps.ts).
  | { readonly kind: 'sendP'; readonly v: number }
  | { readonly kind: 'fullP' }
  | { readonly kind: 'blindSendP'; readonly v: number }
  | { readonly kind: 'recvP' }
  | { readonly kind: 'pollP'; readonly v: number }
  | { readonly kind: 'emptyP' }
  | { readonly kind: 'blindRecvP' }
  | { readonly kind: 'lengthP'; readonly k: number };

interface Edge {
  readonly op: Op;
  /** A state index, or the number of states for `done`. */
  readonly target: number;
}
type ActorDesc = readonly (readonly Edge[])[];

const COUNTERS = 2;
const value = fc.integer({ min: 0, max: 3 });
/** Channel p's send side (actor 0 draws from it), receive side (actor 1), and anything on it (the others). */
const sendSide: fc.Arbitrary<Op>[] = [
  fc.record({ kind: fc.constant('sendP' as const), v: value }),
  fc.constant({ kind: 'fullP' as const }),
  fc.record({ kind: fc.constant('blindSendP' as const), v: value }),
];
const receiveSide: fc.Arbitrary<Op>[] = [
  fc.constant({ kind: 'recvP' as const }),
  fc.record({ kind: fc.constant('pollP' as const), v: value }),
  fc.constant({ kind: 'emptyP' as const }),
  fc.constant({ kind: 'blindRecvP' as const }),
];
const anySide: fc.Arbitrary<Op>[] = [...sendSide, ...receiveSide, fc.record({ kind: fc.constant('lengthP' as const), k: fc.integer({ min: 0, max: 2 }) })];
const baseOps: fc.Arbitrary<Op>[] = [
  fc.record({ kind: fc.constant('local' as const), k: fc.integer({ min: 1, max: 3 }) }),
  fc.constant({ kind: 'pick' as const }),
  fc.record({ kind: fc.constant('incr' as const), i: fc.integer({ min: 0, max: COUNTERS - 1 }) }),
  fc.record({ kind: fc.constant('test' as const), i: fc.integer({ min: 0, max: COUNTERS - 1 }), k: fc.integer({ min: 0, max: 2 }) }),
  fc.constant({ kind: 'acquire' as const }),
  fc.constant({ kind: 'release' as const }),
  fc.record({ kind: fc.constant('flag' as const), v: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('flagged' as const), i: fc.integer({ min: 0, max: COUNTERS - 1 }), k: fc.integer({ min: 0, max: 2 }) }),
  fc.constant({ kind: 'mine' as const }),
  fc.record({ kind: fc.constant('theirs' as const), k: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('send' as const), v: fc.integer({ min: 0, max: 3 }) }),
  fc.constant({ kind: 'recv' as const }),
];
/** Actor `id`'s ops: the base ones, and channel p's send side (actor 0), receive side (1), or any (2). */
const opArb = (id: number): fc.Arbitrary<Op> => fc.oneof(...baseOps, ...[sendSide, receiveSide, anySide][id]!, ...[sendSide, receiveSide, anySide][id]!);
/**
 * Mostly channel p: local steps, choices, actor `id`'s guarded send or receive on p (three times as likely)
 * and now and then any use of its side of p (actor 2: of either side, and `length`).
 */
const channelOpArb = (id: number): fc.Arbitrary<Op> => {
  const side = [sendSide, receiveSide, anySide][id]!;
  const guarded = [[sendSide[0]!], [receiveSide[0]!, receiveSide[1]!], [sendSide[0]!, receiveSide[0]!]][id]!;
  return fc.oneof(baseOps[0]!, baseOps[1]!, ...guarded, ...guarded, ...guarded, ...side);
};
const actorArb = (states: number, id: number, ops: (id: number) => fc.Arbitrary<Op>): fc.Arbitrary<ActorDesc> =>
  fc.array(fc.array(fc.record({ op: ops(id), target: fc.integer({ min: 0, max: states }) }), { minLength: 1, maxLength: 2 }), {
    minLength: states,
    maxLength: states,
  });

/** A send of `v` when the channel is not full. */
const sendTo = (ch: (e: Ev) => Chan, v: number) => ({
  guard: ({ event }: { event: Ev }) => !ch(event).isFull(),
  actions: ({ event }: { event: Ev }) => ch(event).send(v),
});
/** A receive into `v` when the channel is not empty. */
const receiveFrom = (ch: (e: Ev) => Chan) => ({
  guard: ({ event }: { event: Ev }) => !ch(event).isEmpty(),
  actions: [assign({ v: ({ event }: { event: Ev }) => ch(event).peek(0) }), ({ event }: { event: Ev }) => void ch(event).receive()],
});

/** The machine of a generated actor: states s0.., `done` final; event `e<state>_<k>` does edge k's op. */
function machineOf(desc: ActorDesc, id: number): { machine: AnyStateMachine; choices: Record<string, number> } {
  const states: Record<string, unknown> = { done: { type: 'final' } };
  const choices: Record<string, number> = {};
  const name = (t: number) => (t >= desc.length ? 'done' : `s${t}`);
  desc.forEach((edges, s) => {
    const on: Record<string, unknown> = {};
    edges.forEach(({ op, target }, k) => {
      const type = `e${s}_${k}`;
      const t = { target: name(target) };
      const w = (e: Ev) => e.world;
      switch (op.kind) {
        case 'local':
          on[type] = { ...t, actions: assign({ v: ({ context }: { context: { v: number } }) => (context.v + op.k) % 4 }) };
          break;
        case 'pick':
          choices[type] = 2;
          on[type] = { ...t, actions: assign({ v: ({ event }: { event: Ev }) => event.choice }) };
          break;
        case 'incr':
          on[type] = {
            ...t,
            guard: ({ event }: { event: Ev }) => w(event).c[op.i]! < 3,
            actions: ({ event }: { event: Ev }) => void (w(event).c[op.i] = w(event).c[op.i]! + 1),
          };
          break;
        case 'test':
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).c[op.i] === op.k };
          break;
        case 'acquire':
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).lock === 0, actions: ({ event }: { event: Ev }) => void (w(event).lock = id + 1) };
          break;
        case 'release':
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).lock === id + 1, actions: ({ event }: { event: Ev }) => void (w(event).lock = 0) };
          break;
        case 'flag':
          on[type] = { ...t, actions: ({ event }: { event: Ev }) => void (w(event).x = op.v) };
          break;
        case 'flagged':
          // Reads counter i only while x is 1: a read the footprints see only in some states.
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).x === 0 || w(event).c[op.i] === op.k };
          break;
        case 'mine':
          on[type] = { ...t, actions: ({ event }: { event: Ev }) => void (w(event).own[id] = (w(event).own[id]! + 1) % 2) };
          break;
        case 'theirs':
          // The next actor's slot of `own`, an array indexed by actor ids.
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).own[(id + 1) % 3] === op.k };
          break;
        case 'send':
          on[type] = { ...t, ...sendTo((e) => w(e).q, op.v) };
          break;
        case 'recv':
          on[type] = { ...t, ...receiveFrom((e) => w(e).q) };
          break;
        case 'sendP':
          on[type] = { ...t, ...sendTo((e) => w(e).p, op.v) };
          break;
        case 'fullP':
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).p.isFull() };
          break;
        case 'blindSendP':
          on[type] = { ...t, actions: ({ event }: { event: Ev }) => w(event).p.send(op.v) };
          break;
        case 'recvP':
          on[type] = { ...t, ...receiveFrom((e) => w(e).p) };
          break;
        case 'pollP':
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).p.poll(op.v), actions: ({ event }: { event: Ev }) => void w(event).p.receive() };
          break;
        case 'emptyP':
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).p.isEmpty() };
          break;
        case 'blindRecvP':
          on[type] = { ...t, actions: assign({ v: ({ event }: { event: Ev }) => w(event).p.receive() }) };
          break;
        case 'lengthP':
          on[type] = { ...t, guard: ({ event }: { event: Ev }) => w(event).p.length === op.k };
          break;
      }
    });
    states[`s${s}`] = { on };
  });
  const machine = setup({ types: { context: {} as { v: number }, events: {} as Ev } }).createMachine({
    id: `gen${id}`,
    initial: 's0',
    context: { v: 0 },
    states: states as never,
  }) as unknown as AnyStateMachine;
  return { machine, choices };
}

interface Generated {
  readonly actors: readonly ActorDesc[];
  /**
   * The invariant: never counter i = k while actor a's v = m (a = -1: whatever v is); or, with `pair`,
   * never actor 0's v = k while actor a's v = m.
   */
  readonly inv: { readonly i: number; readonly k: number; readonly a: number; readonly m: number; readonly pair: boolean };
  /** The bound: counter i plus actor a's v stays within `limit`. */
  readonly peak: { readonly i: number; readonly a: number; readonly limit: number };
  /** The transition property: actor a never increments counter i while the lock is held. */
  readonly grows: { readonly i: number; readonly a: number };
  /** A transition property that reads another actor's context on one actor's steps: actor a never steps while actor b's v is m. */
  readonly watch: { readonly a: number; readonly b: number; readonly m: number; readonly on: boolean };
  readonly dfs: boolean;
  /** 0: an invariant also reads channel p (it is visible): p never holds 2 messages while actor 0's v is 3. */
  readonly watchP: number;
}

const generated = (ops: (id: number) => fc.Arbitrary<Op>): fc.Arbitrary<Generated> =>
  fc.tuple(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([n, states]) =>
    fc.record({
      actors: fc.tuple(...Array.from({ length: n }, (_, id) => actorArb(states, id, ops))),
      inv: fc.record({
        i: fc.integer({ min: 0, max: COUNTERS - 1 }),
        k: fc.integer({ min: 1, max: 3 }),
        a: fc.integer({ min: -1, max: n - 1 }),
        m: fc.integer({ min: 0, max: 3 }),
        pair: fc.boolean(),
      }),
      peak: fc.record({ i: fc.integer({ min: 0, max: COUNTERS - 1 }), a: fc.integer({ min: 0, max: n - 1 }), limit: fc.integer({ min: 2, max: 6 }) }),
      grows: fc.record({ i: fc.integer({ min: 0, max: COUNTERS - 1 }), a: fc.integer({ min: 0, max: n - 1 }) }),
      watch: fc.record({ a: fc.integer({ min: 0, max: n - 1 }), b: fc.integer({ min: 0, max: n - 1 }), m: fc.integer({ min: 1, max: 3 }), on: fc.boolean() }),
      dfs: fc.boolean(),
      watchP: fc.integer({ min: 0, max: 3 }),
    }),
  );

function systemOf(g: Generated): SystemSpec<W> {
  const { i, k, a, m, pair } = g.inv;
  const { peak, grows } = g;
  return {
    name: 'generated',
    world: {
      x: int(0, 1),
      c: array(COUNTERS, int(0, 3)),
      own: array(3, int(0, 1)),
      lock: int(0, g.actors.length),
      q: chan(2, [int(0, 3)]),
      p: chan(2, [int(0, 3)]),
    },
    actors: g.actors.map((desc, id) => {
      const { machine, choices } = machineOf(desc, id);
      return { name: `a${id}`, machine, fields: { v: int(0, 3) }, choices };
    }),
    properties: [
      invariant<W>('never', (s) => !((pair ? s.actors[0]!.context.v === k : s.world.c[i] === k) && (a < 0 || s.actors[a]!.context.v === m))),
      bound<W>('peak', (s) => s.world.c[peak.i]! + s.actors[peak.a]!.context.v!, peak.limit),
      transitionProperty<W>(
        'grows',
        (before, after, step) => !(step.actorIndex === grows.a && after.world.c[grows.i]! > before.world.c[grows.i]! && before.world.lock !== 0),
      ),
      deadlockFreedom(),
      ...(g.watch.on
        ? [transitionProperty<W>('watch', (before, _after, step) => !(step.actorIndex === g.watch.a && before.actors[g.watch.b]!.context.v === g.watch.m))]
        : []),
      ...(g.watchP === 0 ? [invariant<W>('p', (s) => !(s.world.p.length === 2 && s.actors[0]!.context.v === 3))] : []),
    ],
  };
}

/** The verdict, which properties are violated (every property's first violation is collected) and the bound's worst value. */
const outcome = (r: CheckResult) => ({ verdict: r.verdict, violated: r.violations.map((v) => v.property).sort(), worst: r.bounds.map((b) => b.worst) });

/** Checks `numRuns` generated systems with and without the reduction; returns how many were reduced. */
function differential(systems: fc.Arbitrary<Generated>, numRuns: number): number {
  let reducedSome = 0;
  fc.assert(
    fc.property(systems, (g) => {
      const spec = systemOf(g);
      const options = { stopAtFirstViolation: false, strategy: g.dfs ? 'dfs' : 'bfs' } as const;
      const none = run(spec, 'none', options);
      const por = run(spec, 'por', options);
      assert.deepEqual(outcome(por), outcome(none));
      assert.ok(por.stats.states <= none.stats.states, `${por.stats.states} states reduced, ${none.stats.states} unreduced`);
      if (por.stats.states < none.stats.states) reducedSome++;
    }),
    { numRuns },
  );
  return reducedSome;
}

describe('partial-order reduction: a differential property test', () => {
  it('random small systems (counters, a lock, two channels - one with a send side and a receive side, local steps, choices): the same verdicts, violated properties and worst bound values, on no more states', () => {
    // The test means something only if the reduction does reduce: most generated systems have local steps.
    const reduced = differential(generated(opArb), 100);
    assert.ok(reduced > 20, `only ${reduced} of 100 systems were reduced`);
  });

  it("random small systems mostly of channel p's two ends and the uses that break SPIN's xs / xr: the same verdicts, on no more states", () => {
    // Fewer are reduced here (17 of 100 with the fixed seed, 14 of them by a send or receive on p as an
    // ample set): many draw a use of p that makes its other end dependent.
    const reduced = differential(generated(channelOpArb), 100);
    assert.ok(reduced >= 10, `only ${reduced} of 100 systems were reduced`);
  });
});
