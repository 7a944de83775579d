/**
 * `faultline init`: what it writes and refuses. The whole path a new user takes, end to end (init a
 * project, install faultline from `npm pack` of this repository into it, type-check its scenario, check
 * it, and run the commands of the CI workflow it wrote) is in test/package/pack.test.ts, which shares
 * its `npm pack` with the package's own tests.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { packageName } from '../../cli/commands/init.js';
import { EXAMPLE, shardedWorkflow, VERSIONS } from '../../cli/init/template.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

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
