/**
 * Colour only on a terminal and never with NO_COLOR or --no-color; and the bounds (--max-states,
 * --timeout, --max-memory, and their environment variables) ending check, gate and sweep as
 * inconclusive, exit 3.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-terminal-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const ANSI = /\x1b\[\d+m/;

async function cli(argv: readonly string[], overrides: Parameters<typeof fakeIo>[1] = {}) {
  const f = fakeIo(scratch, overrides);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('colour', () => {
  const argvs = [
    ['gate', '--filter', 'retry-ring:ring'],
    ['check', 'retry-ring', '--param', 'readers=1'],
    ['sweep', 'retry-ring', '--param', 'readers=1..2'],
  ];
  it('on a terminal stdout', async () => {
    for (const argv of argvs) assert.match((await cli(argv, { stdoutIsTTY: true })).out, ANSI, argv.join(' '));
  });
  it('never with NO_COLOR, --no-color, or when stdout is not a terminal', async () => {
    for (const argv of argvs) {
      assert.doesNotMatch((await cli(argv, { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).out, ANSI);
      assert.doesNotMatch((await cli([...argv, '--no-color'], { stdoutIsTTY: true })).out, ANSI);
      assert.doesNotMatch((await cli(argv)).out, ANSI);
    }
  });
});

describe('bounds end a run as inconclusive (exit 3)', () => {
  /** A clock at 5 s per reading, so any --timeout of a second or more is passed at the first poll. */
  const slow = () => {
    let t = 0;
    return { now: () => (t += 5000) };
  };
  const big = { memory: () => 4 * 2 ** 30 };
  const runs = [
    ['check', 'retry-ring'],
    ['gate', '--filter', 'retry-ring:ring'],
    ['sweep', 'retry-ring', '--param', 'readers=2'],
  ];

  it('--max-states, --timeout, --max-memory', async () => {
    for (const argv of runs) {
      assert.equal((await cli([...argv, '--max-states', '100'])).code, 3, `${argv.join(' ')} --max-states`);
      assert.equal((await cli([...argv, '--timeout', '1'], slow())).code, 3, `${argv.join(' ')} --timeout`);
      assert.equal((await cli([...argv, '--max-memory', '1024'], big)).code, 3, `${argv.join(' ')} --max-memory`);
    }
  });

  it('the environment variables set the same bounds; a flag wins', async () => {
    assert.equal((await cli(['check', 'retry-ring'], { env: { FAULTLINE_MAX_STATES: '100' } })).code, 3);
    assert.equal((await cli(['check', 'retry-ring'], { env: { FAULTLINE_TIMEOUT: '1' }, ...slow() })).code, 3);
    assert.equal((await cli(['check', 'retry-ring'], { env: { FAULTLINE_MAX_MEMORY: '1024' }, ...big })).code, 3);
    assert.equal((await cli(['check', 'retry-ring', '--max-states', '1000000'], { env: { FAULTLINE_MAX_STATES: '100' } })).code, 0);
    const bad = await cli(['check', 'retry-ring'], { env: { FAULTLINE_MAX_STATES: 'lots' } });
    assert.equal(bad.code, 2);
    assert.equal(bad.err, "faultline: FAULTLINE_MAX_STATES expects a positive whole number, not 'lots'\n");
  });

  it('the report says what stopped the run', async () => {
    const { out } = await cli(['check', 'retry-ring', '--max-memory', '1024', '--no-color'], big);
    assert.match(out, /^ {2}memory limit of 1024 MiB reached; raise --max-memory or lower the parameters; nothing is proven\./m);
  });
});
