/**
 * Corner cases of progress checking and lasso replay: strong fairness in the printed loop, environment
 * steps (even free ones) never forming the loop, a one-step livelock printed once, a guard that throws,
 * and replay refusing a loop that is not fair.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from 'xstate';
import { bool, check, compileSystem, progress, terminates, type Fairness, type SystemSpec } from '../../../checker/index.js';
import { replay, resolveStep } from '../../../checker/search/replay.js';

interface W {
  p: number;
}
type Ev = { type: 'toggle' | 'act' | 'spin' | 'poll'; choice: number; world: W };

/** Y toggles p forever; X (fairness given) can act only while p = 1, and acting is progress. */
function toggleSystem(xFairness: Fairness): SystemSpec<W> {
  const y = setup({
    types: { context: {} as Record<string, never>, events: {} as Ev },
    actions: { flip: ({ event }) => void (event.world.p = 1 - event.world.p) },
  }).createMachine({
    id: 'y',
    initial: 'run',
    context: {},
    states: { run: { on: { toggle: { actions: 'flip' } } } },
  });
  const x = setup({ types: { context: {} as Record<string, never>, events: {} as Ev }, guards: { up: ({ event }) => event.world.p === 1 } }).createMachine({
    id: 'x',
    initial: 'waiting',
    context: {},
    states: { waiting: { on: { act: { guard: 'up', target: 'done' } } }, done: { type: 'final' } },
  });
  return {
    name: 'toggle',
    world: { p: bool() },
    actors: [
      { name: 'X', machine: x, fields: {}, fairness: xFairness },
      { name: 'Y', machine: y, fields: {} },
    ],
    properties: [terminates<W>('X')],
  };
}

describe('progress checking corner cases', () => {
  it('weak fairness: X is disabled whenever p = 0, so Y toggling forever starves it', () => {
    const r = check(toggleSystem('weak'));
    assert.equal(r.verdict, 'violated');
    assert.deepEqual(
      r.violations[0]!.trace.steps.map((s) => s.actor),
      ['Y', 'Y'],
    );
  });

  it('strong fairness: X is enabled infinitely often, so it must act: holds', () => {
    assert.equal(check(toggleSystem('strong')).verdict, 'holds');
  });

  it('a one-step livelock is printed as one step, not twice round', () => {
    const m = setup({ types: { context: {} as Record<string, never>, events: {} as Ev } }).createMachine({
      id: 's',
      initial: 'a',
      context: {},
      states: { a: { on: { spin: {} } } },
    });
    const r = check({ name: 'spin', world: {}, actors: [{ name: 'T', machine: m, fields: {} }], properties: [terminates('T')] });
    assert.equal(r.violations[0]!.trace.steps.length, 1);
    assert.equal(r.violations[0]!.trace.loop, 0);
  });

  it('an environment step that costs no budget still cannot form the loop: it acts finitely often', () => {
    const t = setup({ types: { context: {} as Record<string, never>, events: {} as Ev }, guards: { up: ({ event }) => event.world.p === 1 } }).createMachine({
      id: 't',
      initial: 'wait',
      context: {},
      states: { wait: { on: { act: { guard: 'up', target: 'done' } } }, done: { type: 'final' } },
    });
    const env = setup({
      types: { context: {} as Record<string, never>, events: {} as Ev },
      actions: { raise: ({ event }) => void (event.world.p = 1) },
    }).createMachine({
      id: 'env',
      initial: 'idle',
      context: {},
      states: { idle: { on: { poll: {}, toggle: { target: 'gone', actions: 'raise' } } }, gone: { type: 'final' } },
    });
    const r = check({
      name: 'free-env',
      world: { p: bool() },
      actors: [
        { name: 'T', machine: t, fields: {} },
        { name: 'E', machine: env, fields: {}, kind: 'environment', budget: 1, cost: { poll: 0 } },
      ],
      properties: [progress<W>('T acts', { inFlight: (s) => !s.actors[0]!.final, progress: () => false })],
    });
    assert.equal(r.verdict, 'holds');
  });

  it('replay refuses a loop that is not fair, and one that leaves the in-flight states', () => {
    const system = compileSystem(toggleSystem('strong'));
    const y = resolveStep(system, 'Y', 'toggle', 0) as number;
    // Y toggles twice and is back: the loop closes, no progress, but X (strongly fair) was enabled at p = 1.
    const out = replay(system, [y, y], 0, { property: 'X terminates', kind: 'progress' });
    assert.equal(out.status, 'no-violation');
    assert.match(out.message, /unfair: X \(strongly fair\) is enabled in it and never steps/);
    const weak = compileSystem(toggleSystem('weak'));
    const yw = resolveStep(weak, 'Y', 'toggle', 0) as number;
    assert.equal(replay(weak, [yw, yw], 0, { property: 'X terminates', kind: 'progress' }).status, 'reproduced');
  });

  it('a guard that throws is a model assertion with a trace, not a crash', () => {
    const m = setup({
      types: { context: {} as Record<string, never>, events: {} as Ev },
      guards: {
        boom: ({ event }) => {
          if (event.world.p === 1) throw new Error('BUG_ON(p == 1)');
          return true;
        },
      },
      actions: { flip: ({ event }) => void (event.world.p = 1 - event.world.p) },
    }).createMachine({ id: 'g', initial: 'a', context: {}, states: { a: { on: { toggle: { guard: 'boom', actions: 'flip' } } } } });
    const r = check({ name: 'guard-throws', world: { p: bool() }, actors: [{ name: 'T', machine: m, fields: {} }], properties: [] });
    assert.equal(r.verdict, 'violated');
    const v = r.violations[0]!;
    assert.equal(v.kind, 'assertion');
    assert.equal(v.message, 'T: BUG_ON(p == 1)');
    assert.deepEqual(
      v.trace.steps.map((s) => s.error ?? s.label),
      ['toggle', 'BUG_ON(p == 1)'],
    );
  });
});
