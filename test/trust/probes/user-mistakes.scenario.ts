/**
 * Probe (issue 14, new): mistakes a kernel developer or a tester porting a textbook model makes in the
 * machine itself. One worker W0 counts `n` in its context and `x` in the world; each variant plants one
 * mistake. None may come back as a silent `holds`, an internal error or a stack trace.
 */
import { assign, fromPromise, not, setup } from 'xstate';
import { defineScenario, int, invariant, type StepEvent } from 'faultline';

interface World {
  x: number;
}
type Ev = StepEvent<'go', World>;
const MISTAKES = [
  'assign-fraction',
  'assign-out-of-domain',
  'assign-string',
  'assign-returns-nothing',
  'guard-undefined',
  'guard-number',
  'guard-promise',
  'guard-not-undefined',
  'guard-params-undefined',
  'guard-async',
  'async-action',
  'async-invariant',
  'throws-string',
  'throws-undefined',
  'invariant-undefined',
  'context-field-added',
  'delayed-transition',
  'invoke',
  'always',
] as const;
type Mistake = (typeof MISTAKES)[number];

function worker(m: Mistake) {
  return setup({
    types: { context: {} as { n: number }, events: {} as Ev },
    guards: {
      later: async () => true,
      ok: ({ context }): boolean => {
        // not('ok') is false while ok is true, so this one forgets its return from the start.
        if (m === 'guard-not-undefined') return undefined as unknown as boolean;
        if (context.n === 1 && (m === 'guard-undefined' || m === 'guard-params-undefined')) return undefined as unknown as boolean;
        if (context.n === 1 && m === 'guard-number') return 1 as unknown as boolean;
        if (context.n === 1 && m === 'guard-promise') return Promise.resolve(false) as unknown as boolean;
        return context.n < 2;
      },
    },
    actions: {
      effect: ({ context }) => {
        if (m === 'throws-string' && context.n === 1) throw 'out of pages';
        if (m === 'throws-undefined' && context.n === 1) throw undefined;
      },
      later: async ({ event, context }) => {
        if (context.n === 1) {
          await Promise.resolve();
          event.world.x = 1;
        }
      },
    },
    actors: { fetcher: fromPromise(async () => 1) },
    delays: { soon: 10 },
  }).createMachine({
    id: `mistake-${m}`,
    initial: 'run',
    context: { n: 0 },
    states: {
      run: {
        ...(m === 'delayed-transition' ? { after: { soon: 'done' } } : {}),
        ...(m === 'invoke' ? { invoke: { src: 'fetcher', onDone: 'done' } } : {}),
        ...(m === 'always' ? { always: { guard: ({ context }: { context: { n: number } }) => context.n === 2, target: 'done' } } : {}),
        on: {
          go: {
            guard: m === 'guard-async' ? 'later' : m === 'guard-not-undefined' ? not('ok') : m === 'guard-params-undefined' ? { type: 'ok', params: {} } : 'ok',
            actions: [
              m === 'async-action' ? 'later' : 'effect',
              assign(({ context }) => {
                const n = context.n + 1;
                if (n === 2 && m === 'assign-fraction') return { n: 1.5 };
                if (n === 2 && m === 'assign-out-of-domain') return { n: 7 };
                if (n === 2 && m === 'assign-string') return { n: '2' as unknown as number };
                if (n === 2 && m === 'assign-returns-nothing') return undefined as unknown as { n: number };
                if (n === 2 && m === 'context-field-added') return { n, extra: 1 } as { n: number };
                return { n };
              }),
            ],
          },
        },
      },
      done: { type: 'final' },
    },
  });
}

export default defineScenario({
  id: 'probe-user-mistakes',
  title: 'mistakes in the machine',
  source: 'issue 14 probe',
  description: 'W0 counts n to 2.',
  params: {},
  variants: Object.fromEntries(
    MISTAKES.map((k) => [k, { description: k, expected: { verdict: 'holds' as const }, provenance: { kind: 'hypothetical' as const, why: 'a probe' } }]),
  ) as Record<Mistake, { description: string; expected: { verdict: 'holds' }; provenance: { kind: 'hypothetical'; why: string } }>,
  defaultVariant: 'assign-fraction',
  build: (_p, v) => ({
    name: 'probe-user-mistakes',
    world: { x: int(0, 1) },
    actors: [{ name: 'W0', machine: worker(v), fields: { n: int(0, 2) } }],
    properties: [
      v === 'async-invariant'
        ? invariant<World>('x stays 0', (async (s: { world: World }) => s.world.x === 0) as unknown as (s: { world: World }) => boolean)
        : v === 'invariant-undefined'
          ? invariant<World>('x stays 0', (s) => (s.actor('W0').context.n < 2 ? s.world.x === 0 : (undefined as unknown as boolean)))
          : invariant<World>('x stays 0', (s) => s.world.x === 0),
    ],
  }),
});
