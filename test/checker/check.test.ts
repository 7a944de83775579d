/**
 * check() on tiny systems built for the purpose: an action that throws is a model assertion violation
 * with a trace ending in that step (not a crash), and so is a value leaving its domain; a property that
 * throws is a model error, not a violation of that property. The traces replay as 'reproduced'.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { check, int, invariant, type StepEvent, type SystemSpec } from '../../checker/index.js';
import { replay } from '../../checker/search/replay.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { kitchenSink } from './kitchenSink.js';

interface W {
  x: number;
}
type Ev = StepEvent<'bump', W>;

/** CPU0 bumps n (its context) and then x (the world) on every step; `effect` decides what bumping x does. */
function counter(effect: (world: W) => void, fields: { n: ReturnType<typeof int> } = { n: int(0, 7) }, world = { x: int(0, 7) }): SystemSpec<W> {
  const machine = setup({
    types: { context: {} as { n: number }, events: {} as Ev },
    actions: { bumpX: ({ event }) => effect(event.world) },
  }).createMachine({
    id: 'counter',
    initial: 'run',
    context: { n: 0 },
    states: { run: { on: { bump: { actions: [assign({ n: ({ context }) => context.n + 1 }), 'bumpX'] } } } },
  });
  return { name: 'counter', world, actors: [{ name: 'CPU0', machine, fields }], properties: [] };
}

function replays(spec: SystemSpec, r: ReturnType<typeof check>): void {
  const system = compileSystem(spec);
  const v = r.violations[0]!;
  const ids = v.trace.steps.map(() => 0); // CPU0 (actor 0), bump (event 0), choice 0: step id 0
  assert.equal(replay(system, ids, undefined, v).status, 'reproduced');
  assert.equal(replay(system, ids.slice(0, -1), undefined, v).status, 'no-violation');
}

