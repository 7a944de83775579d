/**
 * The package as a user gets it, from one `npm pack` of this repository (test/package/packOnce.ts), in two
 * new projects installed side by side:
 * - a plain project that installs only the tarball: the tarball holds only what users run; plain `node`
 *   imports `faultline` and `faultline/models` and checks a scenario file in a worker (checkInWorker), xstate comes with it, `tsc --strict` type-checks a scenario
 *   file and the tutorial's library snippet against the shipped .d.ts (never faultline's .ts sources), and
 *   the installed `faultline` executable checks the scenario;
 * - the whole path a new user takes: `faultline init` a project, install faultline from the tarball into
 *   it, type-check its scenario, check it, and run the commands of the CI workflow it wrote (npm ci, tsc,
 *   gate with JUnit and a job summary; then as a matrix of shards and a merge job).
 * The installs need the npm registry or npm's cache for faultline's own dependencies. Spawns npm and tsc.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLE, shardedWorkflow, workflow } from '../../cli/init/template.js';
import { runCli } from '../../cli/program.js';
import { fakeIo } from '../cli/fakeIo.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { packFaultline } from './packOnce.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
const plain = join(scratch, 'plain');
const e2e = join(scratch, 'e2e');
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/**
 * A command run as a user would, without the variables `npm test` sets. Asynchronous, so that independent
 * commands (the two installs, the shard jobs of a CI matrix) run side by side as they would on their own.
 */
function run(cwd: string, command: string, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: { ...clean, NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
}

let files: string[] = [];
let initInstall: Ran | undefined;

before(async () => {
  const report = packFaultline(scratch);
  files = report.files.map((f) => f.path);
  const tarball = join(scratch, report.filename);
  mkdirSync(plain);
  writeFileSync(join(plain, 'package.json'), JSON.stringify({ name: 'my-models', private: true, type: 'module' }));
  const f = fakeIo(scratch);
  assert.equal(await runCli(['init', 'e2e', '--faultline', `file:${tarball}`], f.io), 0, f.err());
  // `npm install` as the plain project's user and as `faultline init`'s "Next:" say, both at once.
  const [plainInstall, e2eInstall] = await Promise.all([
    run(plain, 'npm', ['install', '--prefer-offline', '--ignore-scripts', tarball]),
    run(e2e, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']),
  ]);
  assert.equal(plainInstall.code, 0, plainInstall.err);
  initInstall = e2eInstall;
});

describe('the packed package, installed alone into a plain project', () => {
  it('holds the build, the executable, the licence and the docs: no tests, benchmarks, CI or TypeScript sources', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/faultline.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/models/index.js',
      'dist/models/index.d.ts',
      'dist/cli/main.js',
    ]) {
      assert.ok(files.includes(f), `${f} is missing from the tarball`);
    }
    assert.deepEqual(
      files.filter((f) => /^(test|bench|\.ci|scripts|examples)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('docs/'))),
      [],
    );
  });

  it('plain node imports faultline and faultline/models and checks a scenario file in a worker (checkInWorker)', async () => {
    copyFileSync(join(REPO_ROOT, 'docs/tutorial/retry-loop.scenario.ts'), join(plain, 'retry-loop.scenario.ts'));
    const script =
      "import { checkInWorker, defineScenario } from 'faultline'; import { defineMmu } from 'faultline/models'; import { createMachine } from 'xstate';" +
      "const r = await checkInWorker('./retry-loop.scenario.ts:fixed', { typecheck: false });" +
      'console.log(typeof defineScenario, typeof defineMmu, typeof createMachine, r.verdict, r.stats.states > 0);';
    const r = await run(plain, process.execPath, ['--input-type=module', '-e', script]);
    assert.deepEqual(r, { code: 0, out: 'function function function holds true\n', err: '' });
  });

  it('tsc --strict type-checks a scenario file and the library snippet against the .d.ts only', async () => {
    writeFileSync(
      join(plain, 'snippet.ts'),
      "import { checkScenario } from 'faultline';\nimport { defineMmu } from 'faultline/models';\nimport retryLoop from './retry-loop.scenario.js';\n\n" +
        "const run = checkScenario(retryLoop, { variant: 'fixed' });\nexport const verdict: string = run.result.verdict;\nexport const mmu: unknown = defineMmu;\n",
    );
    writeFileSync(
      join(plain, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          noPropertyAccessFromIndexSignature: true,
          skipLibCheck: true,
          types: [],
        },
        include: ['*.ts'],
      }),
    );
    const r = await run(plain, process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.', '--listFiles']);
    assert.equal(r.code, 0, r.out);
    const faultlineFiles = r.out.split('\n').filter((f) => f.includes('/node_modules/faultline/'));
    assert.ok(faultlineFiles.length > 0);
    assert.deepEqual(
      faultlineFiles.filter((f) => !f.endsWith('.d.ts')),
      [],
    );
  });

  it('the installed executable runs the compiled CLI and checks the scenario file', async () => {
    const bin = join(plain, 'node_modules/.bin/faultline');
    const fixed = await run(plain, bin, ['check', './retry-loop.scenario.ts:fixed', '--format', 'json']);
    assert.equal(fixed.code, 0, fixed.err);
    assert.equal((JSON.parse(fixed.out) as { verdict: string }).verdict, 'holds');
    const help = await run(plain, bin, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: faultline/);
  });
});

