/**
 * `--brief` on `check` and `replay`: the counterexample in the commit-message style (formatTraceText's
 * brief option) in the text report, the same trace from a replay, and exit 2 with any other format.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-brief-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

/** The trace block of a text report: from the header line to the first blank line after it. */
function traceOf(out: string): string {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => /^ +CPU0 +CPU1$/.test(l));
  assert.ok(start >= 0, out);
  return lines.slice(start, lines.indexOf('', start)).join('\n');
}

describe('--brief', () => {
  it('check --brief prints step numbers and labels only, within 72 columns; replay --brief prints the same trace', async () => {
    const c = await cli(['check', 'gfs2-mmap-deadlock:faults-enabled-abba', '--brief', '--trace', 'abba.json']);
    assert.equal(c.code, 1, c.err);
    const trace = traceOf(c.out);
    assert.deepEqual(trace.split('\n').slice(0, 3), [
      '   CPU0                             CPU1',
      '   ----                             ----',
      '1  gfs2_glock_nq(F, EX): granted',
    ]);
    assert.doesNotMatch(trace, /state: |\|/);
    for (const line of trace.split('\n')) assert.ok(line.length <= 72, line);
    const r = await cli(['replay', 'abba.json', '--brief']);
    assert.equal(r.code, 1, r.err);
    assert.equal(traceOf(r.out), trace);
  });

  it('without --brief the full trace (fields and column rules) is printed', async () => {
    const c = await cli(['check', 'gfs2-mmap-deadlock:faults-enabled-abba', '--trace', 'abba-full.json']);
    assert.match(c.out, /^ +CPU0 +\| CPU1$/m);
    assert.match(c.out, /state: lock -> copy/);
  });

  for (const format of ['json', 'markdown', 'junit']) {
    it(`--brief with --format ${format} is bad input (exit 2)`, async () => {
      const r = await cli(['check', 'stable-pages', '--brief', '--format', format]);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.equal(r.err, `faultline: --brief applies to --format text only, not ${format}\n`);
    });
  }
});
