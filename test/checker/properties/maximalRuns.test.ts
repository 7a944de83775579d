/**
 * Progress on maximal runs: a run that stops - no actor can move - while a progress property is in flight
 * violates it, with the path to that state as the counterexample (a plain trace, no loop). Before, only a
 * fair cycle counted, so `terminates('P0')` held when P1 finished holding the lock P0 waits for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, compileSystem, progress, terminates, type SystemSpec } from '../../../checker/index.js';
import { replay, resolveStep } from '../../../checker/search/replay.js';
import { maximalRunCases } from './maximalRunModels.js';

const byName = (name: string) => maximalRunCases.find((c) => c.name === name)!;

describe('progress on maximal runs', () => {
  for (const c of maximalRunCases) {
    it(`${c.name}: terminates('P0') is ${c.verdict}, under bfs and dfs`, () => {
      for (const strategy of ['bfs', 'dfs'] as const) assert.equal(check(c.system, { strategy }).verdict, c.verdict, strategy);
    });
  }

  it('lock-keeps: P1 takes the lock and finishes holding it; the run ends there with P0 in flight (1 step, no loop)', () => {
    const r = check(byName('lock-keeps').system);
    assert.equal(r.violations.length, 1);
    const v = r.violations[0]!;
    assert.deepEqual(
      { property: v.property, kind: v.kind, loop: v.trace.loop, steps: v.trace.steps.map((s) => `${s.actor} ${s.transition}`) },
      { property: 'P0 terminates', kind: 'progress', loop: undefined, steps: ['P1 acquire'] },
    );
    assert.equal(
      v.message,
      "P0 eventually reaches a final state: the run ends in a state where no actor can move (P0 is stuck in 'idle'), with 'P0 terminates' still in flight",
    );
    assert.deepEqual(
      r.properties.find((p) => p.name === 'P0 terminates'),
      { name: 'P0 terminates', kind: 'progress', status: 'violated' },
    );
  });

  it('bakery-cap-1: the second chooser reads ticket 1 = MAX and can never take one; a shortest path to the stop under bfs, with the fewest switches', () => {
    const v = check(byName('bakery-cap-1').system).violations[0]!;
    assert.equal(v.trace.loop, undefined);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor} ${s.transition}`),
      ['P1 start', 'P1 scanSkip', 'P1 scanSkip', 'P1 take', 'P0 start', 'P0 scanSkip', 'P0 scanUp'],
    );
  });

  it('random and pct sampling report the stop too, as a trace without a loop that replays', () => {
    const system = compileSystem(byName('lock-keeps').system);
    for (const strategy of ['random', 'pct'] as const) {
      const r = check(system, { strategy });
      assert.equal(r.verdict, 'violated', strategy);
      const v = r.violations.find((x) => x.property === 'P0 terminates')!;
      assert.equal(v.trace.loop, undefined, strategy);
      const ids = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
      assert.equal(replay(system, ids, undefined, { property: v.property, kind: v.kind }, { xstate: true }).status, 'reproduced', strategy);
    }
  });

  it('a fair cycle is still reported as a lasso when there is one (spin-keeps)', () => {
    const v = check(byName('spin-keeps').system).violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.notEqual(v.trace.loop, undefined);
  });

  it('a progress() property reads the same way: in flight where the run stops is a violation', () => {
    const spec = byName('lock-keeps').system;
    const custom: SystemSpec = {
      ...spec,
      properties: [progress('P0 gets the lock', { inFlight: (s) => s.actors[0]!.state === 'idle', progress: (_b, a) => a.actors[0]!.state !== 'idle' })],
    };
    assert.equal(check(custom).violations[0]?.property, 'P0 gets the lock');
    // Not in flight where the run stops: P1 done, P0 done; nothing to report.
    assert.equal(check({ ...byName('lock-releases').system, properties: [terminates('P1')] }).verdict, 'holds');
  });

  for (const name of ['lock-keeps', 'bakery-cap-1']) {
    it(`${name}: replay (through xstate too) reproduces the stop; one step fewer is no violation, one more diverges`, () => {
      const system = compileSystem(byName(name).system);
      const v = check(system).violations[0]!;
      const ids = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
      const claim = { property: v.property, kind: v.kind };
      assert.deepEqual(replay(system, ids, undefined, claim, { xstate: true }), {
        status: 'reproduced',
        message: `after ${ids.length} steps no actor can move and 'P0 terminates' is still in flight`,
      });
      const shorter = replay(system, ids.slice(0, -1), undefined, claim, { xstate: true });
      assert.equal(shorter.status, 'no-violation');
      assert.match(shorter.message, /the run does not end here \(\d+ steps? enabled\)$/);
      assert.equal(replay(system, [...ids, ids[ids.length - 1]!], undefined, claim, { xstate: true }).status, 'diverged');
    });
  }

  it('a run that stops with P0 finished is no violation on replay', () => {
    const system = compileSystem(byName('lock-releases').system);
    const step = (actor: string, t: string) => resolveStep(system, actor, t, 0) as number;
    const ids = [step('P0', 'acquire'), step('P0', 'release'), step('P1', 'acquire'), step('P1', 'release')];
    assert.deepEqual(replay(system, ids, undefined, { property: 'P0 terminates', kind: 'progress' }), {
      status: 'no-violation',
      message: "after 4 steps no actor can move, but 'P0 terminates' is not in flight",
    });
  });
});
