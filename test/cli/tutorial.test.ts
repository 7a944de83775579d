/**
 * docs/tutorial.md cannot rot: every `<!-- file: PATH -->` block must equal that file, and every
 * `<!-- output: faultline ARGS -->` block must equal what the CLI prints for ARGS, run in order in one
 * directory (the replay step reads the trace the check step wrote). Timings, rates and memory are
 * masked on both sides. The library snippet is exercised too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { checkScenario, type AnyScenario } from '../../index.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-tutorial-'));
for (const dir of ['docs', 'examples']) symlinkSync(join(REPO_ROOT, dir), join(scratch, dir), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

const page = readFileSync(join(REPO_ROOT, 'docs/tutorial.md'), 'utf8');
const BLOCK = /<!-- (file|output): (.+?) -->\n(`{3,})[a-z]*\n([\s\S]*?)\n\3/g;
const blocks = [...page.matchAll(BLOCK)].map((m) => ({ kind: m[1]!, what: m[2]!, body: m[4]! + '\n' }));

/** Masks what depends on the machine and the moment. */
function mask(text: string): string {
  return text
    .replace(/, [\d,]+ states\/s/g, '')
    .replace(/, peak \d+(\.\d+)? (B|KiB|MiB|GiB)/g, '')
    .replace(/\d+\.\d\d/g, '#.##');
}

describe('docs/tutorial.md', () => {
  it('has the blocks this test expects', () => {
    assert.deepEqual(
      blocks.map((b) => `${b.kind}: ${b.what}`),
      [
        'output: faultline check examples/peterson.scenario.ts:no-turn',
        'file: docs/tutorial/retry-loop.scenario.ts',
        'output: faultline check docs/tutorial/retry-loop.scenario.ts',
        'output: faultline replay faultline-retry-loop-buggy.trace.json',
        'output: faultline check docs/tutorial/retry-loop.scenario.ts:fixed',
        'output: faultline sweep docs/tutorial/retry-loop.scenario.ts --param capacity=1..2',
        'output: faultline gate docs/tutorial/retry-loop.scenario.ts',
      ],
    );
  });

  it('shows the scenario file exactly as it is', () => {
    for (const b of blocks.filter((x) => x.kind === 'file')) assert.equal(b.body, readFileSync(join(REPO_ROOT, b.what), 'utf8'), b.what);
  });

  it('shows the real output of every command, in order', async () => {
    for (const b of blocks.filter((x) => x.kind === 'output')) {
      const argv = b.what.split(' ').slice(1);
      const f = fakeIo(scratch);
      await runCli(argv, f.io);
      assert.equal(f.err(), '', b.what);
      assert.equal(mask(f.out()), mask(b.body), b.what);
    }
  });

  it('the library snippet: checkScenario on the tutorial file', async () => {
    const mod = (await import(pathToFileURL(join(REPO_ROOT, 'docs/tutorial/retry-loop.scenario.ts')).href)) as { default: AnyScenario };
    assert.equal(checkScenario(mod.default, { variant: 'fixed' }).result.verdict, 'holds');
    const buggy = checkScenario(mod.default);
    assert.equal(buggy.result.verdict, 'violated');
    assert.equal(buggy.result.violations[0]!.trace.loop, 2);
  });
});
