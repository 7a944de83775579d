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

  it("a type error is reported by TypeScript's checker (file:line:col) before any verdict; --no-typecheck skips it", async () => {
    const dir = join(scratch, 'typeerror');
    mkdirSync(dir);
    // tsx strips the types and would run this; TypeScript's checker catches it.
    const broken = `${peterson}\nexport const mistake: number = 'three';\n`;
    writeFileSync(join(dir, 'mine.scenario.ts'), broken);
    const line = broken.split('\n').findIndex((l) => l.includes("mistake: number = 'three'")) + 1;
    const r = await run(dir, ['check', './mine.scenario.ts']);
    assert.deepEqual(
      { code: r.code, out: r.out, err: r.err },
      {
        code: 2,
        out: '',
        err:
          "faultline: scenario file './mine.scenario.ts' has type errors (--no-typecheck skips this check):\n" +
          `./mine.scenario.ts:${line}:14: Type 'string' is not assignable to type 'number'.\n`,
      },
    );
    const skipped = await run(dir, ['check', '--no-typecheck', './mine.scenario.ts']);
    assert.deepEqual({ code: skipped.code, err: skipped.err }, { code: 0, err: '' });
  });

  it("a file whose default export is not a scenario 'exports no scenario'", async () => {
    const dir = join(scratch, 'number');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.scenario.ts'), 'export default 42;\n');
    const r = await run(dir, ['check', './a.scenario.ts']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^faultline: scenario file '\.\/a\.scenario\.ts' exports no scenario \(/);
  });

  it('a helper file beside the scenario resolves faultline, faultline/models and xstate as the scenario does', async () => {
    const dir = join(scratch, 'helper');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'helper.ts'),
      "import { invariant } from 'faultline';\nimport { defineMmu } from 'faultline/models';\nimport { setup } from 'xstate';\n" +
        "export const ready = typeof invariant === 'function' && typeof defineMmu === 'function' && typeof setup === 'function';\n",
    );
    writeFileSync(join(dir, 'mine.scenario.ts'), `import { ready } from './helper.js';\nif (!ready) throw new Error('helper imports missing');\n${peterson}`);
    const r = await run(dir, ['check', './mine.scenario.ts']);
    assert.deepEqual({ code: r.code, err: r.err }, { code: 0, err: '' });
  });
});

// A .js scenario file, as ESM (import) or CommonJS (require): it loads as Node would load it in its folder.
const JS_SCENARIO = `import { createMachine } from 'xstate';
import { defineScenario, int, invariant } from 'faultline';
import { LIMIT } from './limit.js';
const machine = createMachine({ id: 'tick', initial: 'a', context: { n: 0 }, states: { a: { on: { go: 'b' } }, b: { type: 'final' } } });
export default defineScenario({
  id: 'tick', title: 'one step', source: 'test', description: 'a machine that steps once', params: {},
  variants: { once: { description: 'steps once', expected: { verdict: 'holds' }, provenance: { kind: 'hypothetical', why: 'a test' } } },
  defaultVariant: 'once',
  build: () => ({ name: 'tick', world: {}, actors: [{ name: 'T', machine, fields: { n: int(0, 1) } }], properties: [invariant('small', (s) => s.actor('T').context.n < LIMIT)] }),
});
`;
const CJS_SCENARIO = JS_SCENARIO.replace(/^import \{ (.*) \} from '(.*)';$/gm, "const { $1 } = require('$2');").replace('export default', 'module.exports =');

describe('.js scenario files', () => {
  for (const [name, pkg, source, helper] of [
    ['ESM syntax, no package.json', undefined, JS_SCENARIO, 'export const LIMIT = 1;\n'],
    ['ESM syntax, package.json without a type', {}, JS_SCENARIO, 'export const LIMIT = 1;\n'],
    ['ESM syntax, type module', { type: 'module' }, JS_SCENARIO, 'export const LIMIT = 1;\n'],
    ['CommonJS, type commonjs', { type: 'commonjs' }, CJS_SCENARIO, 'exports.LIMIT = 1;\n'],
  ] as const) {
    it(`loads: ${name}`, async () => {
      const dir = join(scratch, `js-${name.replace(/\W+/g, '-')}`);
      mkdirSync(dir);
      if (pkg) writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      writeFileSync(join(dir, 'tick.scenario.js'), source);
      writeFileSync(join(dir, 'limit.js'), helper);
      const r = await run(dir, ['check', './tick.scenario.js']);
      assert.deepEqual({ code: r.code, err: r.err }, { code: 0, err: '' });
      assert.match(r.out, /^tick:once: holds$/m);
    });
  }
});
