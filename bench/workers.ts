/**
 * `--workers N` against one thread on retry-ring 3,6,3,3,3 (the 9.3M-state row, unreduced): each run a
 * whole compiled process (`npm run build` first), N = 1 and N = 2 taking turns so that the machine's load
 * falls on both alike; prints the median of each, the speed-up, the counts (which must be equal) and the
 * 1-minute load average before and after. A figure for BENCHMARKS.md, never an assertion.
 *   node --import tsx bench/workers.ts [--runs 3] [--params 3,6,3,3,3] [--workers 2]
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const at = argv.indexOf(name);
  return at >= 0 ? (argv[at + 1] ?? fallback) : fallback;
};
const runs = Math.max(1, Number(flag('--runs', '3')));
const workers = Math.max(2, Number(flag('--workers', '2')));
const [readers, pages, capacity, budget, retries] = flag('--params', '3,6,3,3,3').split(',');
const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

interface Run {
  readonly states: number;
  readonly transitions: number;
  /** The check itself (stats.seconds: starting the workers, the search, the traces). */
  readonly seconds: number;
  /** The whole process. */
  readonly wall: number;
  readonly peakMiB: number;
}

function once(n: number): Run {
  const params = { readers, pages, capacity, budget, retries };
  const args = [main, 'check', 'retry-ring:ring', '--format', 'json', '--no-trace', ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])];
  if (n > 1) args.push('--workers', String(n));
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats = (JSON.parse(out) as { stats: { states: number; transitions: number; seconds: number; peakMemoryBytes: number } }).stats;
  return { states: stats.states, transitions: stats.transitions, seconds: stats.seconds, wall, peakMiB: stats.peakMemoryBytes / 2 ** 20 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const before = loadavg()[0]!;
const one: Run[] = [];
const many: Run[] = [];
for (let r = 0; r < runs; r++) {
  one.push(once(1));
  many.push(once(workers));
}
const after = loadavg()[0]!;
const same = [...one, ...many].every((x) => x.states === one[0]!.states && x.transitions === one[0]!.transitions);
const row = (label: string, xs: Run[]): string =>
  `| ${label} | ${xs[0]!.states.toLocaleString('en-US')} | ${xs[0]!.transitions.toLocaleString('en-US')} | ${median(xs.map((x) => x.seconds)).toFixed(2)} | ${median(xs.map((x) => x.wall)).toFixed(2)} | ${Math.round(median(xs.map((x) => x.peakMiB)))} MiB |`;
console.log(
  `retry-ring:ring ${[readers, pages, capacity, budget, retries].join(',')}, ${runs} runs each, ${cpus().length} cores; load average ${before.toFixed(2)} before, ${after.toFixed(2)} after`,
);
console.log('| threads | states | transitions | check s (median) | process s (median) | peak RSS |');
console.log('|---|---:|---:|---:|---:|---:|');
console.log(row('1', one));
console.log(row(String(workers), many));
console.log(`speed-up (check s): ${(median(one.map((x) => x.seconds)) / median(many.map((x) => x.seconds))).toFixed(2)}x; counts ${same ? 'equal' : 'DIFFER'}`);
console.log(
  `all runs, check s: 1 thread ${one.map((x) => x.seconds.toFixed(2)).join(' ')}; ${workers} threads ${many.map((x) => x.seconds.toFixed(2)).join(' ')}`,
);
