/**
 * Fuzzing the CLI entry point in-process: random argument vectors (real command names, option names,
 * scenario ids and values mixed with junk) and random trace files (valid-looking and malformed) for
 * `replay`. Whatever comes in, runCli must not throw, must return 0, 1, 2 or 3, must not report an
 * internal error, and must print no stack trace unless --debug is given.
 *
 * Bounded: FAULTLINE_MAX_STATES=300 caps every run (the --max-states values drawn are small too), the
 * number of cases is fixed, and the seed is fixed so a failure reproduces.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-fuzz-'));
symlinkSync(join(REPO_ROOT, 'examples'), join(scratch, 'examples'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const SEED = 20_261_121;

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const f = fakeIo(scratch, { env: { FAULTLINE_MAX_STATES: '300' } });
  let code: number;
  try {
    code = await runCli(argv, f.io);
  } catch (e) {
    assert.fail(`runCli threw on ${JSON.stringify(argv)}: ${(e as Error).stack}`);
  }
  return { code, out: f.out(), err: f.err() };
}

function assertSane(argv: readonly string[], r: { code: number; err: string }): void {
  const where = JSON.stringify(argv);
  assert.ok([0, 1, 2, 3].includes(r.code), `exit ${r.code} for ${where}`);
  assert.doesNotMatch(r.err, /internal error/, `internal error for ${where}:\n${r.err}`);
  if (!argv.includes('--debug')) assert.doesNotMatch(r.err, STACK, `stack trace without --debug for ${where}:\n${r.err}`);
}

const commands = ['list', 'show', 'check', 'sweep', 'gate', 'replay', 'help', 'chek', ''];
const options = [
  '--format',
  '-f',
  '--param',
  '-p',
  '--max-states',
  '--timeout',
  '--max-memory',
  '--strategy',
  '-s',
  '--filter',
  '--all',
  '--quiet',
  '-q',
  '--no-color',
  '--help',
  '-h',
  '--version',
  '--debug',
  '--junit',
  '--summary',
  '--trace',
  '--',
  '--bogus',
  '-x',
];
const targets = [
  'retry-ring',
  'retry-ring:ring',
  'retry-ring:progress',
  'retry-ring:',
  'retry-ring:nope',
  ':ring',
  'nope',
  'examples/peterson.scenario.ts',
  'examples/peterson.scenario.ts:no-turn',
  'examples/peterson.scenario.ts:peterson-unfair',
  'examples/missing.scenario.ts',
  './',
  '/',
  'a.js',
];
const values = [
  'text',
  'json',
  'markdown',
  'junit',
  'xml',
  'bfs',
  'dfs',
  'random',
  '1',
  '0',
  '-1',
  '2',
  '50',
  '1.5',
  'abc',
  '',
  ' ',
  'pages=2',
  'pages=1..3',
  'pages=3..1',
  'pages=0..99',
  'readers=1,2',
  'readers=x',
  'capacity=1..2',
  'budget=0',
  'k=v',
  '=',
  'limit=1..2',
  'out.xml',
  'summary.md',
  'cex.json',
  'retry-ring',
  'retry-ring:ring',
];
const junk = fc.string({ maxLength: 12 });
const word = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...options) },
  { weight: 3, arbitrary: fc.constantFrom(...values) },
  { weight: 2, arbitrary: fc.constantFrom(...targets) },
  { weight: 1, arbitrary: fc.constantFrom(...commands) },
  { weight: 1, arbitrary: junk },
);
const argvArb = fc.tuple(fc.constantFrom(...commands), fc.array(word, { maxLength: 8 })).map(([c, rest]) => (c === '' ? rest : [c, ...rest]));

/** Trace files: mostly the right shape with wrong contents, some arbitrary JSON, some truncated text. */
const step = fc.record({
  actor: fc.oneof(fc.constantFrom('reader0', 'reader1', 'reclaim', 'P0', 'P1'), junk),
  transition: fc.oneof(fc.constantFrom('copy', 'faultIn', 'evict', 'enter', 'raiseFlag', 'yieldTurn', 'leave'), junk),
  choice: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constant(1.5)),
});
const traceLike = fc.record(
  {
    schema: fc.oneof(fc.constant('faultline/trace@1'), fc.constant('faultline/trace@2'), fc.integer()),
    scenario: fc.oneof(fc.constantFrom('retry-ring', 'examples/peterson.scenario.ts', 'nope'), fc.integer()),
    variant: fc.oneof(fc.constantFrom('ring', 'progress', 'no-turn', 'peterson', 'x'), fc.constant(null)),
    params: fc.oneof(
      fc.dictionary(fc.constantFrom('pages', 'readers', 'capacity', 'zz'), fc.oneof(fc.integer({ min: -2, max: 20 }), fc.string())),
      fc.constant([]),
    ),
    strategy: fc.constantFrom('bfs', 'dfs'),
    seed: fc.oneof(fc.constant(null), fc.integer(), fc.string()),
    violation: fc.oneof(
      fc.record({
        property: fc.constantFrom('capacity', 'mutual exclusion', 'deadlock'),
        kind: fc.constantFrom('invariant', 'deadlock'),
        message: fc.string(),
      }),
      fc.string(),
    ),
    steps: fc.oneof(fc.array(step, { maxLength: 12 }), fc.string()),
    loop: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.string()),
  },
  { requiredKeys: ['schema', 'scenario', 'variant', 'params', 'strategy', 'violation', 'steps'] },
);
const traceText = fc.oneof(
  { weight: 5, arbitrary: traceLike.map((t) => JSON.stringify(t)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.tuple(traceLike, fc.nat()).map(([t, n]) => JSON.stringify(t).slice(0, n % 200)) },
  { weight: 1, arbitrary: fc.string() },
);

describe('fuzz: the CLI never crashes', () => {
  it('random argument vectors', async () => {
    await fc.assert(
      fc.asyncProperty(argvArb, async (argv) => {
        assertSane(argv, await run(argv));
      }),
      { numRuns: 150, seed: SEED },
    );
  });

  it('random trace files for replay', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(traceText, fc.boolean(), async (text, debug) => {
        const file = `fuzz-${n++}.json`;
        writeFileSync(join(scratch, file), text);
        const argv = debug ? ['replay', file, '--debug'] : ['replay', file];
        const r = await run(argv);
        assertSane(argv, r);
        // A trace file that is not even JSON, or not a trace, is bad input.
        if (!text.trim().startsWith('{')) assert.equal(r.code, 2, `${text} -> ${r.err}`);
      }),
      { numRuns: 120, seed: SEED },
    );
  });

  it('--debug shows the stack of bad input, and only then', async () => {
    const plain = await run(['check', 'examples/missing.scenario.ts']);
    assert.equal(plain.code, 2);
    assert.doesNotMatch(plain.err, STACK);
    const debug = await run(['check', 'examples/missing.scenario.ts', '--debug']);
    assert.equal(debug.code, 2);
    assert.match(debug.err, STACK);
  });
});
