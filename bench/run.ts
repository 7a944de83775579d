/**
 * `npm run bench`: measures faultline on its benchmark models, each in a fresh process, and writes the
 * figures with the machine and the date to BENCHMARKS.md. Speed is measured here, never asserted in tests.
 *
 *   npm run bench                 all models, faultline only
 *   npm run bench -- --peers      also SPIN and Rumur on their own encodings of retry-ring (if installed)
 *   npm run bench -- --quick      skip the 9.3M-state row
 *   npm run bench -- --no-write   print only
 *
 * Per model: states, transitions, seconds (the check itself, cold JIT, in its own process), states/s,
 * peak RSS of that process, and store bytes per state (records plus hash table).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
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

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const peers = args.has('--peers');
const write = !args.has('--no-write');
const root = fileURLToPath(new URL('..', import.meta.url));

const ringParams = (p: string): string => {
  const [readers, pages, capacity, budget, retries] = p.split(',');
  return `readers=${readers},pages=${pages},capacity=${capacity},budget=${budget},retries=${retries}`;
};

const models: { target: string; params: string; label: string }[] = [
  ...KNOWN_COUNTS.filter((k) => !(quick && k.states > 5_000_000)).map((k) => ({ target: 'retry-ring:ring', params: ringParams(formatParams(k.params)), label: formatParams(k.params) })),
  { target: 'retry-ring:progress', params: ringParams('3,5,3,2,2'), label: '3,5,3,2,2' },
];

function runOne(target: string, params: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/one.ts', target, params], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

const rows: Row[] = [];
const fmt = (n: number): string => n.toLocaleString('en-US');
for (const m of models) {
  const r = runOne(m.target, m.params);
  const known = KNOWN_COUNTS.find((k) => formatParams(k.params) === m.label);
  const match = known && m.target === 'retry-ring:ring' ? (known.states === r.states && known.transitions === r.transitions && known.terminalStates === r.terminalStates ? 'counts match SPIN/Rumur' : 'COUNTS DIFFER from SPIN/Rumur') : '';
  const row: Row = {
    tool: 'faultline',
    model: m.target,
    params: m.label,
    verdict: String(r.verdict),
    states: Number(r.states),
    transitions: Number(r.transitions),
    seconds: Number(r.seconds),
    peakRssBytes: Number(r.peakRssBytes),
    storeBytesPerState: Number(r.storeBytes) / Number(r.states),
    note: match,
  };
  rows.push(row);
  console.log(`faultline ${m.target} ${m.label}: ${fmt(row.states)} states, ${fmt(row.transitions)} transitions, ${row.seconds.toFixed(2)} s, ${fmt(Math.round(row.states / row.seconds))} states/s, peak ${(row.peakRssBytes! / 2 ** 20).toFixed(0)} MiB ${match}`);
  if (peers && m.target === 'retry-ring:ring' && known) {
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
      console.log(`${prow.tool} ${m.label}: ${fmt(prow.states)} states, ${fmt(prow.transitions)} transitions, ${prow.seconds.toFixed(2)} s, ${fmt(Math.round(prow.states / prow.seconds))} states/s`);
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
const ratio = safety && progress ? `\nProgress check on retry-ring 3,5,3,2,2 (every reader returns, weak fairness): ${progress.seconds.toFixed(2)} s against ${safety.seconds.toFixed(2)} s for the safety-only run, ${(progress.seconds / safety.seconds).toFixed(2)}x.\n` : '';
const md = `# Benchmarks

Written by \`npm run bench\`${peers ? ' -- --peers' : ''} on ${date}: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
Each faultline row is one cold run in its own process (\`bench/one.ts\`): seconds are the check itself
(compile, explore, properties, traces), peak RSS is the whole process. SPIN and Rumur rows (with
\`--peers\`) run their own encodings of the same model (bench/peers/); their seconds exclude code
generation and C compilation.

${table}
${ratio}`;
console.log('\n' + md);
if (write) writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), md);
