/**
 * The execution core (checker/search/engine.ts): monitors report through it, it names the place of each
 * finding, reports a property once, stops at the first violation or a model error, and settles a bound's
 * provisional excess at its worst while reporting nothing else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from 'xstate';
import { bound, check, compileSystem, int, invariant, progress, type StepEvent, type SystemSpec } from '../../checker/index.js';
import { Engine } from '../../checker/search/engine.js';

type W = { x: number };

/** One actor counts x from 0 to 3, one step at a time. */
function counter(properties: SystemSpec<W>['properties'], actors = 1): SystemSpec<W> {
  const machine = setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'inc', W> },
    guards: { below3: ({ event }) => event.world.x < 3 },
    actions: {
      inc: ({ event }) => {
        event.world.x = event.world.x + 1;
      },
    },
  }).createMachine({ id: 'counter', initial: 'run', context: {}, states: { run: { on: { inc: { guard: 'below3', actions: 'inc' } } } } });
  return {
    name: 'counter',
    world: { x: int(0, 3) },
    actors: Array.from({ length: actors }, (_, i) => ({ name: `C${i}`, machine, fields: {} })),
    properties,
  };
}

describe('Engine', () => {
  it('names the place a finding was made, reports each property once, and stops at the first violation', () => {
    const system = compileSystem(counter([]));
    let place = 7;
    const engine = new Engine<number>(system, { mode: 'search', stopAtFirstViolation: true, here: () => place });
    assert.equal(engine.report({ property: 'p', kind: 'invariant', message: 'first' }), true);
    place = 9;
    assert.equal(engine.report({ property: 'p', kind: 'invariant', message: 'again' }), false);
    assert.equal(engine.stop, true);
    assert.deepEqual(engine.findings, [{ property: 'p', kind: 'invariant', message: 'first', at: 7 }]);
  });

  it('a finding about a step carries the step being taken', () => {
    const engine = new Engine<number>(compileSystem(counter([])), { mode: 'search', stopAtFirstViolation: false, here: () => 3 });
    engine.stepFailed(0x01020003, 'it threw');
    assert.deepEqual(engine.findings, [{ property: 'assertion', kind: 'assertion', message: 'it threw', atStep: true, at: 3, step: 0x01020003 }]);
    assert.equal(engine.stop, false);
  });

  it('a model error stops the run even when it does not stop at the first violation', () => {
    const engine = new Engine<number>(compileSystem(counter([])), { mode: 'search', stopAtFirstViolation: false, here: () => 0 });
    engine.report({ property: 'p', kind: 'invariant', message: 'the property threw: x', modelError: 'property-threw' });
    assert.equal(engine.stop, true);
  });

  it('a provisional finding settles the run: only measuring monitors go on, nothing else is reported', () => {
    const system = compileSystem(counter([bound('x', (s) => s.world.x, 1), invariant('x below 3', (s) => s.world.x < 3)]));
    const engine = new Engine<number>(system, { mode: 'search', stopAtFirstViolation: true, here: () => 0 });
    assert.equal(engine.onState.length, 2);
    engine.report({ property: 'x', kind: 'bound', message: '', provisional: true });
    assert.equal(engine.stop, false);
    assert.equal(engine.settling, true);
    assert.equal(engine.onState.length, 1);
    assert.equal(engine.report({ property: 'x below 3', kind: 'invariant', message: 'no' }), false);
    engine.revise('x', 'worst value 3 exceeds the limit 1', 3);
    assert.deepEqual(engine.findings, [{ property: 'x', kind: 'bound', message: 'worst value 3 exceeds the limit 1', provisional: true, at: 3 }]);
  });
});

describe('monitors through check()', () => {
  const props = (): SystemSpec<W>['properties'] => [bound('x', (s) => s.world.x, 1), invariant('x below 3', (s) => s.world.x < 3)];

  it('stopping at the first violation, a bound is reported at its worst state and the invariant is never reached', () => {
    const r = check(counter(props()));
    assert.equal(r.verdict, 'violated');
    assert.deepEqual(
      r.violations.map((v) => [v.property, v.message, v.trace.steps.length]),
      [['x', 'worst value 3 exceeds the limit 1', 3]],
    );
    assert.deepEqual(
      r.bounds.map((b) => [b.property, b.worst]),
      [['x', 3]],
    );
  });

  it('reporting every property, both are found, in the order the search met them', () => {
    const r = check(counter(props()), { stopAtFirstViolation: false });
    assert.deepEqual(
      r.violations.map((v) => [v.property, v.message, v.trace.steps.length]),
      [
        ['x', 'worst value 3 exceeds the limit 1', 3],
        ['x below 3', "'x below 3' does not hold: x = 3", 3],
      ],
    );
  });

  it('sampling reports a bound at the first excess it meets, with its value', () => {
    const r = check(counter(props()), { strategy: 'random', executions: 1 });
    assert.equal(r.verdict, 'violated');
    assert.deepEqual(
      r.violations.map((v) => [v.property, v.message, v.trace.steps.length]),
      [['x', 'value 2 exceeds the limit 1', 2]],
    );
  });

  it('the 32-actor limit of fairness masks holds for every strategy, not only the exhaustive one', () => {
    const spec = counter([progress('x reaches 3', { inFlight: (s) => s.world.x < 3, progress: () => true })], 33);
    for (const strategy of ['bfs', 'random', 'pct'] as const) {
      assert.throws(() => check(spec, { strategy, executions: 1 }), /progress checking supports at most 32 actors/, strategy);
    }
  });
});
