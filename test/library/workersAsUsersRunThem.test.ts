/**
 * `--workers N` as users run it (issue 9, a red team's probes): a CommonJS scenario file, through the CLI
 * and through `checkInWorker`, and a model that answers differently on another thread. Each asks for the
 * one-thread answer, or one clear model error - never a quiet `holds`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
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
