#!/usr/bin/env node
// Runs every test/**/*.test.ts with tsx, a few processes at a time. Most files share a process with others
// (scripts/testBatch.js imports a batch of files, each inside a suite named by its path), so tsx and the
// scenario and model imports are paid once per batch, not once per file; the files in ISOLATED below run
// alone, each in its own process, as `node --test` would run every file. Node 20's `--test` takes no glob
// patterns and only finds *.test.js by itself, so the list is built here.
//
// Extra arguments pass through to every process (e.g. `npm test -- --test-name-pattern=peterson`), and any
// argument that names a test file or folder narrows the run to it. `--test-concurrency=N` sets the number
// of processes at a time (default: one more than the cores, at least 3: much of a file's time is spent
// waiting on npm and on the CLI processes it starts). `--test-isolation=process` runs every file alone
// (as `--test-only` does: a batch's suites would hide a file's `only`). Each process's report is printed
// whole when it ends, headed by its wall and CPU seconds (and, for a batch, each file's), then the totals;
// a failed file is named in the report (its suite) and in the list at the end, and the exit code is 1.
//
// The batches and the order come from what each file cost the last time it ran, measured here (wall
// seconds, the file's child processes included; in a batch, from its suite's start to the next's):
// this machine's last run (.cache/test-costs.json, untracked, written after every run), else the committed
// record (test/costs.json, rewritten by `npm test -- --record-costs` after a whole run). A file neither
// knows - a new one - is taken to cost as much as the costliest known file, since nothing says it is cheap.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { childCpu } from './childCpu.js';

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

/**
 * Files that must run alone, each in its own process, and why. Found by reading every test file for what
 * outlives a test in its process: globals it installs, process state it changes and does not restore
 * (process.chdir, process.env, signal or exit handlers), flags its process needs. Every other file restores
 * what it changes (generatedCode.test.ts deletes the FAULTLINE_DUMP_CODE it sets after each test,
 * progress.test.ts clears the Ctrl-C flag) and shares a process.
 */
const ISOLATED = new Map([['test/cli/mermaid.test.ts', 'installs a jsdom window as the global `window` (test/cli/mermaidParser.ts) for Mermaid']]);

/**
 * Files that load TypeScript in their own process, most to type-check scenario files (runCli on a .ts
 * scenario without --no-typecheck): cli/typecheck.ts keeps TypeScript's program and library files for the
 * next check in the same process, so these share batches, and TypeScript's start-up (seconds) is paid by
 * fewer processes. Found by logging which files required typescript (a run of test/cli, docs, roundtrip,
 * examples, golden and library, once) and, for issue14's type-checked helper probe, by reading; a file
 * missing here is still type-checked, only in a batch that pays the start-up again.
 */
const TYPE_CHECKING = new Set([
  'test/cli/badInput.test.ts',
  'test/cli/bounds.test.ts',
  'test/cli/check.test.ts',
  'test/cli/determinism.test.ts',
  'test/cli/formats.test.ts',
  'test/cli/gate.test.ts',
  'test/cli/junitSchema.test.ts',
  'test/cli/merge.test.ts',
  'test/cli/modelErrors.test.ts',
  'test/cli/publicApi.test.ts',
  'test/cli/scenarioFiles.test.ts',
  'test/cli/show.test.ts',
  'test/cli/sweep.test.ts',
  'test/cli/tutorial.test.ts',
  'test/cli/typecheck.test.ts',
  'test/cli/workers.test.ts',
  'test/docs/cliDoc.test.ts',
  'test/docs/readme.test.ts',
  'test/roundtrip/replay.test.ts',
  'test/trust/issue14.test.ts',
]);

