/** docs/cli.md cannot rot: its marked output blocks (the Markdown report example) are what the CLI prints. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { assertOutputBlocks, docBlocks, docScratch } from './docBlocks.js';

const scratch = docScratch();
after(scratch.remove);

describe('docs/cli.md', () => {
  it('has the blocks this test expects', () => {
    assert.deepEqual(
      docBlocks('docs/cli.md').map((b) => `${b.kind}: ${b.what}`),
      ['output: faultline check examples/peterson.scenario.ts:peterson-unfair --format markdown'],
    );
  });
  it('shows the real output of every command', async () => {
    await assertOutputBlocks('docs/cli.md', scratch.dir);
  });
});
