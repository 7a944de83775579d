/**
 * Issue 14, new probes written as a kernel developer or a tester porting a textbook model would
 * (probes/user-mistakes.scenario.ts, probes/user-files.scenario.ts), through the CLI in process: every
 * answer is a verdict with a trace, a model error or one line of bad input - never a silent `holds`, an
 * internal error or a stack trace. "Before" in each comment is what main answered.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EXIT } from '../../cli/exitCodes.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from '../cli/fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-user-probes-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const MISTAKES = join(REPO_ROOT, 'test/trust/probes/user-mistakes.scenario.ts');
const FILES = join(REPO_ROOT, 'test/trust/probes/user-files.scenario.ts');

async function cli(...argv: string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  const answer = f.out() + f.err();
  assert.doesNotMatch(answer, /internal error|bug in faultline|\n +at .*:\d+:\d+/);
  // Bad input is one line on stderr and nothing on stdout.
  if (code === EXIT.BAD_INPUT) assert.deepEqual([f.out(), f.err().trimEnd().split('\n').length], ['', 1], answer);
  return { code, out: f.out(), answer };
}

const ASYNC =
  'is an async function: model code is called synchronously and never awaited (nor is it by xstate), so what it returns is a promise; make it synchronous';
const defined = (what: string) => `faultline: the model is not well defined: system 'probe-user-mistakes': ${what}`;
const machine = (m: string, what: string) => defined(`actor 'W0' (machine 'mistake-${m}'): state 'run'${what}`);

/** variant -> exit code and the words of the answer. */
const PROBES: Record<string, [number, string]> = {
  'assign-fraction': [EXIT.VIOLATED, "assertion 'assertion' violated: W0: actor 'W0': assign n = 1.5, which is not an integer"],
  'assign-out-of-domain': [EXIT.VIOLATED, "assertion 'assertion' violated: W0.n = 7 is outside its domain 0..2"],
  // Before: "assign n = 2", the string '2' shown as the number.
  'assign-string': [EXIT.VIOLATED, "assertion 'assertion' violated: W0: actor 'W0': assign n = '2' (a string), which is not an integer"],
  // Before: "TypeError: Cannot convert undefined or null to object".
  'assign-returns-nothing': [EXIT.VIOLATED, "W0: actor 'W0': an assign function returned undefined, not an object of context fields"],
  // Before: holds, exit 0 (the promise is truthy).
  'guard-async': [EXIT.BAD_INPUT, machine('guard-async', `, event 'go' transition 0: guard 'later' ${ASYNC}`)],
  // Before: holds, exit 0, then "internal error: world.x = 1 is written outside an action".
  'async-action': [EXIT.BAD_INPUT, machine('async-action', `, event 'go' transition 0: action 'later' ${ASYNC}`)],
  // Before: holds, exit 0 (the promise is truthy).
  'async-invariant': [EXIT.BAD_INPUT, defined(`property 'x stays 0': its holds ${ASYNC}`)],
  // Before: model error (xstate-mismatch), exit 4: "xstate's transition() throws 'out of pages', the compiled step does not".
  'throws-string': [EXIT.VIOLATED, "assertion 'assertion' violated: W0: out of pages"],
  // Before: "internal error: Cannot read properties of undefined (reading 'message')", exit 2.
  'throws-undefined': [EXIT.VIOLATED, "assertion 'assertion' violated: W0: threw undefined (throw an Error with a message to say what failed)"],
  // Before: holds, exit 0 (xstate reads undefined as false, a promise as true).
  'guard-undefined': [
    EXIT.VIOLATED,
    "assertion 'assertion' violated: W0: guard [ok] of machine 'mistake-guard-undefined' returned undefined, not a boolean (a missing return?)",
  ],
  'guard-promise': [EXIT.VIOLATED, "assertion 'assertion' violated: W0: guard [ok] of machine 'mistake-guard-promise' returned a promise, not a boolean"],
  // The same inside a combinator and through a guard given with params (compile.ts reads both results).
  'guard-not-undefined': [
    EXIT.VIOLATED,
    "assertion 'assertion' violated: W0: guard [ok] of machine 'mistake-guard-not-undefined' returned undefined, not a boolean (a missing return?)",
  ],
  'guard-params-undefined': [
    EXIT.VIOLATED,
    "assertion 'assertion' violated: W0: guard [ok] of machine 'mistake-guard-params-undefined' returned undefined, not a boolean (a missing return?)",
  ],
  // A number is read for its truth, as xstate and C read it: not a mistake.
  'guard-number': [EXIT.OK, 'holds'],
  'invariant-undefined': [EXIT.VIOLATED, "invariant 'x stays 0' violated: 'x stays 0' does not hold: W0.n = 2"],
  'context-field-added': [EXIT.VIOLATED, "assertion 'assertion' violated: W0: actor 'W0': assign to 'extra', which is not a declared field"],
  'delayed-transition': [EXIT.BAD_INPUT, machine('delayed-transition', ": delayed ('after') transitions are not supported")],
  invoke: [EXIT.BAD_INPUT, machine('invoke', ": 'invoke' is not supported")],
  always: [EXIT.BAD_INPUT, machine('always', ": 'always' transitions are not supported")],
};

