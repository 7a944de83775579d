/**
 * The replay round trip, never skipped (shuttle's replay tests were switched off once and replay broke
 * unnoticed). For every shipped scenario - the registry and every examples/*.scenario.ts, discovered at
 * run time so new ones are covered as soon as they exist - and every variant expected to be violated:
 * check it, turn every violation into a trace file, serialise it to JSON and back, rebuild the model
 * from the file's own scenario, variant and params, replay it, and expect 'reproduced'. Then tamper with
 * it: every tampered trace must be refused, and how it is refused is asserted exactly.
 *
 * Why the tampered results are what they are (non-lasso traces found by bfs):
 *  - bfs reports for each property the first violation in level order, so its trace is a shortest one
 *    (a progress property's run that ends stuck, too: the first such state found is reported).
 *    A trace with any one step removed is either not executable (diverged) or executable and one step
 *    shorter - and then it cannot end in the violation, or bfs would have reported that shorter one. So
 *    it is never 'reproduced'.
 *  - Dropping the last step leaves a prefix of an executable trace, so nothing diverges; the state it ends
 *    in was stored (and checked) before the violating state, so an invariant or bound holds there; it has
 *    an enabled step (the dropped one), so it is no deadlock; and its last step was checked (and passed)
 *    for a transition property before the violating step was generated. So it is exactly 'no-violation'.
 *  - A wrong actor or transition name, or a choice above 65535, cannot be resolved to a step id at all
 *    (the CLI reports that as bad input); a choice past the step's choice count resolves but is not
 *    enabled, so replay says 'diverged' at that very step.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { check, type Violation } from '../../checker/index.js';
import { replay, resolveStep, type ReplayOutcome } from '../../checker/search/replay.js';
import type { CompiledSystem } from '../../checker/system/system.js';
import { parseTraceFile, toTraceFile, type TraceFile } from '../../checker/trace/traceJson.js';
import { buildTrace } from '../../checker/trace/trace.js';
import { runCli } from '../../cli/program.js';
import { resolveParams, type AnyScenario } from '../../scenarios/index.js';
import { buildScenario } from '../../scenarios/run.js';
import { fakeIo } from '../cli/fakeIo.js';
import { allScenarios, REPO_ROOT } from '../scenarios/allScenarios.js';
import exceptions, { kinds, type Kind } from './fixtures/model-exceptions.scenario.js';

const shipped = await allScenarios();
const dir = mkdtempSync(join(tmpdir(), 'faultline-roundtrip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Step = TraceFile['steps'][number];

/** Resolves a trace file's steps against a model and replays it, as `faultline replay` does. */
function replayFile(system: CompiledSystem, file: TraceFile): ReplayOutcome | { status: 'unresolved'; step: number; message: string } {
  const ids: number[] = [];
  for (const [i, s] of file.steps.entries()) {
    const id = resolveStep(system, s.actor, s.transition, s.choice);
    if (typeof id === 'string') return { status: 'unresolved', step: i + 1, message: id };
    ids.push(id);
  }
  return replay(system, ids, file.loop, file.violation, { xstate: true });
}

/** The trace file as it comes back from disk: JSON text, parsed and validated. */
function throughJson(file: TraceFile): TraceFile {
  return parseTraceFile(JSON.parse(JSON.stringify(file, null, 2)));
}

const withSteps = (file: TraceFile, steps: readonly Step[], loop?: number): TraceFile => {
  const { loop: _old, ...rest } = file;
  return { ...rest, steps, ...(loop === undefined ? {} : { loop }) };
};

interface Case {
  readonly target: string;
  readonly scenario: AnyScenario;
  readonly variant: string;
  readonly property: string | undefined;
}

const cases: Case[] = shipped.flatMap(({ target, scenario }) =>
  Object.entries(scenario.variants)
    .filter(([, v]) => v.expected.verdict === 'violated')
    .map(([variant, v]) => ({ target, scenario, variant, property: v.expected.property })),
);

