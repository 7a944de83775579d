/**
 * Long runs: the live progress line (drawn through cli-progress on a terminal stderr only, not with
 * --quiet, not for short runs), and Ctrl-C (the interrupt flag) stopping check, gate and sweep with the
 * statistics so far and exit 130.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { interrupt } from '../../cli/interrupt.js';
import { elapsedText, progressLine, progressText } from '../../cli/progress.js';
import { runCli } from '../../cli/program.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-progress-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A terminal whose clock moves one second per reading. */
function terminal(overrides: Parameters<typeof fakeIo>[1] = {}) {
  let t = 0;
  return fakeIo(scratch, { stderrIsTTY: true, columns: 120, now: () => (t += 1000), memory: () => 300 * 1024 * 1024, ...overrides });
}

describe('progress line', () => {
  it('its text: states, depth, rate, memory, elapsed', () => {
    assert.equal(
      progressText('x:y', { states: 1_234_567, transitions: 0, depth: 21, storeBytes: 0 }, 2500, 612 * 1024 * 1024),
      'x:y  1,234,567 states  depth 21  493,827 states/s  612 MiB  0:02',
    );
    assert.equal(elapsedText(3_725_000), '1:02:05');
  });

  it('is drawn on a terminal once the run passes a second, and cleared before the report', async () => {
    const f = terminal();
    const code = await runCli(['check', 'retry-ring', '--no-color'], f.io);
    assert.equal(code, 0);
    const err = f.err();
    assert.match(err, /retry-ring:ring {2}4,\d{3} states {2}depth \d+ {2}[\d,]+ states\/s {2}300 MiB {2}0:0\d/);
    // cli-progress moves to column 1 and clears the line; the last thing written clears it for good.
    assert.match(err, /\x1b\[1G/);
    assert.match(err, /\x1b\[2K$/);
    assert.match(f.out(), /^retry-ring:ring \(readers=2 pages=4 capacity=2 budget=2 retries=2\): holds$/m);
  });

  it('is never drawn with --quiet, when stderr is not a terminal, or for a short run', async () => {
    const quiet = terminal();
    await runCli(['check', 'retry-ring', '--quiet'], quiet.io);
    assert.equal(quiet.err(), '');
    const pipe = terminal({ stderrIsTTY: false });
    await runCli(['check', 'retry-ring'], pipe.io);
    assert.equal(pipe.err(), '');
    const fast = terminal({ now: () => 0 });
    await runCli(['check', 'retry-ring'], fast.io);
    assert.equal(fast.err(), '');
  });

  it('progressLine without a terminal is a no-op', () => {
    const f = fakeIo(scratch);
    const p = progressLine(f.io, 'x', false);
    p.onProgress({ states: 1, transitions: 1, depth: 1, storeBytes: 1 });
    p.stop();
    assert.equal(f.err(), '');
  });
});

describe('Ctrl-C', () => {
  afterEach(() => {
    interrupt.requested = false;
  });

  it('check: the statistics so far, exit 130', async () => {
    interrupt.requested = true;
    const f = fakeIo(scratch);
    assert.equal(await runCli(['check', 'retry-ring', '--no-color'], f.io), 130);
    assert.match(f.out(), /^retry-ring:ring \(.*\): INCONCLUSIVE\n {2}interrupted \(Ctrl-C\): nothing is proven; the statistics so far are below\.$/m);
    assert.match(f.out(), /^[\d,]+ states, [\d,]+ transitions/m);
  });

  it('gate and sweep stop after the interrupted run, exit 130', async () => {
    interrupt.requested = true;
    const g = fakeIo(scratch);
    assert.equal(await runCli(['gate', '--no-color'], g.io), 130);
    assert.match(g.out(), /interrupted \(Ctrl-C\): the remaining scenarios were not run/);
    const s = fakeIo(scratch);
    assert.equal(await runCli(['sweep', 'retry-ring', '--param', 'readers=1..3', '--no-color'], s.io), 130);
    // readers=1 (98 states) ends before the engine's first poll; readers=2 is stopped at it.
    assert.match(s.out(), /^2 points: 1 hold, 0 violated, 1 inconclusive .*\ninterrupted \(Ctrl-C\): the remaining points were not run$/m);
  });
});
