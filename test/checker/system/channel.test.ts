/**
 * The FIFO channel field (checker/system/channel.ts): against a brute-force queue (a JS array), stored
 * canonically, misuse a model assertion with a trace, and the same under xstate's interpreter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assign, setup } from 'xstate';
import { chan, check, enumOf, int, invariant, type Channel, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import { Channel as ChannelClass, chanSlotCount, chanSlotSpecs } from '../../../checker/system/channel.js';
import { WorldAccessError } from '../../../checker/system/views.js';
import { compileSystem } from '../../../checker/system/system.js';
import { replay, resolveStep } from '../../../checker/search/replay.js';
import { assertConformance } from '../conformance.js';

type Op = { op: 'send'; values: number[] } | { op: 'receive' } | { op: 'peek'; index: number; field: number } | { op: 'poll'; values: number[] };

/** Channels of 1..3 fields, capacity 1..4, field domains that may or may not hold 0, and operations on them. */
const channelAndOps = fc
  .record({
    capacity: fc.integer({ min: 1, max: 4 }),
    fields: fc.array(
      fc.integer({ min: -2, max: 3 }).chain((min) => fc.integer({ min, max: min + 3 }).map((max) => int(min, max))),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .chain(({ capacity, fields }) => {
    const value = fc.integer({ min: -3, max: 7 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.array(value, { minLength: fields.length, maxLength: fields.length }).map((values) => ({ op: 'send' as const, values })),
      fc.constant({ op: 'receive' as const }),
      fc.record({ op: fc.constant('peek' as const), index: fc.integer({ min: 0, max: 4 }), field: fc.integer({ min: 0, max: 3 }) }),
      fc.array(value, { maxLength: fields.length }).map((values) => ({ op: 'poll' as const, values })),
    );
    return fc.record({ spec: fc.constant(chan(capacity, fields)), ops: fc.array(op, { maxLength: 30 }) });
  });

describe('chan()', () => {
  it('behaves as a bounded FIFO queue, and misuse throws a WorldAccessError, never a wrong answer', () => {
    fc.assert(
      fc.property(channelAndOps, ({ spec, ops }) => {
        const q = ChannelClass.standalone('q', spec);
        const model: number[][] = [];
        const arity = spec.element.length;
        for (const o of ops) {
          if (o.op === 'send') {
            const ok = model.length < spec.capacity && o.values.every((v, k) => v >= spec.element[k]!.min && v <= spec.element[k]!.max);
            if (ok) {
              q.send(...o.values);
              model.push(o.values);
            } else assert.throws(() => q.send(...o.values), WorldAccessError);
          } else if (o.op === 'receive') {
            if (model.length > 0) assert.equal(q.receive(), model.shift()![0]);
            else assert.throws(() => q.receive(), WorldAccessError);
          } else if (o.op === 'peek') {
            if (o.index < model.length && o.field < arity) assert.equal(q.peek(o.index, o.field), model[o.index]![o.field]);
            else assert.throws(() => q.peek(o.index, o.field), WorldAccessError);
          } else {
            const head = model[0];
            assert.equal(q.poll(...o.values), head !== undefined && o.values.every((v, k) => k >= arity || head[k] === v));
          }
          assert.equal(q.length, model.length);
          assert.equal(q.isEmpty(), model.length === 0);
          assert.equal(q.isFull(), model.length === spec.capacity);
          assert.deepEqual(q.messages(), arity === 1 ? model.map((m) => m[0]) : model);
          // Canonical: the length, the messages shifted to the front, every other slot 0.
          const expected = [model.length, ...model.flat(), ...new Array<number>((spec.capacity - model.length) * arity).fill(0)];
          assert.deepEqual(Array.from(q.slots()), expected);
        }
      }),
    );
  });

  it('refuses a capacity, an arity or initial messages it cannot hold', () => {
    assert.throws(() => chan(0, int(0, 1)), /capacity 0/);
    assert.throws(() => chan(2, []), /1\.\.16 fields/);
    assert.throws(() => chan(1, int(0, 1), [0, 1]), /2 initial messages for capacity 1/);
    assert.throws(() => chan(2, [int(0, 1), int(0, 1)], [[0]]), /has 1 fields, not 2/);
    assert.throws(() => chan(2, int(0, 1), [5]), /outside 0\.\.1/);
  });

  it('lays out a length slot, then message slots whose domains hold 0; initial messages first', () => {
    const spec = chan(2, [enumOf(['one', 'two']), int(3, 5)], [[1, 4]]);
    assert.equal(chanSlotCount(spec), 5);
    assert.deepEqual(
      chanSlotSpecs('q', spec).map((s) => [s.name, s.field.min, s.field.max, s.field.init]),
      [
        ['q.length', 0, 2, 1],
        ['q[0][0]', 0, 1, 1],
        ['q[0][1]', 0, 5, 4],
        ['q[1][0]', 0, 1, 0],
        ['q[1][1]', 0, 5, 0],
      ],
    );
    assert.equal(ChannelClass.standalone('q', spec).toString(), '[two 4]');
  });
});

interface PipeWorld {
  q: Channel;
  got: number;
}

/** A producer sends 1, 2, 3; a consumer receives them and checks the order. `overfill` sends a fourth into capacity 2. */
function pipeline(options: { overfill?: boolean; capacity?: number } = {}): SystemSpec<PipeWorld> {
  const last = options.overfill ? 4 : 3;
  const producer = setup({ types: { context: {} as { next: number }, events: {} as StepEvent<'send', PipeWorld> } }).createMachine({
    id: 'producer',
    initial: 'run',
    context: { next: 1 },
    states: {
      run: {
        on: {
          send: [
            {
              guard: ({ context, event }) => context.next < last && (options.overfill || !event.world.q.isFull()),
              actions: [({ context, event }) => event.world.q.send(context.next), assign({ next: ({ context }) => context.next + 1 })],
            },
            {
              guard: ({ context, event }) => context.next === last && (options.overfill || !event.world.q.isFull()),
              target: 'done',
              actions: ({ context, event }) => event.world.q.send(context.next),
            },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
  const consumer = setup({ types: { context: {} as { want: number }, events: {} as StepEvent<'receive', PipeWorld> } }).createMachine({
    id: 'consumer',
    initial: 'run',
    context: { want: 1 },
    states: {
      run: {
        on: {
          receive: {
            guard: ({ event }) => event.world.q.poll(1) || event.world.q.poll(2) || event.world.q.poll(3) || event.world.q.poll(4),
            actions: [
              ({ event }) => {
                event.world.got = event.world.q.receive();
              },
              assign({ want: ({ context }) => Math.min(context.want + 1, 5) }),
            ],
          },
        },
      },
    },
  });
  return {
    name: 'pipeline',
    world: { q: chan(options.capacity ?? 2, int(1, 4)), got: int(0, 4) },
    actors: [
      { name: 'producer', machine: producer, fields: { next: int(1, 5) } },
      { name: 'consumer', kind: 'environment', budget: 4, machine: consumer, fields: { want: int(1, 5) } },
    ],
    properties: [invariant('in order', (s) => s.world.got === 0 || s.world.got === s.actor('consumer').context.want - 1)],
  };
}

describe('a channel in a system', () => {
  it('checks: FIFO order holds, and the state count is exact', () => {
    const r = check(pipeline());
    assert.equal(r.verdict, 'holds');
    // A state is fixed by s messages sent and r received, 0 <= r <= s <= 3, s - r <= 2 (capacity): 9 pairs,
    // one state each, since the queue holds exactly r+1 .. s, shifted to the front.
    assert.equal(r.stats.states, 9);
  });

  it('a send to a full channel is a model assertion with the trace that reached it', () => {
    const r = check(pipeline({ overfill: true }));
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.match(v.message, /producer, event send: world\.q\.send\(3\): the channel is full \(capacity 2\)/);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor} ${s.transition}`),
      ['producer send', 'producer send', 'producer send'],
    );
  });

  it('the counterexample replays through xstate itself, channel and all', () => {
    const spec = pipeline({ overfill: true });
    const v = check(spec).violations[0]!;
    const system = compileSystem(spec);
    const ids = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
    const out = replay(system, ids, undefined, v, { xstate: true });
    assert.equal(out.status, 'reproduced', out.message);
  });

  it('replacing a channel is a model assertion', () => {
    const spec = pipeline();
    const bad = setup({ types: { events: {} as StepEvent<'clobber', PipeWorld> } }).createMachine({
      id: 'clobber',
      initial: 'run',
      states: {
        run: {
          on: {
            clobber: {
              target: 'done',
              actions: ({ event }) => {
                (event.world as unknown as Record<string, unknown>).q = [1];
              },
            },
          },
        },
        done: { type: 'final' },
      },
    });
    const r = check({ ...spec, actors: [{ name: 'clobber', machine: bad, fields: {} }] });
    assert.equal(r.verdict, 'violated');
    assert.match(r.violations[0]!.message, /world\.q = \[1\] replaces a channel field; use its send\(\) and receive\(\)/);
  });

  it('conforms to xstate: the plain world holds a channel with the same methods', () => {
    assertConformance(pipeline(), { runs: 60, maxSteps: 12 });
    assertConformance(pipeline({ overfill: true }), { runs: 60, maxSteps: 12 });
  });
});
