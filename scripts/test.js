#!/usr/bin/env node
// Runs every test/**/*.test.ts, each file in its own node process with tsx (as `node --test` would: the same
// flags, one process per file), a few files at a time, the costliest first, so the lanes end together.
// Node 20's `--test` takes no glob patterns and only finds *.test.js by itself, so the list is built here.
//
// Extra arguments pass through to every file (e.g. `npm test -- --test-name-pattern=peterson`), and any
// argument that names a test file or folder narrows the run to it. `--test-concurrency=N` sets the number
// of lanes (default: one more than the cores, at least 3: much of a file's time is spent waiting on npm and
// on the CLI processes it starts, measured 1.2 cores busy of 2 with two lanes). Each file's report is printed
// whole when it ends, headed by its wall and CPU seconds, then the totals.
//
// The order comes from what each file cost the last time it ran, measured here (wall seconds, the file's
// startup and child processes included): this machine's last run (.cache/test-costs.json,
// untracked, written after every run), else the committed record (test/costs.json, rewritten by
// `npm test -- --record-costs` after a whole run). A file neither knows - a new one - runs first, since
// nothing says it is cheap.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const RECORDED = join(root, 'test/costs.json');
const LOCAL = join(root, '.cache/test-costs.json');

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
const record = args.includes('--record-costs');
const lanesFlag = args.find((a) => a.startsWith('--test-concurrency='));
const flags = args.filter((a) => a.startsWith('-') && a !== '--record-costs' && a !== lanesFlag);
const lanes = lanesFlag ? Number(lanesFlag.slice('--test-concurrency='.length)) : Math.max(3, availableParallelism() + 1);
if (!Number.isInteger(lanes) || lanes < 1) {
  console.error(`--test-concurrency expects a positive whole number, not '${lanesFlag.slice('--test-concurrency='.length)}'`);
  process.exit(2);
}
const files = (targets.length ? targets : ['test']).flatMap((t) => collect(join(root, t), []));
if (files.length === 0) {
  console.error(`no test files found under ${targets.join(', ') || 'test/'}`);
  process.exit(2);
}
if (record && (targets.length || flags.some((f) => f.startsWith('--test-name-pattern') || f === '--test-only'))) {
  console.error('--record-costs records a whole run: give no test files, folders or name patterns');
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

/** `{ file: seconds }` from a cost file, or {} when there is none (or it is not one). */
function readCosts(path) {
  try {
    const costs = JSON.parse(readFileSync(path, 'utf8'));
    return costs && typeof costs === 'object' && !Array.isArray(costs) ? costs : {};
  } catch {
    return {};
  }
}
const known = { ...readCosts(RECORDED), ...readCosts(LOCAL) };
const cost = (file) => (typeof known[file] === 'number' ? known[file] : Infinity);
// Longest first, unknown files before all; the sort is stable, so ties keep the folder order.
const queue = [...files].sort((a, b) => (cost(a) === cost(b) ? 0 : cost(a) > cost(b) ? -1 : 1));

/** The total of one kind in a spec report's summary (`ℹ pass 12`), 0 when the file printed none. */
function tally(report, kind) {
  const m = report.match(new RegExp(`^ℹ ${kind} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : 0;
}

// The spec reporter unless the arguments name another (then the totals below count only failed files).
const reporter = flags.some((f) => f.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
const KINDS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const totals = Object.fromEntries(KINDS.map((k) => [k, 0]));
const measured = {};
let spent = 0;
// What each file cost, for the next run's order, kept as each file ends (a run stopped halfway keeps what
// it measured). Only a run without a name pattern measures whole files.
const measuring = !flags.some((f) => f.startsWith('--test-name-pattern') || f === '--test-only');
const costsJson = (costs) => `${JSON.stringify(Object.fromEntries(Object.entries(costs).sort(([a], [b]) => (a < b ? -1 : 1))), null, 2)}\n`;
function keep(file, seconds) {
  if (!measuring) return;
  measured[file] = seconds;
  const current = Object.entries(readCosts(LOCAL)).filter(([f]) => existsSync(join(root, f)));
  mkdirSync(dirname(LOCAL), { recursive: true });
  writeFileSync(LOCAL, costsJson({ ...Object.fromEntries(current), [file]: seconds }));
}
const failed = [];
const started = Date.now();

// CPU seconds spent by the files and everything they started (the CLIs, npm), read from the runner's own
// /proc/self/stat: cutime + cstime grow by a child's whole tree when the child is reaped, in clock ticks
// (USER_HZ, 100 a second on Linux). Each file is charged what grew since the last file ended, so two files
// reaped at the same instant are charged together to the first; the total is exact. Without /proc
// (not Linux) no CPU is reported.
function childCpu() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(')').at(-1).trim().split(' ');
    // After the command's closing parenthesis: state is fields[0], so cutime (field 16) is fields[13].
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}
const cpuAtStart = childCpu();
let cpuSeen = cpuAtStart;

/** Runs one file in its own process and prints its report when it ends. */
function runFile(file) {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/setup.ts', ...reporter, ...flags, file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let report = '';
    let cpu;
    child.stdout.on('data', (d) => (report += d));
    child.stderr.on('data', (d) => (report += d));
    child.on('exit', () => {
      const now = childCpu();
      if (now !== undefined) [cpu, cpuSeen] = [now - cpuSeen, now];
    });
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - t0) / 1000;
      spent += seconds;
      keep(file, Math.round(seconds * 10) / 10);
      for (const k of KINDS) totals[k] += tally(report, k);
      // A file that fails before its tests report (a syntax error, a throw at load) counts as one failure.
      if (code !== 0 && tally(report, 'fail') === 0) totals.fail += 1;
      if (code !== 0) failed.push(`${file} (${signal ? `signal ${signal}` : `exit ${code}`})`);
      const cpuText = cpu === undefined ? '' : `, ${cpu.toFixed(1)} s CPU`;
      process.stdout.write(`\n# ${file} (${seconds.toFixed(1)} s${cpuText})\n${report}`);
      done();
    });
  });
}

async function lane() {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) await runFile(file);
}
await Promise.all(Array.from({ length: Math.min(lanes, files.length) }, lane));

const wall = (Date.now() - started) / 1000;
const cpuEnd = childCpu();
const cpuText = cpuAtStart === undefined || cpuEnd === undefined ? '' : `, ${(cpuEnd - cpuAtStart).toFixed(1)} s CPU`;
console.log(`\n# ${files.length} files in ${wall.toFixed(1)} s on ${lanes} lanes (${spent.toFixed(1)} s of files${cpuText})`);
for (const k of KINDS) console.log(`ℹ ${k} ${totals[k]}`);
if (failed.length) console.log(`\nfailed:\n${failed.map((f) => `  ${f}`).join('\n')}`);

if (record) writeFileSync(RECORDED, costsJson(measured));
process.exit(failed.length ? 1 : 0);
