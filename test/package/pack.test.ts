/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepare`) holds only what users
 * run; installed into a new project from the tarball, plain `node` imports `faultline` and
 * `faultline/models`, xstate comes with it, `tsc --strict` type-checks a scenario file and the tutorial's
 * library snippet against the shipped .d.ts (never faultline's .ts sources), and the installed
 * `faultline` executable checks the scenario. Spawns npm and tsc: about 20-40 s.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { packFaultline } from './packOnce.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
const project = join(scratch, 'project');
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false' } });
  if (r.error) throw r.error;
  return r;
}

let files: string[] = [];

before(() => {
  const report = [packFaultline(scratch)];
  files = report[0]!.files.map((f) => f.path);
  run('mkdir', ['-p', project], scratch);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-models', private: true, type: 'module' }));
  const installed = run('npm', ['install', '--prefer-offline', '--ignore-scripts', join(scratch, report[0]!.filename)], project);
  assert.equal(installed.status, 0, installed.stderr);
});

describe('the packed package', () => {
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

  it('plain node imports faultline and faultline/models and checks a scenario through the library', () => {
    copyFileSync(join(REPO_ROOT, 'docs/tutorial/retry-loop.scenario.ts'), join(project, 'retry-loop.scenario.ts'));
    const script =
      "import { checkScenario, defineScenario } from 'faultline'; import { defineMmu } from 'faultline/models'; import { createMachine } from 'xstate';" +
      'console.log(typeof checkScenario, typeof defineScenario, typeof defineMmu, typeof createMachine);';
    const r = run(process.execPath, ['--input-type=module', '-e', script], project);
    assert.deepEqual({ status: r.status, out: r.stdout, err: r.stderr }, { status: 0, out: 'function function function function\n', err: '' });
  });

  it('tsc --strict type-checks a scenario file and the library snippet against the .d.ts only', () => {
    writeFileSync(
      join(project, 'snippet.ts'),
      "import { checkScenario } from 'faultline';\nimport { defineMmu } from 'faultline/models';\nimport retryLoop from './retry-loop.scenario.js';\n\n" +
        "const run = checkScenario(retryLoop, { variant: 'fixed' });\nexport const verdict: string = run.result.verdict;\nexport const mmu: unknown = defineMmu;\n",
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
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
    const r = run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.', '--listFiles'], project);
    assert.equal(r.status, 0, r.stdout);
    const faultlineFiles = r.stdout.split('\n').filter((f) => f.includes('/node_modules/faultline/'));
    assert.ok(faultlineFiles.length > 0);
    assert.deepEqual(
      faultlineFiles.filter((f) => !f.endsWith('.d.ts')),
      [],
    );
  });

  it('the installed executable runs the compiled CLI and checks the scenario file', () => {
    const bin = join(project, 'node_modules/.bin/faultline');
    const fixed = run(bin, ['check', './retry-loop.scenario.ts:fixed', '--format', 'json'], project);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.equal((JSON.parse(fixed.stdout) as { verdict: string }).verdict, 'holds');
    const help = run(bin, ['--help'], project);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: faultline/);
  });
});
