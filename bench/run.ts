/**
 * `npm run bench`: measures faultline on its benchmark models, each in a fresh process, and writes the
 * figures with the machine and the date to BENCHMARKS.md. Speed is measured here, never asserted in tests.
 *
 *   npm run bench                 all models, faultline only
 *   npm run bench -- --peers      also SPIN and Rumur on their own encodings of retry-ring (if installed)
 *   npm run bench -- --quick      skip the 9.3M-state row
 *   npm run bench -- --no-write   print only
 *   npm run bench -- --runs 5     cold runs per faultline model (default 3; the median is reported)
 *
 * Per model: states, transitions, seconds (the check itself, cold JIT, in its own process: the median of
 * the runs, since a shared VM varies by 10-20% from run to run), states/s, the largest peak RSS of those
 * processes, and store bytes per state (records plus hash table; shown from 100,000 states, below which
 * the preallocated table dominates).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatParams, KNOWN_COUNTS, runRumur, runSpin, type PeerOutcome } from './peers/run-peers.js';

interface Row {
  tool: string;
  model: string;
  params: string;
  verdict: string;
  states: number;
  transitions: number;
  seconds: number;
  peakRssBytes: number | null;
  storeBytesPerState: number | null;
  note: string;
}

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Math.max(1, Number(argv[runsAt + 1]) || 1) : 3;
const peers = args.has('--peers');
const write = !args.has('--no-write');
const root = fileURLToPath(new URL('..', import.meta.url));
// Anything else running on the machine slows every row (peers included): the load is written down.
const loadAtStart = loadavg()[0]!;

const ringParams = (p: string): string => {
  const [readers, pages, capacity, budget, retries] = p.split(',');
  return `readers=${readers},pages=${pages},capacity=${capacity},budget=${budget},retries=${retries}`;
};

const models: { target: string; params: string; label: string; store?: 'compact' }[] = [
  ...KNOWN_COUNTS.filter((k) => !(quick && k.states > 5_000_000)).map((k) => ({
    target: 'retry-ring:ring',
    params: ringParams(formatParams(k.params)),
    label: formatParams(k.params),
  })),
  { target: 'retry-ring:progress', params: ringParams('3,5,3,2,2'), label: '3,5,3,2,2' },
  // Hash compaction on the largest model: what it saves, and what it costs in time.
  { target: 'retry-ring:ring', params: ringParams(quick ? '3,5,3,2,2' : '3,6,3,3,3'), label: quick ? '3,5,3,2,2' : '3,6,3,3,3', store: 'compact' },
];

function runOne(target: string, params: string, store = 'exact'): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/one.ts', target, params, store], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

const rows: Row[] = [];
const fmt = (n: number): string => n.toLocaleString('en-US');
/** Runs a model `runs` times in fresh processes: the median-seconds run, with the largest peak RSS of all. */
function measure(target: string, params: string, store?: string): Record<string, unknown> {
  const all = Array.from({ length: runs }, () => runOne(target, params, store));
  all.sort((a, b) => Number(a.seconds) - Number(b.seconds));
  const median = all[Math.floor(all.length / 2)]!;
  return { ...median, peakRssBytes: Math.max(...all.map((x) => Number(x.peakRssBytes))), allSeconds: all.map((x) => Number(x.seconds)) };
}

for (const m of models) {
  const r = measure(m.target, m.params, m.store);
  const known = KNOWN_COUNTS.find((k) => formatParams(k.params) === m.label);
  const match =
    known && m.target === 'retry-ring:ring'
      ? known.states === r.states && known.transitions === r.transitions && known.terminalStates === r.terminalStates
        ? 'counts match SPIN/Rumur'
        : 'COUNTS DIFFER from SPIN/Rumur'
      : '';
  const row: Row = {
    tool: 'faultline',
    model: m.store ? `${m.target} --store ${m.store}` : m.target,
    params: m.label,
    verdict: String(r.verdict),
    states: Number(r.states),
    transitions: Number(r.transitions),
    seconds: Number(r.seconds),
    peakRssBytes: Number(r.peakRssBytes),
    storeBytesPerState: Number(r.states) >= 100_000 ? Number(r.storeBytes) / Number(r.states) : null,
    note: m.store ? `${match}; P(a state was missed) <= ${Number(r.omissionProbability).toExponential(1)}` : match,
  };
  rows.push(row);
  const spread = (r.allSeconds as number[]).map((x) => x.toFixed(2)).join(' / ');
  console.log(
    `faultline ${m.target} ${m.label}: ${fmt(row.states)} states, ${fmt(row.transitions)} transitions, ${row.seconds.toFixed(2)} s (runs: ${spread}), ${fmt(Math.round(row.states / row.seconds))} states/s, peak ${(row.peakRssBytes! / 2 ** 20).toFixed(0)} MiB ${match}`,
  );
  if (peers && m.target === 'retry-ring:ring' && !m.store && known) {
    for (const run of [runSpin, runRumur]) {
      const p: PeerOutcome = await run(known.params);
      if ('unavailable' in p) {
        console.log(`${p.tool}: unavailable (${p.unavailable})`);
        continue;
      }
      const prow: Row = {
        tool: `${p.tool} ${p.version}`,
        model: 'retry-ring',
        params: m.label,
        verdict: 'holds',
        states: p.states,
        transitions: p.transitions,
        seconds: p.seconds,
        peakRssBytes: p.peakRssBytes,
        storeBytesPerState: null,
        note: p.command.includes('-DSAFETY') ? 'gcc -O2 -DSAFETY -DNOREDUCE' : 'gcc -O2, 1 thread',
      };
      rows.push(prow);
      console.log(
        `${prow.tool} ${m.label}: ${fmt(prow.states)} states, ${fmt(prow.transitions)} transitions, ${prow.seconds.toFixed(2)} s, ${fmt(Math.round(prow.states / prow.seconds))} states/s`,
      );
    }
  }
}

