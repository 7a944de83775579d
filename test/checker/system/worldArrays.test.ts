/**
 * World arrays are checked on every step of every search (issue 14, item 1): a bad element value or an
 * index outside an array is an assertion violation with its trace under bfs, dfs, random and pct, and
 * replay (through xstate too) reproduces it. The mistake happens deep in the run, at a state the
 * determinism probe does not re-run (search/determinism.ts probes the first 12 states and 19 spread
 * over the rest), so only a check on every step can see it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { array, check, int, invariant, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import { probedStates } from '../../../checker/search/determinism.js';
import { replay, resolveStep } from '../../../checker/search/replay.js';
import { compileSystem } from '../../../checker/system/system.js';

interface W {
  x: number;
  a: Int32Array | number[];
}

/** x counts up to LAST; the effect of the step that leaves x = DEEP makes the mistake under test. */
const LAST = 150;
const DEEP = 137;

function counter(mistake: (w: W) => void, guardMistake?: (w: W) => boolean, properties: SystemSpec<W>['properties'] = []): SystemSpec<W> {
  const machine = setup({
    types: { events: {} as StepEvent<'step', W> },
    guards: { go: ({ event }) => event.world.x < LAST && (event.world.x !== DEEP || !guardMistake || guardMistake(event.world)) },
    actions: {
      act: ({ event }) => {
        if (event.world.x === DEEP) mistake(event.world);
        event.world.x += 1;
      },
    },
  }).createMachine({ id: 'counter', initial: 'run', states: { run: { on: { step: { guard: 'go', actions: 'act' } } } } });
  return { name: 'counter', world: { x: int(0, LAST), a: array(2, int(0, 3)) }, actors: [{ name: 'P0', machine, fields: {} }], properties };
}

const mistakes: [string, (w: W) => void, string][] = [
  ['0.5 added to an element', (w) => (w.a[0] = w.a[0]! + 0.5), 'world.a[0] = 0.5 is not an integer'],
  ['NaN', (w) => (w.a[0] = NaN), 'world.a[0] = NaN is not an integer'],
  ["'abc'", (w) => ((w.a as unknown as string[])[0] = 'abc'), 'world.a[0] = "abc" is not an integer'],
  ['2^32 + 2', (w) => (w.a[1] = 2 ** 32 + 2), 'world.a[1] = 4294967298 is outside the 32-bit range a state slot holds (-2^31..2^31-1)'],
  ['an integer outside the element domain', (w) => (w.a[1] = 4), 'world.a[1] = 4 is outside its domain 0..3'],
  ['a write past the end', (w) => (w.a[2] = 1), 'world.a[2] is outside the array (indices 0..1)'],
  ['a read past the end', (w) => (w.x = w.a[2] ?? 0), 'world.a[2] is outside the array (indices 0..1)'],
  ['a write at a negative index', (w) => (w.a[-1] = 1), 'world.a[-1] is outside the array (indices 0..1)'],
  ['a read at a negative index', (w) => (w.x = w.a[-1] ?? 0), 'world.a[-1] is outside the array (indices 0..1)'],
  ['an index that is not a number', (w) => (w.x = w.a[NaN] ?? 0), 'world.a[NaN] is outside the array (indices 0..1)'],
  ['the array shortened', (w) => ((w.a as number[]).length = 1), 'world.a.length = 1: an array field keeps its length 2'],
];

const strategies = ['bfs', 'dfs', 'random', 'pct'] as const;

function ids(spec: SystemSpec<W>, steps: readonly { actor: string; transition: string; choice: number }[]): number[] {
  const sys = compileSystem(spec);
  return steps.map((s) => resolveStep(sys, s.actor, s.transition, s.choice) as number);
}

