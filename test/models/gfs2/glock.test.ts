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
  glockAllowDemote,
  glockDisallowDemote,
  glockDq,
  glockExclusion,
  glockGranted,
  glockNq,
  glockNqOutcome,
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

describe('models/gfs2/glock.ts: glock holder auto-demotion (HIF_MAY_DEMOTE)', () => {
  // A reads (SH) and faults (A/fault:SH, its own second holder); B wants EX locally, R is a remote node's EX.
  const weakHolders = [
    { name: 'A:SH', owner: 'A', state: 'SH' as const },
    { name: 'B:EX', owner: 'B', state: 'EX' as const },
    { name: 'A/fault:SH', owner: 'A', state: 'SH' as const },
    { name: 'R:EX', owner: 'R', state: 'EX' as const, remote: true },
  ];
  const weakMask = (w: any): number => w.glockWeak as number;

  it('gl_state: UN until the first grant (do_xmote() folded in), cached after the last dq; an SH request under a cached EX keeps EX', () => {
    const g = defineGlock({ holders: weakHolders, autoDemote: 'v5.16' });
    const w = plainWorld(g.fields) as any;
    assert.equal(w.glockState, LM_ST_UNLOCKED);
    glockNq(w, g, 0);
    assert.equal(w.glockState, LM_ST_SHARED);
    glockDq(w, g, 0);
    assert.equal(w.glockState, LM_ST_SHARED);
    const cached = defineGlock({ holders: weakHolders, autoDemote: 'v5.16', cached: 'EX' });
    const c = plainWorld(cached.fields) as any;
    assert.equal(glockNq(c, cached, 0), GLOCK_GRANTED);
    assert.equal(c.glockState, LM_ST_EXCLUSIVE);
  });

  it("add_to_queue(): the owner's holder with HIF_MAY_DEMOTE does not make its next request recursive", () => {
    const g = defineGlock({ holders: weakHolders, autoDemote: 'v6.0' });
    const w = plainWorld(g.fields) as any;
    glockNq(w, g, 0);
    assert.equal(glockNqOutcome(w, g, 2), GLOCK_RECURSIVE);
    glockAllowDemote(w, g, 0);
    assert.equal(weakMask(w), 1);
    assert.equal(glockNqOutcome(w, g, 2), GLOCK_GRANTED);
    glockDisallowDemote(w, g, 0);
    assert.equal(glockNqOutcome(w, g, 2), GLOCK_RECURSIVE);
  });

  it('do_promote(), no strong holder, gl_state EX: v5.16 grants B:EX next to the weak A:SH (the stealing bug); 0befb8511e6a dequeues A first', () => {
    for (const [form, aStays] of [
      ['v5.16', true],
      ['v6.0', false],
    ] as const) {
      const g = defineGlock({ holders: weakHolders, autoDemote: form, cached: 'EX' });
      const w = plainWorld(g.fields) as any;
      glockNq(w, g, 0);
      glockAllowDemote(w, g, 0);
      assert.equal(glockNqOutcome(w, g, 1), GLOCK_GRANTED, form);
      assert.deepEqual(Array.from(w.glockHolders), [1, 0, 0, 0], 'the pure outcome changed nothing');
      assert.equal(glockNq(w, g, 1), GLOCK_GRANTED, form);
      assert.equal(glockQueued(w, g, 0), aStays, form);
      assert.equal(weakMask(w), aStays ? 1 : 0, form);
      const exclusion = glockExclusion(g) as InvariantProperty;
      assert.equal(exclusion.holds({ world: w } as unknown as StateView), !aStays, form);
    }
  });

  it('a strong holder keeps a waiter out in both forms; with gl_state SH a local EX is never granted next to a weak SH (nothing demotes it)', () => {
    for (const form of ['v5.16', 'v6.0'] as const) {
      const g = defineGlock({ holders: weakHolders, autoDemote: form });
      const w = plainWorld(g.fields) as any;
      glockNq(w, g, 0);
      assert.equal(glockNq(w, g, 1), GLOCK_WAITING);
      glockAllowDemote(w, g, 0);
      // A's own fault request runs the queue: B (EX against gl_state SH) stops the promotion, A's SH waits behind it.
      assert.equal(glockNq(w, g, 2), GLOCK_WAITING);
      assert.deepEqual(Array.from(w.glockHolders), [1, 2, 3, 0]);
      assert.equal(glockQueued(w, g, 0), true);
    }
  });

  it('a remote request (gfs2_glock_cb()) dequeues the weak holders when no strong one is granted, and leaves gl_state UN at its grant', () => {
    const g = defineGlock({ holders: weakHolders, autoDemote: 'v5.16' });
    const w = plainWorld(g.fields) as any;
    glockNq(w, g, 0);
    glockAllowDemote(w, g, 0);
    assert.equal(glockNq(w, g, 3), GLOCK_GRANTED);
    assert.equal(glockQueued(w, g, 0), false);
    assert.equal(w.glockState, LM_ST_UNLOCKED);
    // Arriving while the holder is strong, it waits; the holder turning weak later runs no queue.
    const h = plainWorld(g.fields) as any;
    glockNq(h, g, 0);
    assert.equal(glockNq(h, g, 3), GLOCK_WAITING);
    glockAllowDemote(h, g, 0);
    assert.equal(glockNq(h, g, 2), GLOCK_WAITING, "A's own fault request waits behind the pending demote");
  });

  it('options are checked: remote holders, a cached state and glockExclusion need autoDemote', () => {
    assert.throws(() => defineGlock({ holders: weakHolders }), /remote holders are modelled only with autoDemote/);
    assert.throws(() => defineGlock({ holders, cached: 'EX' }), /cached state is modelled only with autoDemote/);
    assert.throws(() => defineGlock({ holders, autoDemote: 'v5.17' as 'v5.16' }), /autoDemote 'v5.17'/);
    assert.throws(() => glockExclusion(defineGlock({ holders })), /has no autoDemote/);
    assert.throws(() => glockAllowDemote(plainWorld(defineGlock({ holders }).fields), defineGlock({ holders }), 0), /has no autoDemote/);
  });
});
