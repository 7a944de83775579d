/**
 * `--shard`, `--swarm` and `faultline merge`: shards run as separate processes (as a CI matrix runs them),
 * merged, and compared with the unsharded run byte for byte in every format - after replacing the timing
 * fields (seconds, peak memory), and only those, since the shards ran on a real clock.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { assignShards, costsFor, parseShard, RUN_OVERHEAD } from '../../cli/shard.js';
import { swarmPctDepth } from '../../cli/swarm.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'faultline-merge-'));
symlinkSync(join(REPO_ROOT, 'test/cli/gate-fixtures'), join(scratch, 'fixtures'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

/**
 * One shard as its own process; its JSON result goes to `file` in the scratch directory. Without
 * type-checking the fixture (seconds of TypeScript a process; test/cli/scenarioFiles.test.ts's subject).
 */
async function shardProcess(argv: readonly string[], file: string): Promise<number> {
  try {
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'bin/faultline.js'), ...argv, '--no-typecheck'], { cwd: scratch, maxBuffer: 64 << 20 });
    writeFileSync(join(scratch, file), stdout);
    return 0;
  } catch (e) {
    const err = e as { code: number; stdout: string };
    writeFileSync(join(scratch, file), err.stdout);
    return err.code;
  }
}

/** Every timing field of every format, and nothing else: text `1.23 s`, Markdown's seconds column (before provenance), JUnit `time`, JSON seconds and memory. */
function withoutTimings(report: string): string {
  return report
    .replace(/"(seconds|peakMemoryBytes)": [0-9.e+-]+/g, '"$1": T')
    .replace(/ time="[0-9.]+"/g, ' time="T"')
    .replace(/\b\d+\.\d\d s\b/g, 'T s')
    .replace(/\| \d+\.\d\d \|( [a-z]+ \|)?$/gm, '| T |$1');
}

const FORMATS = ['text', 'json', 'junit', 'markdown'] as const;

describe('the split (cli/shard.ts)', () => {
  it('LPT: the costliest first, each to the least-loaded shard, ties by order', () => {
    assert.deepEqual(assignShards([5, 1, 1, 4, 3], 2), [1, 1, 1, 2, 2]);
    assert.deepEqual(assignShards([3, 3, 2, 2, 2], 2), [1, 2, 1, 2, 1]);
    assert.deepEqual(assignShards([1, 1, 1, 1, 1], 3), [1, 2, 3, 1, 2]);
    assert.deepEqual(assignShards([7], 4), [1]);
  });

  it('costs: recorded states plus the overhead of a run; an unknown key costs the median', () => {
    assert.deepEqual(
      costsFor(
        ['a', 'b', 'c', 'x'],
        new Map([
          ['a', 10],
          ['b', 30],
          ['c', 20],
        ]),
      ),
      [10, 30, 20, 20].map((n) => n + RUN_OVERHEAD),
    );
  });

  it('--shard and --swarm take I/N with 1 <= I <= N', () => {
    assert.deepEqual(parseShard('--shard', '2/4'), { index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/4/2']) assert.throws(() => parseShard('--shard', bad), /--shard expects I\/N/);
  });

  it('swarm pct depths: job 1 keeps the default 3, the others vary it', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(swarmPctDepth), [3, 2, 4, 5, 6, 1, 3]);
  });
});

