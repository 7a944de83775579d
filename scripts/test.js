#!/usr/bin/env node
// Runs every test/**/*.test.ts through Node's built-in test runner with tsx.
// Node 20's `--test` takes no glob patterns and only finds *.test.js by itself, so the list is built here.
// Extra arguments pass through (e.g. `npm test -- --test-name-pattern=peterson`), and any argument that
// names a test file or folder narrows the run to it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
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
// Some tests start the compiled executable (bin/faultline.js runs dist/) or pack the package: build dist/
// first when a source is newer than it (npm install and npm ci build it too, through `prepare`).
function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return /\.(ts|mjs)$/.test(path) ? st.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}
const built = existsSync(join(root, 'dist/cli/main.js')) ? statSync(join(root, 'dist/cli/main.js')).mtimeMs : 0;
const sources = Math.max(...['checker', 'cli', 'models', 'scenarios', 'index.ts', 'tsconfig.build.json'].map((p) => newest(join(root, p))));
if (sources > built) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Test files run two at a time (Node 20's default is one fewer than the cores: one, on a 2-core machine). Each
// file spends much of its time starting up (tsx compiling its imports) or waiting on a child process, so
// two at once take about two thirds of the time. The files that `npm pack` take turns (test/package/packOnce.ts).
const CONCURRENCY = Math.max(2, availableParallelism());
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--import', './test/setup.ts', '--test', '--test-reporter=spec', `--test-concurrency=${CONCURRENCY}`, ...flags, ...files],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