const args = process.argv.slice(2);
const targets = args.filter((a) => !a.startsWith('-'));
const record = args.includes('--record-costs');
const lanesFlag = args.find((a) => a.startsWith('--test-concurrency='));
const isolationFlag = args.find((a) => a.startsWith('--test-isolation='));
const flags = args.filter((a) => a.startsWith('-') && a !== '--record-costs' && a !== lanesFlag && a !== isolationFlag);
const lanes = lanesFlag ? Number(lanesFlag.slice('--test-concurrency='.length)) : Math.max(3, availableParallelism() + 1);
if (!Number.isInteger(lanes) || lanes < 1) {
  console.error(`--test-concurrency expects a positive whole number, not '${lanesFlag.slice('--test-concurrency='.length)}'`);
  process.exit(2);
}
const isolation = isolationFlag ? isolationFlag.slice('--test-isolation='.length) : 'batch';
if (isolation !== 'batch' && isolation !== 'process') {
  console.error(`--test-isolation expects 'process' (every file alone) or 'batch' (the default), not '${isolation}'`);
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
const alone = (file) => isolation === 'process' || flags.includes('--test-only') || ISOLATED.has(file);

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
const knownCosts = Object.values(known).filter((c) => typeof c === 'number');
const unknownCost = knownCosts.length ? Math.max(...knownCosts) : 1;
const cost = (file) => (typeof known[file] === 'number' ? known[file] : unknownCost);

// The jobs: a file that runs alone is one; the others are shared out among batches, the costliest file
// first into the cheapest batch so far, so the batches cost about the same. Twice as many batches as lanes
// (when there are files enough), so the lanes still end together when a batch costs more than recorded;
// a batch's start-up (tsx, the imports) costs a few seconds, once. The files in TYPE_CHECKING are batched
// among themselves, in as many of those batches as their share of the cost asks.
const jobs = files.filter(alone).map((file) => ({ files: [file], cost: cost(file) }));
const shared = files.filter((file) => !alone(file));
const total = shared.reduce((sum, file) => sum + cost(file), 0);
const batches = [];
for (const group of [shared.filter((f) => TYPE_CHECKING.has(f)), shared.filter((f) => !TYPE_CHECKING.has(f))]) {
  if (group.length === 0) continue;
  const share = group.reduce((sum, file) => sum + cost(file), 0) / total;
  const own = Array.from({ length: Math.min(group.length, Math.max(1, Math.round(2 * lanes * share))) }, () => ({ files: [], cost: 0, batch: true }));
  for (const file of group.sort((a, b) => cost(b) - cost(a))) {
    const cheapest = own.reduce((min, b) => (b.cost < min.cost ? b : min));
    cheapest.files.push(file);
    cheapest.cost += cost(file);
  }
  batches.push(...own);
}
// A batch's files keep the folder order (the report reads like the tree); the costliest job starts first.
for (const b of batches) b.files.sort((x, y) => files.indexOf(x) - files.indexOf(y));
const queue = [...jobs, ...batches].sort((a, b) => b.cost - a.cost);

/** The total of one kind in a spec report's summary (`ℹ pass 12`), 0 when the file printed none. */
function tally(report, kind) {
  const m = report.match(new RegExp(`^ℹ ${kind} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : 0;
}

// The spec reporter unless the arguments name another (then the totals below count only failed files).
const userReporters = flags.filter((f) => f.startsWith('--test-reporter=')).length;
const userDestinations = flags.filter((f) => f.startsWith('--test-reporter-destination=')).length;
const reporter = userReporters
  ? Array(userReporters - userDestinations).fill('--test-reporter-destination=stdout')
  : ['--test-reporter=spec', '--test-reporter-destination=stdout'];
const KINDS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const totals = Object.fromEntries(KINDS.map((k) => [k, 0]));
const measured = {};
let spent = 0;
// What each file cost, for the next run's order, kept as each process ends (a run stopped halfway keeps
// what it measured). Only a run without a name pattern measures whole files.
const measuring = !flags.some((f) => f.startsWith('--test-name-pattern') || f === '--test-only');
const costsJson = (costs) => `${JSON.stringify(Object.fromEntries(Object.entries(costs).sort(([a], [b]) => (a < b ? -1 : 1))), null, 2)}\n`;
function keep(costs) {
  if (!measuring) return;
  Object.assign(measured, costs);
  const current = Object.entries(readCosts(LOCAL)).filter(([f]) => existsSync(join(root, f)));
  mkdirSync(dirname(LOCAL), { recursive: true });
  writeFileSync(LOCAL, costsJson({ ...Object.fromEntries(current), ...costs }));
}
const failed = [];
const started = Date.now();
const scratch = mkdtempSync(join(tmpdir(), 'faultline-test-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

// CPU seconds spent by the processes and everything they started (the CLIs, npm), from what the runner
// reaped (scripts/childCpu.js). Each process is charged what grew since the last one ended, so two reaped
// at the same instant are charged together to the first; the total is exact. Without /proc (not Linux) no
// CPU is reported.
const cpuAtStart = childCpu();
let cpuSeen = cpuAtStart;
let batchCount = 0;

/** Runs one job - a file alone, or a batch - in its own process and prints its report when it ends. */
function run(job) {
  return new Promise((done) => {
    const t0 = Date.now();
    const id = ++batchCount;
    const costsOut = join(scratch, `costs-${id}.json`);
    const failedOut = join(scratch, `failed-${id}.txt`);
    const entry = job.batch
      ? ['--test-reporter=./scripts/testFailures.js', `--test-reporter-destination=${failedOut}`, 'scripts/testBatch.js', ...job.files]
      : job.files;
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/setup.ts', ...flags, ...reporter, ...entry], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: job.batch ? { ...process.env, FAULTLINE_TEST_COSTS: costsOut } : process.env,
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
      const cpuText = cpu === undefined ? '' : `, ${cpu.toFixed(1)} s CPU`;
      const round = (x) => Math.round(x * 10) / 10;
      for (const k of KINDS) totals[k] += tally(report, k);
      // A batch's own suite and its files' suites are the runner's, not the tests'.
      if (job.batch) totals.suites -= job.files.length + 1;
      let head;
      if (job.batch) {
        const costs = readCosts(costsOut);
        const lines = job.files.map((f) => {
          const c = costs[f];
          return c ? `#   ${f} (${c.wall.toFixed(1)} s, ${c.cpu.toFixed(1)} s CPU)` : `#   ${f} (did not run to its end)`;
        });
        keep(Object.fromEntries(job.files.filter((f) => costs[f]).map((f) => [f, round(costs[f].wall)])));
        head = `# batch of ${job.files.length} files (${seconds.toFixed(1)} s${cpuText}):\n${lines.join('\n')}`;
      } else {
        keep({ [job.files[0]]: round(seconds) });
        head = `# ${job.files[0]} (${seconds.toFixed(1)} s${cpuText}${ISOLATED.has(job.files[0]) ? `, alone: ${ISOLATED.get(job.files[0])}` : ''})`;
      }
      // A process that fails before its tests report (a syntax error, a throw at load) counts as one failure.
      if (code !== 0 && tally(report, 'fail') === 0) totals.fail += 1;
      if (code !== 0) {
        const why = signal ? `signal ${signal}` : `exit ${code}`;
        const names = job.batch && existsSync(failedOut) ? readFileSync(failedOut, 'utf8').split('\n').filter(Boolean) : [];
        if (names.length) failed.push(...names.map((f) => `${f} (in a batch: ${why})`));
        else failed.push(job.batch ? `a batch of ${job.files.join(', ')} (${why})` : `${job.files[0]} (${why})`);
      }
      process.stdout.write(`\n${head}\n${report}`);
      done();
    });
  });
}

async function lane() {
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) await run(job);
}
await Promise.all(Array.from({ length: Math.min(lanes, queue.length) }, lane));

const wall = (Date.now() - started) / 1000;
const cpuEnd = childCpu();
const cpuText = cpuAtStart === undefined || cpuEnd === undefined ? '' : `, ${(cpuEnd - cpuAtStart).toFixed(1)} s CPU`;
console.log(`\n# ${files.length} files in ${batchCount} processes in ${wall.toFixed(1)} s on ${lanes} lanes (${spent.toFixed(1)} s of processes${cpuText})`);
for (const k of KINDS) console.log(`ℹ ${k} ${totals[k]}`);
if (failed.length) console.log(`\nfailed:\n${failed.map((f) => `  ${f}`).join('\n')}`);

if (record) writeFileSync(RECORDED, costsJson(measured));
process.exit(failed.length ? 1 : 0);
