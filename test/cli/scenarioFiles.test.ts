/**
 * A scenario file of the user's own, outside the clone: a .ts file loads as an ES module whatever its
 * package.json says, and its `faultline` / `xstate` imports resolve to faultline's own copies when its
 * folder has none (cli/scenarioHooks.mjs). runCli runs in-process over a fake IO.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-userfiles-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// examples/peterson.scenario.ts as a user would write it: importing the package by name.
const peterson = readFileSync(join(REPO_ROOT, 'examples/peterson.scenario.ts'), 'utf8').replace(/from '\.\.\/[^']*'/g, "from 'faultline'");

function folder(name: string, packageJson?: object): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  if (packageJson) writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
  writeFileSync(join(dir, 'mine.scenario.ts'), peterson);
  return dir;
}

async function run(cwd: string, argv: readonly string[]) {
  const f = fakeIo(cwd);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('scenario files outside the clone', () => {
  it('imports faultline by name', () => assert.match(peterson, /from 'faultline'/));

  for (const [name, pkg] of [
    ['no package.json', undefined],
    ['package.json of type module', { type: 'module' }],
    ['package.json of type commonjs', { type: 'commonjs' }],
  ] as const) {
    it(`loads with ${name}`, async () => {
      const dir = folder(name.replace(/\W+/g, '-'), pkg);
      const ok = await run(dir, ['check', './mine.scenario.ts']);
      assert.deepEqual({ code: ok.code, err: ok.err }, { code: 0, err: '' });
      assert.match(ok.out, /^peterson:peterson: holds$/m);
      const bad = await run(dir, ['check', './mine.scenario.ts:no-turn', '--trace', 'cex.json']);
      assert.equal(bad.code, 1, bad.err);
    });
  }

  it('a syntax error names the file, line, column and what esbuild found', async () => {
    const dir = join(scratch, 'syntax');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bad.scenario.ts'), 'export default {\n  id: "x",,\n};\n');
    const r = await run(dir, ['check', './bad.scenario.ts']);
    assert.deepEqual(
      { code: r.code, out: r.out, err: r.err },
      { code: 2, out: '', err: `faultline: scenario file './bad.scenario.ts' failed to load: ./bad.scenario.ts:2:10: Expected identifier but found ","\n` },
    );
  });

  it("a file whose default export is not a scenario 'exports no scenario'", async () => {
    const dir = join(scratch, 'number');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.scenario.ts'), 'export default 42;\n');
    const r = await run(dir, ['check', './a.scenario.ts']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^faultline: scenario file '\.\/a\.scenario\.ts' exports no scenario \(/);
  });
});