describe('a new project, end to end, on the packed faultline', () => {
  it('init, install from npm pack, tsc, check, and the CI workflow: npm ci, tsc, gate with JUnit and a summary', async () => {
    assert.equal(initInstall?.code, 0, initInstall?.err);
    assert.ok(existsSync(join(e2e, 'node_modules/faultline/package.json')));
    assert.ok(existsSync(join(e2e, 'package-lock.json')));

    const bin = join(e2e, 'node_modules/.bin/faultline');
    const buggy = await run(e2e, bin, ['check', EXAMPLE, '--no-trace']);
    assert.equal(buggy.code, 1, buggy.err);
    assert.match(buggy.out, /^read-retry:whole-buffer \(pages=3 capacity=2 reclaim=1\): VIOLATED$/m);
    assert.match(buggy.out, /^progress 'read returns' violated: /m);
    // The workflow's own steps, in order, as CI runs them.
    const steps = [...workflow().matchAll(/^ {6}- run: (.*)$/gm)].map((m) => m[1]!);
    assert.deepEqual(steps, ['npm ci', 'npx tsc --noEmit', 'npx faultline gate scenarios --junit faultline-junit.xml --summary "$GITHUB_STEP_SUMMARY"']);
    assert.equal(readFileSync(join(e2e, '.github/workflows/faultline.yml'), 'utf8'), workflow());
    const summary = join(scratch, 'step-summary.md');
    for (const step of steps) {
      const line = step === 'npm ci' ? 'npm ci --prefer-offline --no-audit --no-fund' : step;
      const r = await run(e2e, 'bash', ['-c', line], { GITHUB_STEP_SUMMARY: summary });
      assert.equal(r.code, 0, `${line}\n${r.out}\n${r.err}`);
    }
    assert.match(readFileSync(join(e2e, 'faultline-junit.xml'), 'utf8'), /<testsuite name="read-retry:one-page/);
    assert.match(readFileSync(summary, 'utf8'), /^## ✅ faultline gate: 2 as expected, 0 mismatched, 0 inconclusive$/m);

    // `init --shards 2`: the same gate as a matrix of two shard jobs and a merge job, run as CI runs them
    // (the matrix jobs' steps side by side, each with its shard, then the merge job's), gives the same report.
    const sharded = shardedWorkflow(2);
    const [gateJob, mergeJob] = sharded.split(/^ {2}merge:$/m).map((job) => [...job.matchAll(/^ {6}- run: (.*)$/gm)].map((m) => m[1]!));
    assert.deepEqual(gateJob, [
      'npm ci',
      'npx tsc --noEmit',
      'npx faultline gate scenarios --shard ${{ matrix.shard }}/2 --format json > gate-${{ matrix.shard }}.json',
    ]);
    assert.deepEqual(mergeJob, ['npm ci', 'npx faultline merge gate-*.json --junit faultline-junit.xml --summary "$GITHUB_STEP_SUMMARY"']);
    const unsharded = readFileSync(join(e2e, 'faultline-junit.xml'), 'utf8');
    rmSync(join(e2e, 'faultline-junit.xml'));
    writeFileSync(summary, '');
    const shards = await Promise.all(
      ['1', '2'].map(async (shard) => {
        const line: string = gateJob[2]!.split('${{ matrix.shard }}').join(shard);
        return { line, r: await run(e2e, 'bash', ['-c', line]) };
      }),
    );
    for (const { line, r } of shards) assert.equal(r.code, 0, `${line}\n${r.out}\n${r.err}`);
    const merged = await run(e2e, 'bash', ['-c', mergeJob[1]!], { GITHUB_STEP_SUMMARY: summary });
    assert.equal(merged.code, 0, merged.err);
    const untimed = (xml: string) => xml.replace(/ time="[^"]*"/g, '');
    assert.equal(untimed(readFileSync(join(e2e, 'faultline-junit.xml'), 'utf8')), untimed(unsharded));
    assert.match(readFileSync(summary, 'utf8'), /^## ✅ faultline gate: 2 as expected, 0 mismatched, 0 inconclusive$/m);
  });
});
