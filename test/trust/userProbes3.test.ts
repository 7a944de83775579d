/**
 * Issue 14, third round of probes written as a user would (probes/user-probes3.scenario.ts,
 * probes/sweep-some-fail.scenario.ts, and files written here), through the CLI in process and through the
 * library: every answer is a verdict with a trace, a model error or one line of bad input - never a
 * silent `holds`, an internal error or a stack trace. "Before" in a comment is what the branch point
 * answered; a probe without one was already answered right and is pinned so it stays so.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setup } from 'xstate';
import { bound, check, defineSystem, enumOf, int, invariant, progress, type StepEvent } from '../../checker/index.js';
import { EXIT } from '../../cli/exitCodes.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from '../cli/fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-user-probes3-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const PROBES3 = join(REPO_ROOT, 'test/trust/probes/user-probes3.scenario.ts');
const SWEEP = join(REPO_ROOT, 'test/trust/probes/sweep-some-fail.scenario.ts');
const COUNTER = join(REPO_ROOT, 'test/trust/probes/counter.scenario.ts');

async function cli(...argv: string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  const answer = f.out() + f.err();
  assert.doesNotMatch(answer, /internal error|bug in faultline|\n +at .*:\d+:\d+/);
  return { code, out: f.out(), err: f.err(), answer };
}

/** Bad input: exit 2, one line on stderr saying `words`, nothing on stdout. */
async function refused(argv: string[], words: string): Promise<void> {
  const r = await cli(...argv);
  assert.equal(r.code, EXIT.BAD_INPUT, r.answer);
  assert.deepEqual([r.out, r.err.trimEnd().split('\n').length], ['', 1], r.answer);
  assert.ok(r.err.includes(words), `expected ${JSON.stringify(words)} in:\n${r.answer}`);
}

const defined = (what: string) => `the model is not well defined: system 'probe-user-probes3': ${what}`;
const machine = (v: string, what: string) => defined(`actor 'CPU0' (machine 'probe-${v}'): ${what}`);
const builtin = (v: string, action: string) =>
  machine(v, `state 'run', event 'step' transition 0: built-in action 'xstate.${action}' is not supported (only assign and plain effect functions are)`);
const reserved = (name: string) =>
  defined(`world field '${name}' is a name the world and context objects use themselves (constructor, toJSON, __proto__); rename the field`);
const choices = (v: string) => `assertion 'assertion' violated: CPU0: actor 'CPU0': choices for 'step' returned ${v}, not a whole number in 0..65535`;

