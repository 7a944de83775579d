/**
 * A bounded buffer over a `chan()`: two producers number their items from a shared counter `next` (mod
 * M) and send them on a channel of K slots; one consumer receives and asserts that the numbers come in
 * order. Written with faultline's public API; Promela twin: buffer.pml (one faultline step is one
 * `atomic` sequence there; the channel is a Promela `chan q = [K] of { byte }`).
 *
 * `atomic` holds: each producer reads the counter and sends in one step. `split` is a seeded bug: a
 * producer reads the counter in one step and sends in the next, so both producers can send the same
 * number and the consumer's assertion fails (SPIN: "assertion violated"). The producers are one machine
 * and declared symmetric, so `--reduce symmetry` applies.
 */
import { assign, setup } from 'xstate';
import { chan, deadlockFreedom, defineScenario, int, type Channel, type StepEvent, type SystemSpec } from '../../../index.js';

interface World {
  readonly q: Channel;
  next: number;
  expect: number;
}
type Ev = StepEvent<'put' | 'read' | 'take', World>;
type Variant = 'atomic' | 'split';

function producer(m: number, variant: Variant) {
  const base = setup({
    types: { context: {} as { item: number }, events: {} as Ev },
    guards: { notFull: ({ event }) => !event.world.q.isFull() },
    actions: {
      readNext: assign({ item: ({ event }) => event.world.next }),
      forget: assign({ item: 0 }),
    },
  });
  if (variant === 'atomic') {
    return base.createMachine({
      id: 'producer',
      initial: 'idle',
      context: { item: 0 },
      states: {
        idle: {
          on: {
            put: {
              guard: 'notFull',
              target: 'idle',
              actions: ({ event }) => {
                event.world.q.send(event.world.next);
                event.world.next = (event.world.next + 1) % m;
              },
              description: 'q!next; next = (next + 1) % M',
            },
          },
          meta: { waitsFor: 'a free slot' },
        },
      },
    });
  }
  return base.createMachine({
    id: 'producer-split',
    initial: 'idle',
    context: { item: 0 },
    states: {
      idle: { on: { read: { target: 'hasItem', actions: 'readNext', description: 'item = next' } } },
      hasItem: {
        on: {
          put: {
            guard: 'notFull',
            target: 'idle',
            actions: [
              ({ context, event }) => {
                event.world.q.send(context.item);
                event.world.next = (context.item + 1) % m;
              },
              'forget',
            ],
            description: 'q!item; next = (item + 1) % M',
          },
        },
        meta: { waitsFor: 'a free slot' },
      },
    },
  });
}

function consumer(m: number) {
  return setup({
    types: { context: {} as Record<string, never>, events: {} as Ev },
    guards: { notEmpty: ({ event }) => !event.world.q.isEmpty() },
  }).createMachine({
    id: 'consumer',
    initial: 'idle',
    context: {},
    states: {
      idle: {
        on: {
          take: {
            guard: 'notEmpty',
            target: 'idle',
            actions: ({ event }) => {
              const v = event.world.q.receive();
              if (v !== event.world.expect) throw new Error(`assert(v == expect) failed: received ${v}, expected ${event.world.expect}`);
              event.world.expect = (event.world.expect + 1) % m;
            },
            description: 'q?v; assert(v == expect); expect = (expect + 1) % M',
          },
        },
        meta: { waitsFor: 'an item' },
      },
    },
  });
}

export function buffer(k: number, m: number, variant: Variant): SystemSpec<World> {
  const machine = producer(m, variant);
  const item = int(0, m - 1);
  return {
    name: `buffer-${variant}`,
    world: { q: chan(k, item), next: item, expect: item },
    actors: [
      { name: 'Producer0', machine, fields: { item } },
      { name: 'Producer1', machine, fields: { item } },
      { name: 'Consumer', machine: consumer(m), fields: {} },
    ],
    symmetric: { producers: ['Producer0', 'Producer1'] },
    properties: [deadlockFreedom()],
  };
}

const textbook = { kind: 'hypothetical', why: 'a producer/consumer buffer and a seeded race, compared with SPIN; not kernel code' } as const;

export default defineScenario({
  id: 'buffer',
  title: 'A bounded buffer with two producers and one consumer',
  source: 'producer/consumer over a Promela-style channel; twin: bench/models/classic/buffer.pml',
  description: 'Two producers number items from a shared counter and send them; the consumer checks their order.',
  params: {
    k: { description: 'channel slots', default: 3, min: 1, max: 6 },
    m: { description: 'item numbers (mod m)', default: 4, min: 2, max: 8 },
  },
  variants: {
    atomic: { description: 'read the counter and send in one step', expected: { verdict: 'holds' }, provenance: textbook },
    split: {
      description: 'seeded bug: read the counter, then send in a second step',
      expected: { verdict: 'violated', property: 'assertion' },
      provenance: textbook,
    },
  },
  defaultVariant: 'atomic',
  build: (p, v) => buffer(p.k, p.m, v as Variant),
});
