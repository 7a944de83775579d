/**
 * `--workers N` on the command line: the same report as one thread (a built-in scenario and a user's
 * scenario file, which each worker loads itself), the threads in the statistics line, and bad input.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { workersAsked } from '../../cli/prewarm.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';
import { runBin } from './runBin.js';

async function cli(argv: readonly string[]) {
  const f = fakeIo(REPO_ROOT, { now: () => 0, memory: () => 0 });
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

/** A JSON report without the figures that differ between runs and stores. */
function comparable(json: string): unknown {
  const r = JSON.parse(json) as { stats: Record<string, unknown> };
  for (const k of ['seconds', 'peakMemoryBytes', 'storeBytes', 'workers']) delete r.stats[k];
  return r;
}

describe('check --workers', () => {
  it('a user scenario file: the workers load it, and the report is the one-thread one (a violation, model errors)', async () => {
    for (const target of ['counter.scenario.ts', 'model-mistakes.scenario.ts:throwing-invariant', 'model-mistakes.scenario.ts:effect-after-assign']) {
      const file = join('test', 'cli', 'fixtures', target);
      const one = await cli(['check', file, '--format', 'json', '--no-trace']);
      const two = await cli(['check', file, '--format', 'json', '--no-trace', '--workers', '2']);
      assert.notEqual(one.code, 0, one.out);
      assert.equal(two.code, one.code, two.err);
      assert.deepEqual(comparable(two.out), comparable(one.out));
      const workers = (JSON.parse(two.out) as { stats: { workers: { threads: number; note?: string } } }).stats.workers;
      assert.equal(workers.threads, 2);
      // Something was found: the one-thread search ran again to it, and the report says so.
      assert.match(workers.note!, /the one-thread search ran again to it/);
    }
  });

  it('the statistics line names the threads', async () => {
    const r = await cli(['check', 'retry-ring', '--workers', '2']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^6,526 states, 13,930 transitions, 287 terminal, depth 20; .*, 2 threads$/m);
  });

  it('bad input: one line, exit 2', async () => {
    for (const [argv, message] of [
      [['--workers', '2', '--strategy', 'dfs'], /--workers runs --strategy bfs with --store exact, not --strategy dfs/],
      [['--workers', '2', '--store', 'compact'], /not --store compact/],
      [['--workers', '0'], /--workers expects a positive whole number, not '0'/],
      [['--workers', '300'], /--workers is at most 256, not 300/],
    ] as const) {
      const r = await cli(['check', 'retry-ring', ...argv]);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
  });
});

describe('the executable starts --workers threads before it loads the scenario (cli/prewarm.ts)', () => {
  it('reads the thread count off the arguments as the parser will (the last flag counts); 1 for anything it would refuse', () => {
    const cases: [readonly string[], number][] = [
      [['check', 'x', '--workers', '4'], 4],
      [['check', 'x', '--workers=3'], 3],
      [['check', 'x', '--workers', '2', '--workers', '5'], 5],
      [['check', 'x', '--workers', '256'], 256],
      [['check', 'x', '--workers', '257'], 1],
      [['check', 'x', '--workers', '1'], 1],
      [['check', 'x', '--workers', '0'], 1],
      [['check', 'x', '--workers', '2.5'], 1],
      [['check', 'x', '--workers', '-2'], 1],
      [['check', 'x', '--workers'], 1],
      [['check', 'x', '--param', 'workers=4'], 1],
      [['check', 'x', '--', '--workers', '4'], 1],
      [['check', 'x'], 1],
    ];
    for (const [argv, n] of cases) assert.equal(workersAsked(argv), n, argv.join(' '));
  });

  const exec = (args: readonly string[]) => runBin(args, REPO_ROOT);

  it('the report is the one-thread one, for a user scenario file and a built-in', () => {
    for (const target of [join('test', 'cli', 'fixtures', 'counter.scenario.ts'), 'retry-ring']) {
      const one = exec(['check', target, '--format', 'json', '--no-trace']);
      const two = exec(['check', target, '--format', 'json', '--no-trace', '--workers=2']);
      assert.equal(two.code, one.code, two.err);
      assert.deepEqual(comparable(two.out), comparable(one.out));
      assert.equal((JSON.parse(two.out) as { stats: { workers: { threads: number } } }).stats.workers.threads, 2);
    }
  });

  it('a command that refuses the flag after the threads started: still its one line, exit 2', () => {
    const r = exec(['check', 'retry-ring', '--workers', '256', '--strategy', 'random']);
    assert.equal(r.code, 2);
    assert.equal(r.err, 'faultline: --workers runs --strategy bfs with --store exact, not --strategy random\n');
  });
});
