/**
 * Symmetry reduction in the search (`check(..., { reduce: 'symmetry' })`): one state per orbit, the same
 * verdict and violated properties as the unreduced search, counterexamples that are real executions
 * (they replay, through xstate too), and the reduction switched off with a note where it is not sound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assign, setup } from 'xstate';
import {
  array,
  bound,
  check,
  compileSystem,
  deadlockFreedom,
  int,
  invariant,
  replay,
  resolveStep,
  terminates,
  transitionProperty,
  type CheckResult,
  type Property,
  type StepEvent,
  type SystemSpec,
  type Violation,
} from '../../../checker/index.js';
import type { CompiledSystem } from '../../../checker/system/system.js';
import { lockSystem, NONE, type LockWorld } from './lockSystem.js';

/** The violation's trace re-executed in the unreduced system by `replay` (with xstate alongside). */
function replays(system: CompiledSystem, v: Violation): string {
  const steps = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
  const out = replay(system, steps, v.trace.loop, { property: v.property, kind: v.kind }, { xstate: true });
  return out.status;
}

const summary = (r: CheckResult) => ({ verdict: r.verdict, violated: r.violations.map((v) => v.property).sort() });

const names = ['R0', 'R1', 'R2'];

/**
 * The first reader to acquire keeps the lock and is done; the others look, then wait forever, or peek:
 * which throws, or (breaking the declared symmetry) only the third reader may do.
 */
function holdOnce(peek: 'none' | 'throws' | 'third only'): SystemSpec {
  const watching = {
    none: {},
    throws: {
      on: {
        peek: {
          actions: () => {
            throw new Error('looked');
          },
        },
      },
    },
    'third only': { on: { peek: { guard: ({ context }: { context: { id: number } }) => context.id === 2, target: 'peeked' } } },
  }[peek];
  const machine = setup({
    types: { context: {} as { id: number }, events: {} as StepEvent<'acquire' | 'look' | 'peek', { owner: number }>, input: {} as { id: number } },
  }).createMachine({
    id: 'hold-once',
    initial: 'idle',
    context: ({ input }) => ({ id: input.id }),
    states: {
      idle: {
        on: {
          acquire: {
            guard: ({ event }) => event.world.owner === NONE,
            target: 'holding',
            actions: ({ event, context }) => void (event.world.owner = context.id),
          },
          look: { guard: ({ event }) => event.world.owner !== NONE, target: 'watching' },
        },
      },
      watching,
      peeked: { type: 'final' },
      holding: { type: 'final' },
    },
  });
  return {
    name: 'hold-once',
    world: { owner: int(0, NONE, { init: NONE, actorId: 'readers' }) },
    actors: names.map((name, i) => ({ name, machine, input: { id: i }, fields: { id: int(0, NONE, { init: i, actorId: 'readers' }) } })),
    properties: [deadlockFreedom()],
    symmetric: { readers: names },
  };
}

