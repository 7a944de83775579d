/**
 * `--workers N` as users run it (issue 9, a red team's probes): a CommonJS scenario file, through the CLI
 * and through `checkInWorker`, and a model that answers differently on another thread. Each asks for the
 * one-thread answer, or one clear model error - never a quiet `holds`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { check, checkInWorker, compileSystem, type CheckResult } from '../../index.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from '../cli/fakeIo.js';
import { threadBound } from './fixtures/threadBound.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const COMMONJS = ['tickers.scenario.cjs', 'tickers.scenario.js'].map((f) => join(FIXTURES, 'commonjs', f));

async function cli(argv: readonly string[]) {
  const f = fakeIo(REPO_ROOT, { now: () => 0, memory: () => 0 });
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

/** A result without the figures that differ with the number of threads. */
function comparable(r: CheckResult): unknown {
  const { seconds: _s, peakMemoryBytes: _m, storeBytes: _b, workers: _w, ...stats } = r.stats as CheckResult['stats'] & { workers?: unknown };
  return { ...r, stats };
}

describe('--workers with a CommonJS scenario file', () => {
  it("the worker threads load it as the CLI's own thread does (before: 'failed to load: Unexpected identifier' from faultline's sources)", async () => {
    for (const file of COMMONJS) {
      for (const variant of ['ok', 'bad']) {
        const argv = ['check', `${file}:${variant}`, '--param', 'k=4', '--format', 'json', '--no-trace'];
        const one = await cli(argv);
        const two = await cli([...argv, '--workers', '2']);
        assert.equal(one.code, variant === 'ok' ? 0 : 1, one.err);
        assert.equal(two.code, one.code, two.err);
        const strip = (out: string) => comparable(JSON.parse(out) as CheckResult);
        assert.deepEqual(strip(two.out), strip(one.out));
      }
    }
  });

  it('checkInWorker loads it too (its own thread and the search threads)', async () => {
    const r = await checkInWorker(`${COMMONJS[0]!}:bad`, { params: { k: 4 }, workers: 2 });
    assert.equal(r.verdict, 'violated');
    assert.equal(r.stats.states, 77);
  });
});

describe('--workers with a model that answers differently on another thread', () => {
  const source = { module: new URL('./fixtures/threadBound.ts', import.meta.url).href, export: 'threadBound' };

  it('a violation only a worker thread sees is a model error, not the one-thread search’s holds', () => {
    const system = compileSystem(threadBound());
    assert.equal(check(system).verdict, 'holds');
    const r = check(system, { workers: 2, source });
    // Before: `holds` - the one-thread search ran again after the worker's finding and found nothing.
    assert.equal(r.verdict, 'model-error');
    assert.equal(r.verdict === 'model-error' && r.modelError.kind, 'nondeterministic');
    assert.match(r.verdict === 'model-error' ? r.modelError.message : '', /a worker thread found a violation or a model error that the one-thread search/);
  });
});

describe('the model error only threads show, through the CLI: no trace to print, and replay checks again on as many threads', () => {
  const FILE = join(FIXTURES, 'thread-bound.scenario.ts');
  const scratch = mkdtempSync(join(tmpdir(), 'faultline-threads-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  // No type-check: the fixture imports node:worker_threads (type-checking scenario files is its own test's subject).
  const run = (argv: readonly string[]) => cli([...argv, '--no-typecheck']);

  it('check --workers 2: exit 4, the report says there is no trace and how to see it again, and the trace file records the threads', async () => {
    const trace = join(scratch, 'threads.json');
    const text = await run(['check', FILE, '--workers', '2', '--trace', trace]);
    assert.equal(text.code, 4, text.err);
    // Before: "(no steps: the initial state itself is the counterexample)", which the initial state is not.
    assert.match(text.out, /\(no trace: 2 threads and the one-thread search disagree over the same states; `faultline replay` checks again on 2 threads\)/);
    const file = JSON.parse(readFileSync(trace, 'utf8')) as { violation: { modelError: string; threads: number }; steps: unknown[] };
    assert.equal(file.violation.modelError, 'nondeterministic');
    assert.equal(file.violation.threads, 2);
    assert.deepEqual(file.steps, []);
    const json = await run(['check', FILE, '--workers', '2', '--format', 'json', '--no-trace']);
    assert.equal((JSON.parse(json.out) as { modelError: { threads: number } }).modelError.threads, 2);
  });

  it('replay of that trace: the check again on 2 threads reproduces it (exit 4); before, "NOT REPRODUCED" and exit 0', async () => {
    const trace = join(scratch, 'again.json');
    assert.equal((await run(['check', FILE, '--workers', '2', '--trace', trace])).code, 4);
    const r = await run(['replay', trace]);
    assert.equal(r.code, 4, r.err);
    assert.match(r.out, /model error \(nondeterministic\), found on 2 threads: checked again on 2\nREPRODUCED: model error: the model is not deterministic/);
  });

  it('a trace file claiming threads for a model the threads agree on: NOT REPRODUCED, exit 0; threads on any other claim: one line, exit 2', async () => {
    const counter = join(REPO_ROOT, 'test', 'cli', 'fixtures', 'counter.scenario.ts');
    const claim = { property: 'counter', kind: 'model-error', message: 'threads disagreed', modelError: 'nondeterministic', threads: 2 };
    const base = { schema: 'faultline/trace@1', scenario: counter, variant: 'count', params: { n: 3 }, strategy: 'bfs', seed: null, steps: [] };
    const write = (name: string, violation: object) => {
      const path = join(scratch, name);
      writeFileSync(path, JSON.stringify({ ...base, violation }));
      return path;
    };
    const agreed = await run(['replay', write('agreed.json', claim)]);
    assert.equal(agreed.code, 0, agreed.err);
    assert.match(agreed.out, /NOT REPRODUCED: the 2 threads now agree with the one-thread search \(violated\)/);
    for (const [name, violation, message] of [
      ['one.json', { ...claim, threads: 1 }, /"violation.threads" must be a whole number from 2 to 256/],
      ['threw.json', { ...claim, modelError: 'property-threw' }, /"violation.threads" belongs to a nondeterministic model error only/],
    ] as const) {
      const r = await run(['replay', write(name, violation)]);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
  });
});