/** variant -> exit code and the words of the answer. */
const MACHINE_PROBES: Record<string, [number, string]> = {
  'as-meant': [EXIT.OK, 'probe-user-probes3:as-meant: holds'],
  'world-read-undeclared': [EXIT.VIOLATED, "assertion 'assertion' violated: CPU0, event step: world.nn is not a declared world field (declared: n)"],
  // Before: holds (the guard read undefined, undefined < 1 is false, the step was never enabled).
  'context-read-undeclared': [
    EXIT.VIOLATED,
    "assertion 'assertion' violated: CPU0, event step: context.ready is not a declared context field of machine 'probe-context-read-undeclared' (declared: k)",
  ],
  // Before: "TypeError: Cannot set property k of #<Context> which has only a getter".
  'context-write-declared': [EXIT.VIOLATED, 'context.k = 1 writes the context directly: it changes only through assign(...)'],
  // Before: a model error (the new property outlived the state: state outside the world).
  'context-write-undeclared': [EXIT.VIOLATED, "context.count is not a declared context field of machine 'probe-context-write-undeclared' (declared: k)"],
  // Actions xstate has and the engine does not model: refused by name, never mis-modelled.
  raise: [EXIT.BAD_INPUT, builtin('raise', 'raise')],
  'send-to': [EXIT.BAD_INPUT, builtin('send-to', 'sendTo')],
  'spawn-child': [EXIT.BAD_INPUT, builtin('spawn-child', 'spawnChild')],
  emit: [EXIT.BAD_INPUT, builtin('emit', 'emit')],
  'enqueue-actions': [EXIT.BAD_INPUT, builtin('enqueue-actions', 'enqueueActions')],
  'parallel-state': [EXIT.BAD_INPUT, machine('parallel-state', "state 'run' is parallel; only flat machines (atomic and final states) are supported")],
  'history-state': [EXIT.BAD_INPUT, machine('history-state', "state 'run' is compound; only flat machines (atomic and final states) are supported")],
  'compound-state': [EXIT.BAD_INPUT, machine('compound-state', "state 'run' is compound; only flat machines (atomic and final states) are supported")],
  'entry-action': [EXIT.BAD_INPUT, machine('entry-action', "the initial state 'run' has entry actions; the engine starts from the machine's initial context")],
  // Before: the same words on two lines of stderr (xstate's own message).
  'target-missing': [
    EXIT.BAD_INPUT,
    "scenario 'probe-user-probes3' failed to build: Invalid transition definition for state node 'probe-target-missing.run': Child state 'dnoe' does not exist on 'probe-target-missing'",
  ],
  // Three CPUs, room for two steps: the one left waits forever after the others reached their final state.
  'final-with-terminates': [
    EXIT.VIOLATED,
    "progress 'CPU2 terminates' violated: CPU2 eventually reaches a final state: the run ends in a state where no actor can move (CPU2 is stuck in 'run')",
  ],
  'terminates-unknown-actor': [EXIT.MODEL_ERROR, "model error (property-threw): property 'CPU9 terminates' threw: no actor named 'CPU9' (actors: CPU0)"],
  'terminates-no-final': [EXIT.VIOLATED, "deadlock 'deadlock' violated: CPU0 is stuck in 'run'"],
  // A choices function returning 0 disables the step, as a false guard does (actor.ts): by design.
  'choices-zero': [EXIT.OK, 'holds'],
  'choices-fraction': [EXIT.VIOLATED, choices('1.5')],
  'choices-negative': [EXIT.VIOLATED, choices('-1')],
  'choices-nan': [EXIT.VIOLATED, choices('NaN')],
  'choices-array': [EXIT.VIOLATED, choices('0,1')],
  'choices-unknown-event': [EXIT.BAD_INPUT, defined("actor 'CPU0': choices given for 'stpe', which no state of the machine accepts")],
  'duplicate-actor': [EXIT.BAD_INPUT, defined("two actors are named 'CPU0'")],
  'duplicate-property': [EXIT.BAD_INPUT, defined("two properties are named 'n stays at most 2'")],
  // Before: a model error "world.toJSON: toJSON() { ... } in the engine, 0 in xstate", printing generated code.
  'field-tojson': [EXIT.BAD_INPUT, reserved('toJSON')],
  // Before: "scenario failed to build: Class constructor may not be an accessor".
  'field-constructor': [EXIT.BAD_INPUT, reserved('constructor')],
  // Before: a model error "xstate's transition() throws 'world.__proto__ = [object Object] is not an integer'".
  'field-proto': [EXIT.BAD_INPUT, reserved('__proto__')],
  'fields-missing': [EXIT.BAD_INPUT, machine('fields-missing', 'the context keys (k) must match the declared fields (none)')],
  'fields-extra': [EXIT.BAD_INPUT, machine('fields-extra', 'the context keys (k) must match the declared fields (k, extra)')],
  'global-counter': [EXIT.MODEL_ERROR, 'is not deterministic'],
  'wide-state': [EXIT.OK, '3 states, 2 transitions'],
  'budget-on-thread': [EXIT.BAD_INPUT, defined("thread actor 'CPU0' cannot have a budget; make it an environment actor")],
  'environment-no-budget': [EXIT.BAD_INPUT, defined("environment actor 'CPU0' needs a budget (a whole number of steps, 0 or more)")],
  'context-function': [EXIT.OK, 'holds'],
};

describe('third-round probes: the machine, the actors, the world', () => {
  for (const [variant, [code, says]] of Object.entries(MACHINE_PROBES)) {
    it(`${variant}: exit ${code}`, async () => {
      const r = await cli('check', `${PROBES3}:${variant}`, '--no-typecheck', '--trace', `${variant}.json`);
      assert.equal(r.code, code, r.answer);
      assert.ok(r.answer.includes(says), `expected ${JSON.stringify(says)} in:\n${r.answer}`);
      if (code === EXIT.BAD_INPUT) assert.deepEqual([r.out, r.err.trimEnd().split('\n').length], ['', 1], r.answer);
      if (code !== EXIT.VIOLATED && code !== EXIT.MODEL_ERROR) return;
      // A counterexample or model error replays to the same answer.
      const again = await cli('replay', `${variant}.json`);
      assert.equal(again.code, code, again.answer);
    });
  }
});