describe('world arrays are checked on every step', () => {
  it('the step that makes the mistake is not one the determinism probe re-runs', () => {
    assert.ok(!probedStates(LAST + 1).includes(DEEP));
  });

  for (const [name, mistake, message] of mistakes) {
    for (const strategy of strategies) {
      it(`${name} (${strategy}): an assertion violation with its trace, reproduced by replay through xstate`, () => {
        const spec = counter(mistake);
        const r = check(spec, { strategy, executions: 3 });
        assert.equal(r.verdict, 'violated');
        const v = r.violations[0]!;
        assert.deepEqual(
          { property: v.property, message: v.message, steps: v.trace.steps.length },
          { property: 'assertion', message: `P0, event step: ${message}`, steps: DEEP + 1 },
        );
        const out = replay(compileSystem(spec), ids(spec, v.trace.steps), undefined, v, { xstate: true });
        assert.deepEqual(out, { status: 'reproduced', message: `step ${DEEP + 1} (P0 step(0)) throws: ${message}` });
      });
    }
  }

  for (const strategy of strategies) {
    it(`a guard reading past the end (${strategy}) is an assertion, not a quietly false guard`, () => {
      const r = check(
        counter(
          () => {},
          (w) => w.a[2] === 0,
        ),
        { strategy, executions: 3 },
      );
      assert.equal(r.verdict, 'violated');
      assert.equal(r.violations[0]!.message, 'P0, event step: world.a[2] is outside the array (indices 0..1)');
      assert.equal(r.violations[0]!.trace.steps.length, DEEP + 1);
    });
  }

  it('array methods work on world arrays and write back checked: fill, indexOf, includes, some, every, find, for-of, spread', () => {
    const seen: string[] = [];
    const untouched = invariant<W>('a is untouched until the deep step, then [2, 3]', (s) =>
      s.world.x <= DEEP ? s.world.a[0] === 0 : s.world.a[0] === 2 && s.world.a[1] === 3,
    );
    const spec = counter(
      (w) => {
        w.a.fill(2);
        w.a[1] = 3;
        const list: number[] = [];
        for (const v of w.a) list.push(v);
        seen.push(
          JSON.stringify([
            w.a.length,
            w.a.indexOf(3),
            w.a.includes(2),
            w.a.some((v) => v > 2),
            w.a.every((v) => v > 1),
            w.a.find((v) => v > 2),
            list,
            [...w.a],
          ]),
        );
      },
      undefined,
      [untouched],
    );
    const r = check(spec);
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, seen[0]], [LAST + 1, '[2,1,true,true,true,3,[2,3],[2,3]]']);
  });

  it('a push past the end is an assertion', () => {
    const r = check(counter((w) => (w.a as number[]).push(1)));
    assert.equal(r.violations[0]?.message, 'P0, event step: world.a[2] is outside the array (indices 0..1)');
  });
});

/**
 * The filter lock (Peterson's algorithm for N processes; M. Herlihy, N. Shavit, "The Art of Multiprocessor
 * Programming", 2.4): for each level L in 1..N-1, level[me] = L; victim[L] = me; wait until no other
 * process is at level L or above, or victim[L] is not me. `victim` is indexed by level, 1..N-1.
 */
interface FilterWorld {
  readonly level: Int32Array | number[];
  readonly victim: Int32Array | number[];
}
type FilterEvent = StepEvent<'raise' | 'yield' | 'advance' | 'leave', FilterWorld>;

function filterLock(n: number, victimLength: number): SystemSpec<FilterWorld> {
  const clear = (w: FilterWorld, me: number, l: number): boolean => {
    for (let k = 0; k < n; k++) if (k !== me && w.level[k]! >= l) return w.victim[l] !== me;
    return true;
  };
  const machine = setup({
    types: { context: {} as { me: number; l: number }, events: {} as FilterEvent, input: {} as { me: number } },
    guards: {
      clearBelowTop: ({ context, event }) => context.l < n - 1 && clear(event.world, context.me, context.l),
      clearAtTop: ({ context, event }) => context.l === n - 1 && clear(event.world, context.me, context.l),
    },
    actions: {
      setLevel: ({ context, event }) => {
        event.world.level[context.me] = context.l;
      },
      setVictim: ({ context, event }) => {
        event.world.victim[context.l] = context.me;
      },
      clearLevel: ({ context, event }) => {
        event.world.level[context.me] = 0;
      },
    },
  }).createMachine({
    id: 'filter',
    initial: 'idle',
    context: ({ input }) => ({ me: input.me, l: 0 }),
    states: {
      idle: { on: { raise: { target: 'level', actions: assign({ l: 1 }) } } },
      level: { on: { yield: { target: 'wait', actions: ['setLevel', 'setVictim'] } } },
      wait: {
        on: {
          advance: [
            { guard: 'clearBelowTop', target: 'level', actions: assign({ l: ({ context }) => context.l + 1 }) },
            { guard: 'clearAtTop', target: 'critical' },
          ],
        },
      },
      critical: { on: { leave: { target: 'idle', actions: ['clearLevel', assign({ l: 0 })] } } },
    },
  });
  return {
    name: 'filter-lock',
    world: { level: array(n, int(0, n - 1)), victim: array(victimLength, int(0, n - 1)) },
    actors: Array.from({ length: n }, (_, me) => ({ name: `P${me}`, machine, input: { me }, fields: { me: int(0, n - 1), l: int(0, n - 1) } })),
    properties: [
      invariant<FilterWorld>('mutual exclusion', (s) => s.actors.filter((a) => a.state === 'critical').length <= 1, {
        explain: (s) => `${s.actors.filter((a) => a.state === 'critical').length} processes in the critical section`,
      }),
    ],
  };
}

describe('a filter lock with an array declared one element short', () => {
  it('declared right (victim has N slots, 0 unused), it holds with exact counts', () => {
    const r = check(filterLock(3, 3));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [288, 684]);
  });

  for (const strategy of strategies) {
    it(`victim declared with N - 1 slots (${strategy}): reported, not holds`, () => {
      const r = check(filterLock(3, 2), { strategy, executions: 50 });
      assert.equal(r.verdict, 'violated');
      const v = r.violations[0]!;
      assert.equal(v.property, 'assertion');
      assert.match(v.message, /^P[012], event yield: world\.victim\[2\] is outside the array \(indices 0\.\.1\)$/);
    });
  }
});
