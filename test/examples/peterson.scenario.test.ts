/**
 * Pins the engine on Peterson's lock (examples/peterson.scenario.ts): exact state, transition and terminal
 * counts for each variant, under bfs and dfs, stopping at the first violation and exploring everything.
 *
 * The numbers are not taken on trust from the engine: `bruteForce` below re-implements the three locks
 * over plain JS objects (no xstate, no layout, no store) and explores them with a textbook BFS that
 * follows the engine's documented rules - enabled steps in actor order, every generated successor counted
 * as a transition (also when already seen), a state with no enabled step is terminal, invariants are
 * checked when a state is first stored, deadlock when a terminal state is expanded. Both must agree, and
 * the reachable state sets are compared one by one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type CheckResult } from '../../checker/index.js';
import { bfs } from '../../checker/search/bfs.js';
import { explore } from '../../checker/search/explore.js';
import { compileSystem } from '../../checker/system/system.js';
import type { VariantSpec } from '../../scenarios/index.js';
import peterson, { buildLock } from '../../examples/peterson.scenario.js';

type Variant = 'peterson' | 'no-turn' | 'no-turn-flag-first';

// ---------------------------------------------------------------------------------------------------------
// The independent model: Peterson's lock and the two broken locks as plain successor functions.

interface Plain {
  readonly pc: readonly [string, string];
  readonly flag: readonly [number, number];
  readonly turn: number;
}

const INITIAL: Plain = { pc: ['idle', 'idle'], flag: [0, 0], turn: 0 };

function set<T>(pair: readonly [T, T], i: number, v: T): [T, T] {
  return i === 0 ? [v, pair[1]] : [pair[0], v];
}

/** The successor of process `me`, or null when it has no enabled step (each control state has one step). */
function stepOf(variant: Variant, s: Plain, me: number): Plain | null {
  const other = 1 - me;
  const pc = s.pc[me]!;
  const go = (to: string, change: Partial<Pick<Plain, 'flag' | 'turn'>> = {}): Plain => ({ ...s, ...change, pc: set(s.pc, me, to) });
  if (pc === 'critical') return go('idle', { flag: set(s.flag, me, 0) });
  if (variant === 'peterson') {
    if (pc === 'idle') return go('flagged', { flag: set(s.flag, me, 1) });
    if (pc === 'flagged') return go('waiting', { turn: other });
    if (pc === 'waiting') return s.flag[other] === 0 || s.turn === me ? go('critical') : null;
  } else if (variant === 'no-turn') {
    if (pc === 'idle') return s.flag[other] === 0 ? go('checked') : null;
    if (pc === 'checked') return go('critical', { flag: set(s.flag, me, 1) });
  } else {
    if (pc === 'idle') return go('waiting', { flag: set(s.flag, me, 1) });
    if (pc === 'waiting') return s.flag[other] === 0 ? go('critical') : null;
  }
  throw new Error(`no such control state ${pc}`);
}

const key = (s: Plain): string => JSON.stringify(s);
const mutexViolated = (s: Plain): boolean => s.pc[0] === 'critical' && s.pc[1] === 'critical';

interface BruteCounts {
  states: number;
  transitions: number;
  terminalStates: number;
  /** Depth of the deepest stored state (its distance from the initial state along the BFS tree). */
  depth: number;
  /** The first violation found (BFS order) and the length of its trace, if any. */
  violation: { property: string; steps: number } | null;
  reachable: Set<string>;
}

/** A plain BFS. `stopAtFirst` mirrors the engine's default: stop at the first violation found. */
function bruteForce(variant: Variant, stopAtFirst: boolean): BruteCounts {
  const index = new Map<string, number>([[key(INITIAL), 0]]);
  const queue: { s: Plain; depth: number }[] = [{ s: INITIAL, depth: 0 }];
  let transitions = 0;
  let terminalStates = 0;
  let depth = 0;
  let violation: BruteCounts['violation'] = null;
  const stop = (): boolean => stopAtFirst && violation !== null;
  for (let head = 0; head < queue.length && !stop(); head++) {
    const { s, depth: d } = queue[head]!;
    let enabled = 0;
    for (let me = 0; me < 2 && !stop(); me++) {
      const next = stepOf(variant, s, me);
      if (!next) continue;
      enabled++;
      transitions++;
      if (!index.has(key(next))) {
        index.set(key(next), index.size);
        queue.push({ s: next, depth: d + 1 });
        depth = Math.max(depth, d + 1);
        if (mutexViolated(next) && !violation) violation = { property: 'mutual exclusion', steps: d + 1 };
      }
    }
    if (enabled === 0) {
      terminalStates++;
      // No Peterson state is final, so every terminal state is a deadlock.
      if (!violation) violation = { property: 'deadlock', steps: d };
    }
  }
  return { states: index.size, transitions, terminalStates, depth, violation, reachable: new Set(index.keys()) };
}