describe('gate --shard in separate processes, then merge == the unsharded gate', () => {
  const gate = ['gate', 'fixtures/counter.scenario.ts'];
  const builtin = ['gate', '--filter', 'gfs2-mmap-deadlock,stable-pages'];
  const codes: number[] = [];
  before(async () => {
    codes.push(
      ...(await Promise.all([
        ...[1, 2, 3].map((i) => shardProcess([...gate, '--shard', `${i}/3`, '--format', 'json'], `counter-${i}.json`)),
        ...[1, 2].map((i) => shardProcess([...builtin, '--shard', `${i}/2`, '--format', 'json'], `builtin-${i}.json`)),
        ...[1, 2].map((i) =>
          shardProcess(
            ['sweep', 'retry-ring', '--param', 'capacity=1..3', '--param', 'readers=1,2', '--shard', `${i}/2`, '--format', 'json'],
            `sweep-${i}.json`,
          ),
        ),
      ])),
    );
  });

  it('a shard of a gate with mismatches exits 1 or 0 by its own part; every shard wrote its JSON', () => {
    assert.deepEqual(
      codes.map((c) => c === 0 || c === 1),
      codes.map(() => true),
    );
    const parts = [1, 2, 3].map(
      (i) => JSON.parse(readFileSync(join(scratch, `counter-${i}.json`), 'utf8')) as { entries: unknown[]; shard: { plan: string[] } },
    );
    assert.equal(
      parts.reduce((n, p) => n + p.entries.length, 0),
      5,
    );
    assert.deepEqual(parts[0]!.shard.plan, ['counter:holds', 'counter:small', 'counter:wrong-holds', 'counter:wrong-property', 'counter:missing']);
  });

  for (const format of FORMATS) {
    it(`${format}: a scenario file's gate with mismatches`, async () => {
      const whole = await cli([...gate, '--format', format]);
      const merged = await cli(['merge', 'counter-3.json', 'counter-1.json', 'counter-2.json', '--format', format]);
      assert.equal(merged.err, '');
      assert.equal(withoutTimings(merged.out), withoutTimings(whole.out));
      assert.equal(merged.code, 1);
      assert.equal(whole.code, 1);
    });
  }

  for (const format of ['text', 'json'] as const) {
    it(`${format}: built-in scenarios`, async () => {
      const whole = await cli([...builtin, '--format', format]);
      const merged = await cli(['merge', 'builtin-1.json', 'builtin-2.json', '--format', format]);
      assert.equal(withoutTimings(merged.out), withoutTimings(whole.out));
      assert.equal(merged.code, 0);
    });
  }

  it('--junit and --summary files as the gate writes them', async () => {
    await cli([...gate, '--junit', 'whole.xml', '--summary', 'whole.md']);
    await cli(['merge', 'counter-1.json', 'counter-2.json', 'counter-3.json', '--junit', 'merged.xml', '--summary', 'merged.md']);
    for (const [a, b] of [
      ['whole.xml', 'merged.xml'],
      ['whole.md', 'merged.md'],
    ] as const) {
      assert.equal(withoutTimings(readFileSync(join(scratch, b), 'utf8')), withoutTimings(readFileSync(join(scratch, a), 'utf8')));
    }
  });

  for (const format of ['text', 'json'] as const) {
    it(`sweep, ${format}`, async () => {
      const whole = await cli(['sweep', 'retry-ring', '--param', 'capacity=1..3', '--param', 'readers=1,2', '--format', format]);
      const merged = await cli(['merge', 'sweep-2.json', 'sweep-1.json', '--format', format]);
      // The table's last column is the seconds of each point.
      const sweepTimings = (t: string): string => withoutTimings(t).replace(/ \d+\.\d\d$/gm, ' T');
      assert.equal(sweepTimings(merged.out), sweepTimings(whole.out));
      assert.equal(merged.code, 0);
    });
  }

  it('--costs: a costly variant gets a shard of its own', async () => {
    writeFileSync(
      join(scratch, 'costs.json'),
      JSON.stringify({ 'counter:holds': 1, 'counter:small': 1, 'counter:wrong-holds': 1, 'counter:wrong-property': 1, 'counter:missing': 100_000 }),
    );
    const variants = async (i: number): Promise<string[]> =>
      (
        JSON.parse((await cli([...gate, '--shard', `${i}/2`, '--costs', 'costs.json', '--format', 'json'])).out) as { entries: { variant: string }[] }
      ).entries.map((e) => e.variant);
    assert.deepEqual(await variants(1), ['missing']);
    assert.deepEqual(await variants(2), ['holds', 'small', 'wrong-holds', 'wrong-property']);
  });

  it('a missing, repeated or foreign shard is bad input naming it (exit 2)', async () => {
    const missing = await cli(['merge', 'counter-1.json', 'counter-3.json']);
    assert.deepEqual([missing.code, missing.err], [2, 'faultline: shard 2/3 is missing\n']);
    const twice = await cli(['merge', 'counter-1.json', 'counter-2.json', 'counter-2.json', 'counter-3.json']);
    assert.deepEqual([twice.code, twice.err], [2, "faultline: shard 2/3 is given twice ('counter-2.json' and 'counter-2.json')\n"]);
    const foreign = await cli(['merge', 'counter-1.json', 'builtin-2.json']);
    assert.equal(foreign.code, 2);
    assert.match(foreign.err, /^faultline: 'builtin-2.json' \(shard 2\/2\) is not from the same split as 'counter-1.json' \(shard 1\/3\)\n$/);
    const mixed = await cli(['merge', 'counter-1.json', 'sweep-1.json']);
    assert.match(mixed.err, /is a sweep result and 'counter-1.json' a gate result/);
    writeFileSync(join(scratch, 'plain.json'), JSON.stringify({ schema: 'faultline/gate@1', entries: [] }));
    const plain = await cli(['merge', 'plain.json']);
    assert.equal(plain.code, 2);
    assert.match(plain.err, /'plain.json' is not the result of one job of a split/);
    const none = await cli(['merge', 'nope.json']);
    assert.deepEqual([none.code, none.err], [2, "faultline: cannot read 'nope.json': ENOENT\n"]);
  });

  it('a verdict merge does not know (a model error) never merges as passing', async () => {
    const parts = [1, 2].map((i) => JSON.parse(readFileSync(join(scratch, `builtin-${i}.json`), 'utf8')) as { entries: { result: { verdict: string } }[] });
    parts[0]!.entries[0]!.result.verdict = 'model-error';
    parts.forEach((p, i) => writeFileSync(join(scratch, `odd-${i + 1}.json`), JSON.stringify(p)));
    const merged = await cli(['merge', 'odd-1.json', 'odd-2.json']);
    assert.equal(merged.code, 1);
    const sweep = [1, 2].map((i) => JSON.parse(readFileSync(join(scratch, `sweep-${i}.json`), 'utf8')) as { points: { verdict: string }[] });
    sweep[1]!.points[0]!.verdict = 'model-error';
    sweep.forEach((p, i) => writeFileSync(join(scratch, `odd-sweep-${i + 1}.json`), JSON.stringify(p)));
    assert.equal((await cli(['merge', 'odd-sweep-1.json', 'odd-sweep-2.json'])).code, 4, 'a model error in a sweep exits 4, as sweep does');
  });
});