describe('replay round trip over every shipped scenario', () => {
  it('finds violated variants to replay (the registry and examples/ are both read)', () => {
    assert.ok(
      cases.some((c) => c.target.startsWith('examples/')),
      'no example scenario with a violated variant',
    );
    assert.ok(cases.some((c) => c.target === 'examples/peterson.scenario.ts' && c.variant === 'no-turn'));
  });

  for (const c of cases) {
    describe(`${c.target}:${c.variant}`, () => {
      const params = resolveParams(c.scenario, {});
      const runs = [
        { strategy: 'bfs' as const, result: check(buildScenario(c.scenario, c.variant, params), { strategy: 'bfs', stopAtFirstViolation: false }) },
        { strategy: 'dfs' as const, result: check(buildScenario(c.scenario, c.variant, params), { strategy: 'dfs' }) },
      ];

      it(`is violated${c.property ? ` first of all by '${c.property}'` : ''}, as the scenario expects`, () => {
        for (const { strategy, result } of runs) {
          assert.equal(result.verdict, 'violated', strategy);
          if (c.property) assert.equal(result.violations[0]!.property, c.property, strategy);
        }
      });

      for (const { strategy, result } of runs) {
        for (const v of result.violations) {
          const name = `${strategy} ${v.kind} '${v.property}' (${v.trace.steps.length} steps${v.trace.loop === undefined ? '' : `, loop at ${v.trace.loop}`})`;
          const file = toTraceFile(v, { scenario: c.target, variant: c.variant, params, strategy });

          it(`${name}: JSON and back, rebuilt from the file, replays as 'reproduced'`, () => {
            const back = throughJson(file);
            assert.deepEqual(back, JSON.parse(JSON.stringify(file)));
            const system = buildScenario(c.scenario, back.variant, back.params);
            const outcome = replayFile(system, back);
            assert.equal(outcome.status, 'reproduced', outcome.message);
            // Re-execution rebuilds exactly the trace the check reported.
            const ids = back.steps.map((s) => resolveStep(system, s.actor, s.transition, s.choice) as number);
            assert.deepEqual(buildTrace(system, ids, back.loop), v.trace);
          });

          it(`${name}: tampered copies are refused`, () => {
            tamperChecks(buildScenario(c.scenario, c.variant, params), throughJson(file), v, strategy);
          });
        }
      }

      it('the CLI writes the first counterexample with --trace and `faultline replay` reproduces it (exit 1)', async () => {
        const trace = join(dir, `${c.scenario.id}-${c.variant}.trace.json`);
        const checked = fakeIo(REPO_ROOT);
        assert.equal(await runCli(['check', `${c.target}:${c.variant}`, '--format', 'json', '--trace', trace], checked.io), 1, checked.err());
        const replayed = fakeIo(REPO_ROOT);
        assert.equal(await runCli(['replay', trace, '--no-color'], replayed.io), 1, replayed.err() + replayed.out());
        assert.match(replayed.out(), /^REPRODUCED: /m);
        assert.equal(replayed.err(), '');
      });
    });
  }
});

