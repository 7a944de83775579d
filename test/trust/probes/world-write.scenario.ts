/**
 * Probe (issue 14, the world's writes): two workers each make one write to the world and stop. The
 * variant names the write; every one but `correct` is a modelling mistake that must come back as an
 * assertion violation naming the actor, event and field, never as `holds`.
 */
import { setup } from 'xstate';
import { array, defineScenario, int, invariant, type StepEvent } from 'faultline';

interface World {
  x: number;
  level: number[];
}
const WRITES = {
  correct: (w: World) => void (w.x = w.x + 1),
  // Before: stored 0 (Int32Array truncation), so "level stays below 1" held.
  'fractional-array-write': (w: World) => void (w.level[0] = w.level[0]! + 0.5),
  'nan-array-write': (w: World) => void (w.level[0] = NaN),
  'huge-array-write': (w: World) => void (w.level[0] = 2 ** 32 + 2),
  // Before: dropped; a read past the end returned undefined.
  'index-past-end': (w: World) => void (w.level[2] = 1),
  // Before: created a property outside the state that leaked between states.
  'misspelled-field': (w: World) => void ((w as unknown as { nxt: number }).nxt = w.x + 1),
  'replaced-array': (w: World) => void (w.level = [1, 1]),
} as const;
type Write = keyof typeof WRITES;

function worker(write: Write) {
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'write', World> },
    actions: { write: ({ event }) => WRITES[write](event.world) },
  }).createMachine({
    id: 'worker',
    initial: 'run',
    context: {},
    states: { run: { on: { write: { target: 'stop', actions: 'write' } } }, stop: { type: 'final' } },
  });
}

export default defineScenario({
  id: 'probe-world-write',
  title: 'one write to the world each',
  source: 'issue 14 probe',
  description: 'Two workers write once; each variant but correct writes wrongly.',
  params: {},
  variants: Object.fromEntries(
    Object.keys(WRITES).map((w) => [
      w,
      { description: w, expected: { verdict: 'holds' as const }, provenance: { kind: 'hypothetical' as const, why: 'a probe' } },
    ]),
  ),
  defaultVariant: 'correct',
  build: (_p, variant) => ({
    name: 'probe-world-write',
    world: { x: int(0, 2), level: array(2, int(0, 3)) },
    actors: ['W0', 'W1'].map((name) => ({ name, machine: worker(variant as Write), fields: {} })),
    properties: [invariant<World>('level stays below 1', (s) => s.world.level.every((l) => l < 1))],
  }),
});
