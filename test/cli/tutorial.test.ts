/**
 * docs/tutorial.md cannot rot: every `<!-- file: PATH -->` block must equal that file, and every
 * `<!-- output: faultline ARGS -->` block must equal what the CLI prints for ARGS, run in order in one
 * directory (the replay step reads the trace the check step wrote). Timings, rates and memory are
 * masked on both sides. The library snippet is exercised too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { workflow } from '../../cli/init/template.js';
import { checkScenario, type AnyScenario } from '../../index.js';
import { assertFileBlocks, assertOutputBlocks, docBlocks, docScratch } from '../docs/docBlocks.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

const scratch = docScratch();
after(scratch.remove);
const blocks = docBlocks('docs/tutorial.md');

describe('docs/tutorial.md', () => {
  it('has the blocks this test expects', () => {
    assert.deepEqual(
      blocks.map((b) => `${b.kind}: ${b.what}`),
      [
        'output: faultline check examples/peterson.scenario.ts:no-turn',
        'file: docs/tutorial/retry-loop.scenario.ts',
        'output: faultline check docs/tutorial/retry-loop.scenario.ts',
        'output: faultline replay /tmp/faultline/faultline-retry-loop-buggy.trace.json',
        'output: faultline check docs/tutorial/retry-loop.scenario.ts:fixed',
        'output: faultline sweep docs/tutorial/retry-loop.scenario.ts --param capacity=1..2',
        'output: faultline gate docs/tutorial/retry-loop.scenario.ts',
      ],
    );
  });

  it('shows the scenario file exactly as it is', () => {
    assertFileBlocks('docs/tutorial.md');
  });

  it('shows the real output of every command, in order', async () => {
    await assertOutputBlocks('docs/tutorial.md', scratch.dir);
  });

  it("the CI steps are the ones of the workflow `faultline init` writes: the project's own scenarios", () => {
    const page = readFileSync(join(REPO_ROOT, 'docs/tutorial.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)\n```/.exec(page)![1]!;
    const runs = (text: string): string[] => [...text.matchAll(/- run: (.*)$/gm)].map((m) => m[1]!);
    assert.deepEqual(runs(yaml), runs(workflow()));
    assert.ok(workflow().includes(yaml.replace(/^/gm, '      ')), 'the steps as the workflow writes them');
  });

  it('the library snippet: checkScenario on the tutorial file', async () => {
    const mod = (await import(pathToFileURL(join(REPO_ROOT, 'docs/tutorial/retry-loop.scenario.ts')).href)) as { default: AnyScenario };
    assert.equal(checkScenario(mod.default, { variant: 'fixed' }).result.verdict, 'holds');
    const buggy = checkScenario(mod.default);
    assert.equal(buggy.result.verdict, 'violated');
    assert.equal(buggy.result.violations[0]!.trace.loop, 2);
  });
});
