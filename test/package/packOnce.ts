/**
 * `npm pack` of this repository into `dest`, from the dist/ that is already built (`scripts/test.js` builds
 * it before the tests when a source is newer). Packing with its `prepare` script would rebuild dist/ under
 * the feet of the test files running beside this one that start the compiled executable.
 */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

/** Packs the repository into `dest` and returns npm's JSON report of the tarball. */
export function packFaultline(dest: string): { filename: string; files: { path: string }[] } {
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  return (JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[])[0]!;
}
