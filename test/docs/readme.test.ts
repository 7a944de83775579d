/** README.md cannot rot: its file blocks equal their files and its output blocks are what the CLI prints. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkScenario, findScenario } from '../../index.js';
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
});