describe('check with reduce: symmetry', () => {
  it('stores one state per orbit (the shared lock: 5,560 states, 940 orbits) with the same verdict', () => {
    const none = check(lockSystem());
    const sym = check(lockSystem(), { reduce: 'symmetry' });
    assert.deepEqual([none.verdict, none.stats.states], ['holds', 5560]);
    assert.deepEqual([sym.verdict, sym.stats.states], ['holds', 940]);
    assert.deepEqual(sym.reduction, { requested: 'symmetry', applied: 'symmetry', notes: [] });
    assert.deepEqual(none.reduction, { requested: 'none', applied: 'none', notes: [] });
  });

  it('dfs and the compact store reach the same representatives; bitstate stays inconclusive', () => {
    assert.equal(check(lockSystem(), { reduce: 'symmetry', strategy: 'dfs' }).stats.states, 940);
    assert.equal(check(lockSystem(), { reduce: 'symmetry', store: 'compact' }).stats.states, 940);
    const bits = check(lockSystem(), { reduce: 'symmetry', store: 'bitstate' });
    assert.equal(bits.verdict, 'inconclusive');
    assert.equal(bits.stats.states, 940);
  });

  it('each kind of violation: the same properties violated, and every trace replays as a real execution', () => {
    const properties: Property<LockWorld>[] = [
      invariant<LockWorld>('nobody acquires twice', (s) => Array.from(s.world.uses as ArrayLike<number>).every((u) => u < 2), {
        explain: (s) => `uses = [${Array.from(s.world.uses as ArrayLike<number>).join(', ')}]`,
      }),
      transitionProperty<LockWorld>(
        'the lock passes only when free',
        (b, a) => !(b.world.owner !== NONE && a.world.owner !== NONE && a.world.owner !== b.world.owner),
      ),
      transitionProperty<LockWorld>(
        'a releaser was the owner',
        (b, a, step) => !(step.event === 'release' && b.world.owner !== a.actors[step.actorIndex]!.context.id),
      ),
      transitionProperty<LockWorld>('no second look', (b, a, step) => !(step.event === 'look' && b.world.last !== NONE && a.world.owner !== NONE)),
      bound<LockWorld>('acquisitions', (s) => Array.from(s.world.uses as ArrayLike<number>).reduce((t, u) => t + u, 0), 3),
      deadlockFreedom(),
    ];
    const spec = lockSystem(3, 'declared', properties);
    const system = compileSystem(spec);
    const none = check(system, { stopAtFirstViolation: false });
    const sym = check(system, { stopAtFirstViolation: false, reduce: 'symmetry', xstateCheck: true });
    assert.equal(sym.reduction?.applied, 'symmetry');
    assert.deepEqual(summary(sym), summary(none));
    assert.deepEqual(summary(sym).violated, ['acquisitions', 'deadlock', 'no second look', 'nobody acquires twice']);
    for (const v of sym.violations) {
      assert.equal(replays(system, v), 'reproduced', `${v.property}: ${v.message}`);
      assert.equal(v.trace.steps.length, none.violations.find((x) => x.property === v.property)!.trace.steps.length, `${v.property}: as short`);
    }
    // The message is said of the real trace's end: its own uses, not the representative's.
    const twice = sym.violations.find((v) => v.property === 'nobody acquires twice')!;
    const last = twice.trace.states.at(-1)!;
    assert.equal(twice.message, `uses = [${[0, 1, 2].map((i) => last[`uses[${i}]`] ?? 0).join(', ')}]`);
  });

  it('a deadlock and a failed step name the real actors of the trace', () => {
    for (const peek of [false, true]) {
      const system = compileSystem(holdOnce(peek ? 'throws' : 'none'));
      const r = check(system, { reduce: 'symmetry' });
      const none = check(system);
      assert.deepEqual(summary(r), summary(none));
      assert.deepEqual(summary(r), { verdict: 'violated', violated: [peek ? 'assertion' : 'deadlock'] });
      const v = r.violations[0]!;
      assert.equal(replays(system, v), 'reproduced', v.message);
      const actors = v.trace.steps.map((s) => s.actor);
      if (v.kind === 'deadlock') {
        const holder = actors[0]!;
        assert.deepEqual(
          v.blocked!.map((b) => b.actor),
          names.filter((n) => n !== holder),
          `the holder ${holder} is done: ${v.message}`,
        );
      } else {
        assert.equal(v.message, `${actors.at(-1)}: looked`);
      }
    }
  });
});

