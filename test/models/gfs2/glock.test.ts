/**
 * The gfs2 glock fragment (models/gfs2/glock.ts) against fs/gfs2/glock.c: FIFO grants without barging,
 * compatibility, the recursion trap of add_to_queue(), and the glock contender actor alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type InvariantProperty, type StateView } from '../../../checker/index.js';
import { glockContenderActor } from '../../../models/gfs2/glockContender.js';
import {
  defineGlock,
  GLOCK_GRANTED,
  GLOCK_RECURSIVE,
  GLOCK_WAITING,
  glockDq,
  glockGranted,
  glockNq,
  glockQueued,
  glockState,
  glockWaitsFor,
  glockWouldGrant,
  LM_ST_EXCLUSIVE,
  LM_ST_SHARED,
  LM_ST_UNLOCKED,
  noRecursiveGlock,
} from '../../../models/gfs2/glock.js';
import { assertConformance } from '../../checker/conformance.js';
import { engineWorld, plainWorld } from '../helpers.js';

const holders = [
  { name: 'A:SH', owner: 'A', state: 'SH' as const },
  { name: 'B:EX', owner: 'B', state: 'EX' as const },
  { name: 'C:SH', owner: 'C', state: 'SH' as const },
  { name: 'A2:SH', owner: 'A', state: 'SH' as const },
  { name: 'D:DF', owner: 'D', state: 'DF' as const },
  { name: 'E:DF', owner: 'E', state: 'DF' as const },
];

describe('models/gfs2/glock.ts', () => {
  for (const [kind, make] of [
    ['plain', plainWorld],
    ['engine', engineWorld],
  ] as const) {
    it(`${kind} world: FIFO grants, no barging past an incompatible waiter, EX alone`, () => {
      const g = defineGlock({ holders });
      const w = make(g.fields) as any;
      assert.equal(glockNq(w, g, 0), GLOCK_GRANTED);
      assert.equal(glockState(w, g), LM_ST_SHARED);
      assert.equal(glockNq(w, g, 1), GLOCK_WAITING);
      // C's SH is compatible with A's granted SH, but B's EX waits in front of it: no barging.
      assert.equal(glockWouldGrant(w, g, 2), false);
      assert.equal(glockNq(w, g, 2), GLOCK_WAITING);
      assert.deepEqual(Array.from(w.glockHolders), [1, 2, 3, 0, 0, 0]);
      assert.equal(glockWaitsFor(w, g, 2), 'glock G in SH behind A:SH, B:EX');
      glockDq(w, g, 0);
      assert.equal(glockGranted(w, g, 1), true);
      assert.equal(glockGranted(w, g, 2), false);
      assert.equal(glockState(w, g), LM_ST_EXCLUSIVE);
      glockDq(w, g, 1);
      assert.equal(glockGranted(w, g, 2), true);
      glockDq(w, g, 2);
      assert.equal(glockState(w, g), LM_ST_UNLOCKED);
      assert.equal(w.glockGranted, 0);
      // DF shares with DF only.
      assert.equal(glockNq(w, g, 4), GLOCK_GRANTED);
      assert.equal(glockNq(w, g, 5), GLOCK_GRANTED);
      assert.equal(glockNq(w, g, 2), GLOCK_WAITING);
      assert.throws(() => glockDq(w, g, 2), /is not granted/);
      assert.throws(() => glockNq(w, g, 2), /already queued/);
    });

    it(`${kind} world: a second request from the same task is trapped (BUG), or queued without the trap`, () => {
      const g = defineGlock({ holders });
      const w = make(g.fields) as any;
      glockNq(w, g, 0);
      assert.equal(glockNq(w, g, 3), GLOCK_RECURSIVE);
      assert.equal(w.glockRecursive, 1);
      assert.equal(glockQueued(w, g, 3), false);
      const q = defineGlock({ holders, recursion: 'queue' });
      const v = make(q.fields) as any;
      glockNq(v, q, 0);
      assert.equal(glockNq(v, q, 3), GLOCK_GRANTED);
      assert.equal('glockRecursive' in q.fields, false);
    });
  }

  it('noRecursiveGlock over two glocks: one property, naming the glock whose trap fired', () => {
    const f = defineGlock({ prefix: 'glockF', display: 'F', holders: [holders[0]!, holders[3]!] });
    const g = defineGlock({ prefix: 'glockG', display: 'G', holders: [holders[0]!, holders[2]!] });
    const p = noRecursiveGlock([f, g]) as InvariantProperty;
    assert.equal(p.name, 'no recursive glock');
    assert.equal(p.description, 'no task requests glock F or G while it already has a holder on it (add_to_queue(): trap_recursive, BUG())');
    assert.equal(noRecursiveGlock(g).description, 'no task requests glock G while it already has a holder on it (add_to_queue(): trap_recursive, BUG())');
    const w = plainWorld({ ...f.fields, ...g.fields }) as any;
    const view = { world: w } as unknown as StateView;
    assert.equal(p.holds(view), true);
    glockNq(w, g, 0);
    glockNq(w, f, 0);
    assert.equal(p.holds(view), true, 'A holds both glocks: different glocks, no recursion');
    assert.equal(glockNq(w, f, 1), GLOCK_RECURSIVE);
    assert.equal(p.holds(view), false);
    assert.equal(p.explain!(view), 'a task requested glock F while holding it: add_to_queue() -> trap_recursive -> BUG()');
    assert.throws(() => noRecursiveGlock([]), /no glock/);
    assert.throws(() => noRecursiveGlock([f, defineGlock({ holders, recursion: 'queue' })]), /glock G has no recursion trap/);
  });

  it('rejects bad holder tables', () => {
    assert.throws(() => defineGlock({ holders: [] }), /1..8/);
    assert.throws(() => defineGlock({ holders: [holders[0]!, holders[0]!] }), /unique/);
    assert.throws(() => defineGlock({ holders: [{ name: 'x', owner: 'x', state: 'UN' as 'SH' }] }), /not SH, DF or EX/);
  });
});

describe('models/gfs2/glockContender.ts', () => {
  const g = defineGlock({
    holders: [
      { name: 'T:SH', owner: 'T', state: 'SH' },
      { name: 'CPU1:EX', owner: 'CPU1', state: 'EX' },
    ],
  });
  it('a thread taking EX twice: idle -> held -> idle -> held -> done (5 states, 4 transitions)', () => {
    const s = { name: 'c', world: g.fields, actors: [glockContenderActor({ glock: g, holder: 'CPU1:EX', requests: 2 })], properties: [] };
    const r = check(s);
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [5, 4]);
    assertConformance(s, { runs: 20, maxSteps: 6 });
  });

  it('as an environment: each request costs one budget unit', () => {
    const s = { name: 'c', world: g.fields, actors: [glockContenderActor({ glock: g, holder: 'CPU1:EX', requests: 2, kind: 'environment' })], properties: [] };
    const r = check(s);
    assert.deepEqual([r.stats.states, r.stats.transitions], [5, 4]);
    assertConformance(s, { runs: 20, maxSteps: 6 });
  });
});
