/** README.md cannot rot: its file blocks equal their files and its output blocks are what the CLI prints. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { checkScenario, findScenario } from '../../index.js';
import { scenarios } from '../../scenarios/index.js';
import { fakeIo } from '../cli/fakeIo.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { assertFileBlocks, assertOutputBlocks, docBlocks, docScratch } from './docBlocks.js';

const scratch = docScratch();
after(scratch.remove);
const blocks = docBlocks('README.md');

describe('README.md', () => {
  it('has the blocks this test expects', () => {
    assert.deepEqual(
      blocks.map((b) => `${b.kind}: ${b.what}`),
      ['output: faultline check stable-pages', 'file: examples/first-loop.scenario.ts', 'output: faultline check examples/first-loop.scenario.ts'],
    );
  });
  it('shows files exactly as they are', () => {
    assertFileBlocks('README.md');
  });
  it('shows the real output of every command', async () => {
    await assertOutputBlocks('README.md', scratch.dir);
  });
  it('the library snippet does what it says', () => {
    const run = checkScenario(findScenario('fault-in-window')!, { variant: 'whole-buffer', params: { pages: 3 } });
    assert.equal(run.result.verdict, 'violated');
    assert.notEqual(run.result.violations[0]!.trace.loop, undefined);
  });

  it('the scenario table lists every scenario and every variant', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const sc of scenarios) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${sc.id}\` |`));
      assert.ok(row, `a row for ${sc.id}`);
      for (const v of Object.keys(sc.variants)) assert.match(row, new RegExp(`\`${v}\``), `${sc.id}:${v}`);
    }
  });

  it('the unfair-reclaim paragraph: first an assertion on tries, then, counting to the limit, the lasso', async () => {
    // Imported by name, as a user's file does (it resolves to this faultline).
    const original = readFileSync(join(REPO_ROOT, 'examples/first-loop.scenario.ts'), 'utf8').replace("'../index.js'", "'faultline'");
    const unfair = original.replace(
      "{ name: 'reclaim', kind: 'environment', budget, machine: reclaim, fields: {} }",
      "{ name: 'reclaim', machine: reclaim, fields: {}, fairness: 'none' as const }",
    );
    const saturated = unfair.replace('tries: ({ context }) => context.tries + 1', 'tries: ({ context }) => Math.min(context.tries + 1, 3)');
    assert.notEqual(unfair, original);
    assert.notEqual(saturated, unfair);
    const run = async (name: string, text: string) => {
      writeFileSync(join(scratch.dir, name), text);
      const f = fakeIo(scratch.dir);
      return { code: await runCli(['check', `./${name}`, '--no-color'], f.io), out: f.out() };
    };
    const a = await run('unfair.scenario.ts', unfair);
    assert.equal(a.code, 1);
    assert.match(a.out, /^assertion 'assertion' violated: CPU0\.tries = 4 is outside its domain 0\.\.3$/m);
    const b = await run('saturated.scenario.ts', saturated);
    assert.equal(b.code, 1);
    assert.match(
      b.out,
      /^progress 'read returns' violated: CPU0 eventually reaches a final state: a fair cycle of 3 steps \(reclaim, CPU0\) repeats forever without progress$/m,
    );
    assert.match(b.out, /^ {4}-- loop: steps 9\.\.11 repeat forever --$/m);
  });

  it("gate --help's example names files that exist", async () => {
    const f = fakeIo(REPO_ROOT);
    assert.equal(await runCli(['gate', '--help'], f.io), 0);
    assert.match(f.out(), /^ {2}faultline gate examples\/\*\.scenario\.ts$/m);
  });
});
