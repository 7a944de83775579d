/**
 * `faultline init`: what it writes and refuses, and the whole path a new user takes, end to end: init a
 * project, install faultline from `npm pack` of this repository into it, type-check its scenario, check
 * it, and run the commands of the CI workflow it wrote (npm ci, tsc, gate with JUnit and a job summary).
 * The install needs the npm registry or npm's cache for faultline's own dependencies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { packageName } from '../../cli/commands/init.js';
import { EXAMPLE, shardedWorkflow, VERSIONS, workflow } from '../../cli/init/template.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';
import { packFaultline } from '../package/packOnce.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-init-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

const FILES = ['package.json', 'tsconfig.json', EXAMPLE, 'README.md', '.gitignore', '.github/workflows/faultline.yml'];

describe('faultline init', () => {
  it('writes the project into a new folder and says what to run next', async () => {
    const { code, out, err } = await cli(['init', 'my-models']);
    assert.equal(code, 0);
    assert.equal(err, '');
    assert.equal(
      out,
      [
        'Created a faultline model project in my-models/:',
        ...FILES.map((f) => `  ${f}`),
        '',
        'Next:',
        '  cd my-models',
        '  npm install',
        `  npx faultline check ${EXAMPLE}`,
        '  npx faultline gate scenarios',
        '',
      ].join('\n'),
    );
    for (const f of FILES) assert.ok(existsSync(join(scratch, 'my-models', f)), f);
    const pkg = JSON.parse(readFileSync(join(scratch, 'my-models/package.json'), 'utf8'));
    assert.equal(pkg.name, 'my-models');
    assert.deepEqual(pkg.dependencies, { faultline: '^0.1.0', xstate: VERSIONS.xstate });
    assert.match(readFileSync(join(scratch, 'my-models', EXAMPLE), 'utf8'), /from 'faultline\/models';$/m);
  });

  it('refuses a folder that is not empty, in one line, unless --force', async () => {
    mkdirSync(join(scratch, 'busy'));
    writeFileSync(join(scratch, 'busy/notes.txt'), 'mine\n');
    const refused = await cli(['init', 'busy']);
    assert.equal(refused.code, 2);
    assert.equal(refused.out, '');
    assert.equal(refused.err, "faultline: 'busy' is not empty (1 entry); init writes into a new or empty folder (--force to write there anyway)\n");
    assert.ok(!existsSync(join(scratch, 'busy/package.json')));
    const forced = await cli(['init', 'busy', '--force', '--faultline', 'file:../faultline']);
    assert.equal(forced.code, 0);
    assert.equal(readFileSync(join(scratch, 'busy/notes.txt'), 'utf8'), 'mine\n');
    assert.equal(JSON.parse(readFileSync(join(scratch, 'busy/package.json'), 'utf8')).dependencies.faultline, 'file:../faultline');
    writeFileSync(join(scratch, 'a-file'), '');
    assert.equal((await cli(['init', 'a-file'])).err, "faultline: 'a-file' is a file, not a folder\n");
  });

  it('--shards N writes the workflow as a matrix of N gate shards and a merge job; a bad N is refused', async () => {
    const made = await cli(['init', 'sharded', '--shards', '3']);
    assert.equal(made.code, 0, made.err);
    const yaml = readFileSync(join(scratch, 'sharded/.github/workflows/faultline.yml'), 'utf8');
    assert.equal(yaml, shardedWorkflow(3));
    assert.match(yaml, /^ {8}shard: \[1, 2, 3\]$/m);
    assert.match(yaml, /--shard \$\{\{ matrix\.shard \}\}\/3 /);
    assert.match(readFileSync(join(scratch, 'sharded/.gitignore'), 'utf8'), /^gate-\*\.json$/m);
    for (const bad of ['0', '65', 'two', '1.5']) {
      const r = await cli(['init', `bad-${bad}`, '--shards', bad]);
      assert.equal(r.code, 2);
      assert.equal(r.err, `faultline: --shards must be a whole number from 1 to 64, not '${bad}'\n`);
    }
  });

  it('package names from folder names', () => {
    assert.equal(packageName('/x/My Models!'), 'my-models');
    assert.equal(packageName('/x/.hidden'), 'hidden');
    assert.equal(packageName('/'), 'faultline-models');
  });

  it("asks for the xstate, TypeScript and Node types faultline itself is built with, and faultline's version", () => {
    const own = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.equal(VERSIONS.xstate, own.dependencies.xstate);
    assert.equal(VERSIONS.typescript, own.dependencies.typescript);
    assert.equal(VERSIONS.typesNode, own.devDependencies['@types/node']);
    assert.equal(VERSIONS.faultline, `^${own.version}`);
  });
});

/** npm and the project's own commands, run as a user would, without the variables `npm test` sets. */
function run(cwd: string, command: string, args: readonly string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync(command, args, { cwd, env: { ...clean, ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('a new project, end to end, on the packed faultline', () => {
  it('init, install from npm pack, tsc, check, and the CI workflow: npm ci, tsc, gate with JUnit and a summary', async () => {
    const tarball = join(scratch, packFaultline(scratch).filename);
    assert.equal((await cli(['init', 'e2e', '--faultline', `file:${tarball}`])).code, 0);
    const proj = join(scratch, 'e2e');

    const install = run(proj, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
    assert.equal(install.code, 0, install.err);
    assert.ok(existsSync(join(proj, 'node_modules/faultline/package.json')));
    assert.ok(existsSync(join(proj, 'package-lock.json')));

    const bin = join(proj, 'node_modules/.bin/faultline');
    const buggy = run(proj, bin, ['check', EXAMPLE, '--no-trace']);
    assert.equal(buggy.code, 1, buggy.err);
    assert.match(buggy.out, /^read-retry:whole-buffer \(pages=3 capacity=2 reclaim=1\): VIOLATED$/m);
    assert.match(buggy.out, /^progress 'read returns' violated: /m);
    // The workflow's own steps, in order, as CI runs them.
    const steps = [...workflow().matchAll(/^ {6}- run: (.*)$/gm)].map((m) => m[1]!);
    assert.deepEqual(steps, ['npm ci', 'npx tsc --noEmit', 'npx faultline gate scenarios --junit faultline-junit.xml --summary "$GITHUB_STEP_SUMMARY"']);
    assert.equal(readFileSync(join(proj, '.github/workflows/faultline.yml'), 'utf8'), workflow());
    const summary = join(scratch, 'step-summary.md');
    for (const step of steps) {
      const line = step === 'npm ci' ? 'npm ci --prefer-offline --no-audit --no-fund' : step;
      const r = run(proj, 'bash', ['-c', line], { GITHUB_STEP_SUMMARY: summary });
      assert.equal(r.code, 0, `${line}\n${r.out}\n${r.err}`);
    }
    assert.match(readFileSync(join(proj, 'faultline-junit.xml'), 'utf8'), /<testsuite name="read-retry:one-page/);
    assert.match(readFileSync(summary, 'utf8'), /^## ✅ faultline gate: 2 as expected, 0 mismatched, 0 inconclusive$/m);

    // `init --shards 2`: the same gate as a matrix of two shard jobs and a merge job, run as CI runs them
    // (each matrix job's steps with its shard, then the merge job's), gives the same report.
    const sharded = shardedWorkflow(2);
    const [gateJob, mergeJob] = sharded.split(/^ {2}merge:$/m).map((job) => [...job.matchAll(/^ {6}- run: (.*)$/gm)].map((m) => m[1]!));
    assert.deepEqual(gateJob, [
      'npm ci',
      'npx tsc --noEmit',
      'npx faultline gate scenarios --shard ${{ matrix.shard }}/2 --format json > gate-${{ matrix.shard }}.json',
    ]);
    assert.deepEqual(mergeJob, ['npm ci', 'npx faultline merge gate-*.json --junit faultline-junit.xml --summary "$GITHUB_STEP_SUMMARY"']);
    const unsharded = readFileSync(join(proj, 'faultline-junit.xml'), 'utf8');
    rmSync(join(proj, 'faultline-junit.xml'));
    writeFileSync(summary, '');
    for (const shard of ['1', '2']) {
      const line: string = gateJob[2]!.split('${{ matrix.shard }}').join(shard);
      const r = run(proj, 'bash', ['-c', line]);
      assert.equal(r.code, 0, `${line}\n${r.out}\n${r.err}`);
    }
    const merged = run(proj, 'bash', ['-c', mergeJob[1]!], { GITHUB_STEP_SUMMARY: summary });
    assert.equal(merged.code, 0, merged.err);
    const untimed = (xml: string) => xml.replace(/ time="[^"]*"/g, '');
    assert.equal(untimed(readFileSync(join(proj, 'faultline-junit.xml'), 'utf8')), untimed(unsharded));
    assert.match(readFileSync(summary, 'utf8'), /^## ✅ faultline gate: 2 as expected, 0 mismatched, 0 inconclusive$/m);
  });
});