function tamperChecks(system: CompiledSystem, file: TraceFile, v: Violation, strategy: 'bfs' | 'dfs'): void {
  const steps = file.steps;
  const n = steps.length;
  const lasso = file.loop !== undefined;

  // A wrong actor name, an unknown transition, a choice that is no choice: no step id at all.
  if (n > 0) {
    const k = Math.floor(n / 2);
    const bad = (s: Partial<Step>): TraceFile =>
      withSteps(
        file,
        steps.map((x, i) => (i === k ? { ...x, ...s } : x)),
        file.loop,
      );
    const wrongActor = replayFile(system, bad({ actor: 'nobody' }));
    assert.equal(wrongActor.status, 'unresolved');
    assert.match(wrongActor.message, /^there is no actor 'nobody' \(actors: /);
    const wrongTransition = replayFile(system, bad({ transition: 'noSuchTransition' }));
    assert.equal(wrongTransition.status, 'unresolved');
    assert.match(wrongTransition.message, /has no transition 'noSuchTransition'/);
    assert.equal(replayFile(system, bad({ choice: 70_000 })).status, 'unresolved');
    assert.equal(replayFile(system, bad({ choice: -1 })).status, 'unresolved');
    // A choice past the step's choice count resolves, but is not enabled where the trace takes it.
    const outOfRange = replayFile(system, bad({ choice: 0xffff }));
    assert.deepEqual({ status: outOfRange.status, step: (outOfRange as { step?: number }).step }, { status: 'diverged', step: k + 1 }, outOfRange.message);
  }

  if (lasso) {
    // Without its loop a lasso proves nothing: read as a run that ends, it does not end (its loop's
    // first step is still enabled).
    assert.equal(replayFile(system, withSteps(file, steps)).status, 'no-violation');
    // Last step dropped: the loop no longer closes (or its start is no longer a step of the trace).
    const truncated = replayFile(system, withSteps(file, steps.slice(0, -1), file.loop! < n - 1 ? file.loop : undefined));
    assert.notEqual(truncated.status, 'reproduced', truncated.message);
    return;
  }

  // Last step dropped: exactly 'no-violation' (see the file comment).
  if (n > 0) {
    const truncated = replayFile(system, withSteps(file, steps.slice(0, -1)));
    assert.equal(truncated.status, 'no-violation', truncated.message);
  }

  // One step removed, anywhere: never 'reproduced' when the trace is a shortest one (bfs).
  if (strategy === 'bfs') {
    for (let i = 0; i < n; i++) {
      const shorter = replayFile(
        system,
        withSteps(
          file,
          steps.filter((_, j) => j !== i),
        ),
      );
      assert.notEqual(shorter.status, 'reproduced', `without step ${i + 1}: ${shorter.message}`);
    }
  }

  // A claim about another kind of property, or about a property the model does not have, diverges at once.
  const otherKind = replay(system, [], undefined, { property: v.property, kind: v.kind === 'invariant' ? 'bound' : 'invariant' });
  if (v.kind !== 'assertion') assert.equal(otherKind.status, 'diverged');
  assert.equal(replay(system, [], undefined, { property: 'no such property', kind: 'invariant' }).status, 'diverged');
}

describe('replay of peterson:no-turn, tampered by hand', () => {
  const scenario = shipped.find((s) => s.target === 'examples/peterson.scenario.ts')!.scenario;
  const system = buildScenario(scenario, 'no-turn', {});
  const v = check(system).violations[0]!;
  const file = throughJson(toTraceFile(v, { scenario: 'examples/peterson.scenario.ts', variant: 'no-turn', params: {}, strategy: 'bfs' }));
  const names = (f: TraceFile): string[] => f.steps.map((s) => `${s.actor} ${s.transition}`);

  it('the counterexample: P0 enter, P1 enter, P1 raiseFlag, P0 raiseFlag', () => {
    assert.deepEqual(names(file), ['P0 enter', 'P1 enter', 'P1 raiseFlag', 'P0 raiseFlag']);
    assert.deepEqual(replayFile(system, file), { status: 'reproduced', message: "after 4 steps invariant 'mutual exclusion' is violated" });
  });

  it('step 2 (P1 enter) removed: P1 is still idle at the old step 3 and cannot raise its flag there, so it diverges', () => {
    const f = withSteps(
      file,
      file.steps.filter((_, i) => i !== 1),
    );
    assert.deepEqual(replayFile(system, f), {
      status: 'diverged',
      step: 2,
      message: 'step 2 (P1 raiseFlag(0)) is not enabled in state idle: the trace diverges from the model',
      enabled: ['P0 raiseFlag(0)', 'P1 enter(0)'],
    });
  });

  it('step 1 (P0 enter) removed: P1 enters and raises its flag, and P0 then tries to raise its flag while idle, so it diverges', () => {
    const f = withSteps(file, file.steps.slice(1));
    assert.deepEqual(replayFile(system, f), {
      status: 'diverged',
      step: 3,
      message: 'step 3 (P0 raiseFlag(0)) is not enabled in state idle: the trace diverges from the model',
      enabled: ['P1 leave(0)'],
    });
  });

  it('a wrong actor name is a resolve error naming the actors', () => {
    const f = withSteps(
      file,
      file.steps.map((s, i) => (i === 2 ? { ...s, actor: 'P2' } : s)),
    );
    assert.deepEqual(replayFile(system, f), { status: 'unresolved', step: 3, message: "there is no actor 'P2' (actors: P0, P1)" });
  });

  it('choice 1 of a step with one outcome diverges at that step', () => {
    const f = withSteps(
      file,
      file.steps.map((s, i) => (i === 0 ? { ...s, choice: 1 } : s)),
    );
    assert.deepEqual(replayFile(system, f), {
      status: 'diverged',
      step: 1,
      message: 'step 1 (P0 enter(1)) is not enabled in state idle: the trace diverges from the model',
      enabled: ['P0 enter(0)', 'P1 enter(0)'],
    });
  });

  it('the last step dropped: every step is still enabled, P1 is not yet in the critical section, so no violation', () => {
    const f = withSteps(file, file.steps.slice(0, -1));
    assert.deepEqual(replayFile(system, f), {
      status: 'no-violation',
      message: "after 3 steps invariant 'mutual exclusion' holds: the model no longer has this violation",
    });
  });
});

/**
 * A model's own exception (a guard, choices function, assign or effect that throws, a value no slot can
 * hold, a value outside its domain) is a counterexample like any other: `check` reports it as an
 * assertion with its trace, and `replay` - which also re-executes the trace through xstate, where a
 * throwing guard is worded differently and a non-integer is simply stored - must reproduce it with the
 * same exit code, on the first step and on a later one.
 */
describe('replay of model exceptions', () => {
  const target = 'test/roundtrip/fixtures/model-exceptions.scenario.ts';
  for (const kind of Object.keys(kinds) as Kind[]) {
    for (const at of [0, 1]) {
      it(`${kind} on step ${at + 1}: check finds it, replay reproduces it (API and CLI, exit 1 both)`, async () => {
        const result = check(buildScenario(exceptions, kind, { at }));
        assert.equal(result.verdict, 'violated');
        const v = result.violations[0]!;
        assert.equal(v.kind, 'assertion', v.message);
        assert.equal(v.trace.steps.length, at + 1);
        const file = throughJson(toTraceFile(v, { scenario: target, variant: kind, params: { at }, strategy: 'bfs' }));
        const outcome = replayFile(buildScenario(exceptions, kind, { at }), file);
        assert.equal(outcome.status, 'reproduced', outcome.message);

        const trace = join(dir, `exception-${kind}-${at}.trace.json`);
        const checked = fakeIo(REPO_ROOT);
        assert.equal(await runCli(['check', `${target}:${kind}`, '--param', `at=${at}`, '--format', 'json', '--trace', trace], checked.io), 1, checked.err());
        const replayed = fakeIo(REPO_ROOT);
        assert.equal(await runCli(['replay', trace, '--no-color'], replayed.io), 1, replayed.err() + replayed.out());
        assert.match(replayed.out(), /^REPRODUCED: /m);
        assert.equal(replayed.err(), '');
      });
    }
  }

  it("a guard that throws replays with the model's own message, not xstate's wrapping of it", () => {
    const system = buildScenario(exceptions, 'guard-throws', { at: 1 });
    const v = check(system).violations[0]!;
    const file = throughJson(toTraceFile(v, { scenario: target, variant: 'guard-throws', params: { at: 1 }, strategy: 'bfs' }));
    assert.deepEqual(replayFile(system, file), { status: 'reproduced', message: 'step 2 (A go(0)) throws: guard: x is out of step' });
  });

  it('a trace that throws before its last step diverges there', () => {
    const system = buildScenario(exceptions, 'world-nan', { at: 0 });
    const go = resolveStep(system, 'A', 'go', 0) as number;
    assert.deepEqual(replay(system, [go, go], undefined, { property: 'assertion', kind: 'assertion' }, { xstate: true }), {
      status: 'diverged',
      step: 1,
      message: 'step 1 (A go(0)) throws: world.y = NaN is not an integer',
    });
  });
});
