/**
 * A tiny fixture for `faultline gate`: one thread counts x from 0 to `limit` (then stops), and each
 * variant declares an expectation that is right or wrong on purpose, so every gate outcome shows up:
 * as expected (holds, violated), a mismatch (unexpected violation, wrong property, missing violation).
 */
import { setup } from 'xstate';
import { deadlockFreedom, defineScenario, int, invariant, type StepEvent, type SystemSpec } from '../../../index.js';

interface World {
  x: number;
}

function counterMachine(limit: number) {
  return setup({
    types: { events: {} as StepEvent<'inc', World> },
    guards: { belowLimit: ({ event }) => event.world.x < limit },
    actions: {
      inc: ({ event }) => {
        event.world.x += 1;
      },
    },
  }).createMachine({
    id: 'counter',
    initial: 'run',
    states: {
      run: { on: { inc: [{ guard: 'belowLimit', actions: 'inc' }, { target: 'done' }] } },
      done: { type: 'final' },
    },
  });
}

type Variant = 'holds' | 'small' | 'wrong-holds' | 'wrong-property' | 'missing';

function build(limit: number, variant: Variant): SystemSpec<World> {
  // 'small' and the mismatches check x < 2, which counting to 2 breaks; 'holds' checks x <= limit.
  const bound = variant === 'holds' || variant === 'missing' ? limit + 1 : 2;
  return {
    name: `counter-${variant}`,
    world: { x: int(0, 5) },
    actors: [{ name: 'T', machine: counterMachine(limit), fields: {} }],
    properties: [invariant<World>('x small', (s) => s.world.x < bound, { description: `x < ${bound}`, explain: (s) => `x = ${s.world.x}` }), deadlockFreedom()],
  };
}

/** What these variants are (every variant states its provenance). */
const fixture = { kind: 'hypothetical', why: 'a test fixture' } as const;

export default defineScenario({
  id: 'counter',
  title: 'gate fixture: a counter and expectations right and wrong',
  source: 'test/cli/gate-fixtures',
  description: 'One thread counts x from 0 to limit.',
  params: { limit: { description: 'how far T counts', default: 2, min: 0, max: 5 } },
  variants: {
    holds: { description: 'x <= limit, expected to hold', expected: { verdict: 'holds' }, provenance: fixture },
    small: {
      description: 'x < 2, expected violated',
      expected: { verdict: 'violated', property: 'x small' },
      provenance: fixture,
    },
    'wrong-holds': {
      description: 'x < 2, wrongly expected to hold',
      expected: { verdict: 'holds' },
      provenance: fixture,
    },
    'wrong-property': {
      description: 'x < 2, expected to violate deadlock',
      expected: { verdict: 'violated', property: 'deadlock' },
      provenance: fixture,
    },
    missing: {
      description: 'x <= limit, wrongly expected violated',
      expected: { verdict: 'violated', property: 'x small' },
      provenance: fixture,
    },
  },
  defaultVariant: 'holds',
  build: (p, v) => build(p.limit, v as Variant),
});
