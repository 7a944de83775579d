/**
 * Issue 14's audit: every modelling mistake the issue lists, written as a user writes it (a scenario file
 * in test/trust/probes/, importing 'faultline') and run through the installed executable
 * (bin/faultline.js, one process per probe, where the probe is about the process; else the runCli that
 * the executable's worker runs, in this process), must be answered loudly and correctly: the verdict or
 * the one line of bad input, the exit code, the words that say what is wrong - never a silent `holds`,
 * never "internal error". The closing note's table (mistake -> before -> now) is this file's list.
 * Probes run with --no-typecheck where type-checking is not the point. Nothing here times anything.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { fakeIo } from '../cli/fakeIo.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

const PROBES = join(REPO_ROOT, 'test/trust/probes');
const BIN = join(REPO_ROOT, 'bin/faultline.js');
const scratch = mkdtempSync(join(tmpdir(), 'faultline-issue14-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A user's helper next to their scenario, outside faultline's own folder (where 'faultline' would resolve to itself). */
cpSync(join(PROBES, 'helper-import'), join(scratch, 'helper-import'), { recursive: true });
/** A trace file nested 50,000 levels deep. */
const DEEP = join(scratch, 'deep.trace.json');
writeFileSync(
  DEEP,
  `{"schema":"faultline/trace@1","scenario":"probe-counter","variant":"count","params":{},"steps":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
);

interface Probe {
  /** The mistake, as the issue lists it. */
  readonly mistake: string;
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly code: number;
  /** Words the answer (stdout and stderr) must contain. */
  readonly says: readonly (string | RegExp)[];
  /** Waits on another branch: runs, but does not fail until that lands. */
  readonly todo?: string;
  /**
   * Why the probe is about the process, so it runs the executable: exit codes, timeouts, hangs,
   * process.exit(), the worker's stack (at least one probe per exit code). The others run the same
   * runCli the executable's worker runs, in this process, with the executable's environment and clock.
   */
  readonly process?: string;
}

const file = (name: string) => join(PROBES, name);
const check = (target: string, ...flags: string[]) => ['check', file(target), '--no-typecheck', '--no-trace', ...flags];
const assertion = (what: string) => [/: VIOLATED$/m, `assertion 'assertion' violated: W0, event write: ${what}`];
const modelError = (kind: string, what: string) => [/: MODEL ERROR$/m, `model error (${kind}): ${what}`];

const PROBES_RUN: readonly Probe[] = [
  {
    mistake: 'a non-integer write to an array() field (level[0] + 0.5)',
    argv: check('world-write.scenario.ts:fractional-array-write'),
    code: 1,
    says: assertion('world.level[0] = 0.5 is not an integer'),
  },
  {
    mistake: 'NaN written to an array() field',
    argv: check('world-write.scenario.ts:nan-array-write'),
    code: 1,
    says: assertion('world.level[0] = NaN is not an integer'),
  },
  {
    mistake: '2^32 + 2 written to an array() field',
    argv: check('world-write.scenario.ts:huge-array-write'),
    code: 1,
    says: assertion('world.level[0] = 4294967298 is outside the 32-bit range'),
  },
  {
    mistake: 'an index past the end of an array() field',
    argv: check('world-write.scenario.ts:index-past-end'),
    code: 1,
    says: assertion('world.level[2] is outside the array (indices 0..1)'),
  },
  {
    mistake: 'a misspelled world field (world.nxt = ...)',
    argv: check('world-write.scenario.ts:misspelled-field'),
    code: 1,
    says: assertion('world.nxt is not a declared world field (declared: x, level)'),
  },
  {
    mistake: 'an array field replaced (world.level = [...])',
    argv: check('world-write.scenario.ts:replaced-array'),
    code: 1,
    says: assertion('world.level = [1, 1] replaces an array field'),
  },
  {
    mistake: 'int(2 ** 32, 2 ** 32 + 3): a domain no state slot holds',
    argv: check('wrapped-domain.scenario.ts'),
    code: 2,
    says: ['faultline: the model is not well defined: int(): the range 4294967296..4294967299 does not fit a state slot'],
  },
  {
    mistake: "a property that throws (s.actor('CPU1') typo), in gate with a violation expected",
    argv: ['gate', file('property-mistakes.scenario.ts'), '--no-typecheck'],
    code: 1,
    says: [
      /^ERROR +probe-property-mistakes:typo +expected: violates 'any property'; found: model error: property 'x stays 0' threw: no actor named 'CPU1' \(actors: CPU0\)/m,
      'gate: 0 as expected, 0 mismatched, 0 inconclusive, 7 failed',
    ],
  },
  {
    mistake: 'invariant(name, { holds }): the wrong signature',
    process: 'the executable exits 4 on a model error',
    argv: check('property-mistakes.scenario.ts:wrong-signature'),
    code: 4,
    says: modelError('property-threw', "property 'x stays 0' is malformed: its holds is an object, not a function"),
  },
  ...(
    [
      ['explain', 'x stays 0'],
      ['bound-value', 'x small'],
      ['in-flight', 'inc ends'],
      ['progress-step', 'inc ends'],
      ['transition', 'x grows'],
    ] as const
  ).map(([hook, property]) => ({
    mistake: `a property's own code that throws: ${hook} (beyond the issue's list)`,
    argv: check(`property-mistakes.scenario.ts:${hook}`),
    code: 4,
    says: modelError('property-threw', `property '${property}' threw: boom`),
  })),
  {
    mistake: 'an effect before an assign in one transition (the effect/assign order trap), properties holding',
    argv: check('effect-after-assign.scenario.ts'),
    code: 4,
    says: modelError(
      'xstate-mismatch',
      "machine 'trap-worker' (actor W0), state 'run', event 'add': the compiled actor and xstate's own transition() disagree",
    ),
  },
  {
    mistake: 'Math.random() inside an action',
    argv: check('math-random.scenario.ts'),
    code: 4,
    // Which coin is caught first depends on what Math.random() returned.
    says: [
      /: MODEL ERROR$/m,
      /^model error \(nondeterministic\): actor C[012], event flip is not deterministic: Math\.random, Date\.now or state kept outside the world\?/m,
    ],
  },
  ...(['guard-throws', 'nan-assigned', 'choices-throw'] as const).map((kind) => ({
    mistake: `replay of a model exception's trace (${kind})`,
    argv: ['replay', file(`model-exception-${kind}.trace.json`), '--no-typecheck'],
    code: 1,
    says: [/^REPRODUCED: step 2 \(CPU0 go\(0\)\) throws: /m],
  })),
  {
    mistake: '--strategy random, --max-depth 2000000 --timeout 1',
    process: "a timeout, on the executable's clock",
    argv: check('counter.scenario.ts', '-p', 'n=1000000000', '--strategy', 'random', '--max-depth', '2000000', '--executions', '1', '--timeout', '1'),
    code: 3,
    says: [/: INCONCLUSIVE$/m, 'timeout of 1 s reached; raise --timeout or lower the parameters'],
  },
  {
    mistake: '--strategy pct, --max-depth 2000000 --timeout 1',
    process: "a timeout, on the executable's clock",
    argv: check('counter.scenario.ts', '-p', 'n=1000000000', '--strategy', 'pct', '--max-depth', '2000000', '--executions', '1', '--timeout', '1'),
    code: 3,
    says: [/: INCONCLUSIVE$/m, 'timeout of 1 s reached; raise --timeout or lower the parameters'],
  },
  {
    mistake: 'an endless loop in a guard, --timeout 1',
    process: "the main thread's watchdog ends the worker",
    argv: ['check', join(REPO_ROOT, 'test/cli/fixtures/endless-guard.scenario.ts'), '--no-typecheck', '--timeout', '1'],
    code: 3,
    says: ['faultline: inconclusive: timeout of 1 s reached and the run did not stop by itself, so it was ended (model code in an endless loop?)'],
  },
  {
    mistake: 'sweep --param n=1..600000000',
    argv: ['sweep', file('counter.scenario.ts'), '--param', 'n=1..600000000', '--no-typecheck'],
    code: 2,
    says: ['faultline: the range n=1..600000000 has 600000000 points; at most 200 are allowed'],
  },
  {
    // 30,000 steps, as in test/cli/bounds.test.ts, which shows that depth overflowed the stack before the fix
    // (on a 0.5 MB stack: the executable's worker has 4 MB, where the old code failed only past 150,000).
    mistake: 'a 30,000-step counterexample printed as text',
    process: "the depth the worker's stack holds",
    argv: check('counter.scenario.ts', '-p', 'n=30000'),
    code: 1,
    says: [/^probe-counter:count \(n=30000\): VIOLATED$/m, /^30000 +tick$/m],
  },
  {
    mistake: 'a huge --max-depth',
    argv: check('counter.scenario.ts', '--strategy', 'random', '--max-depth', '99999999999'),
    code: 2,
    says: ['faultline: --max-depth is at most 100,000,000, not 99999999999'],
  },
  {
    mistake: 'a huge --pct-depth',
    argv: check('counter.scenario.ts', '--strategy', 'pct', '--pct-depth', '99999999999'),
    code: 2,
    says: ['faultline: --pct-depth is at most 1,000, not 99999999999'],
  },
  {
    mistake: 'a validate() that throws',
    argv: check('validate-throws.scenario.ts'),
    code: 2,
    says: ['its validate() threw: validate blew up'],
  },
  {
    mistake: 'variants: null',
    argv: check('variants-null.scenario.mjs'),
    code: 2,
    says: ["'variants' must be an object, not null"],
  },
  {
    mistake: 'a trace file nested 50,000 levels deep',
    process: "the depth the worker's stack holds",
    argv: ['replay', DEEP],
    code: 2,
    says: [/^faultline: trace file '.*deep\.trace\.json': /],
  },
  {
    mistake: 'a top-level await that never settles',
    process: 'the main thread answers for a worker that never finishes loading',
    argv: check('hangs-on-import.scenario.mjs'),
    code: 2,
    says: [/scenario file '.*hangs-on-import\.scenario\.mjs' never finished loading \(a top-level await that never settles\?\)/],
  },
  {
    mistake: 'process.exit() in a scenario file',
    process: 'process.exit() ends the worker',
    argv: check('exits-on-import.scenario.mjs'),
    code: 2,
    says: [/scenario file '.*exits-on-import\.scenario\.mjs' called process\.exit\(0\) while loading/],
  },
  {
    mistake: 'faultline help check',
    process: 'the executable exits 0',
    argv: ['help', 'check'],
    code: 0,
    says: [/^Usage: faultline check \[options\] <target>$/m],
  },
  {
    mistake: "terminates('P0'), P1 ends holding the lock P0 waits for",
    argv: check('stuck-at-end.scenario.ts'),
    code: 1,
    says: ["progress 'P0 terminates' violated", "the run ends in a state where no actor can move (P0 is stuck in 'idle')"],
  },
  {
    mistake: 'a BEEM bakery lock, its ticket cap reached',
    argv: check('bakery-cap.scenario.ts'),
    code: 1,
    says: ["progress 'P0 terminates' violated", "(P0 is stuck in 'waiting'; P1 is stuck in 'choosing')"],
  },
  {
    mistake: "a helper .ts next to the scenario that imports 'faultline' (type-checked)",
    argv: ['check', './uses-helper.scenario.ts'],
    cwd: join(scratch, 'helper-import'),
    code: 0,
    says: [/^probe-helper-import:only: holds$/m],
  },
  {
    mistake: 'an invariant without explain',
    argv: check('explain-and-bound.scenario.ts:invariant'),
    code: 1,
    says: ["invariant 'at most one try' violated: 'at most one try' does not hold: CPU0.tries = 2"],
  },
  {
    mistake: 'a bound, without --all',
    argv: check('explain-and-bound.scenario.ts:bound'),
    code: 1,
    says: ["bound 'fault-ins' violated: worst value 4 exceeds the limit 1"],
  },
];