describe('symmetry is switched off, with a note, where it is not sound', () => {
  it('a property that reads one member', () => {
    const r = check(lockSystem(3, 'declared', [invariant<LockWorld>('R1 acquires once', (s) => s.actor('R1').context.waited <= 1)]), { reduce: 'symmetry' });
    assert.deepEqual(r.reduction, {
      requested: 'symmetry',
      applied: 'none',
      notes: ["symmetry off: property 'R1 acquires once' reads R1 and not R0, R2 (symmetric group 'readers')"],
    });
    assert.equal(r.stats.states, 5560);
  });

  it('a property that reads one element of an indexed array', () => {
    const r = check(lockSystem(3, 'declared', [invariant<LockWorld>('R0 at most twice', (s) => s.world.uses[0]! <= 2)]), { reduce: 'symmetry' });
    assert.match(r.reduction!.notes[0]!, /^symmetry off: property 'R0 at most twice' reads R0 and not R1, R2/);
  });

  it('a property that reads every member but tells two apart on a state the probe reaches', () => {
    const first = invariant<LockWorld>('R0 never holds first', (s) => s.actors.map((a) => a.state).join() !== 'holding,idle,idle');
    const r = check(lockSystem(3, 'declared', [first]), { reduce: 'symmetry' });
    assert.deepEqual(r.reduction?.notes, [
      "symmetry off: property 'R0 never holds first' tells R0 and R1 apart (swapping them changes its value from false to true)",
    ]);
    assert.equal(r.verdict, 'violated');
  });

  it('a model that breaks the symmetry it declares: near the initial state, and only deeper (the search runs again)', () => {
    const near = check(lockSystem(3, 'undeclared'), { reduce: 'symmetry' });
    assert.match(
      near.reduction!.notes[0]!,
      /^symmetry off: the model breaks the symmetry it declares: symmetric group 'readers': swapping R0 and R1 does not commute/,
    );
    assert.equal(near.stats.states, check(lockSystem(3, 'undeclared')).stats.states);
    // Only the third reader may peek: a guard that tells members apart by a constant, two steps deep.
    const spec = holdOnce('third only');
    const deep = check(spec, { reduce: 'symmetry' });
    const none = check(spec);
    assert.deepEqual(summary(deep), summary(none));
    assert.equal(deep.stats.states, none.stats.states);
    assert.deepEqual(deep.reduction?.applied, 'none');
    assert.match(deep.reduction!.notes[0]!, /^symmetry off: the model breaks the symmetry it declares: symmetric group 'readers': swapping R[01] and R[12]/);
  });

  it('a progress property', () => {
    const r = check(lockSystem(3, 'declared', [terminates<LockWorld>('R0')]), { reduce: 'all' });
    // Neither reduction is claimed for progress under fairness: both are switched off, each with its note.
    assert.deepEqual(r.reduction?.applied, 'none');
    assert.match(r.reduction!.notes[0]!, /^symmetry off: progress property 'R0 terminates' is judged under per-actor fairness/);
    assert.match(r.reduction!.notes[1]!, /^partial-order reduction is off for this run: it checks progress properties/);
  });

  it('a system without symmetric actors, and a sampling strategy', () => {
    const counter = setup({}).createMachine({ id: 'counter', initial: 'run', states: { run: { on: { tick: { target: 'done' } } }, done: { type: 'final' } } });
    const plain: SystemSpec = { name: 'plain', world: {}, actors: [{ name: 'A', machine: counter, fields: {} }], properties: [] };
    assert.deepEqual(check(plain, { reduce: 'symmetry' }).reduction?.notes, ['symmetry off: the system declares no symmetric actors']);
    assert.deepEqual(check(lockSystem(), { reduce: 'symmetry', strategy: 'random', executions: 3 }).reduction, {
      requested: 'symmetry',
      applied: 'none',
      notes: ['symmetry off: a sampling strategy stores no states to reduce'],
    });
  });
});

/**
 * Random small symmetric systems: 2 or 3 identical workers over a shared counter and a token that holds a
 * worker id, each with a random step budget and random thresholds; symmetric properties over them
 * (invariants, a bound, a transition property, deadlock). Reduced and unreduced must agree on the
 * verdict and on every violated property, and every reduced counterexample must replay.
 */
