/**
 * What the type-check of a user's scenario file reports (cli/typecheck.ts): errors in the user's own
 * files, never errors inside a library's .d.ts; a file that needs the default lib's DOM globals
 * (`console`), which the first, lean program leaves out, is checked again with them and is clean.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OWN } from '../../cli/load.js';
import { typeErrors } from '../../cli/typecheck.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-typecheck-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const peterson = readFileSync(join(REPO_ROOT, 'examples/peterson.scenario.ts'), 'utf8').replace(/from '\.\.\/[^']*'/g, "from 'faultline'");

/** A folder holding `files`; the type errors of its mine.ts. */
function errorsOf(name: string, files: Readonly<Record<string, string>>): Promise<string[]> {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return typeErrors(join(dir, 'mine.ts'), dir, OWN);
}

describe('type-checking a scenario file', () => {
  it("reports a type error in the user's file, with file:line:col", async () => {
    const errors = await errorsOf('own-error', { 'mine.ts': `${peterson}\nexport const mistake: number = 'three';\n` });
    const line = peterson.split('\n').length + 1;
    assert.deepEqual(errors, [`./mine.ts:${line}:14: Type 'string' is not assignable to type 'number'.`]);
  });

  it("does not report an error that is only inside a library's .d.ts", async () => {
    const errors = await errorsOf('library-error', {
      'node_modules/broken/package.json': JSON.stringify({ name: 'broken', version: '1.0.0', types: 'index.d.ts' }),
      'node_modules/broken/index.d.ts':
        'export declare const size: number;\nexport declare const wrong: NoSuchType;\nexport declare let twice: string;\nexport declare let twice: number;\n',
      'mine.ts': `${peterson}\nimport { size } from 'broken';\nexport const pages: number = size;\n`,
    });
    assert.deepEqual(errors, []);
  });

  it("a file using the default lib's DOM globals is clean (checked again with them), and its real errors still show", async () => {
    const clean = await errorsOf('dom-clean', { 'mine.ts': `${peterson}\nconsole.log('loaded');\n` });
    assert.deepEqual(clean, []);
    const wrong = await errorsOf('dom-error', { 'mine.ts': `${peterson}\nconsole.log('loaded');\nexport const mistake: number = 'three';\n` });
    assert.deepEqual(wrong, [`./mine.ts:${peterson.split('\n').length + 2}:14: Type 'string' is not assignable to type 'number'.`]);
  });

  it("keeps a tsconfig.json's own lib: without DOM, console is an error", async () => {
    const errors = await errorsOf('own-lib', {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, exactOptionalPropertyTypes: true, module: 'NodeNext', target: 'ES2022', lib: ['ES2022'], types: [] },
      }),
      'mine.ts': `${peterson}\nconsole.log('loaded');\n`,
    });
    assert.deepEqual(errors, [
      `./mine.ts:${peterson.split('\n').length + 1}:1: Cannot find name 'console'. Do you need to change your target library? Try changing the 'lib' compiler option to include 'dom'.`,
    ]);
  });

  it("an import of Node's own modules is checked with @types/node where it is found (here, from the test's folder up)", async () => {
    const use = `${peterson}\nimport { threadId } from 'node:worker_threads';\nimport { sep } from 'path';\n`;
    assert.deepEqual(await errorsOf('node-clean', { 'mine.ts': `${use}export const id: number = threadId;\nexport const s: string = sep;\n` }), []);
    assert.deepEqual(await errorsOf('node-wrong', { 'mine.ts': `${use}export const id: string = threadId;\nexport const s: string = sep;\n` }), [
      `./mine.ts:${peterson.split('\n').length + 3}:14: Type 'number' is not assignable to type 'string'.`,
    ]);
  });

  it("without @types/node anywhere up from the current folder, such an import is unchecked, not an error (before: Cannot find module 'node:worker_threads', exit 2)", () => {
    const dir = join(scratch, 'node-bare');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'bare.scenario.ts');
    const counter = readFileSync(join(REPO_ROOT, 'test/cli/fixtures/counter.scenario.ts'), 'utf8').replace(/from '\.\.\/[^']*'/g, "from 'faultline'");
    writeFileSync(file, `import { threadId } from 'node:worker_threads';\n${counter}\nexport const id = threadId;\n`);
    // The executable, type-checking (runBin adds --no-typecheck), from a folder with no node_modules above it.
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/faultline.js'), 'check', file, '--no-trace'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /^counter:count \(n=10\): VIOLATED$/m);
  });
});
