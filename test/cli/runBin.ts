/**
 * The compiled executable (bin/faultline.js, after `npm run build`) as a user runs it, in a child process:
 * no type-check of the scenario file (test/cli/typecheck.test.ts's subject: seconds a process), no colour,
 * and a generous outer limit that only catches a hang (tests time nothing).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

export function runBin(args: readonly string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/faultline.js'), ...args, '--no-typecheck'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
