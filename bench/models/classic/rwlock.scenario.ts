/**
 * A reader-writer lock: R readers and one writer over a reader count and a writer flag. Written with
 * faultline's public API; Promela twin: rwlock.pml (one faultline step is one `atomic` sequence there).
 * The readers are one machine and declared symmetric, so `--reduce symmetry` applies.
 *
 *   reader: await !writer; readers++ ... readers--        writer: await !writer && readers == 0; writer = 1 ... writer = 0
 *
 * `rwlock` holds: the writer never writes while a reader reads, and nothing deadlocks. Readers have
 * priority, so the writer can starve under weak fairness (`writer-starvation`: the readers take turns and
 * the count never drops to zero while the writer looks; SPIN finds the acceptance cycle of
 * `[]<> Writer[R]@writing` with `pan -a -f`). `split` is a seeded bug: the writer checks for readers in one
 * step and takes the lock in the next, and a reader enters in between.
 */
import { setup } from 'xstate';
import { bool, deadlockFreedom, defineScenario, int, invariant, type Property, type StepEvent, type SystemSpec } from '../../../index.js';
import { entersAgain } from './properties.js';

interface World {
  readers: number;
  writer: number;
}
type Ev = StepEvent<'enter' | 'leave' | 'acquire' | 'noReaders' | 'take' | 'release', World>;
type Variant = 'rwlock' | 'writer-starvation' | 'split';

const reader = setup({
  types: { context: {} as Record<string, never>, events: {} as Ev },
  guards: { noWriter: ({ event }) => event.world.writer === 0 },
}).createMachine({
  id: 'reader',
  initial: 'idle',
  context: {},
  states: {
    idle: {
      on: {
        enter: {
          guard: 'noWriter',
          target: 'reading',
          actions: ({ event }) => void (event.world.readers += 1),
          description: 'await !writer; readers++',
        },
      },
      meta: { waitsFor: 'the writer to leave' },
    },
    reading: { on: { leave: { target: 'idle', actions: ({ event }) => void (event.world.readers -= 1), description: 'readers--' } } },
  },
});

function writer(split: boolean) {
  const base = setup({
    types: { context: {} as Record<string, never>, events: {} as Ev },
    guards: {
      free: ({ event }) => event.world.writer === 0 && event.world.readers === 0,
      noReaders: ({ event }) => event.world.readers === 0,
    },
    actions: {
      take: ({ event }) => void (event.world.writer = 1),
      release: ({ event }) => void (event.world.writer = 0),
    },
  });
  const writing = { on: { release: { target: 'idle', actions: 'release', description: 'writer = 0' } } } as const;
  if (!split) {
    return base.createMachine({
      id: 'writer',
      initial: 'idle',
      context: {},
      states: {
        idle: {
          on: { acquire: { guard: 'free', target: 'writing', actions: 'take', description: 'await !writer && readers == 0; writer = 1' } },
          meta: { waitsFor: 'no readers and no writer' },
        },
        writing,
      },
    });
  }
  return base.createMachine({
    id: 'writer-split',
    initial: 'idle',
    context: {},
    states: {
      idle: { on: { noReaders: { guard: 'noReaders', target: 'checked', description: 'await readers == 0' } }, meta: { waitsFor: 'no readers' } },
      checked: { on: { take: { target: 'writing', actions: 'take', description: 'writer = 1' } } },
      writing,
    },
  });
}

export function rwlock(r: number, variant: Variant): SystemSpec<World> {
  const names = Array.from({ length: r }, (_, i) => `Reader${i}`);
  const properties: Property<World>[] = [
    invariant<World>('no reading while writing', (s) => !(s.actor('Writer').state === 'writing' && names.some((n) => s.actor(n).state === 'reading')), {
      description: 'the writer never writes while a reader reads',
    }),
    deadlockFreedom(),
  ];
  if (variant === 'writer-starvation') properties.push(entersAgain('Writer writes again', 'Writer', 'writing', 'the writer writes infinitely often'));
  return {
    name: `rwlock-${variant}`,
    world: { readers: int(0, r), writer: bool() },
    actors: [...names.map((name) => ({ name, machine: reader, fields: {} })), { name: 'Writer', machine: writer(variant === 'split'), fields: {} }],
    symmetric: { readers: names },
    properties,
  };
}

const textbook = { kind: 'hypothetical', why: 'a readers-preferring reader-writer lock and a seeded bug, compared with SPIN; not kernel code' } as const;

export default defineScenario({
  id: 'rwlock',
  title: 'A reader-writer lock (readers preferred)',
  source: 'a reader count and a writer flag; twin: bench/models/classic/rwlock.pml',
  description: 'R weakly fair readers and one writer loop forever through the lock.',
  params: { r: { description: 'readers', default: 3, min: 1, max: 6 } },
  variants: {
    rwlock: { description: 'no reading while writing, no deadlock', expected: { verdict: 'holds' }, provenance: textbook },
    'writer-starvation': {
      description: 'the writer writes infinitely often: not under weak fairness',
      expected: { verdict: 'violated', property: 'Writer writes again' },
      provenance: textbook,
    },
    split: {
      description: 'seeded bug: check for readers, then take the lock in a second step',
      expected: { verdict: 'violated', property: 'no reading while writing' },
      provenance: textbook,
    },
  },
  defaultVariant: 'rwlock',
  build: (p, v) => rwlock(p.r, v as Variant),
});