describe('new probes: mistakes in the machine', () => {
  for (const [variant, [code, says]] of Object.entries(PROBES)) {
    it(`${variant}: exit ${code}`, async () => {
      const r = await cli('check', `${MISTAKES}:${variant}`, '--no-typecheck', '--trace', `${variant}.json`);
      assert.equal(r.code, code, r.answer);
      assert.ok(r.answer.includes(says), `expected ${JSON.stringify(says)} in:\n${r.answer}`);
      if (code !== EXIT.VIOLATED) return;
      // A violation's trace replays to the same answer.
      const again = await cli('replay', `${variant}.json`);
      assert.equal(again.code, EXIT.VIOLATED, again.answer);
      assert.match(again.out, /^REPRODUCED/m);
    });
  }
});

describe('new probes: mistakes around the machine', () => {
  it('gate: an expectation naming a property the system does not have is an error entry saying so', async () => {
    // Before: "MISMATCH ... expected: violates 'below two'; found: invariant 'below 2' violated".
    const r = await cli('gate', FILES, '--no-typecheck');
    assert.equal(r.code, EXIT.VIOLATED, r.answer);
    assert.match(
      r.out,
      /^ERROR +probe-user-files:typo-expectation +the expectation names property 'below two', which the system does not have \(properties: below 2, assertion\)/m,
    );
    assert.match(r.out, /^ERROR +probe-user-files:build-undefined +failed to build: the system is undefined \(does the scenario's build\(\) return it\?\)/m);
    assert.match(r.out, /^gate: 1 as expected, 0 mismatched, 0 inconclusive, 3 failed/m);
  });

  it('a build() that returns nothing is one line of bad input', async () => {
    // Before: "the model is not well defined: Cannot read properties of undefined (reading 'actors')".
    const r = await cli('check', `${FILES}:build-undefined`, '--no-typecheck');
    assert.equal(r.code, EXIT.BAD_INPUT);
    assert.ok(r.answer.includes('the system is undefined (does the scenario'), r.answer);
  });

  it('bad input a user types or writes is one line naming it, exit 2', async () => {
    const said = async (argv: string[], words: string) => {
      const r = await cli(...argv);
      assert.equal(r.code, EXIT.BAD_INPUT, r.answer);
      assert.ok(r.answer.includes(words), `expected ${JSON.stringify(words)} in:\n${r.answer}`);
    };
    await said(
      ['check', `${FILES}:string-field`, '--no-typecheck'],
      "system 'probe-user-files': world field 'n': is not a field (use int(), bool(), enumOf())",
    );
    await said(['check', FILES, '--no-typecheck', '--param', 'pages=3'], "scenario 'probe-user-files' has no parameter 'pages' (parameters: none)");
    await said(
      ['check', `${FILES}:nope`, '--no-typecheck'],
      "scenario 'probe-user-files' has no variant 'nope' (variants: count, typo-expectation, build-undefined, string-field)",
    );
    await said(['check', join(REPO_ROOT, 'test/trust/probes/empty-range.scenario.ts'), '--no-typecheck'], "parameter 'n': min 5 is above max 2");
  });

  it('replay of hand-edited traces: every edit is named, none is reproduced by accident', async () => {
    assert.equal((await cli('check', FILES, '--no-typecheck', '--trace', 'count.json')).code, EXIT.VIOLATED);
    const trace = JSON.parse(readFileSync(join(scratch, 'count.json'), 'utf8')) as { steps: { choice: number }[]; violation: object; variant: string };
    const edited = (name: string, edit: Record<string, unknown>) => {
      writeFileSync(join(scratch, name), JSON.stringify({ ...trace, ...edit }));
      return cli('replay', name);
    };
    // Before: REPRODUCED (exit 1), printed as a lasso "steps 1..2 repeat forever".
    const loop = await edited('loop.json', { loop: 0 });
    assert.equal(loop.code, EXIT.BAD_INPUT, loop.answer);
    assert.ok(loop.answer.includes("the trace has a loop, which only a progress violation's trace has, but it claims an invariant violation"), loop.answer);
    // Before: "is a invariant property in the model, not deadlock".
    const kind = await edited('kind.json', { violation: { ...trace.violation, kind: 'deadlock' } });
    assert.equal(kind.code, EXIT.BAD_INPUT);
    assert.ok(kind.answer.includes("property 'below 2' is an invariant property in the model, not a deadlock one"), kind.answer);
    const choice = await edited('choice.json', { steps: trace.steps.map((s, i) => (i === 0 ? { ...s, choice: 7 } : s)) });
    assert.equal(choice.code, EXIT.BAD_INPUT);
    assert.ok(choice.answer.includes('step 1 (CPU0 tick(7)) is not enabled in state counting'), choice.answer);
    // A trace cut short, or run against another variant, no longer shows the violation: exit 0, said so.
    const short = await edited('short.json', { steps: trace.steps.slice(0, 1) });
    assert.equal(short.code, EXIT.OK);
    assert.match(short.out, /^NOT REPRODUCED: after 1 steps? invariant 'below 2' holds/m);
    const variant = await edited('variant.json', { variant: 'nope' });
    assert.equal(variant.code, EXIT.BAD_INPUT);
    assert.ok(
      variant.answer.includes("scenario 'probe-user-files' has no variant 'nope' (variants: count, typo-expectation, build-undefined, string-field)"),
      variant.answer,
    );
    const model = await edited('label.json', { violation: { ...trace.violation, kind: 'model-error', modelError: 'label-threw' } });
    assert.equal(model.code, EXIT.OK);
    assert.match(model.out, /^NOT REPRODUCED: every label function along the 2 steps gives a label$/m);
  });
});