describe('check --swarm, then merge', () => {
  const job = (i: number, n: number, extra: readonly string[] = []) => [
    'check',
    'retry-ring',
    '--strategy',
    'pct',
    '--executions',
    '30',
    '--max-depth',
    '200',
    '--swarm',
    `${i}/${n}`,
    '--format',
    'json',
    ...extra,
  ];

  it('each job its own stream and depth; the merge counts every execution of every job', async () => {
    const runs = await Promise.all([1, 2, 3].map((i) => cli(job(i, 3))));
    runs.forEach((r, i) => writeFileSync(join(scratch, `swarm-${i + 1}.json`), r.out));
    const jobs = runs.map((r) => JSON.parse(r.out) as { swarm: { stream: number; pctDepth: number; command: string }; stats: { states: number } });
    assert.deepEqual(
      jobs.map((j) => [j.swarm.stream, j.swarm.pctDepth]),
      [
        [0, 3],
        [1, 2],
        [2, 4],
      ],
    );
    assert.equal(jobs[1]!.swarm.command, 'faultline check retry-ring --strategy pct --seed 1 --swarm 2/3 --executions 30 --max-depth 200 --pct-depth 2');
    const merged = await cli(['merge', 'swarm-1.json', 'swarm-2.json', 'swarm-3.json']);
    assert.equal(merged.code, 3);
    assert.match(merged.out, /no violation in 90 executions across 3 jobs \(pct, seed 1; depths 3, 2, 4\); sampling proves nothing/);
    // The same job twice gives the same bytes; stream 0 with depth 3 is the unsplit run itself.
    assert.equal((await cli(job(2, 3))).out, runs[1]!.out);
    const plain = JSON.parse((await cli(['check', 'retry-ring', '--strategy', 'pct', '--executions', '30', '--max-depth', '200', '--format', 'json'])).out) as {
      stats: unknown;
    };
    assert.deepEqual(plain.stats, (jobs[0] as unknown as { stats: unknown }).stats);
  });

  it('a violation: the first job that found one, its trace, and the command that reruns it', async () => {
    const target = 'fault-in-partial:all-or-nothing';
    const runs = await Promise.all([1, 2].map((i) => cli(['check', target, '--strategy', 'random', '--swarm', `${i}/2`, '--format', 'json'])));
    runs.forEach((r, i) => writeFileSync(join(scratch, `hit-${i + 1}.json`), r.out));
    const merged = await cli(['merge', 'hit-2.json', 'hit-1.json']);
    assert.equal(merged.code, 1);
    assert.match(
      merged.out,
      /^fault-in-partial:all-or-nothing \(pages=2 units=1 reclaim=0 munmap=0\): VIOLATED in job 1\/2 \(random, seed 1; 2 executions across 2 jobs\)\n/,
    );
    assert.match(merged.out, /\nReproduce: faultline check fault-in-partial:all-or-nothing --strategy random --seed 1 --swarm 1\/2\n$/);
    const json = JSON.parse((await cli(['merge', 'hit-1.json', 'hit-2.json', '--format', 'json'])).out) as { verdict: string; violation: { job: number } };
    assert.deepEqual([json.verdict, json.violation.job], ['violated', 1]);
  });

  it('--swarm needs a sampling strategy', async () => {
    const r = await cli(['check', 'retry-ring', '--swarm', '1/2']);
    assert.deepEqual(
      [r.code, r.err],
      [2, 'faultline: --swarm splits a sampling search (--strategy random or pct), not bfs; split a gate or a sweep with --shard\n'],
    );
  });
});