const safety = rows.find((r) => r.tool === 'faultline' && r.model === 'retry-ring:ring' && r.params === '3,5,3,2,2');
const progress = rows.find((r) => r.model === 'retry-ring:progress');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const date = new Date().toISOString().slice(0, 10);
const table = [
  '| tool | model | N,P,C,B,R | verdict | states | transitions | seconds | states/s | peak RSS | store B/state | note |',
  '|---|---|---|---|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.tool} | ${r.model} | ${r.params} | ${r.verdict} | ${fmt(r.states)} | ${fmt(r.transitions)} | ${r.seconds.toFixed(2)} | ${fmt(Math.round(r.states / r.seconds))} | ${r.peakRssBytes ? `${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB` : '-'} | ${r.storeBytesPerState ? r.storeBytesPerState.toFixed(1) : '-'} | ${r.note} |`,
  ),
].join('\n');
const ratio =
  safety && progress
    ? `\nProgress check on retry-ring 3,5,3,2,2 (every reader returns, weak fairness): ${progress.seconds.toFixed(2)} s against ${safety.seconds.toFixed(2)} s for the safety-only run, ${(progress.seconds / safety.seconds).toFixed(2)}x.\n`
    : '';
// The bars of issue #2 (measured here, never asserted in tests).
const big = rows.find((r) => r.tool === 'faultline' && r.model === 'retry-ring:ring' && r.params === '3,6,3,3,3');
const spinSafety = rows.find((r) => r.tool.startsWith('spin') && r.params === '3,5,3,2,2');
const mark = (ok: boolean): string => (ok ? 'met' : '**not met**');
const bars = [
  '| bar (issue #2) | measured | |',
  '|---|---|---|',
  ...(safety
    ? [
        `| >= 1,000,000 states/s on 3,5,3,2,2 | ${fmt(Math.round(safety.states / safety.seconds))} states/s${spinSafety ? ` (SPIN in the same run: ${fmt(Math.round(spinSafety.states / spinSafety.seconds))})` : ''} | ${mark(safety.states / safety.seconds >= 1e6)} |`,
      ]
    : []),
  ...(big
    ? [
        `| 3,6,3,3,3 in under 15 s | ${big.seconds.toFixed(2)} s | ${mark(big.seconds < 15)} |`,
        `| 3,6,3,3,3 within 400 MiB peak RSS | ${((big.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB (${((big.peakRssBytes ?? 0) / 1e6).toFixed(1)} MB) | ${mark((big.peakRssBytes ?? 0) < 400 * 2 ** 20)} |`,
      ]
    : []),
  ...(safety && progress
    ? [
        `| progress check <= 2x the safety-only run (issue #4) | ${(progress.seconds / safety.seconds).toFixed(2)}x | ${mark(progress.seconds <= 2 * safety.seconds)} |`,
      ]
    : []),
].join('\n');
const md = `# Benchmarks

Written by \`npm run bench\`${peers ? ' -- --peers' : ''} on ${date}: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
Each faultline row is the median of ${runs} cold runs, each in its own process (\`bench/one.ts\`): seconds
are the check itself (compile, explore, properties, traces), peak RSS is the largest of the whole processes. SPIN and Rumur rows (with
\`--peers\`) run their own encodings of the same model (bench/peers/); their seconds exclude code
generation and C compilation. The smallest row is the floor of peak RSS: Node, tsx and faultline's own
modules. 1-minute load average: ${loadAtStart.toFixed(2)} when the run started, ${loadavg()[0]!.toFixed(2)} when it ended.

${table}
${ratio}
${bars}
`;
console.log('\n' + md);
if (write) writeBenchmarks(md);

/**
 * Rewrites the table at the top of BENCHMARKS.md and keeps everything below the marker: the sections other
 * benches and sessions wrote (bounds, workers, classic models, re-runs). A file without the marker is left
 * as it is, so a run never wipes them.
 */
function writeBenchmarks(table: string): void {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const MARK = '<!-- npm run bench rewrites what is above this line and keeps what is below it -->';
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = old.indexOf(MARK);
  if (old !== '' && at < 0) {
    console.error(`BENCHMARKS.md has no line '${MARK}': not rewritten (the table is printed above)`);
    return;
  }
  writeFileSync(file, `${table}\n${at < 0 ? `${MARK}\n` : old.slice(at)}`);
}
