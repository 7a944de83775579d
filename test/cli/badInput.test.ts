/**
 * Bad input (DESIGN.md "Bad input"): every mistake a user can make on the command line gives exit 2 and
 * exactly one line on stderr, `faultline: ...`, naming what is wrong (and the valid choices where there
 * are some), nothing on stdout, and no stack trace. runCli runs in-process over a fake IO.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const FIXTURES = 'test/cli/fixtures';
// A scratch directory as cwd, so nothing a command might write lands in the repository.
const scratch = mkdtempSync(join(tmpdir(), 'faultline-badinput-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** argv, and what the one stderr line must say after `faultline: `. Paths are relative to the repo root. */
const CASES: readonly (readonly [name: string, argv: readonly string[], message: RegExp])[] = [
  [
    'unknown scenario',
    ['check', 'no-such-scenario'],
    /^unknown scenario 'no-such-scenario' \(scenarios: (.*, )?retry-ring(, .*)?; or a path to a \.ts\/\.js scenario file\)$/,
  ],
  ['unknown variant', ['check', 'retry-ring:no-such-variant'], /^scenario 'retry-ring' has no variant 'no-such-variant' \(variants: ring\b/],
  [
    'unknown variant of a scenario file',
    ['check', 'examples/peterson.scenario.ts:nope'],
    /^scenario 'peterson' has no variant 'nope' \(variants: peterson, .*no-turn/,
  ],
  [
    'unknown parameter',
    ['check', 'retry-ring', '--param', 'threads=2'],
    /^scenario 'retry-ring' has no parameter 'threads' \(parameters: readers, pages, capacity, budget, retries\)$/,
  ],
  [
    'a parameter of a scenario without parameters',
    ['check', 'examples/peterson.scenario.ts', '-p', 'n=1'],
    /^scenario 'peterson' has no parameter 'n' \(parameters: none\)$/,
  ],
  [
    'a parameter the variant does not take',
    ['check', 'gfs2-mmap-deadlock:faults-enabled-abba', '--param', 'write=1'],
    /^parameter 'write' does not apply to gfs2-mmap-deadlock:faults-enabled-abba \(its parameters: pages, reclaim, reads\)$/,
  ],
  [
    'sweeping a parameter the variant does not take',
    ['sweep', 'gfs2-mmap-deadlock:nofault-retry-abba', '--param', 'requests=0..2'],
    /^parameter 'requests' does not apply to gfs2-mmap-deadlock:nofault-retry-abba \(its parameters: pages, reclaim, reads\)$/,
  ],
  ['non-integer parameter', ['check', 'retry-ring', '--param', 'pages=two'], /^parameter 'pages' must be a whole number, not 'two' \(domain 1\.\.16\)$/],
  ['fractional parameter', ['check', 'retry-ring', '--param', 'pages=2.5'], /^parameter 'pages' must be a whole number, not '2\.5' \(domain 1\.\.16\)$/],
  ['parameter above its domain', ['check', 'retry-ring', '--param', 'pages=17'], /^parameter 'pages' = 17 is outside its domain 1\.\.16$/],
  ['parameter below its domain', ['check', 'retry-ring', '--param', 'readers=0'], /^parameter 'readers' = 0 is outside its domain 1\.\.8$/],
  ['--param without =', ['check', 'retry-ring', '--param', 'pages'], /^--param expects NAME=VALUE, not 'pages'$/],
  [
    'capacity > pages (the scenario validates)',
    ['check', 'retry-ring', '-p', 'pages=3', '-p', 'capacity=4'],
    /^scenario 'retry-ring': capacity \(4\) cannot exceed pages \(3\)$/,
  ],
  ['unknown store', ['check', 'retry-ring', '--store', 'fast'], /^unknown store 'fast' \(stores: exact, compact, bitstate\)$/],
  [
    'hash compaction with dfs',
    ['check', 'retry-ring', '--store', 'compact', '-s', 'dfs'],
    /^--store compact needs --strategy bfs \(it keeps only the states bfs has yet to expand\), not dfs$/,
  ],
  ['unknown strategy', ['check', 'retry-ring', '--strategy', 'astar'], /^unknown strategy 'astar' \(strategies: bfs, dfs\b/],
  ['unknown format', ['check', 'retry-ring', '--format', 'xml'], /^unknown format 'xml' \(formats: text, json\b/],
  ['--max-states 0', ['check', 'retry-ring', '--max-states', '0'], /^--max-states expects a positive whole number, not '0'$/],
  ['--timeout not a number', ['check', 'retry-ring', '--timeout', 'soon'], /^--timeout expects a positive number, not 'soon'$/],
  ['unknown option', ['check', 'retry-ring', '--frobnicate'], /^unknown option '--frobnicate'$/],
  ['misspelt option', ['check', 'retry-ring', '--max-state', '5'], /^unknown option '--max-state' \(did you mean --max-states\?\)$/],
  [
    '--bitstate-bits out of range',
    ['check', 'retry-ring', '--store', 'bitstate', '--bitstate-bits', '40'],
    /^--bitstate-bits expects a whole number in 10\.\.32, not '40'$/,
  ],
  ['--hashes without bitstate', ['check', 'retry-ring', '--hashes', '2'], /^--bitstate-bits and --hashes apply to --store bitstate, not exact$/],
  ['--shard malformed', ['gate', '--shard', '3/2'], /^--shard expects I\/N with 1 <= I <= N <= 256 \(e\.g\. --shard 2\/4\), not '3\/2'$/],
  ['--costs without --shard', ['sweep', 'retry-ring', '--costs', 'x.json'], /^--costs balances --shard: give --shard I\/N too$/],
  ['merge of nothing', ['merge'], /^missing required argument 'files'$/],
  ['unknown command', ['frobnicate'], /^unknown command 'frobnicate' \(commands: init, list, show, check, replay, sweep, gate, merge, help\)$/],
  ['missing argument of check', ['check'], /^missing required argument 'target'$/],
  ['missing argument of replay', ['replay'], /^missing required argument 'file'$/],
  ['malformed trace JSON', ['replay', `${FIXTURES}/malformed.json`], /^trace file 'test\/cli\/fixtures\/malformed\.json' is not valid JSON: /],
  [
    'trace with the wrong schema',
    ['replay', `${FIXTURES}/wrong-schema.json`],
    /^trace file '.*wrong-schema\.json': unsupported trace schema "faultline\/trace@0" \(expected "faultline\/trace@1"\)$/,
  ],
  [
    'trace with a malformed step',
    ['replay', `${FIXTURES}/bad-step.json`],
    /^trace file '.*bad-step\.json': step 1 must be \{ actor: string, transition: string, choice: whole number \}$/,
  ],
  [
    'trace naming an actor the model does not have',
    ['replay', `${FIXTURES}/unknown-actor.json`],
    /^trace file '.*unknown-actor\.json' step 1: there is no actor 'reader1' \(actors: reader0, reclaim\): the trace does not fit the model$/,
  ],
  [
    'trace of an unknown scenario',
    ['replay', `${FIXTURES}/unknown-scenario.json`],
    /^trace file '.*unknown-scenario\.json': unknown scenario 'no-such-scenario' /,
  ],
  [
    'trace with a parameter outside its domain',
    ['replay', `${FIXTURES}/param-out-of-domain.json`],
    /^trace file '.*param-out-of-domain\.json': parameter 'pages' = 99 is outside its domain 1\.\.16$/,
  ],
  [
    'a check result instead of a trace',
    ['replay', `${FIXTURES}/check-result.json`],
    /^trace file '.*check-result\.json': this is a check result, not a trace file: write one with --trace FILE$/,
  ],
  ['trace file that does not exist', ['replay', `${FIXTURES}/no-such.json`], /^cannot read trace file '.*no-such\.json': no such file$/],
  ['scenario file that does not exist', ['check', `${FIXTURES}/no-such.scenario.ts`], /^scenario file '.*no-such\.scenario\.ts' does not exist$/],
  [
    'scenario file that exports nothing',
    ['check', `${FIXTURES}/exports-nothing.scenario.ts`],
    /^scenario file '.*exports-nothing\.scenario\.ts' exports no scenario \(export default defineScenario/,
  ],
  [
    'scenario file that throws on import',
    ['check', `${FIXTURES}/throws-on-import.scenario.ts:x`],
    /^scenario file '.*throws-on-import\.scenario\.ts' failed to load: this scenario file is broken on purpose$/,
  ],
  ['a parameter given twice', ['check', 'retry-ring', '--param', 'pages=2', '--param', 'pages=3'], /^--param pages is given twice$/],
  ['a parameter given twice to show', ['show', 'retry-ring', '-p', 'pages=2', '-p', 'pages=2'], /^--param pages is given twice$/],
  ['help for an unknown command', ['help', 'nosuch'], /^unknown command 'nosuch' \(commands: init, list, show, check, replay, sweep, gate, merge, help\)$/],
  ['help for a misspelt command', ['help', 'chek'], /^unknown command 'chek' \(did you mean check\?\)$/],
  [
    'scenario file whose defaultVariant is not a variant',
    ['check', `${FIXTURES}/bad-default-variant.scenario.ts`],
    /^scenario file '.*bad-default-variant\.scenario\.ts': defaultVariant 'bugy' is not one of its variants \(buggy\)$/,
  ],
];

async function run(argv: readonly string[]) {
  // Relative paths in the cases are relative to the repository; the scratch cwd receives any output file.
  const abs = argv.map((a) => (a.startsWith('test/') || a.startsWith('examples/') ? join(REPO_ROOT, a) : a));
  const f = fakeIo(scratch);
  const code = await runCli(abs, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('CLI bad input: exit 2, one line on stderr, no stack trace', () => {
  for (const [name, argv, message] of CASES) {
    it(`${name}: faultline ${argv.join(' ')}`, async () => {
      const { code, out, err } = await run(argv);
      assert.equal(code, 2, `exit code; stderr: ${err}`);
      assert.equal(out, '', 'nothing on stdout');
      assert.ok(err.endsWith('\n'), 'stderr ends with a newline');
      const lines = err.slice(0, -1).split('\n');
      assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${err}`);
      const line = lines[0]!;
      assert.ok(line.startsWith('faultline: '), line);
      assert.doesNotMatch(line, /\bat .*:\d+:\d+|internal error/, 'no stack trace, no internal error');
      // Repository paths were made absolute above; match the message on the path as the user typed it.
      assert.match(line.slice('faultline: '.length).replaceAll(REPO_ROOT, ''), message);
    });
  }

  it('--debug adds the stack trace to a bad-input line (and only then)', async () => {
    const f = fakeIo(scratch);
    assert.equal(await runCli(['check', 'retry-ring:nope', '--debug'], f.io), 2);
    const lines = f.err().trimEnd().split('\n');
    assert.ok(lines[0]!.startsWith("faultline: scenario 'retry-ring' has no variant 'nope' (variants: "), lines[0]);
    assert.ok(
      lines.slice(1).some((l) => /^\s+at /.test(l)),
      'a stack trace follows',
    );
  });

  // Regression: `list` used to ignore --format (`faultline list --format xml` printed the text listing, exit 0).
  it('list: unknown format is bad input too', async () => {
    const { code, out, err } = await run(['list', '--format', 'xml']);
    assert.deepEqual({ code, out, err }, { code: 2, out: '', err: "faultline: unknown format 'xml' (formats: text, json)\n" });
  });
});
