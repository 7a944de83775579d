/**
 * Ctrl-C, as a user presses it (issue 14, item 7): the executable is started as a child process, and
 * SIGINT is sent once the model says it is running. A run that polls stops at its next poll and prints
 * what it explored (exit 130); model code in an endless loop is ended by the watchdog, with the reason.
 * Nothing is timed: the only clock is the child's own watchdog grace period.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT } from '../../cli/exitCodes.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

const BIN = join(REPO_ROOT, 'bin/faultline.js');
const FIXTURES = join(REPO_ROOT, 'test/cli/fixtures');

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI and sends SIGINT once the model has written "running" to stderr. */
function interrupted(args: readonly string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--no-typecheck', '--no-trace'], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && err.includes('running\n')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('Ctrl-C ends every kind of run with the statistics so far (exit 130)', () => {
  for (const strategy of ['bfs', 'dfs', 'random', 'pct']) {
    it(`${strategy}: the run stops at its next poll and reports what it explored`, async () => {
      const sampling = strategy === 'random' || strategy === 'pct';
      const r = await interrupted([
        'check',
        join(FIXTURES, 'announced-counter.scenario.ts'),
        '-p',
        'n=1000000000',
        '-s',
        strategy,
        ...(sampling ? ['--max-depth', '100000000', '--executions', '1000'] : ['--max-states', '1000000000']),
      ]);
      assert.equal(r.signal, null, r.err);
      assert.equal(r.code, EXIT.INTERRUPTED, r.err + r.out);
      assert.match(r.out, /INCONCLUSIVE/);
      assert.match(r.out, /interrupted \(Ctrl-C\)/);
      assert.match(r.out, /the statistics so far/);
      assert.doesNotMatch(r.err + r.out, /internal error|bug in faultline/);
    });
  }

  it('model code in an endless loop: the watchdog ends the run and says why', async () => {
    const r = await interrupted(['check', join(FIXTURES, 'announced-endless.scenario.ts')]);
    assert.equal(r.signal, null, r.err);
    assert.equal(r.code, EXIT.INTERRUPTED);
    assert.equal(r.err, 'running\nfaultline: interrupted (Ctrl-C) and the run did not stop by itself, so it was ended (model code in an endless loop?)\n');
  });
});