describe('third-round probes: sweep where some points fail to build', () => {
  it('prints every row, an error row per failing point, one line on stderr, exit 2', async () => {
    // Before: "faultline: scenario 'probe-sweep-some-fail' failed to build: no pages for n = 2", exit 2, no
    // table; validate() throwing at n = 3 was listed as `skipped`, as if the scenario rejected n = 3 on purpose.
    const r = await cli('sweep', SWEEP, '--no-typecheck', '--param', 'n=1..6');
    assert.equal(r.code, EXIT.BAD_INPUT, r.answer);
    const rows = r.out.split('\n').filter((l) => /^\d +(holds|error|skipped)/.test(l));
    assert.deepEqual(
      rows.map((l) => l.replace(/ {2,}/g, '  ').replace(/\d+\.\d\d$/, 'S')),
      [
        '1  holds  2  S',
        '2  error  failed to build: no pages for n = 2',
        '3  error  its validate() threw: validate cannot read n = 3',
        '4  skipped  n = 4 is not modelled',
        '5  error  the model is not well defined: int(): the range 3..1 is not a range of integers',
        '6  holds  2  S',
      ],
    );
    assert.match(r.out, /^6 points: 2 hold, 0 violated, 0 inconclusive, 1 skipped, 3 failed to build/m);
    assert.equal(r.err, "faultline: 3 of 6 sweep points failed to build (the error rows): the scenario's build() or validate() is wrong at those parameters\n");
  });

  it('JSON: the error points carry their reason; the shards merge to the same answer', async () => {
    const r = await cli('sweep', SWEEP, '--no-typecheck', '--param', 'n=1..3', '--format', 'json');
    assert.equal(r.code, EXIT.BAD_INPUT);
    const points = (JSON.parse(r.out) as { points: { verdict: string; reason?: string }[] }).points;
    assert.deepEqual(
      points.map((p) => [p.verdict, p.reason]),
      [
        ['holds', undefined],
        ['error', 'failed to build: no pages for n = 2'],
        ['error', 'its validate() threw: validate cannot read n = 3'],
      ],
    );
    for (const i of [1, 2]) {
      const s = await cli('sweep', SWEEP, '--no-typecheck', '--param', 'n=1..6', '--shard', `${i}/2`, '--format', 'json');
      writeFileSync(join(scratch, `shard${i}.json`), s.out);
    }
    const merged = await cli('merge', 'shard1.json', 'shard2.json');
    assert.equal(merged.code, EXIT.BAD_INPUT, merged.answer);
    assert.match(merged.out, /3 failed to build/);
    assert.match(merged.err, /^faultline: 3 of 6 sweep points failed to build/);
  });

  it('a point that only the scenario rejects is still skipped, and a sweep with none failing exits 0', async () => {
    const r = await cli('sweep', SWEEP, '--no-typecheck', '--param', 'n=4,6');
    assert.equal(r.code, EXIT.OK, r.answer);
    assert.equal(r.err, '');
  });
});

