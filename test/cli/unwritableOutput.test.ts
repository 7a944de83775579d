/**
 * Output that cannot be written never turns a failure into a pass: the real executable (bin/faultline.js,
 * over the dist/ that scripts/test.js rebuilds when a source is newer; a check runs in a worker thread
 * that relays its output to cli/main.ts's thread) exits with the verdict's code when stdout is
 * /dev/full (ENOSPC) or a pipe closed early (EPIPE); a run whose code would be 0 but whose report was lost
 * (not a closed pipe) exits 2 with one line on stderr. These spawn child processes (about a second each).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

// The compiled executable, as users run it: from the sources through tsx, each run would first compile
// faultline and type-check the gate fixture against faultline's .ts sources (seconds a process).
const BIN = [join(REPO_ROOT, 'bin/faultline.js')];
const scratch = mkdtempSync(join(tmpdir(), 'faultline-unwritable-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const FULL = existsSync('/dev/full');

/** Runs faultline with stdout on /dev/full. */
function toFull(args: readonly string[]): { code: number | null; stderr: string } {
  const fd = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [...BIN, ...args], {
      cwd: scratch,
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.status, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

/** Runs faultline with stdout on a pipe whose reader is gone before the first write (like `| head -0`): EPIPE. */
function closedEarly(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...BIN, ...args], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.destroy();
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

// Type-checking the fixture (seconds of TypeScript a process) is test/cli/scenarioFiles.test.ts's subject, not this file's.
const GATE_FIXTURE = join(REPO_ROOT, 'test/cli/gate-fixtures/counter.scenario.ts');

describe('output that cannot be written', { skip: FULL ? false : 'no /dev/full here' }, () => {
  it('check: a violation on /dev/full still exits 1', () => {
    const r = toFull(['check', 'stable-pages', '--trace', join(scratch, 'sp.trace.json')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
  });

  it('check: a pass whose report is lost exits 2 with one line', () => {
    const r = toFull(['check', 'stable-pages:pin-via-fault']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'faultline: cannot write the report: ENOSPC\n');
  });

  it('list (run in the main thread, no worker): a report that is lost exits 2 with one line', () => {
    const r = toFull(['list']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'faultline: cannot write the report: ENOSPC\n');
  });

  it('gate: a mismatch on /dev/full still exits 1', () => {
    const r = toFull(['gate', GATE_FIXTURE, '-q', '--no-typecheck']);
    assert.equal(r.code, 1);
  });

  it('gate --junit /dev/full: a clear gate without its report exits 2', () => {
    const r = spawnSync(process.execPath, [...BIN, 'gate', GATE_FIXTURE, '--filter', 'counter:holds', '--junit', '/dev/full', '-q', '--no-typecheck'], {
      cwd: scratch,
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "faultline: cannot write '/dev/full': ENOSPC\n");
  });

  it('replay piped into a pipe closed early still exits 1 (reproduced), quietly', async () => {
    const trace = join(scratch, 'replay.trace.json');
    assert.equal(spawnSync(process.execPath, [...BIN, 'check', 'stable-pages', '--trace', trace, '--format', 'json'], { cwd: scratch }).status, 1);
    const r = await closedEarly(['replay', trace]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
  });

  it('a passing run piped into a pipe closed early exits 0', async () => {
    const r = await closedEarly(['list']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
  });
});
