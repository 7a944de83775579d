/**
 * `npm run bench:bounds`: per fixed variant (every built-in variant expected to hold), the largest
 * configuration verified within a CPU-time limit (default 60 s), before and after issue 9 item 7:
 * `before` grows the ladder within main's old domains with `--reduce none`, `after` within the widened
 * domains with `--reduce all` (symmetry where the scenario declares interchangeable actors, and POR). Each
 * ladder runs in its own process (bench/boundsLadder.ts) under `nice`, and stops at its first rung that
 * does not hold within the limit; the rungs are in bench/boundsLadders.ts. CPU time (user + system of the
 * process), not wall time, is held against the limit, so other work on a shared machine does not shrink a
 * bound. Writes the table to BENCHMARKS.md (section "Bounds").
 *
 *   npm run bench:bounds                       every fixed variant, 60 s, one ladder at a time
 *   npm run bench:bounds -- --limit 10         a shorter limit (a quick look; not the table's figure)
 *   npm run bench:bounds -- --only pipe-atomic,stable-pages
 *   npm run bench:bounds -- --jobs 2           two ladders at once (CPU time per rung is unchanged)
 *   npm run bench:bounds -- --no-write         print only
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarios } from '../scenarios/index.js';
import { LADDERS } from './boundsLadders.js';

interface Rung {
  params: Record<string, number>;
  verdict: string;
  property: string | null;
  stopped: string | null;
  states: number;
  transitions: number;
  cpuSeconds: number;
  reduction: string;
  notes: string[];
}

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const limit = Number(option('--limit') ?? 60);
const jobs = Math.max(1, Number(option('--jobs') ?? 1) || 1);
const only = option('--only')?.split(',');
const write = !argv.includes('--no-write');
const root = fileURLToPath(new URL('..', import.meta.url));
const loadAtStart = loadavg()[0]!;

// The kernel scenarios first; retry-ring (the peer benchmark, whose ladders run longest) last.
const targets = [...scenarios.filter((s) => s.id !== 'retry-ring'), ...scenarios.filter((s) => s.id === 'retry-ring')]
  .filter((s) => LADDERS[s.id] && (!only || only.includes(s.id)))
  .flatMap((s) =>
    Object.entries(s.variants)
      .filter(([, v]) => v.expected.verdict === 'holds')
      .map(([v]) => ({ scenario: s, target: `${s.id}:${v}` })),
  );

function runLadder(target: string, phase: 'before' | 'after'): Promise<Rung[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '10', process.execPath, '--import', 'tsx', 'bench/boundsLadder.ts', target, phase, String(limit)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const rungs = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Rung);
      if (code !== 0 && rungs.length === 0) reject(new Error(`${target} ${phase}: exit ${code}`));
      else resolve(rungs);
    });
  });
}

interface Row {
  target: string;
  before: Rung[];
  after: Rung[];
}

const rows: Row[] = new Array<Row>(targets.length);
let nextTarget = 0;
async function worker(): Promise<void> {
  while (nextTarget < targets.length) {
    const i = nextTarget++;
    const { target } = targets[i]!;
    const before = await runLadder(target, 'before');
    const after = await runLadder(target, 'after');
    rows[i] = { target, before, after };
    console.log(`${target}: before ${summary(before)}; after ${summary(after)}`);
    if (write) writeSection(); // after every variant, so a long run interrupted keeps what it measured
  }
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const config = (r: Rung): string =>
  Object.entries(r.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '(no parameters)';
/** The last rung that held within the limit: the largest configuration verified. */
const largest = (rungs: readonly Rung[]): Rung | undefined => rungs.filter((r) => r.verdict === 'holds' && r.cpuSeconds <= limit).pop();
/** What ended the ladder: its top, or the first rung that did not hold within the limit. */
function ending(rungs: readonly Rung[]): string {
  const last = rungs[rungs.length - 1];
  if (!last) return 'no rung ran';
  if (last.verdict === 'holds' && last.cpuSeconds <= limit) return 'top of the domains';
  if (last.verdict === 'holds' || last.verdict === 'inconclusive')
    return `${config(last)}: over ${last.stopped === 'memory' ? 'the memory limit' : `${limit} s`}`;
  return `${config(last)}: **${last.verdict}**${last.property ? ` (${last.property})` : last.stopped ? ` (${last.stopped})` : ''}`;
}
function summary(rungs: readonly Rung[]): string {
  const l = largest(rungs);
  return l ? `${config(l)} ${fmt(l.states)} states ${l.cpuSeconds.toFixed(2)} s (${ending(rungs)})` : `nothing verified (${ending(rungs)})`;
}
/** The reduction notes of the after ladders, each once, numbered for the table's footnotes. */
const notes: string[] = [];
function reductionText(r: Rung): string {
  const refs = r.notes.map((n) => {
    if (!notes.includes(n)) notes.push(n);
    return `[${notes.indexOf(n) + 1}]`;
  });
  return [r.reduction, ...refs].join(' ');
}

