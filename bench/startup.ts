/**
 * Start-up, end to end: the wall-clock time of whole `faultline` processes (the installed executable,
 * bin/faultline.js, running the compiled build in dist/: run `npm run build` first), median of 5 (wall
 * clock and CPU seconds, from /usr/bin/time), beside
 * SPIN's whole pipeline (`spin -a` + `gcc` + `./pan`) on the retry-ring model at the same parameters.
 * The machine's load average is printed with the figures: start-up is mostly CPU, so a busy machine
 * shows up in every row (the `node -e 0` row is the floor).
 *
 *   node --import tsx bench/startup.ts [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spinModel, type RetryRingParams } from './peers/run-peers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/faultline.js');
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 5;
// 13 states: the smallest retry-ring with a reader that retries and a reclaim that evicts.
const SMALL: RetryRingParams = { readers: 1, pages: 2, capacity: 1, budget: 1, retries: 1 };
const SMALL_FLAGS = Object.entries(SMALL).flatMap(([k, v]) => ['--param', `${k}=${v}`]);

if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
  console.error('bench/startup.ts times the compiled CLI: run `npm run build` first');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'faultline-startup-'));
copyFileSync(join(ROOT, 'docs/tutorial/retry-loop.scenario.ts'), join(scratch, 'retry-loop.scenario.ts'));
writeFileSync(join(scratch, 'retry-ring.pml'), spinModel(SMALL));

const TIMES = join(scratch, 'times.txt');

/** Runs a command under /usr/bin/time: wall-clock and CPU (user + system) seconds. */
function timed(cmd: string, args: readonly string[], cwd: string): { wall: number; cpu: number; status: number | null; stderr: string } {
  const r = spawnSync('/usr/bin/time', ['-o', TIMES, '-f', '%e %U %S', cmd, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const [wall, user, sys] = readFileSync(TIMES, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall: wall!, cpu: user! + sys!, status: r.status, stderr: r.stderr };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall-clock and CPU seconds of RUNS runs of a pipeline of commands (each must exit with `code`). */
function time(steps: readonly (readonly [string, readonly string[]])[], code: number, cwd = scratch): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let w = 0;
    let c = 0;
    for (const [cmd, args] of steps) {
      const r = timed(cmd, args, cwd);
      if (r.status !== code) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      w += r.wall;
      c += r.cpu;
    }
    wall.push(w);
    cpu.push(c);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const faultline = (...args: string[]) => [[process.execPath, [BIN, ...args]]] as const;

const load = (): string => loadavg()[0]!.toFixed(2);
const loadBefore = load();
const rows: [string, string, { wall: number; cpu: number }][] = [
  ['node -e 0', 'the floor: Node itself', time([[process.execPath, ['-e', '0']]], 0)],
  ['faultline --help', 'target <= 0.3 s', time(faultline('--help'), 0)],
  ['faultline check retry-ring (13 states)', 'target <= 0.6 s', time(faultline('check', 'retry-ring', ...SMALL_FLAGS), 0)],
  ['faultline check ./retry-loop.scenario.ts:fixed', 'a user file (4 states), type-checked', time(faultline('check', './retry-loop.scenario.ts:fixed'), 0)],
  [
    'faultline check --no-typecheck ./retry-loop.scenario.ts:fixed',
    'the same, not type-checked',
    time(faultline('check', '--no-typecheck', './retry-loop.scenario.ts:fixed'), 0),
  ],
  ['faultline gate', 'every built-in scenario and variant; target <= 1.5 s', time(faultline('gate', '-q'), 0, ROOT)],
  [
    'spin -a + gcc + ./pan',
    'SPIN end to end, retry-ring at the same parameters (13 states)',
    time(
      [
        ['spin', ['-a', 'retry-ring.pml']],
        ['gcc', ['-w', '-O2', '-DSAFETY', '-DNOREDUCE', '-o', 'pan', 'pan.c']],
        ['./pan', []],
      ],
      0,
    ),
  ],
];
const loadAfter = load();
rmSync(scratch, { recursive: true, force: true });

console.log(`Start-up, median of ${RUNS} whole processes; 1-minute load average ${loadBefore} before, ${loadAfter} after (2 cores).\n`);
console.log('| command | what | wall s | CPU s |\n|---|---|---:|---:|');
for (const [cmd, what, t] of rows) console.log(`| \`${cmd}\` | ${what} | ${t.wall.toFixed(2)} | ${t.cpu.toFixed(2)} |`);
