/**
 * Golden files: the exact text a formatter must produce, kept under test/golden/ and compared byte for
 * byte.
 *
 * After an intended change of output, rewrite them and review the diff before committing:
 *
 *   UPDATE_GOLDEN=1 npm test -- test/golden test/cli
 *   git diff test/golden
 *
 * Without UPDATE_GOLDEN a missing or different golden file fails the test.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = fileURLToPath(new URL('.', import.meta.url));

/** True when the run was asked to rewrite golden files (UPDATE_GOLDEN=1). */
export const updating = process.env.UPDATE_GOLDEN === '1';

/** Asserts `actual` equals test/golden/`name` exactly; with UPDATE_GOLDEN=1 writes it instead. */
export function assertGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (updating) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) assert.fail(`golden file test/golden/${name} is missing; create it with UPDATE_GOLDEN=1 npm test`);
  const expected = readFileSync(path, 'utf8');
  assert.equal(actual, expected, `output differs from test/golden/${name} (if the change is intended: UPDATE_GOLDEN=1 npm test, then review git diff)`);
}