const cell = (r: Rung | undefined): string[] => (r ? [config(r), fmt(r.states), r.cpuSeconds.toFixed(2)] : ['-', '-', '-']);
function section(): string {
  notes.length = 0;
  const done = rows.filter(Boolean);
  const table = [
    '| variant | before: largest config | states | CPU s | stopped at | after: largest config | states | CPU s | reduction applied | stopped at |',
    '|---|---|---:|---:|---|---|---:|---:|---|---|',
    ...done.map((row) => {
      const b = largest(row.before);
      const a = largest(row.after);
      return `| ${row.target} | ${[...cell(b), ending(row.before), ...cell(a), a ? reductionText(a) : '-', ending(row.after)].join(' | ')} |`;
    }),
  ].join('\n');
  const footnotes = notes.map((n, i) => `[${i + 1}] ${n}`).join('  \n');
  const missing = targets.length - done.length;
  const date = new Date().toISOString().slice(0, 10);
  return `## Bounds

Written by \`npm run bench:bounds${argv.length ? ` -- ${argv.join(' ')}` : ''}\` on ${date}: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.
The machine was shared: 1-minute load average ${loadAtStart.toFixed(2)} when the run started, ${loadavg()[0]!.toFixed(2)} when it ended. Every ladder ran
under \`nice -n 10\`, ${jobs} at a time, and each rung is held to ${limit} s of its process's **CPU time** (user + system,
\`process.cpuUsage()\`), not wall time, so the load does not shrink a bound; it does slow each CPU second somewhat
(shared caches), so the figures are on the safe side.

Per fixed variant (every built-in variant expected to hold), the largest configuration verified within ${limit} s:
a ladder of configurations starting at the defaults raises one sizing parameter by one per rung, round-robin
(bench/boundsLadders.ts names them: pages, CPUs, budgets, environment actors; switches such as \`bad\` stay at
their defaults), and stops at its first rung that does not hold within the limit, or at the top of the domains.
**Before**: main's domains before issue 9 item 7, \`--reduce none\`. **After**: the widened domains, \`--reduce all\`
(symmetry where a scenario declares interchangeable actors, POR). Configurations list every parameter the
variant takes; CPU s is the check of the largest configuration (compile, search, properties).

${table}
${missing ? `\n(${missing} of ${targets.length} variants not measured yet: the run was still going.)\n` : ''}
Reduction notes (the reason a requested reduction was switched off for a run):  
${footnotes}
`;
}

function writeSection(): void {
  const path = `${root}BENCHMARKS.md`;
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf('\n## Bounds\n');
  const end = at < 0 ? -1 : text.indexOf('\n## ', at + 1);
  const body = section();
  writeFileSync(path, at < 0 ? `${text.trimEnd()}\n\n${body}` : `${text.slice(0, at + 1)}${body}${end < 0 ? '' : text.slice(end)}`);
}

await Promise.all(Array.from({ length: Math.min(jobs, targets.length) }, () => worker()));
console.log(`\n${section()}`);
