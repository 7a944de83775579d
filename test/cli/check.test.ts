/**
 * `faultline check` and `faultline replay` in-process: exit codes (0 holds, 1 violated / reproduced,
 * 2 diverged, 3 inconclusive), and golden files for the whole text output of
 * `check examples/peterson.scenario.ts:no-turn`, the trace file it writes, and `replay` of that file.
 * Golden files: UPDATE_GOLDEN=1 rewrites them (see test/golden/golden.ts).
 *
 * The commands run in a scratch directory holding a symlink `examples` -> the repository's examples/, so
 * the command line is exactly the documented one; trace files go where --trace or $FAULTLINE_TRACE_DIR
 * says, never into the current folder unasked. Wall-clock seconds, states/s and peak memory are masked in the golden text.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { assertGolden } from '../golden/golden.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
symlinkSync(join(REPO_ROOT, 'examples'), join(scratch, 'examples'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A clock that advances one second per reading and a memory probe reading 200 MiB. */
function tickingIo(overrides: Parameters<typeof fakeIo>[1] = {}) {
  let t = 0;
  return fakeIo(scratch, { now: () => (t += 1000), memory: () => 200 * 1024 * 1024, ...overrides });
}

async function cli(argv: readonly string[], overrides: Parameters<typeof fakeIo>[1] = {}) {
  const f = tickingIo(overrides);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

const STATS = /; \d+\.\d\d s, [\d,]+ states\/s, peak \d+(\.\d+)? (B|KiB|MiB|GiB)$/gm;

/** Masks the figures that depend on the machine; the line must carry all three. */
function maskStats(text: string): string {
  assert.equal(text.match(STATS)?.length, 1, `one statistics line with seconds, states/s and peak memory in:\n${text}`);
  return text.replace(STATS, '; #.## s, # states/s, peak # MiB');
}

const TRACE = 'faultline-peterson-no-turn.trace.json';

describe('faultline check', () => {
  it('exit 1 on a violation; the whole text output is golden', async () => {
    const { code, out, err } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--no-color', '--trace', TRACE]);
    assert.equal(code, 1);
    assert.equal(err, '');
    // The trace file asked for (a *.trace.json name is git-ignored, hence the golden's name).
    assertGolden('cli-check-peterson-no-turn.trace-file.json', readFileSync(join(scratch, TRACE), 'utf8'));
    assertGolden('cli-check-peterson-no-turn.txt', maskStats(out));
  });

  // Regression: the verdict line used to read "peterson:no-turn : VIOLATED" and "retry-ring:ring  (readers=2
  // ...): holds", and replay's first line "examples/peterson.scenario.ts:no-turn : invariant ...": a space
  // before paramsSuffix(), which brings its own leading space.
  it('the verdict line has no stray space before the colon or the parameters', async () => {
    const violated = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--no-color', '--trace', 'header.json']);
    assert.equal(violated.out.split('\n')[0], 'peterson:no-turn: VIOLATED');
    const holds = await cli(['check', 'retry-ring', '--no-color']);
    assert.equal(holds.out.split('\n')[0], 'retry-ring:ring (readers=2 pages=4 capacity=2 budget=2 retries=2): holds');
    const replayed = await cli(['replay', 'header.json', '--no-color']);
    assert.equal(replayed.out.split('\n')[0], "examples/peterson.scenario.ts:no-turn: invariant 'mutual exclusion', 4 steps");
  });

  it('exit 0 when every property holds', async () => {
    const r = await cli(['check', 'retry-ring', '--no-color']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /: holds$/m);
    assert.match(r.out, /^6,526 states, 13,930 transitions, 287 terminal, depth 20; /m);
    const p = await cli(['check', 'examples/peterson.scenario.ts:peterson', '--format', 'json']);
    assert.equal(p.code, 0, p.err);
    assert.equal(JSON.parse(p.out).verdict, 'holds');
  });

  it('exit 3 when --max-states is reached, saying what was explored', async () => {
    const r = await cli(['check', 'retry-ring', '--max-states', '100', '--no-color']);
    assert.equal(r.code, 3, r.err);
    assert.equal(r.err, '');
    assert.match(r.out, /^retry-ring:ring.*: INCONCLUSIVE$/m);
    assert.match(r.out, /^ {2}bound of 100 states reached at depth \d+; nothing is proven\. Raise the bound or lower the parameters\.$/m);
    const j = await cli(['check', 'retry-ring', '--max-states', '100', '--format', 'json']);
    assert.equal(j.code, 3);
    const json = JSON.parse(j.out);
    assert.equal(json.verdict, 'inconclusive');
    assert.equal(json.inconclusive.reason, 'max-states');
  });

  it('exit 3 when --timeout is reached (the injected clock runs one second per reading)', async () => {
    const r = await cli(['check', 'retry-ring', '--timeout', '1', '--format', 'json']);
    assert.equal(r.code, 3, r.err);
    assert.equal(JSON.parse(r.out).inconclusive.reason, 'timeout');
  });

  it('gives the advice of a bound once (--timeout, --max-memory)', async () => {
    const t = await cli(['check', 'retry-ring', '--timeout', '1', '--no-color']);
    assert.equal(t.code, 3, t.err);
    assert.match(t.out, /^ {2}timeout of 1 s reached; raise --timeout or lower the parameters; nothing is proven\.$/m);
    const m = await cli(['check', 'retry-ring', '--max-memory', '50', '--no-color'], { memory: () => 64 * 1024 * 1024 });
    assert.equal(m.code, 3, m.err);
    assert.match(m.out, /^ {2}memory limit of 50 MiB reached; raise --max-memory or lower the parameters; nothing is proven\.$/m);
  });

  it('the property table is as wide as its longest kind (transition)', async () => {
    const r = await cli(['check', 'kcore-read', '--no-color']);
    assert.equal(r.code, 1, r.err);
    const table = r.out.split('\n').filter((l) => /^ {2}\S.* {2}(invariant|transition|progress|assertion) +(holds|violated)/.test(l));
    assert.deepEqual(table, [
      '  kcore accounting     invariant   holds',
      '  kcore content        transition  holds',
      '  no spurious -EFAULT  invariant   holds',
      '  read_kcore progress  progress    violated',
      '  assertion            assertion   holds',
    ]);
  });

  it('colour only on a terminal, and never with --no-color or NO_COLOR', async () => {
    const ansi = /\u001b\[/;
    assert.match((await cli(['check', 'retry-ring'], { stdoutIsTTY: true })).out, ansi);
    assert.doesNotMatch((await cli(['check', 'retry-ring', '--no-color'], { stdoutIsTTY: true })).out, ansi);
    assert.doesNotMatch((await cli(['check', 'retry-ring'], { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).out, ansi);
    assert.doesNotMatch((await cli(['check', 'retry-ring'])).out, ansi);
  });
});

describe('faultline replay', () => {
  const traceFile = async (): Promise<Record<string, unknown> & { steps: unknown[] }> => {
    const r = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--format', 'json', '--trace', TRACE]);
    assert.equal(r.code, 1);
    return JSON.parse(readFileSync(join(scratch, TRACE), 'utf8'));
  };

  it('exit 1 when the trace reproduces its violation; the output is golden', async () => {
    await traceFile();
    const r = await cli(['replay', TRACE, '--no-color']);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, '');
    assertGolden('cli-replay-peterson-no-turn.txt', r.out);
  });

  it('exit 0 when every step is valid but the violation is gone at the end (last step dropped)', async () => {
    const t = await traceFile();
    writeFileSync(join(scratch, 'truncated.json'), JSON.stringify({ ...t, steps: t.steps.slice(0, -1) }));
    const r = await cli(['replay', 'truncated.json', '--no-color']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^NOT REPRODUCED: after 3 steps invariant 'mutual exclusion' holds: the model no longer has this violation$/m);
  });

  it('exit 2 when a step is not enabled where the trace takes it (step 2 removed)', async () => {
    const t = await traceFile();
    writeFileSync(join(scratch, 'diverges.json'), JSON.stringify({ ...t, steps: t.steps.filter((_, i) => i !== 1) }));
    const r = await cli(['replay', 'diverges.json', '--no-color']);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(r.err, "faultline: trace file 'diverges.json' diverges from the model: step 2 (P1 raiseFlag(0)) is not enabled in state idle\n");
  });
});

describe('where trace files go', () => {
  const traceName = 'faultline-peterson-no-turn.trace.json';

  it('text output saves the trace in $FAULTLINE_TRACE_DIR, not the current folder, and Replay: names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-traces-'));
    try {
      const before = readdirSync(scratch);
      const { code, out, err } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--no-color'], { env: { FAULTLINE_TRACE_DIR: dir } });
      assert.equal(code, 1);
      assert.equal(err, '');
      assert.deepEqual(readdirSync(scratch), before);
      assert.ok(out.endsWith(`\nReplay: faultline replay ${join(dir, traceName)}\n`), out);
      // From the shared folder the scenario file is named by its absolute path, so replay works from anywhere.
      const t = JSON.parse(readFileSync(join(dir, traceName), 'utf8')) as { scenario: string };
      assert.equal(t.scenario, join(scratch, 'examples/peterson.scenario.ts'));
      const f = fakeIo(tmpdir());
      assert.equal(await runCli(['replay', join(dir, traceName), '--no-color'], f.io), 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a relative $FAULTLINE_TRACE_DIR is created under the current folder and named relative to it', async () => {
    const { out } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--no-color'], { env: { FAULTLINE_TRACE_DIR: 'traces/deep' } });
    assert.match(out, /^Replay: faultline replay traces\/deep\/faultline-peterson-no-turn\.trace\.json$/m);
    assert.ok(existsSync(join(scratch, 'traces/deep', traceName)));
  });

  it('without $FAULTLINE_TRACE_DIR: faultline/ in the temporary folder', async () => {
    const { out } = await cli(['check', 'stable-pages', '--no-color']);
    const where = join(tmpdir(), 'faultline', 'faultline-stable-pages-pin-from-ref.trace.json');
    assert.ok(out.endsWith(`Replay: faultline replay ${where}\n`), out);
    assert.ok(existsSync(where));
  });

  it('--no-trace: no file, no Replay line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-traces-'));
    try {
      const { code, out } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--no-trace', '--no-color'], { env: { FAULTLINE_TRACE_DIR: dir } });
      assert.equal(code, 1);
      assert.doesNotMatch(out, /Replay:/);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trace files of scenario files, and a trace that cannot be written', () => {
  it('records the scenario file relative to the trace file, so replay works from another folder', async () => {
    const { code } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--trace', 'sub/../moved.trace.json', '--no-color']);
    assert.equal(code, 1);
    const t = JSON.parse(readFileSync(join(scratch, 'moved.trace.json'), 'utf8')) as { scenario: string };
    assert.equal(t.scenario, 'examples/peterson.scenario.ts');
    // Replay from the examples folder, naming the trace by a relative path: the scenario is found next to it.
    const f = fakeIo(join(scratch, 'examples'));
    assert.equal(await runCli(['replay', '../moved.trace.json', '--no-color'], f.io), 1);
    assert.match(f.out(), /REPRODUCED/);
  });

  it('prints the result and warns on stderr when the trace cannot be written; the exit code is the verdict', async () => {
    const { code, out, err } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--trace', 'no/such/dir/t.json', '--no-color']);
    assert.equal(code, 1);
    assert.match(out, /VIOLATED/);
    assert.doesNotMatch(out, /Replay:/);
    assert.equal(err, "faultline: could not write the trace to 'no/such/dir/t.json': ENOENT; the result above stands\n");
  });
});
