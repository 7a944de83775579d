/**
 * Issue 14, the last audit's leftovers (probes/audit-leftovers.scenario.ts), through the CLI in process:
 * a step's `label` function that throws is a model error naming the actor, state and event, with the trace
 * to that step, and `replay` reproduces it; a progress property whose progress() throws at step 1 is
 * reported with that step, not as "the initial state itself"; under random and pct a choices function that
 * writes the world is named in the execution where it wrote, not only once its own step is picked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup } from 'xstate';
import { after, describe, it } from 'node:test';
import { check, int, invariant, type StepEvent } from '../../checker/index.js';
import { EXIT } from '../../cli/exitCodes.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from '../cli/fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-leftovers-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const FILE = join(REPO_ROOT, 'test/trust/probes/audit-leftovers.scenario.ts');

async function cli(...argv: string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  const answer = f.out() + f.err();
  assert.doesNotMatch(answer, /internal error|bug in faultline|\n +at .*:\d+:\d+/);
  return { code, out: f.out(), answer };
}
const checkAndTrace = (target: string, trace: string, ...flags: string[]) => cli('check', `${FILE}:${target}`, '--no-typecheck', '--trace', trace, ...flags);

describe("the audit's leftovers", () => {
  for (const strategy of ['bfs', 'random'] as const) {
    it(`a label function that throws is a model error with the trace to its step (${strategy}), and replay reproduces it`, async () => {
      const r = await checkAndTrace('label-throws', `label-${strategy}.json`, '--strategy', strategy);
      assert.equal(r.code, EXIT.MODEL_ERROR, r.answer);
      assert.ok(r.out.includes("model error (label-threw): actor W0, state 'run', event 'inc': its label function threw: label saw x = 1\n"), r.out);
      // Step 1's label printed; step 2's label threw, so it prints the event.
      assert.match(r.out, /^1 {2}inc_x\(0\)\n {5}x: 0 -> 1\n2 {2}inc\n {5}x: 1 -> 2\n/m);
      const again = await cli('replay', `label-${strategy}.json`);
      assert.equal(again.code, EXIT.MODEL_ERROR, again.answer);
      assert.ok(again.out.includes("REPRODUCED: model error: actor W0, state 'run', event 'inc': its label function threw: label saw x = 1"), again.out);
    });
  }

  it('a progress property whose progress() throws at step 1 shows that step', async () => {
    const r = await checkAndTrace('progress-throws', 'progress.json');
    assert.equal(r.code, EXIT.MODEL_ERROR, r.answer);
    assert.ok(r.out.includes("model error (property-threw): property 'x grows' threw: progress saw x = 1\n"), r.out);
    assert.doesNotMatch(r.out, /no steps/);
    assert.match(r.out, /^1 {2}inc\n {5}x: 0 -> 1\n\n/m);
    const again = await cli('replay', 'progress.json');
    assert.equal(again.code, EXIT.MODEL_ERROR, again.answer);
    assert.ok(again.out.includes("REPRODUCED: model error: property 'x grows' threw: progress saw x = 1"), again.out);
  });

  // Seed 1 (random) and seed 2 (pct) take W1's step where W0's choices function writes: before, random
  // ran 11 executions (39 states) and pct 4 before W0's own step was picked there.
  for (const [strategy, seed] of [
    ['random', '1'],
    ['pct', '2'],
  ] as const) {
    it(`${strategy}: a choices function that writes the world is named in the execution where it wrote`, async () => {
      const r = await cli(
        'check',
        `${FILE}:choices-write`,
        '--no-typecheck',
        '--strategy',
        strategy,
        '--seed',
        seed,
        '--format',
        'json',
        '--trace',
        `cw-${strategy}.json`,
      );
      assert.equal(r.code, EXIT.VIOLATED, r.answer);
      const result = JSON.parse(r.out) as {
        violations: { message: string; trace: { steps: { actor: string; transition: string; error?: string }[] } }[];
        stats: { executions: number; states: number };
      };
      assert.deepEqual(result.stats.executions, 1);
      const v = result.violations[0]!;
      assert.equal(
        v.message,
        "W0, event inc: world.a[0] = 1 is written by the choices function of 'inc' (actor W0): guards, assign and choices functions and properties only read the world; write it in an action",
      );
      assert.deepEqual(
        v.trace.steps.map((s) => [s.actor, s.transition, s.error !== undefined]),
        [
          ['W1', 'inc', false],
          ['W0', 'inc', true],
        ],
      );
      const again = await cli('replay', `cw-${strategy}.json`);
      assert.equal(again.code, EXIT.VIOLATED, again.answer);
    });
  }

  it('a label function that returns a non-string is a model error too', () => {
    const m = setup({ types: { context: {} as Record<string, never>, events: {} as StepEvent<'go', { x: number }> } }).createMachine({
      id: 'once',
      initial: 'a',
      context: {},
      states: { a: { on: { go: { target: 'b', actions: ({ event }) => void (event.world.x = 1) } } }, b: { type: 'final' } },
    });
    const r = check({
      name: 'label-non-string',
      world: { x: int(0, 1) },
      actors: [{ name: 'P', machine: m, fields: {}, label: () => undefined as unknown as string }],
      properties: [invariant<{ x: number }>('x stays 0', (s) => s.world.x === 0)],
    });
    assert.equal(r.verdict, 'model-error');
    assert.deepEqual(
      [r.modelError?.kind, r.modelError?.subject, r.modelError?.message],
      ['label-threw', 'P', "actor P, state 'a', event 'go': its label function returned undefined, not a string"],
    );
    assert.deepEqual(
      r.modelError?.trace.steps.map((s) => s.label),
      ['go'],
    );
  });
});
