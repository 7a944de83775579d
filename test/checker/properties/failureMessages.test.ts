/**
 * What a failed invariant and an exceeded bound say by default. An invariant without `explain` names
 * what its predicate read of the bad state, with the values (it used to print only its own name, which
 * reads like a pass); a bound reports its worst reachable value and the trace to that state (it used to
 * report the first excess unless `--all` was given).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { array, bound, check, compileSystem, int, invariant, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import { replay, resolveStep } from '../../../checker/search/replay.js';
import { buildLock } from '../../../examples/peterson.scenario.js';

const lock = buildLock('no-turn');
const bothCritical = (s: { actors: readonly { state: string }[] }): boolean => !(s.actors[0]!.state === 'critical' && s.actors[1]!.state === 'critical');

describe('an invariant without explain says what it read where it failed', () => {
  it('actor states it read', () => {
    const r = check({ ...lock, properties: [invariant('mutual exclusion', bothCritical)] });
    assert.equal(r.violations[0]!.message, "'mutual exclusion' does not hold: P0 in critical, P1 in critical");
  });

  it('its description, when it has one, through s.actor() as well', () => {
    const p = invariant('mx', (s) => !(s.actor('P0').state === 'critical' && s.actor('P1').state === 'critical'), {
      description: 'never both in the critical section',
    });
    assert.equal(
      check({ ...lock, properties: [p] }).violations[0]!.message,
      'never both in the critical section does not hold: P0 in critical, P1 in critical',
    );
  });

  it('world fields (arrays whole) in declaration order, then context fields and budgets', () => {
    const p = invariant<{ flag: Int32Array; turn: number }>(
      'flags',
      (s) => s.world.turn > 5 || s.world.flag[0]! + s.world.flag[1]! < 2 || s.actors[0]!.context.me !== 0,
    );
    assert.equal(check({ ...lock, properties: [p] }).violations[0]!.message, "'flags' does not hold: flag = [1, 1], turn = 0, P0.me = 0");
  });

  it('a predicate that reads nothing says so', () => {
    assert.equal(
      check({ ...lock, properties: [invariant('never', () => false)] }).violations[0]!.message,
      "'never' does not hold (its predicate read nothing of the state)",
    );
  });

  it('explain, when given, is what is printed', () => {
    const p = invariant('mx', bothCritical, { explain: () => 'both in' });
    assert.equal(check({ ...lock, properties: [p] }).violations[0]!.message, 'both in');
  });

  it('random sampling says the same', () => {
    const r = check({ ...lock, properties: [invariant('mutual exclusion', bothCritical)] }, { strategy: 'random' });
    assert.equal(r.violations[0]!.message, "'mutual exclusion' does not hold: P0 in critical, P1 in critical");
  });
});

type W = { n: number; seen: Int32Array | number[] };

/** A counter that climbs 0..5 one step at a time; `bound('n', limit 1)` is first exceeded at 2, worst at 5. */
function counter(extra: SystemSpec<W>['properties'] = []): SystemSpec<W> {
  const machine = setup({
    types: { context: {} as { steps: number }, events: {} as StepEvent<'up', W> },
    guards: { below: ({ event }) => event.world.n < 5 },
    actions: {
      up: ({ event }) => {
        event.world.n = event.world.n + 1;
      },
    },
  }).createMachine({
    id: 'counter',
    initial: 'run',
    context: { steps: 0 },
    states: { run: { on: { up: { guard: 'below', actions: ['up', assign({ steps: ({ context }) => context.steps + 1 })] } } } },
  });
  return {
    name: 'counter',
    world: { n: int(0, 5), seen: array(1, int(0, 1)) },
    actors: [{ name: 'C', machine, fields: { steps: int(0, 5) } }],
    properties: [bound<W>('n', (s) => s.world.n, 1), ...extra],
  };
}

describe('an exceeded bound reports its worst value and the trace to it, by default', () => {
  it('worst 5 after 5 steps, not the first excess (2 after 2 steps); the table and the trace agree', () => {
    const system = compileSystem(counter());
    const r = check(system);
    const v = r.violations[0]!;
    assert.equal(v.message, 'worst value 5 exceeds the limit 1');
    assert.equal(v.trace.steps.length, 5);
    assert.deepEqual(
      r.bounds.map((b) => [b.property, b.worst, b.trace.steps.length]),
      [['n', 5, 5]],
    );
    const ids = v.trace.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
    assert.deepEqual(replay(system, ids, undefined, { property: 'n', kind: 'bound' }, { xstate: true }), {
      status: 'reproduced',
      message: "after 5 steps 'n' = 5 exceeds its limit 1",
    });
  });

  it('--all gives the same', () => {
    assert.equal(check(counter(), { stopAtFirstViolation: false }).violations[0]!.message, 'worst value 5 exceeds the limit 1');
  });

  it('a search cut short says the worst found may not be the worst', () => {
    const r = check(counter(), { maxStates: 3 });
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations[0]!.message, 'value 3 exceeds the limit 1 (the worst found before the search stopped; it may go higher)');
  });

  it('measuring the worst does not add violations the first-violation search would not report', () => {
    const late = invariant<W>('n below 4', (s) => s.world.n < 4);
    assert.deepEqual(
      check(counter([late])).violations.map((v) => v.property),
      ['n'],
    );
    assert.deepEqual(
      check(counter([late]), { stopAtFirstViolation: false }).violations.map((v) => v.property),
      ['n', 'n below 4'],
    );
  });

  it('a violation found first still stops the search at once', () => {
    const early = invariant<W>('n below 1', (s) => s.world.n < 1);
    const r = check(counter([early]));
    assert.deepEqual(
      r.violations.map((v) => v.property),
      ['n below 1'],
    );
    assert.equal(r.stats.states, 2);
  });
});