describe('third-round probes: sloppy-mode CommonJS files', () => {
  const machineSource = (guard: string) => `
const { setup } = require('xstate');
const { defineScenario, array, bool, invariant } = require('faultline');
const m = setup({
  guards: { free: ({ event }) => { ${guard} return event.world.flags[1] === 0; } },
  actions: { take: ({ event }) => { event.world.flags[1] = 1; } },
}).createMachine({ id: 'm', initial: 'a', states: { a: { on: { go: { guard: 'free', actions: 'take', target: 'b' } } }, b: {} } });
module.exports = defineScenario({
  id: 'cjs-probe', title: 't', source: 's', description: 'd', params: {},
  variants: { only: { description: 'x', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a probe' } } },
  defaultVariant: 'only',
  build: () => ({ name: 'cjs', world: { flags: array(2, bool()) }, actors: [{ name: 'P', machine: m, fields: {} }],
    properties: [invariant('flag 0 never set', (s) => s.world.flags[0] === 0)] }),
});
`;
  const dir = join(scratch, 'commonjs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const written = "assertion 'assertion' violated: P, event go: world.flags[0] = 1 is written by guard [free] of actor P, event go";

  for (const ext of ['js', 'cjs']) {
    it(`a guard writing a frozen world array in a sloppy .${ext} file is reported at the write`, async () => {
      // Before: the write was dropped, and the next state's re-run read as "a step is not deterministic".
      const r = await cli('check', write(`guard-writes.scenario.${ext}`, machineSource('event.world.flags[0] = 1;')), '--trace', `cjs-${ext}.json`);
      assert.equal(r.code, EXIT.VIOLATED, r.answer);
      assert.ok(r.answer.includes(written), r.answer);
      const again = await cli('replay', `cjs-${ext}.json`);
      assert.equal(again.code, EXIT.VIOLATED, again.answer);
    });
  }

  it('an ES module (.mjs) says the same', async () => {
    const esm = machineSource('event.world.flags[0] = 1;')
      .replace("const { setup } = require('xstate');", "import { setup } from 'xstate';")
      .replace(
        "const { defineScenario, array, bool, invariant } = require('faultline');",
        "import { defineScenario, array, bool, invariant } from 'faultline';",
      )
      .replace('module.exports =', 'export default');
    const r = await cli('check', write('guard-writes.scenario.mjs', esm));
    assert.equal(r.code, EXIT.VIOLATED, r.answer);
    assert.ok(r.answer.includes(written), r.answer);
  });

  it('an assignment to an undeclared name, at load or in a required helper, is one line with file, line and column', async () => {
    // Before: a global was created and the scenario loaded (in model code: hidden state between states).
    const file = write('undeclared.scenario.js', `counter = 0;\n${machineSource('')}`);
    await refused(
      ['check', file],
      `${file}:1:9: counter is not defined (scenario files and the files they require run in strict mode, as ES modules do: declare it with const, let or var)`,
    );
    write('helper.js', 'exports.make = function () { total = 1; return 1; };\n');
    const uses = write('uses-helper.scenario.js', `require('./helper.js').make();\n${machineSource('')}`);
    await refused(['check', uses], `${join(dir, 'helper.js')}:1:36: total is not defined (scenario files and the files they require run in strict mode`);
  });

  it('a sloppy CommonJS helper imported by a .ts scenario runs in strict mode too', async () => {
    write('leaky.cjs', 'exports.make = function () { leaked = 1; return 1; };\n');
    writeFileSync(join(dir, 'uses-leaky.scenario.ts'), "import { make } from './leaky.cjs';\nmake();\nexport default {};\n");
    await refused(['check', join(dir, 'uses-leaky.scenario.ts'), '--no-typecheck'], `${join(dir, 'leaky.cjs')}:1:37: leaked is not defined`);
  });

  it('a `with` statement is one line naming file and line', async () => {
    const file = write('with.scenario.js', `const cfg = { pages: 2 };\nwith (cfg) { pages; }\n${machineSource('')}`);
    await refused(
      ['check', file],
      `${file}:2: Strict mode code may not include a with statement (scenario files and the files they require run in strict mode`,
    );
  });

  it("a #! line stays first, and the line numbers after it are the file's own", async () => {
    const file = write('shebang.scenario.cjs', `#!/usr/bin/env node\nmissing = 1;\n${machineSource('')}`);
    await refused(['check', file], `${file}:2:9: missing is not defined`);
  });

  it('an undeclared name assigned in model code is an assertion violation with its trace', async () => {
    const r = await cli('check', write('action-global.scenario.cjs', machineSource('seen = 1;')));
    assert.equal(r.code, EXIT.VIOLATED, r.answer);
    assert.ok(r.answer.includes("assertion 'assertion' violated: P"), r.answer);
    assert.ok(r.answer.includes('seen is not defined'), r.answer);
  });
});

describe('third-round probes: the scenario file and the command line', () => {
  const scenarioFile = (name: string, body: string): string => {
    const text = `import { setup } from 'xstate';
import { defineScenario, int, invariant } from 'faultline';
const m = setup({ actions: { add: ({ event }: any) => { event.world.n = 1; } } }).createMachine({ id: 'm', initial: 'a', context: {}, states: { a: { on: { go: { actions: 'add', target: 'b' } } }, b: {} } });
const variant = (expected: unknown) => ({ description: 'x', expected: expected as never, provenance: { kind: 'hypothetical' as const, why: 'a probe' } });
const mk = (id: string, ok: boolean, variants: Record<string, ReturnType<typeof variant>> = { only: variant({ verdict: 'holds' }) }, validate?: (p: { k: number }) => unknown) => defineScenario({
  id, title: 't', source: 's', description: 'd', params: { k: { description: 'k', default: 1, min: 0, max: 3 } },
  variants, defaultVariant: Object.keys(variants)[0]!, ...(validate ? { validate: validate as never } : {}),
  build: () => ({ name: id, world: { n: int(0, 1) }, actors: [{ name: 'P', machine: m, fields: {} }], properties: [invariant<{ n: number }>('n stays 0', (s) => ok || s.world.n === 0)] }),
});
${body}
`;
    writeFileSync(join(scratch, name), text);
    return join(scratch, name);
  };

  it('a file exporting two scenarios and no default is refused, naming both', async () => {
    // Before: the first was checked (holds) and the second, which violates, never was; gate said "1 as expected".
    const file = scenarioFile('two.scenario.ts', "export const lenient = mk('lenient', true);\nexport const strict = mk('strict', false);");
    const says = "exports 2 scenarios (lenient (id 'lenient'), strict (id 'strict')) and no default: export default the one to check";
    await refused(['check', file, '--no-typecheck'], says);
    await refused(['gate', file, '--no-typecheck'], says);
  });

  it('an expectation with a verdict typo or none at all is refused when the scenario loads', async () => {
    // Before: 'violates' was a MISMATCH on every gate run; no expectation was "internal error: Cannot read
    // properties of undefined (reading 'verdict')".
    const typo = scenarioFile('typo.scenario.ts', "export default mk('typo', false, { only: variant({ verdict: 'violates' }) });");
    await refused(
      ['gate', typo, '--no-typecheck'],
      `variant 'only': its expected verdict is "violates"; it must be { verdict: 'holds' } or { verdict: 'violated', property?: NAME }`,
    );
    const none = scenarioFile('none.scenario.ts', "export default mk('none', false, { only: variant(undefined) });");
    await refused(
      ['show', none, '--no-typecheck'],
      "variant 'only': its expected must be { verdict: 'holds' } or { verdict: 'violated', property?: NAME }, not undefined",
    );
  });

  it('a validate() returning a boolean is refused: true would reject every point and false accept it', async () => {
    // Before: "the default parameters are invalid for variant 'only': true".
    const file = scenarioFile('validate-bool.scenario.ts', "export default mk('vb', true, undefined, ({ k }) => k <= 3);");
    await refused(
      ['check', file, '--no-typecheck'],
      'its validate() returned boolean true; it returns null when the parameters are valid, or a string saying why not',
    );
  });

  it('parameters written as a user might: each refused by name, a padded one read', async () => {
    for (const [given, says] of [
      ['n=1e3', "parameter 'n' must be a whole number, not '1e3' (domain 1..1000000000)"],
      ['n=0x10', "parameter 'n' must be a whole number, not '0x10'"],
      ['n=', "parameter 'n' must be a whole number, not ''"],
      ['n=+3', "parameter 'n' must be a whole number, not '+3'"],
      ['n=3.0', "parameter 'n' must be a whole number, not '3.0'"],
      ['n=-0', "parameter 'n' = 0 is outside its domain 1..1000000000"],
      ['n=99999999999999999999', "parameter 'n' = 100000000000000000000 is outside its domain 1..1000000000"],
    ] as const)
      await refused(['check', COUNTER, '--no-typecheck', '--param', given], says);
    await refused(['sweep', COUNTER, '--no-typecheck', '--param', 'n=1e1..2e1'], "parameter 'n': '1e1' is not a whole number");
    const padded = await cli('check', COUNTER, '--no-typecheck', '--param', 'n= 3');
    assert.equal(padded.code, EXIT.VIOLATED, padded.answer);
    await refused(['check', COUNTER, '--no-typecheck', '--max-depth', '0'], "--max-depth expects a positive whole number, not '0'");
    await refused(['check', COUNTER, '--no-typecheck', '--strategy', 'random', '--seed', '-1'], "--seed expects a positive whole number, not '-1'");
  });

  it('a folder, a file that is not a module, a .cjs path without ./: each said for what it is', async () => {
    // Before: "unknown scenario 'test/trust/probes' (scenarios: retry-ring, ...)"; with ./: "Directory import ... is not supported".
    mkdirSync(join(scratch, 'models'), { recursive: true });
    await refused(['check', 'models'], "'models' is a folder, not a scenario file: name a .ts, .js, .mjs or .cjs file in it ('faultline gate FOLDER'");
    await refused(['check', './models'], "'./models' is a folder, not a scenario file");
    // Before: "unknown scenario 'package.json'"; with ./: "exports no scenario".
    writeFileSync(join(scratch, 'package.json'), '{}\n');
    await refused(['check', 'package.json'], "'package.json' is not a scenario file (a scenario file is a .ts, .mts, .js, .mjs or .cjs module)");
    // Before: "unknown scenario 'x.scenario.cjs'".
    await refused(['check', 'x.scenario.cjs'], "scenario file 'x.scenario.cjs' does not exist");
  });

  it('replay of a trace from another scenario does not fit, and says so', async () => {
    assert.equal((await cli('check', COUNTER, '--no-typecheck', '--trace', 'counter.json')).code, EXIT.VIOLATED);
    const trace = JSON.parse(readFileSync(join(scratch, 'counter.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(scratch, 'moved.json'), JSON.stringify({ ...trace, scenario: 'retry-ring', variant: 'ring', params: {} }));
    await refused(
      ['replay', 'moved.json'],
      "trace file 'moved.json' step 1: there is no actor 'CPU0' (actors: reader0, reader1, reclaim): the trace does not fit the model",
    );
    await refused(['replay', COUNTER], 'is not valid JSON');
  });

  it('init given a file name refuses to make a folder of that name', async () => {
    // Before: "Created a faultline model project in x.scenario.ts/".
    await refused(
      ['init', 'x.scenario.ts'],
      "init creates a project folder, and 'x.scenario.ts' is named like a file; name a folder (faultline init my-models)",
    );
  });
});

describe('third-round probes: the library from a user program', () => {
  const m = setup({
    types: { events: {} as StepEvent<'go', { n: number }> },
    actions: {
      add: ({ event }) => {
        event.world.n = Math.min(event.world.n + 1, 2);
      },
    },
  }).createMachine({ id: 'm', initial: 'a', context: {}, states: { a: { on: { go: { actions: 'add' } } } } });
  const spec = defineSystem({
    name: 's',
    world: { n: int(0, 2) },
    actors: [{ name: 'P', machine: m, fields: {} }],
    properties: [invariant<{ n: number }>('n < 2', (s) => s.world.n < 2)],
  });
  const throws = (f: () => unknown, name: string, message: string) =>
    assert.throws(f, (e: Error) => {
      assert.equal(e.name, name);
      assert.ok(e.message.includes(message), e.message);
      return true;
    });

  it('a misspelt strategy names the real ones', () => {
    // Before: "TypeError: Cannot read properties of undefined (reading 'kind')".
    throws(() => check(spec, { strategy: 'bsf' as never }), 'RangeError', 'strategy must be bfs, dfs, random, pct, not bsf');
  });

  it('a number given as a string is shown as one', () => {
    throws(() => check(spec, { maxStates: '10' as never }), 'RangeError', "maxStates must be a whole number >= 1, not '10' (a string)");
  });

  it('no system at all is a definition error, not a TypeError', () => {
    // Before: "TypeError: Cannot use 'in' operator to search for 'layout' in null".
    throws(() => check(null as never), 'SystemDefinitionError', 'the system is null');
  });

  it('a machine config where the machine goes, and missing fields, are named', () => {
    // Before: "Cannot read properties of undefined (reading 'type')" and "Cannot convert undefined or null to object".
    const config = { id: 'm', initial: 'a', states: { a: {} } };
    throws(
      () => check({ ...spec, actors: [{ name: 'P', machine: config as never, fields: {} }] }),
      'SystemDefinitionError',
      "actor 'P': its machine is an object, not an xstate machine (setup({...}).createMachine({...}) or createMachine({...}))",
    );
    throws(() => check({ ...spec, actors: [{ name: 'P', machine: m } as never] }), 'SystemDefinitionError', "actor 'P': its fields are undefined");
  });

  it('a property answering with a string, NaN or nothing where that would pass silently is a model error', () => {
    const modelError = (properties: Parameters<typeof check>[0]['properties'], message: string) => {
      const r = check({ ...spec, properties });
      assert.equal(r.verdict, 'model-error');
      assert.equal(r.verdict === 'model-error' && r.modelError.message, message);
    };
    // Before: holds ('false' is truthy; NaN exceeds no limit; an inFlight without return is never in flight).
    modelError([invariant('n small', (() => 'false') as never)], "property 'n small' threw: its holds returned 'false' (a string), not a boolean");
    modelError([bound('n', () => NaN, 3)], "property 'n' threw: its value returned NaN, not a number");
    modelError(
      [progress('p', { inFlight: (() => undefined) as never, progress: () => true })],
      "property 'p' threw: its inFlight returned undefined, not a boolean (a missing return?)",
    );
    // A number is read for its truth, as a guard's is.
    assert.equal(check({ ...spec, properties: [invariant('n', (() => 1) as never)] }).verdict, 'holds');
  });

  it('an actor option that cannot mean what was written is refused when the system is defined', () => {
    // Before: each of these checked and held (a kind or fairness typo ran as an unfair thread, a negative
    // cost overflowed the budget slot, a label string failed in traces). A cost for an event the machine
    // lacks stays allowed: models share one cost table between machine variants (models/actors/migration.ts).
    const actor = (extra: object) => ({ ...spec, actors: [{ name: 'P', machine: m, fields: {}, ...extra }] });
    const refusedSpec = (s: object, message: string) => throws(() => check(s as never), 'SystemDefinitionError', message);
    refusedSpec(actor({ kind: 'env' }), `actor 'P': kind "env" is neither 'thread' nor 'environment'`);
    refusedSpec(actor({ fairness: 'strnog' }), `actor 'P': fairness "strnog" is not 'weak', 'strong' or 'none'`);
    refusedSpec(actor({ kind: 'environment', budget: 2, cost: { go: -1 } }), "actor 'P': the cost of 'go' must be a whole number, 0 or more, not -1");
    refusedSpec(actor({ label: 'go' }), "actor 'P': its label is string, not a function of the step");
    refusedSpec({ ...spec, world: new Map() }, 'its world is a Map, not a plain object of fields');
    refusedSpec({ ...spec, properties: [invariant('', () => true)] }, 'property #0 has an empty name');
    throws(() => enumOf(['a', 'a']), 'RangeError', "enumOf(): 'a' is named twice (a, a)");
    // Before: "the system's name is undefined, not a string".
    refusedSpec(Promise.resolve(spec), 'the system is a promise (is build() async?): build() returns the system itself');
    // Before: "initial mode = idle is outside its declared domain 0..1".
    const named = setup({}).createMachine({ id: 'named', initial: 'a', context: { mode: 'idle' }, states: { a: {} } });
    refusedSpec(
      { ...spec, actors: [{ name: 'P', machine: named, fields: { mode: enumOf(['idle', 'busy']) } }] },
      "actor 'P': initial mode = 'idle' is a name; context fields hold integers (an enumOf() value is its index: 0 for 'idle')",
    );
  });

  it('the spec as meant is checked', () => {
    const r = check(spec);
    assert.equal(r.verdict, 'violated');
    assert.equal(r.stats.states, 3);
  });

  it('a misspelt world field read deep in the search, on a state no probe visits, is an assertion violation', () => {
    // Before: only the checked views (32 probed states, printed traces, replay) saw an undeclared read, so a
    // guard reading `world.nn` only at n = 37 read undefined, went quietly false and the run held on 38 states.
    type W = { n: number };
    const counter = setup({
      types: { events: {} as StepEvent<'up', W> },
      guards: { room: ({ event }) => (event.world.n === 37 ? (event.world as unknown as { nn: number }).nn < 50 : event.world.n < 50) },
      actions: {
        up: ({ event }) => {
          event.world.n = event.world.n + 1;
        },
      },
    }).createMachine({ id: 'counter', initial: 'a', context: {}, states: { a: { on: { up: { guard: 'room', actions: 'up' } } } } });
    const r = check(
      defineSystem({
        name: 'deep-typo',
        world: { n: int(0, 50) },
        actors: [{ name: 'P', machine: counter, fields: {} }],
        properties: [invariant<W>('n stays at most 50', (s) => s.world.n <= 50)],
      }),
    );
    assert.equal(r.verdict, 'violated');
    assert.ok(r.violations[0]!.message.includes('world.nn is not a declared world field (declared: n)'), r.violations[0]!.message);
    assert.equal(r.violations[0]!.trace.steps.length, 38);
  });
});
