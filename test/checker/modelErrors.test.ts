/**
 * Issue 14 (trust), on systems built in the test: every modelling mistake is answered loudly - a sealed
 * world whose bad reads and writes are assertions with traces, domains a slot cannot hold refused when the
 * system is defined, and model errors (their own verdict) for a property that throws, nondeterministic
 * model code and a compiled actor that disagrees with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { array, check, int, invariant, progress, SystemDefinitionError, type StepEvent, type SystemSpec } from '../../checker/index.js';
import { replay } from '../../checker/search/replay.js';
import { replayModelError } from '../../checker/search/replayModelError.js';
import { compileSystem } from '../../checker/system/system.js';
import { resolveStep } from '../../checker/search/replay.js';

interface W {
  x: number;
  a: Int32Array | number[];
}
type Ev = StepEvent<'step', W>;

/** One actor taking `step` while x < 3; the step's effect is the mistake under test (or none). */
function system(effect: (w: W) => void, guard: (w: W) => boolean = (w) => w.x < 3, world = { x: int(0, 3), a: array(2, int(0, 3)) }): SystemSpec<W> {
  const machine = setup({
    types: { events: {} as Ev },
    guards: { go: ({ event }) => guard(event.world) },
    actions: { act: ({ event }) => effect(event.world) },
  }).createMachine({
    id: 'one',
    initial: 'run',
    states: { run: { on: { step: { guard: 'go', actions: 'act' } } } },
  });
  return { name: 'one', world, actors: [{ name: 'P0', machine, fields: {} }], properties: [] };
}

const ok = (w: W): void => {
  w.x += 1;
};

/** The trace's steps as ids, for replay. */
function ids(spec: SystemSpec<W>, steps: readonly { actor: string; transition: string; choice: number }[]): number[] {
  const sys = compileSystem(spec);
  return steps.map((s) => resolveStep(sys, s.actor, s.transition, s.choice) as number);
}

/** One step whose assign reads x after the effect before it wrote it: the engine sees the new x, xstate the old. */
function effectBeforeAssign(): SystemSpec<W> {
  const machine = setup({
    types: { context: {} as { seen: number }, events: {} as Ev },
    actions: {
      bump: ({ event }) => {
        event.world.x += 1;
      },
    },
  }).createMachine({
    id: 'trap',
    initial: 'run',
    context: { seen: 0 },
    states: { run: { on: { step: { target: 'done', actions: ['bump', assign({ seen: ({ event }) => event.world.x })] } } }, done: { type: 'final' } },
  });
  return {
    name: 'trap',
    world: { x: int(0, 3), a: array(2, int(0, 3)) },
    actors: [{ name: 'P0', machine, fields: { seen: int(0, 3) } }],
    properties: [],
  };
}

describe('the world is sealed and every write is checked', () => {
  const cases: [string, (w: W) => void, string][] = [
    ['0.5 written to an array element', (w) => (w.a[0] = w.a[0]! + 0.5), 'P0, event step: world.a[0] = 0.5 is not an integer'],
    ['NaN', (w) => (w.a[0] = NaN), 'P0, event step: world.a[0] = NaN is not an integer'],
    ["'abc'", (w) => ((w.a as unknown as string[])[0] = 'abc'), 'P0, event step: world.a[0] = "abc" is not an integer'],
    [
      '2^32 + 2 (an Int32Array stores 2)',
      (w) => (w.a[1] = 2 ** 32 + 2),
      'P0, event step: world.a[1] = 4294967298 is outside the 32-bit range a state slot holds (-2^31..2^31-1)',
    ],
    ['a value outside the element domain', (w) => (w.a[1] = 9), 'P0, event step: world.a[1] = 9 is outside its domain 0..3'],
    ['a write past the end', (w) => (w.a[2] = 1), 'P0, event step: world.a[2] is outside the array (indices 0..1)'],
    ['a read past the end', (w) => (w.x = w.a[5] === undefined ? 1 : 2), 'P0, event step: world.a[5] is outside the array (indices 0..1)'],
    ['a replaced array field', (w) => (w.a = [1, 1]), 'P0, event step: world.a = [1, 1] replaces an array field; write its elements (world.a[i] = ...)'],
    [
      'a misspelled field written',
      (w) => ((w as unknown as { nxt: number }).nxt = 1),
      'P0, event step: world.nxt is not a declared world field (declared: x, a)',
    ],
    [
      'a misspelled field read',
      (w) => (w.x = (w as unknown as { nxt: number }).nxt),
      'P0, event step: world.nxt is not a declared world field (declared: x, a)',
    ],
    ['a non-integer scalar', (w) => (w.x = 0.5), 'P0, event step: world.x = 0.5 is not an integer'],
  ];
  for (const [name, effect, message] of cases) {
    it(`${name}: an assertion violation with its trace, and replay reproduces it`, () => {
      const spec = system(effect);
      const r = check(spec);
      assert.equal(r.verdict, 'violated');
      const v = r.violations[0]!;
      assert.deepEqual({ property: v.property, message: v.message, steps: v.trace.steps.length }, { property: 'assertion', message, steps: 1 });
      const out = replay(compileSystem(spec), ids(spec, v.trace.steps), undefined, v, { xstate: true });
      assert.equal(out.status, 'reproduced', out.message);
    });
  }

  it('a guard that reads past the end of an array is an assertion, not a quietly false guard', () => {
    const r = check(system(ok, (w) => w.a[2] === 0));
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations[0]!.message, 'P0, event step: world.a[2] is outside the array (indices 0..1)');
  });

  it('a correct model still holds, with the same counts', () => {
    const r = check(system(ok));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual([r.stats.states, r.stats.transitions], [4, 3]);
  });

  it('a domain the state cannot store exactly is refused when the system is defined, never wrapped', () => {
    assert.throws(() => int(2 ** 32, 2 ** 32 + 3), /int\(\): the range 4294967296\.\.4294967299 does not fit a state slot/);
    const raw = { kind: 'scalar', min: 2 ** 32, max: 2 ** 32 + 3, init: 2 ** 32 } as const;
    assert.throws(
      () => compileSystem(system(ok, undefined, { x: raw as never, a: array(2, int(0, 3)) })),
      (e: unknown) => e instanceof SystemDefinitionError && /world field 'x': the range 4294967296\.\.4294967299 does not fit a state slot/.test(e.message),
    );
  });
});