type Answer = { code: number | null; out: string; err: string };

/** The executable, in its own process. */
function faultline(argv: readonly string[], cwd: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env: { ...process.env, NO_COLOR: '1', FAULTLINE_TRACE_DIR: scratch } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
}

/** What the executable's worker runs (cli/worker.ts), in this process, its output captured. */
async function inProcess(argv: readonly string[], cwd: string): Promise<Answer> {
  const f = fakeIo(cwd, {
    env: { ...process.env, NO_COLOR: '1', FAULTLINE_TRACE_DIR: scratch },
    now: () => performance.now(),
    memory: () => process.memoryUsage().rss,
  });
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

function answered(p: Probe, r: Answer): void {
  const answer = r.out + r.err;
  assert.equal(r.code, p.code, answer);
  assert.doesNotMatch(answer, /internal error|bug in faultline|\n +at .*:\d+:\d+/);
  for (const s of p.says) {
    if (typeof s === 'string') assert.ok(answer.includes(s), `expected ${JSON.stringify(s)} in:\n${answer}`);
    else assert.match(answer, s);
  }
  // Bad input is one line on stderr and nothing on stdout.
  if (p.code === 2) assert.deepEqual([r.out, r.err.trimEnd().split('\n').length], ['', 1], answer);
}

// A few child processes at a time: most of each one's time is node starting up and loading the probe.
describe('issue 14: every listed modelling mistake is answered loudly and correctly (the executable)', { concurrency: 3 }, () => {
  for (const p of PROBES_RUN.filter((p) => p.process)) {
    it(`${p.mistake} (${p.process})`, p.todo ? { todo: p.todo } : {}, async () => answered(p, await faultline(p.argv, p.cwd ?? REPO_ROOT)));
  }
});

// One at a time: runCli sets process-wide switches (type-checking on or off).
describe('issue 14: every listed modelling mistake is answered loudly and correctly (runCli in this process)', () => {
  for (const p of PROBES_RUN.filter((p) => !p.process)) {
    it(p.mistake, p.todo ? { todo: p.todo } : {}, async () => answered(p, await inProcess(p.argv, p.cwd ?? REPO_ROOT)));
  }
});
