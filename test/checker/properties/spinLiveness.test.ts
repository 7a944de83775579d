/**
 * Differential: faultline's `terminates('P0')` verdict against SPIN's for `ltl { <> done[0] }` under weak
 * fairness (`pan -a -f`), on the models of maximalRunModels.ts - runs that stop, fair cycles, and runs
 * that finish. SPIN reads "eventually" on maximal runs (a run that stops is stretched by stuttering), as
 * faultline now does. Needs `spin` and a C compiler (.ci/run installs spin); a missing tool fails the
 * test with that reason rather than skipping it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { check } from '../../../checker/index.js';
import { maximalRunCases } from './maximalRunModels.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-spin-liveness-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`'${cmd}' is not installed (apt-get install spin gcc): this test compares faultline with SPIN`, { cause: e });
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: e });
  }
}

/** SPIN's verdict: 'violated' when pan finds an acceptance cycle of the negated formula. */
function spinVerdict(name: string, promela: string): 'holds' | 'violated' {
  const cwd = join(dir, name);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'model.pml'), promela);
  run('spin', ['-a', 'model.pml'], cwd);
  // Unoptimised: these models have a few dozen states, so pan's speed does not matter and -O1 only
  // doubled the compile (0.9 against 0.4 CPU s a model).
  run('cc', ['-O0', '-DNFAIR=3', '-o', 'pan', 'pan.c'], cwd);
  const out = run('./pan', ['-a', '-f', '-n'], cwd);
  const errors = /errors: (\d+)/.exec(out);
  assert.ok(errors, `pan printed no error count:\n${out}`);
  return errors[1] === '0' ? 'holds' : 'violated';
}

describe('liveness verdicts agree with SPIN (<> done[0], weak fairness)', () => {
  for (const c of maximalRunCases) {
    it(`${c.name}: both say ${c.verdict}`, () => {
      assert.equal(spinVerdict(c.name, c.promela), c.verdict, 'SPIN');
      assert.equal(check(c.system).verdict, c.verdict, 'faultline');
    });
  }
});