/** The engine's reachable states, unpacked from its store into the plain shape above. */
function engineReachable(variant: Variant): Set<string> {
  const system = compileSystem(buildLock(variant));
  const out = explore(system, { strategy: bfs, maxStates: 1000, stopAtFirstViolation: false, hooks: {} });
  const S = system.layout.buffer();
  const slot = (name: string): number => system.layout.slots.find((s) => s.name === name)!.index;
  const names = system.actors.map((a) => a.machine.states.map((s) => s.name));
  const got = new Set<string>();
  for (let i = 0; i < out.states; i++) {
    system.layout.unpack(out.store.chunkOf(i), out.store.offsetOf(i), S);
    const plain: Plain = {
      pc: [names[0]![S[slot('P0@state')]!]!, names[1]![S[slot('P1@state')]!]!],
      flag: [S[slot('flag[0]')]!, S[slot('flag[1]')]!],
      turn: S[slot('turn')]!,
    };
    got.add(key(plain));
  }
  return got;
}

// ---------------------------------------------------------------------------------------------------------

interface Pinned {
  verdict: CheckResult['verdict'];
  property?: string;
  traceSteps?: number;
  /** Default run: bfs, stop at the first violation. */
  first: { states: number; transitions: number; terminalStates: number; depth: number };
  /** Everything explored (stopAtFirstViolation: false). */
  all: { states: number; transitions: number; terminalStates: number; depth: number };
  /** dfs, stop at the first violation. */
  dfsFirst: { states: number; transitions: number; terminalStates: number };
}

const PINNED: Record<Variant, Pinned> = {
  peterson: {
    verdict: 'holds',
    first: { states: 20, transitions: 34, terminalStates: 0, depth: 6 },
    all: { states: 20, transitions: 34, terminalStates: 0, depth: 6 },
    dfsFirst: { states: 20, transitions: 34, terminalStates: 0 },
  },
  'no-turn': {
    verdict: 'violated',
    property: 'mutual exclusion',
    traceSteps: 4,
    first: { states: 9, transitions: 12, terminalStates: 0, depth: 4 },
    all: { states: 9, transitions: 16, terminalStates: 0, depth: 4 },
    dfsFirst: { states: 8, transitions: 8, terminalStates: 0 },
  },
  'no-turn-flag-first': {
    verdict: 'violated',
    property: 'deadlock',
    traceSteps: 2,
    first: { states: 7, transitions: 8, terminalStates: 1, depth: 3 },
    all: { states: 8, transitions: 12, terminalStates: 1, depth: 3 },
    dfsFirst: { states: 6, transitions: 7, terminalStates: 1 },
  },
};

const counts = (r: CheckResult) => ({ states: r.stats.states, transitions: r.stats.transitions, terminalStates: r.stats.terminalStates, depth: r.stats.depth });

describe('examples/peterson.scenario.ts', () => {
  it('declares the three lock variants with the verdicts pinned here', () => {
    for (const [v, p] of Object.entries(PINNED)) {
      const spec = (peterson.variants as Readonly<Record<string, VariantSpec | undefined>>)[v];
      assert.ok(spec, `variant ${v} is missing`);
      assert.equal(spec.expected.verdict, p.verdict, v);
      assert.equal(spec.expected.property, p.property, v);
    }
  });

  for (const variant of Object.keys(PINNED) as Variant[]) {
    const pinned = PINNED[variant];
    describe(variant, () => {
      it('bfs, stop at the first violation: exact counts, verdict and shortest trace', () => {
        const r = check(buildLock(variant));
        assert.equal(r.verdict, pinned.verdict);
        assert.deepEqual(counts(r), pinned.first);
        if (pinned.verdict === 'violated') {
          assert.equal(r.violations.length, 1);
          assert.equal(r.violations[0]!.property, pinned.property);
          assert.equal(r.violations[0]!.trace.steps.length, pinned.traceSteps);
        } else {
          assert.deepEqual(r.violations, []);
        }
      });

      it('bfs, explore everything: exact counts', () => {
        const r = check(buildLock(variant), { stopAtFirstViolation: false });
        assert.equal(r.verdict, pinned.verdict);
        assert.deepEqual(counts(r), pinned.all);
        // The safety properties only: liveness (progress) is pinned elsewhere.
        assert.deepEqual(
          r.violations.filter((v) => v.kind !== 'progress').map((v) => v.property),
          pinned.property ? [pinned.property] : [],
        );
      });

      it('dfs: exact counts; exploring everything gives the bfs state, transition and terminal counts', () => {
        const first = check(buildLock(variant), { strategy: 'dfs' });
        assert.equal(first.verdict, pinned.verdict);
        assert.deepEqual({ states: first.stats.states, transitions: first.stats.transitions, terminalStates: first.stats.terminalStates }, pinned.dfsFirst);
        const all = check(buildLock(variant), { strategy: 'dfs', stopAtFirstViolation: false });
        const { depth: _depth, ...allCounts } = pinned.all;
        assert.deepEqual({ states: all.stats.states, transitions: all.stats.transitions, terminalStates: all.stats.terminalStates }, allCounts);
        if (pinned.property) assert.equal(first.violations[0]!.property, pinned.property);
      });

      it('the pinned numbers agree with an independent brute-force BFS over plain objects', () => {
        const stopped = bruteForce(variant, true);
        const everything = bruteForce(variant, false);
        const { reachable: _r1, violation, ...firstCounts } = stopped;
        const { reachable, violation: _sameAsFirst, ...allCounts } = everything;
        assert.deepEqual(firstCounts, pinned.first);
        assert.deepEqual(allCounts, pinned.all);
        assert.deepEqual(violation, pinned.property ? { property: pinned.property, steps: pinned.traceSteps } : null);
        assert.deepEqual([...engineReachable(variant)].sort(), [...reachable].sort());
      });
    });
  }
});
