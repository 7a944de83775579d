/**
 * A test-and-set spin lock: starvation under weak fairness, freedom from it under strong fairness.
 *
 *   lock:   await (locked == 0) { locked = 1 }      (one atomic test-and-set that succeeds)
 *   unlock: locked = 0
 *
 * `weak`: P0 wants the lock; P1 takes and releases it forever. P0's acquire is enabled only in the
 * instants the lock is free, and disabled in between, so weak fairness ("continuously enabled implies
 * taken") never forces it: starvation. `strong`: P0 is strongly fair, so being enabled infinitely often
 * forces the acquire: no starvation.
 *
 * `spin-strong` writes the spin as an explicit step (`tryLock` fails and loops) and makes P0 strongly fair.
 * Starvation is found again: fairness is per actor, and P0's failing `tryLock` steps satisfy it, since P0
 * steps infinitely often - just never the successful branch. Excluding that needs fairness on the
 * successful transition itself (a per-transition fairness faultline does not offer); the waiting form of
 * `weak`/`strong` is the faithful way to say "the lock is eventually granted".
 */
import { setup } from 'xstate';
import { bool, defineScenario, progress, type Fairness, type StepEvent, type SystemSpec } from '../index.js';

interface World {
  locked: number;
}
type Ev = StepEvent<'lock' | 'tryLock' | 'unlock' | 'again', World>;

function locker(spin: boolean) {
  const m = setup({
    types: { context: {} as Record<string, never>, events: {} as Ev },
    guards: { free: ({ event }) => event.world.locked === 0 },
    actions: {
      take: ({ event }) => {
        event.world.locked = 1;
      },
      release: ({ event }) => {
        event.world.locked = 0;
      },
    },
  });
  const rest = {
    holding: { on: { unlock: { target: 'released', actions: 'release' } } },
    released: { on: { again: { target: 'wanting' } } },
  } as const;
  if (spin) {
    return m.createMachine({
      id: 'spin-locker',
      initial: 'wanting',
      context: {},
      states: {
        wanting: {
          on: {
            tryLock: [{ guard: 'free', target: 'holding', actions: 'take', description: 'test_and_set() == 0' }, { description: 'test_and_set() == 1: spin' }],
          },
        },
        ...rest,
      },
    });
  }
  return m.createMachine({
    id: 'locker',
    initial: 'wanting',
    context: {},
    states: { wanting: { on: { lock: { guard: 'free', target: 'holding', actions: 'take' } }, meta: { waitsFor: 'the lock' } }, ...rest },
  });
}

type Variant = 'weak' | 'strong' | 'spin-strong';

function build(variant: Variant): SystemSpec<World> {
  const p0Fairness: Fairness = variant === 'weak' ? 'weak' : 'strong';
  return {
    name: `spinlock-${variant}`,
    world: { locked: bool() },
    actors: [
      { name: 'P0', machine: locker(variant === 'spin-strong'), fields: {}, fairness: p0Fairness },
      { name: 'P1', machine: locker(false), fields: {} },
    ],
    properties: [
      progress<World>('P0 gets the lock', {
        description: 'P0, wanting the lock, eventually holds it',
        inFlight: (s) => s.actors[0]!.state === 'wanting',
        progress: () => false,
      }),
    ],
  };
}

/** What these variants are (every variant states its provenance). */
const textbook = { kind: 'hypothetical', why: 'a textbook test-and-set spinlock, not kernel code' } as const;

export default defineScenario({
  id: 'spinlock',
  title: 'test-and-set lock: starvation under weak fairness, none under strong fairness',
  source: 'textbook; faultline issue #4',
  description: 'P0 and P1 take and release one test-and-set lock forever; does P0 always get it eventually?',
  params: {},
  variants: {
    weak: {
      description: 'weakly fair processes: P0 can starve',
      expected: { verdict: 'violated', property: 'P0 gets the lock' },
      provenance: textbook,
    },
    strong: {
      description: 'P0 strongly fair: it gets the lock',
      expected: { verdict: 'holds' },
      provenance: textbook,
    },
    'spin-strong': {
      description: 'explicit spin step, P0 strongly fair: starvation again (fairness is per actor)',
      expected: { verdict: 'violated', property: 'P0 gets the lock' },
      provenance: textbook,
    },
  },
  defaultVariant: 'weak',
  build: (_p, v) => build(v),
});
