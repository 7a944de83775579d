/**
 * scripts/testBatch.js, the process npm test runs a batch of test files in: each file's tests and top-level
 * hooks in a suite named by its path, a failure named with its file (the spec report and the failed-files
 * reporter, scripts/testFailures.js), exit 1 on any failure, a file that throws while loading a failure of
 * its own that does not stop the others, and each file's cost written where FAULTLINE_TEST_COSTS says.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../scenarios/allScenarios.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-batch-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('a batch of test files in one process', () => {
  const files = ['hooks', 'throwsOnLoad', 'fails'].map((f) => `test/scripts/fixtures/${f}.mjs`);
  const failedOut = join(scratch, 'failed.txt');
  const costsOut = join(scratch, 'costs.json');
  const r = spawnSync(
    process.execPath,
    [
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/testFailures.js',
      `--test-reporter-destination=${failedOut}`,
      'scripts/testBatch.js',
      ...files,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FAULTLINE_TEST_COSTS: costsOut } },
  );

  it('exits 1 and names the files that failed, the one that threw while loading too', () => {
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.deepEqual(readFileSync(failedOut, 'utf8').split('\n').filter(Boolean), [files[1], files[2]]);
  });

  it("reports each test inside its file's suite, hooks applying to their own file only", () => {
    assert.match(r.stdout, /^ {2}▶ test\/scripts\/fixtures\/hooks\.mjs\n {4}✔ hooks: first .*\n {4}✔ hooks: second /m);
    assert.match(r.stdout, /^ {2}✖ test\/scripts\/fixtures\/throwsOnLoad\.mjs .*\n\s*Error: thrown while loading/m);
    assert.match(r.stdout, /^ {4}✖ fails: the other file is over, its afterEach did not run here .*\n[^]*2 !== 3/m);
    // The test the throwing file declared before it threw is cancelled.
    assert.match(r.stdout, /^ℹ tests 4\nℹ suites 4\nℹ pass 2\nℹ fail 1\nℹ cancelled 1$/m);
  });

  it("writes each file's wall and CPU seconds", () => {
    const costs = JSON.parse(readFileSync(costsOut, 'utf8')) as Record<string, { wall: number; cpu: number }>;
    assert.deepEqual(Object.keys(costs).sort(), [...files].sort());
    for (const c of Object.values(costs)) assert.ok(c.wall >= 0 && c.cpu >= 0);
  });
});
