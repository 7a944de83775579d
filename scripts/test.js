#!/usr/bin/env node
// Runs every test/**/*.test.ts through Node's built-in test runner with tsx.
// Node 20's `--test` takes no glob patterns and only finds *.test.js by itself, so the list is built here.
// Extra arguments pass through (e.g. `npm test -- --test-name-pattern=peterson`), and any argument that
// names a test file or folder narrows the run to it.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(relative(root, path));
  }
  return out;
}

const args = process.argv.slice(2);
const targets = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(join(root, t), []));
if (files.length === 0) {
  console.error(`no test files found under ${targets.join(', ') || 'test/'}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/setup.ts', '--test', '--test-reporter=spec', ...flags, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
