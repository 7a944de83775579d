/**
 * Probe (issue 14, third round): mistakes written as a kernel developer or a tester porting a textbook
 * model would make them, one per variant. CPU0 counts `n` in the world from 0 to 2 by `step`; the
 * invariant "n stays at most 2" holds for the model as meant (`as-meant`). Each other variant plants one
 * mistake in the machine, the actors, the properties or the world; none may come back as a silent
 * `holds`, an internal error or a stack trace.
 */
import { assign, emit, raise, sendTo, spawnChild, setup, enqueueActions, fromPromise } from 'xstate';
import { array, bool, defineScenario, int, invariant, terminates, deadlockFreedom, type StepEvent } from 'faultline';

interface World {
  n: number;
}
type Ev = StepEvent<'step', World>;

const VARIANTS = [
  'as-meant',
  'context-read-undeclared',
  'context-write-declared',
  'context-write-undeclared',
  'world-read-undeclared',
  'raise',
  'send-to',
  'spawn-child',
  'emit',
  'enqueue-actions',
  'parallel-state',
  'history-state',
  'compound-state',
  'entry-action',
  'target-missing',
  'final-with-terminates',
  'terminates-unknown-actor',
  'terminates-no-final',
  'choices-zero',
  'choices-fraction',
  'choices-negative',
  'choices-nan',
  'choices-array',
  'choices-unknown-event',
  'duplicate-actor',
  'duplicate-property',
  'field-tojson',
  'field-constructor',
  'field-proto',
  'fields-missing',
  'fields-extra',
  'global-counter',
  'wide-state',
  'budget-on-thread',
  'environment-no-budget',
  'context-function',
] as const;
type Variant = (typeof VARIANTS)[number];

/** The machine of a variant: `step` adds one to world.n up to 2, then stops (final state `done`). */
function counter(v: Variant) {
  const base = {
    types: { context: {} as { k: number }, events: {} as Ev },
    guards: {
      room: ({ context, event }: { context: { k: number; ready?: number }; event: Ev }): boolean => {
        // A field the context never declares: undefined < 1 is false, so the guard goes quietly false.
        if (v === 'context-read-undeclared') return (context.ready as number) < 1;
        // A misspelled world field read: undefined < 2 is false.
        if (v === 'world-read-undeclared') return (event.world as unknown as { nn: number }).nn < 2;
        return event.world.n < 2;
      },
    },
    actions: {
      add: ({ context, event }: { context: { k: number }; event: Ev }) => {
        // The context written as an object instead of through assign (a declared field, then a new one).
        if (v === 'context-write-declared') context.k = 1;
        if (v === 'context-write-undeclared') (context as { k: number; count?: number }).count = 1;
        // A module-level toggle (state outside the world): every other call skips the write.
        if (v === 'global-counter' && (calls = 1 - calls) === 0) return;
        event.world.n = event.world.n + 1;
      },
    },
    actors: { fetcher: fromPromise(async () => 1) },
  };
  const extra =
    v === 'raise'
      ? [raise({ type: 'step' })]
      : v === 'send-to'
        ? [sendTo('other', { type: 'step' })]
        : v === 'spawn-child'
          ? [spawnChild('fetcher')]
          : v === 'emit'
            ? [emit({ type: 'stepped' })]
            : v === 'enqueue-actions'
              ? [enqueueActions(({ enqueue }) => enqueue('add'))]
              : [];
  const step = { guard: 'room', actions: ['add', ...extra, assign(({ context }: { context: { k: number } }) => ({ k: Math.min(context.k + 1, 2) }))] };
  const done = { type: 'final' as const };
  const states =
    v === 'parallel-state'
      ? { run: { type: 'parallel' as const, states: { a: { on: { step } } }, b: { on: {} } } }
      : v === 'history-state'
        ? { run: { initial: 'inner', states: { inner: { on: { step } }, hist: { type: 'history' as const } } }, done }
        : v === 'compound-state'
          ? { run: { initial: 'inner', states: { inner: { on: { step } } } }, done }
          : v === 'entry-action'
            ? { run: { entry: 'add', on: { step } }, done }
            : v === 'target-missing'
              ? { run: { on: { step: { ...step, target: 'dnoe' } } }, done }
              : v === 'final-with-terminates'
                ? { run: { on: { step: [{ ...step, target: 'done' }] } }, done }
                : { run: { on: { step } }, done };
  return setup(base as never).createMachine({
    id: `probe-${v}`,
    initial: 'run',
    context: v === 'context-function' ? ((() => ({ k: 0 })) as never) : { k: 0 },
    states: states as never,
  } as never);
}

let calls = 0;

const hypothetical = { kind: 'hypothetical' as const, why: 'a probe' };

export default defineScenario({
  id: 'probe-user-probes3',
  title: 'third round of user mistakes',
  source: 'issue 14 probe',
  description: 'CPU0 counts n from 0 to 2.',
  params: {},
  variants: Object.fromEntries(VARIANTS.map((k) => [k, { description: k, expected: { verdict: 'holds' as const }, provenance: hypothetical }])) as Record<
    Variant,
    { description: string; expected: { verdict: 'holds' }; provenance: typeof hypothetical }
  >,
  defaultVariant: 'as-meant',
  build: (_p, v) => {
    const cpu = (name: string) => ({
      name,
      machine: counter(v),
      fields: v === 'fields-missing' ? {} : v === 'fields-extra' ? { k: int(0, 2), extra: int(0, 1) } : { k: int(0, 2) },
      ...(v.startsWith('choices-')
        ? {
            choices: {
              [v === 'choices-unknown-event' ? 'stpe' : 'step']:
                v === 'choices-zero'
                  ? () => 0
                  : v === 'choices-fraction'
                    ? () => 1.5
                    : v === 'choices-negative'
                      ? () => -1
                      : v === 'choices-nan'
                        ? () => NaN
                        : v === 'choices-array'
                          ? () => [0, 1] as unknown as number
                          : 2,
            },
          }
        : {}),
      ...(v === 'budget-on-thread' ? { budget: 1 } : {}),
      ...(v === 'environment-no-budget' ? { kind: 'environment' as const } : {}),
    });
    const world: Record<string, unknown> = { n: int(0, 2) };
    if (v === 'field-tojson') world.toJSON = int(0, 1);
    if (v === 'field-constructor') world.constructor = int(0, 1);
    if (v === 'field-proto') Object.defineProperty(world, '__proto__', { value: int(0, 1), enumerable: true, writable: true, configurable: true });
    if (v === 'wide-state') for (let i = 0; i < 400; i++) world[`f${i}`] = i % 2 ? bool() : array(2, int(0, 3));
    const properties = [
      invariant<World>('n stays at most 2', (s) => s.world.n <= 2),
      ...(v === 'duplicate-property' ? [invariant<World>('n stays at most 2', (s) => s.world.n >= 0)] : []),
      // Three CPUs, room for two steps: one CPU waits at `run` forever while the others have finished.
      ...(v === 'final-with-terminates' ? [terminates('CPU2')] : []),
      ...(v === 'terminates-unknown-actor' ? [terminates('CPU9')] : []),
      // `done` is never reached (the step has no target): CPU0 is in flight forever.
      ...(v === 'terminates-no-final' ? [terminates('CPU0'), deadlockFreedom()] : []),
    ];
    return {
      name: 'probe-user-probes3',
      world: world as never,
      actors: v === 'duplicate-actor' ? [cpu('CPU0'), cpu('CPU0')] : v === 'final-with-terminates' ? [cpu('CPU0'), cpu('CPU1'), cpu('CPU2')] : [cpu('CPU0')],
      properties,
    };
  },
});
