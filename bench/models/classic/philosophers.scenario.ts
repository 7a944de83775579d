/**
 * The dining philosophers (E. W. Dijkstra, "Hierarchical ordering of sequential processes", Acta
 * Informatica 1(2), 1971), written with faultline's public API; Promela twin: philosophers.pml (one
 * faultline step is one `atomic` sequence there). Philosopher i takes fork i (its left), then fork
 * i+1 mod N (its right), eats, and puts both down.
 *
 * `naive` deadlocks: every philosopher holds its left fork and waits for its right one (SPIN: "invalid end
 * state"). `ordered` breaks the cycle, the last philosopher taking its right fork first: no deadlock. Yet
 * under weak fairness a philosopher can still starve (`ordered-starvation`): its neighbour takes the
 * shared fork each time it is put down, so the fork it waits for is never continuously free (SPIN finds
 * the acceptance cycle of `[]<> Phil[0]@eating` with `pan -a -f`).
 */
import { setup } from 'xstate';
import { array, bool, deadlockFreedom, defineScenario, int, invariant, type Property, type StepEvent, type SystemSpec } from '../../../index.js';
import { entersAgain } from './properties.js';

interface World {
  readonly fork: Int32Array | number[];
}
type Ev = StepEvent<'takeFirst' | 'takeSecond' | 'putDown', World>;
type Variant = 'naive' | 'ordered' | 'ordered-starvation';
interface Ctx {
  first: number;
  second: number;
}

const philosopher = setup({
  types: { context: {} as Ctx, events: {} as Ev, input: {} as Ctx },
  guards: {
    firstFree: ({ context, event }) => event.world.fork[context.first] === 0,
    secondFree: ({ context, event }) => event.world.fork[context.second] === 0,
  },
  actions: {
    takeFirst: ({ context, event }) => {
      event.world.fork[context.first] = 1;
    },
    takeSecond: ({ context, event }) => {
      event.world.fork[context.second] = 1;
    },
    putDown: ({ context, event }) => {
      event.world.fork[context.first] = 0;
      event.world.fork[context.second] = 0;
    },
  },
}).createMachine({
  id: 'philosopher',
  initial: 'thinking',
  context: ({ input }) => ({ ...input }),
  states: {
    thinking: {
      on: { takeFirst: { guard: 'firstFree', target: 'hasOne', actions: 'takeFirst', description: 'take the first fork' } },
      meta: { waitsFor: 'its first fork' },
    },
    hasOne: {
      on: { takeSecond: { guard: 'secondFree', target: 'eating', actions: 'takeSecond', description: 'take the second fork' } },
      meta: { waitsFor: 'its second fork' },
    },
    eating: { on: { putDown: { target: 'thinking', actions: 'putDown', description: 'put both forks down' } } },
  },
});

export function philosophers(n: number, variant: Variant): SystemSpec<World> {
  const properties: Property<World>[] = [
    invariant<World>('neighbours never both eat', (s) => s.actors.every((a, i) => !(a.state === 'eating' && s.actors[(i + 1) % n]!.state === 'eating')), {
      description: 'two philosophers sharing a fork never eat at once',
    }),
    deadlockFreedom(),
  ];
  if (variant === 'ordered-starvation') properties.push(entersAgain('Phil0 eats again', 'Phil0', 'eating', 'philosopher 0 eats infinitely often'));
  return {
    name: `philosophers-${variant}`,
    world: { fork: array(n, bool()) },
    actors: Array.from({ length: n }, (_, i) => {
      const left = i;
      const right = (i + 1) % n;
      const rightFirst = variant !== 'naive' && i === n - 1;
      const forks = rightFirst ? { first: right, second: left } : { first: left, second: right };
      const fork = int(forks.first, forks.first);
      return { name: `Phil${i}`, machine: philosopher, input: forks, fields: { first: fork, second: int(forks.second, forks.second) } };
    }),
    properties,
  };
}

const textbook = { kind: 'hypothetical', why: 'the dining philosophers (Dijkstra, 1971), compared with SPIN; not kernel code' } as const;

export default defineScenario({
  id: 'philosophers',
  title: 'The dining philosophers',
  source: 'E. W. Dijkstra, Hierarchical ordering of sequential processes, Acta Informatica 1(2), 1971; twin: bench/models/classic/philosophers.pml',
  description: 'N weakly fair philosophers round a table, one fork between each two.',
  params: { n: { description: 'philosophers', default: 4, min: 2, max: 8 } },
  variants: {
    naive: { description: 'everyone takes the left fork first: deadlock', expected: { verdict: 'violated', property: 'deadlock' }, provenance: textbook },
    ordered: { description: 'the last philosopher takes its right fork first: no deadlock', expected: { verdict: 'holds' }, provenance: textbook },
    'ordered-starvation': {
      description: 'philosopher 0 eats infinitely often: not under weak fairness',
      expected: { verdict: 'violated', property: 'Phil0 eats again' },
      provenance: textbook,
    },
  },
  defaultVariant: 'naive',
  build: (p, v) => philosophers(p.n, v as Variant),
});