describe('model errors: their own verdict, never a violation of the property', () => {
  it("a property that asks for an actor that does not exist (s.actor('NOPE'))", () => {
    const spec = { ...system(ok), properties: [invariant<W>('typo', (s) => s.actor('NOPE').final || true)] };
    const r = check(spec);
    assert.equal(r.verdict, 'model-error');
    assert.deepEqual(r.violations, []);
    assert.equal(r.modelError!.message, "property 'typo' threw: no actor named 'NOPE' (actors: P0)");
    assert.equal(replayModelError(compileSystem(spec), [], 'property-threw', 'typo').status, 'reproduced');
  });

  it('the same mistake under random and pct sampling: a model error, not a violation', () => {
    const spec = { ...system(ok), properties: [invariant<W>('typo', (s) => s.actor('NOPE').final || true)] };
    for (const strategy of ['random', 'pct'] as const) {
      const r = check(spec, { strategy, executions: 3 });
      assert.equal(r.verdict, 'model-error', strategy);
      assert.deepEqual(r.violations, []);
      assert.equal(r.modelError!.kind, 'property-threw');
      assert.equal(r.modelError!.subject, 'typo');
      assert.equal(r.modelError!.message, "property 'typo' threw: no actor named 'NOPE' (actors: P0)");
      assert.deepEqual(r.modelError!.trace.steps, []);
    }
  });

  it('a progress predicate that throws on a step out of the trace end: check reports it, replay reproduces it through the same monitor', () => {
    const spec = {
      ...system(ok),
      properties: [
        progress<W>('x moves', {
          inFlight: (s) => s.world.x < 3,
          progress: (_before, after) => {
            if (after.world.x === 2) throw new Error('progress: x reached 2');
            return true;
          },
        }),
      ],
    };
    const r = check(spec);
    assert.equal(r.verdict, 'model-error');
    assert.equal(r.modelError!.message, "property 'x moves' threw: progress: x reached 2");
    const steps = ids(spec, r.modelError!.trace.steps);
    assert.deepEqual(replayModelError(compileSystem(spec), steps, 'property-threw', 'x moves'), {
      status: 'reproduced',
      message: "property 'x moves' threw: progress: x reached 2",
    });
    assert.equal(replayModelError(compileSystem(system(ok)), steps, 'property-threw', 'x moves').status, 'no-error');
  });

  it('invariant(name, { holds }) - the wrong signature - says what is wrong with it', () => {
    const r = check({ ...system(ok), properties: [invariant<W>('sig', { holds: () => true } as never)] });
    assert.equal(r.verdict, 'model-error');
    assert.match(
      r.modelError!.message,
      /^property 'sig' is malformed: its holds is an object, not a function: write invariant\(name, \(s\) => \.\.\., \{ explain \}\)/,
    );
  });

  it('state kept outside the world: actor X, event Y is not deterministic', () => {
    let calls = 0;
    const spec = system((w) => {
      w.x = Math.min(3, w.x + 1 + (calls++ % 2));
    });
    const r = check(spec);
    assert.equal(r.verdict, 'model-error');
    assert.equal(r.modelError!.kind, 'nondeterministic');
    assert.equal(
      r.modelError!.message,
      'actor P0, event step is not deterministic: Math.random, Date.now or state kept outside the world? (two runs of the same step from the same state gave different successors)',
    );
    assert.equal(replayModelError(compileSystem(spec), [], 'nondeterministic', 'P0').status, 'reproduced');
  });

  it('nondeterminism past the probed states shows when the trace is rebuilt: a model error, never "a bug in faultline"', () => {
    // The search calls the action 55 times before it finds x = 55, and rebuilding the trace calls it again
    // along the path; from the 128th call on the step adds 2, so the rebuilt path no longer reaches x = 55.
    let calls = 0;
    const world = { x: int(0, 63), a: array(2, int(0, 3)) };
    const spec = {
      ...system(
        (w) => {
          w.x = Math.min(63, w.x + 1 + (calls++ >= 128 ? 1 : 0));
        },
        (w) => w.x < 60,
        world,
      ),
      properties: [invariant<W>('x below 55', (s) => s.world.x < 55)],
    };
    const r = check(spec);
    assert.equal(r.verdict, 'model-error');
    assert.equal(r.modelError!.kind, 'nondeterministic');
    assert.match(r.modelError!.message, /is not deterministic: Math\.random, Date\.now or state kept outside the world\?/);
    assert.doesNotMatch(r.modelError!.message, /internal|bug in faultline/);
  });

  it('a compiled actor that disagrees with xstate (an assign reading what an earlier effect wrote) is a model error naming machine, state and event', () => {
    const spec = effectBeforeAssign();
    assert.equal(check(spec).verdict, 'holds', 'without the cross-check the mismatch hides behind a pass');
    const r = check(spec, { xstateCheck: true });
    assert.equal(r.verdict, 'model-error');
    assert.equal(r.modelError!.kind, 'xstate-mismatch');
    assert.equal(
      r.modelError!.message,
      "machine 'trap' (actor P0), state 'run', event 'step': the compiled actor and xstate's own transition() disagree: after the step, P0.seen: 1 in the engine, 0 in xstate",
    );
    assert.equal(r.modelError!.trace.steps.length, 1);
    assert.equal(replayModelError(compileSystem(spec), ids(spec, r.modelError!.trace.steps), 'xstate-mismatch', 'P0').status, 'reproduced');
  });

  it('under random and pct sampling too: Math.random in an action is a model error, as under bfs', () => {
    // Math.random, seeded away: the step adds 1 or 2 at random, as a model reading Math.random would.
    let draws = 0;
    const spec = system((w) => {
      w.x = Math.min(3, w.x + 1 + ((draws++ * 7919) % 3 === 0 ? 1 : 0));
    });
    for (const strategy of ['random', 'pct'] as const) {
      const r = check(spec, { strategy, executions: 20 });
      assert.equal(r.verdict, 'model-error', strategy);
      assert.equal(r.modelError!.kind, 'nondeterministic', strategy);
      assert.match(r.modelError!.message, /^actor P0, event step is not deterministic: Math\.random, Date\.now or state kept outside the world\?/, strategy);
      assert.deepEqual(r.violations, []);
    }
  });

  it('under random and pct sampling too: an assign that reads what an earlier effect wrote is an xstate mismatch, as under bfs', () => {
    const spec = effectBeforeAssign();
    for (const strategy of ['random', 'pct'] as const) {
      assert.equal(check(spec, { strategy, executions: 5 }).verdict, 'inconclusive', `${strategy}: without the cross-check nothing is found`);
      const r = check(spec, { strategy, executions: 5, xstateCheck: true });
      assert.equal(r.verdict, 'model-error', strategy);
      assert.equal(r.modelError!.kind, 'xstate-mismatch', strategy);
      assert.match(
        r.modelError!.message,
        /^machine 'trap' \(actor P0\), state 'run', event 'step': the compiled actor and xstate's own transition\(\) disagree/,
      );
    }
  });

  it('the cross-check passes a faithful model and changes nothing else', () => {
    const plain = check(system(ok));
    const crossed = check(system(ok), { xstateCheck: true });
    assert.deepEqual({ ...crossed, stats: { ...crossed.stats, seconds: 0 } }, { ...plain, stats: { ...plain.stats, seconds: 0 } });
  });
});