describe('check: model errors are violations with traces', () => {
  it("a bug in the model's code (a TypeError) keeps its name, so it does not read as a kernel assertion", () => {
    const spec = counter((w) => {
      if (w.x === 1) (null as unknown as number[])[0] = 1;
      w.x += 1;
    });
    const v = check(spec).violations[0]!;
    assert.equal(v.message, "CPU0: TypeError: Cannot set properties of null (setting '0')");
    assert.equal(v.trace.steps.at(-1)!.error, "TypeError: Cannot set properties of null (setting '0')");
    assert.equal(check(spec, { strategy: 'random' }).violations[0]!.message, v.message);
  });

  it('a mistyped world field (read or written) is an assertion naming the actor, the event, the field and the declared fields', () => {
    const read = counter((w) => {
      if (w.x === 1) (w as unknown as { flags: number[] }).flags[0] = 1;
      w.x += 1;
    });
    const write = counter((w) => {
      if (w.x === 1) (w as unknown as { nx: number }).nx = 2;
      w.x += 1;
    });
    for (const [spec, field] of [
      [read, 'flags'],
      [write, 'nx'],
    ] as const) {
      for (const strategy of ['bfs', 'random'] as const) {
        const r = check(spec, { strategy });
        assert.equal(r.verdict, 'violated');
        assert.equal(r.violations[0]!.message, `CPU0, event bump: world.${field} is not a declared world field (declared: x)`);
        assert.equal(r.violations[0]!.trace.steps.length, 2);
      }
    }
  });

  it('an action that throws: an assertion violation whose trace ends in the throwing step', () => {
    const spec = counter((w) => {
      if (w.x === 2) throw new Error('x must stay below 2');
      w.x += 1;
    });
    const r = check(spec);
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations.length, 1);
    const v = r.violations[0]!;
    assert.deepEqual(
      { property: v.property, kind: v.kind, message: v.message },
      { property: 'assertion', kind: 'assertion', message: 'CPU0: x must stay below 2' },
    );
    assert.equal(v.trace.steps.length, 3);
    const last = v.trace.steps.at(-1)!;
    // The throwing step is in the trace, with the error and no changes (its effects are not applied).
    assert.deepEqual(last, { actor: 'CPU0', transition: 'bump', choice: 0, label: 'bump', changes: [], error: 'x must stay below 2' });
    // Changes come in slot order: world fields first, then each actor's.
    assert.deepEqual(v.trace.steps[1]!.changes, [
      { field: 'x', from: '1', to: '2' },
      { field: 'CPU0.n', from: '1', to: '2' },
    ]);
    assert.deepEqual(v.trace.states.at(-1), { x: '2', 'CPU0@state': 'run', 'CPU0.n': '2' });
    assert.equal(
      formatTraceText(v.trace, { actors: ['CPU0'] }),
      [
        '   CPU0',
        '---------------------------',
        '1  bump',
        '     x: 0 -> 1',
        '     n: 0 -> 1',
        '2  bump',
        '     x: 1 -> 2',
        '     n: 1 -> 2',
        '3  bump',
        '     !! x must stay below 2',
      ].join('\n'),
    );
    assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: 3, transitions: 2 });
    replays(spec, r);
  });

  it('a world value outside its domain: an assertion violation naming the field, the value and the domain', () => {
    const spec = counter(
      (w) => {
        w.x += 1;
      },
      { n: int(0, 7) },
      { x: int(0, 2) },
    );
    const r = check(spec);
    const v = r.violations[0]!;
    assert.deepEqual(
      { property: v.property, kind: v.kind, message: v.message },
      { property: 'assertion', kind: 'assertion', message: 'x = 3 is outside its domain 0..2' },
    );
    assert.equal(v.trace.steps.length, 3);
    assert.deepEqual(v.trace.steps.at(-1)!.changes, [
      { field: 'x', from: '2', to: '3' },
      { field: 'CPU0.n', from: '2', to: '3' },
    ]);
    replays(spec, r);
  });

  it('a context value outside its domain: the same, naming actor.field', () => {
    const spec = counter(() => {}, { n: int(0, 1) });
    const r = check(spec);
    const v = r.violations[0]!;
    assert.deepEqual(
      { property: v.property, kind: v.kind, message: v.message },
      { property: 'assertion', kind: 'assertion', message: 'CPU0.n = 2 is outside its domain 0..1' },
    );
    assert.equal(v.trace.steps.length, 2);
    replays(spec, r);
  });

  it('a property that throws is a model error, not a violation of that property, with the trace to the state where it threw', () => {
    const spec: SystemSpec<W> = {
      ...counter((w) => {
        w.x = Math.min(w.x + 1, 7);
      }),
      properties: [
        invariant<W>('x readable', (s) => {
          if (s.world.x === 3) throw new Error('cannot read x');
          return true;
        }),
      ],
    };
    for (const strategy of ['bfs', 'dfs', 'random'] as const) {
      const r = check(spec, { strategy });
      assert.equal(r.verdict, 'model-error', strategy);
      assert.deepEqual(r.violations, [], strategy);
      const m = r.modelError!;
      assert.deepEqual(
        { kind: m.kind, subject: m.subject, message: m.message },
        { kind: 'property-threw', subject: 'x readable', message: "property 'x readable' threw: cannot read x" },
        strategy,
      );
      assert.equal(m.trace.states.at(-1)!['x'], '3', strategy);
      if (strategy === 'bfs') assert.equal(m.trace.steps.length, 3);
    }
  });
});

describe('check: every supported machine feature at once (kitchenSink.ts)', () => {
  it('bfs and dfs explore the same graph; the counts are pinned (each step is checked against xstate by the conformance test)', () => {
    for (const strategy of ['bfs', 'dfs'] as const) {
      const r = check(kitchenSink(), { strategy });
      assert.equal(r.verdict, 'holds', strategy);
      assert.deepEqual(
        { states: r.stats.states, transitions: r.stats.transitions, terminalStates: r.stats.terminalStates },
        { states: 21_988, transitions: 88_172, terminalStates: 704 },
        strategy,
      );
    }
  });
});
