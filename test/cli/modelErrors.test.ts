/**
 * Issue 14 (trust) as a user meets it: every mistake in test/cli/fixtures/model-mistakes.scenario.ts is
 * answered loudly by `check` (a model error, exit 4, or an assertion violation with its trace, exit 1),
 * `replay` of the trace it writes gives the same answer and exit code, `gate` never counts a model error
 * as expected, and nothing says "internal error".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { EXIT } from '../../cli/exitCodes.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-mistakes-'));
symlinkSync(join(REPO_ROOT, 'test/cli/fixtures'), join(scratch, 'fixtures'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));
const FILE = 'fixtures/model-mistakes.scenario.ts';

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

/** variant -> [exit code of check and replay, the line check prints about it]. */
const MISTAKES: Record<string, [number, string]> = {
  'throwing-invariant': [EXIT.MODEL_ERROR, "model error (property-threw): property 'x at most 2' threw: no actor named 'NOPE' (actors: W0, W1)"],
  'wrong-signature': [
    EXIT.MODEL_ERROR,
    "model error (property-threw): property 'x at most 2' is malformed: its holds is an object, not a function: write invariant(name, (s) => ..., { explain }), the predicate itself second",
  ],
  random: [EXIT.MODEL_ERROR, 'is not deterministic: Math.random, Date.now or state kept outside the world?'],
  'outside-state': [EXIT.MODEL_ERROR, 'is not deterministic: Math.random, Date.now or state kept outside the world?'],
  'effect-after-assign': [
    EXIT.MODEL_ERROR,
    "model error (xstate-mismatch): machine 'worker-effect-after-assign' (actor W0), state 'run', event 'add': the compiled actor and xstate's own transition() disagree: after the step, W0.seen: 1 in the engine, 0 in xstate",
  ],
  'effect-after-assign-holds': [
    EXIT.MODEL_ERROR,
    "model error (xstate-mismatch): machine 'worker-effect-after-assign-holds' (actor W0), state 'run', event 'add'",
  ],
  'misspelled-field': [EXIT.VIOLATED, "assertion 'assertion' violated: W0, event add: world.nx is not a declared world field (declared: x, level)"],
  'replaced-array': [EXIT.VIOLATED, "assertion 'assertion' violated: W0, event add: world.level = [1, 1] replaces an array field"],
  'fractional-array-write': [EXIT.VIOLATED, "assertion 'assertion' violated: W0, event add: world.level[0] = 0.5 is not an integer"],
  'array-past-end': [EXIT.VIOLATED, "assertion 'assertion' violated: W0, event add: world.level[2] is outside the array (indices 0..1)"],
};

describe('modelling mistakes in a scenario file: check, then replay of its trace', () => {
  it('the model without a mistake holds', async () => {
    const r = await cli(['check', `${FILE}:correct`]);
    assert.equal(r.code, EXIT.OK, r.out + r.err);
  });

  for (const [variant, [code, line]] of Object.entries(MISTAKES)) {
    it(`${variant}: exit ${code}, and replay agrees`, async () => {
      const trace = `${variant}.trace.json`;
      const r = await cli(['check', `${FILE}:${variant}`, '--trace', trace]);
      assert.equal(r.code, code, r.out + r.err);
      assert.ok(r.out.includes(line), r.out);
      assert.doesNotMatch(r.out + r.err, /internal error|bug in faultline/);
      if (code === EXIT.MODEL_ERROR) assert.match(r.out, /: MODEL ERROR\n/);
      const json = await cli(['check', `${FILE}:${variant}`, '--format', 'json', '--trace', `${variant}.2.json`]);
      assert.equal(json.code, code);
      const result = JSON.parse(json.out) as { verdict: string; violations: unknown[]; modelError?: { kind: string } };
      assert.equal(result.verdict, code === EXIT.MODEL_ERROR ? 'model-error' : 'violated');
      if (code === EXIT.MODEL_ERROR) assert.deepEqual(result.violations, []);
      const again = await cli(['replay', trace]);
      assert.equal(again.code, code, again.out + again.err);
      assert.match(again.out, /REPRODUCED/);
    });
  }

  it('the trace file of a model error names it, so replay knows what to look for', async () => {
    await cli(['check', `${FILE}:throwing-invariant`, '--trace', 'thrown.json']);
    const file = JSON.parse(readFileSync(join(scratch, 'thrown.json'), 'utf8')) as { violation: unknown };
    assert.deepEqual(file.violation, {
      property: 'x at most 2',
      kind: 'model-error',
      message: "property 'x at most 2' threw: no actor named 'NOPE' (actors: W0, W1)",
      modelError: 'property-threw',
    });
  });

  it('a domain no state slot stores (int(2 ** 32, 2 ** 32 + 3)) is refused in one line, exit 2, never wrapped', async () => {
    const r = await cli(['check', `${FILE}:wrapped-domain`]);
    assert.equal(r.code, EXIT.BAD_INPUT);
    assert.equal(r.out, '');
    assert.match(r.err, /^faultline: .*int\(\): the range 4294967296\.\.4294967299 does not fit a state slot .*\n$/);
  });
});

describe('gate never counts a model error as expected', () => {
  it('every model error is an error entry (exit 1), in text, JSON and JUnit alike', async () => {
    const filter = ['--filter', 'model-mistakes:throwing-invariant,model-mistakes:random,model-mistakes:effect-after-assign-holds'];
    const text = await cli(['gate', FILE, ...filter]);
    assert.equal(text.code, EXIT.VIOLATED);
    assert.doesNotMatch(text.out, /as expected\)/);
    assert.equal((text.out.match(/^ERROR/gm) ?? []).length, 3, text.out);
    const json = JSON.parse((await cli(['gate', FILE, ...filter, '--format', 'json'])).out) as { entries: { status: string }[] };
    assert.deepEqual(
      json.entries.map((e) => e.status),
      ['error', 'error', 'error'],
    );
    const junit = (await cli(['gate', FILE, ...filter, '--format', 'junit'])).out;
    assert.match(junit, /<error type="model-error" message="model error: /);
    assert.doesNotMatch(junit, /expected violation found/);
  });
});