describe('differential: random symmetric systems', () => {
  interface W {
    count: number;
    token: number;
    marks: Int32Array | number[];
  }
  const worker = (limit: number, grab: number, drop: number, finish: number, steal: boolean) =>
    setup({
      types: { context: {} as { id: number; n: number }, events: {} as StepEvent<'grab' | 'add' | 'drop' | 'finish', W>, input: {} as { id: number } },
    }).createMachine({
      id: 'worker',
      initial: 'idle',
      context: ({ input }) => ({ id: input.id, n: 0 }),
      states: {
        idle: {
          on: {
            grab: {
              guard: ({ event, context }) => (event.world.token === 3 || (steal && event.world.count >= limit)) && context.n < grab,
              target: 'busy',
              actions: ({ event, context }) => {
                event.world.token = context.id;
                event.world.marks[context.id] = 1;
              },
            },
            add: {
              guard: ({ event, context }) => event.world.count < limit && context.n < limit,
              actions: [({ event }) => void (event.world.count += 1), assign({ n: ({ context }) => context.n + 1 })],
            },
            finish: { guard: ({ context }) => context.n >= finish, target: 'done' },
          },
        },
        done: { type: 'final' },
        busy: {
          on: {
            drop: {
              target: 'idle',
              actions: [
                ({ event }) => void (event.world.token = event.world.count % drop === 0 ? 3 : event.world.token),
                assign({ n: ({ context }) => context.n + 1 }),
              ],
            },
          },
        },
      },
    });
  /**
   * `nosy`: a property that reads one member once the count reaches a threshold (-1: none), which the
   * reduction must notice in the search and run without symmetry.
   */
  const system = (
    size: number,
    [limit, grab, drop, finish]: readonly number[],
    steal: boolean,
    maxCount: number,
    maxBusy: number,
    nosy: number,
  ): SystemSpec<W> => {
    const names = Array.from({ length: size }, (_, i) => `W${i}`);
    const machine = worker(limit!, grab!, drop!, finish!, steal);
    return {
      name: 'random-symmetric',
      world: { count: int(0, 6), token: int(0, 3, { init: 3, actorId: 'workers' }), marks: array(size, int(0, 1), { indexedBy: 'workers' }) },
      actors: names.map((name, i) => ({ name, machine, input: { id: i }, fields: { id: int(0, 3, { init: i, actorId: 'workers' }), n: int(0, 6) } })),
      properties: [
        invariant<W>('count', (s) => s.world.count <= maxCount),
        invariant<W>('busy', (s) => s.actors.filter((a) => a.state === 'busy').length <= maxBusy),
        bound<W>('work', (s) => Math.max(...s.actors.map((a) => a.context.n)), limit!),
        transitionProperty<W>('token passes through nobody', (b, a) => b.world.token === a.world.token || b.world.token === 3 || a.world.token === 3),
        invariant<W>('marks', (s) => Array.from(s.world.marks as ArrayLike<number>).filter((m) => m === 1).length < size || s.world.count < maxCount),
        deadlockFreedom(),
        ...(nosy < 0 ? [] : [invariant<W>('nosy', (s) => s.world.count < nosy || s.world.marks[size - 1] === 0)]),
      ],
      symmetric: { workers: names },
    };
  };

  it('reduced and unreduced agree on the verdict and the violated properties; reduced traces replay', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3 }),
        fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 })),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: -4, max: 4 }),
        (size, machine, steal, maxCount, maxBusy, nosy) => {
          const compiled = compileSystem(system(size, machine, steal, maxCount, maxBusy, nosy));
          const none = check(compiled, { stopAtFirstViolation: false });
          const sym = check(compiled, { stopAtFirstViolation: false, reduce: 'symmetry' });
          if (nosy < 0) assert.equal(sym.reduction?.applied, 'symmetry');
          assert.deepEqual(summary(sym), summary(none));
          assert.ok(sym.stats.states <= none.stats.states);
          for (const p of summary(sym).violated) seen.add(p);
          seen.add(sym.verdict);
          if (sym.stats.states < none.stats.states) seen.add('reduced');
          for (const v of sym.violations) assert.equal(replays(compiled, v), 'reproduced', `${v.property}: ${v.message}`);
        },
      ),
      { numRuns: 40 },
    );
    // The generator reaches every kind of outcome, and systems the reduction shrinks.
    assert.deepEqual([...seen].sort(), ['busy', 'count', 'deadlock', 'holds', 'marks', 'nosy', 'reduced', 'token passes through nobody', 'violated', 'work']);
  });
});
