/**
 * The classic models against SPIN (cases.ts): for every case, SPIN run now on the Promela twin (`spin -a`,
 * `cc -O0`, `./pan`, the mode's flags) and faultline unreduced, with `reduce: 'por'`, with
 * `reduce: 'symmetry'` and with `workers: 2`. Prints BENCHMARKS.md's table ("Classic models against
 * SPIN") and then every disagreement: with SPIN's recorded answer, with SPIN's answer now, and between
 * faultline's runs (a reduction must keep the verdict; two workers must give the same result, times
 * and memory aside). Exits 1 on any.
 *   node --import tsx bench/models/classic/run.ts
 */
import { readFileSync } from 'node:fs';
import { check, type CheckResult } from '../../../checker/index.js';
import { runSpin, withDefines, type PanError } from '../spin.js';
import { caseSystem, classicCases, type ClassicCase } from './cases.js';

const n = (x: number): string => x.toLocaleString('en-US');

function twin(c: ClassicCase): string {
  return withDefines(readFileSync(new URL(`${c.model}.pml`, import.meta.url), 'utf8'), c.defines, `${c.model}.pml`);
}

/** faultline's answer in the terms of cases.ts: the first violated property, or null. */
function answer(r: CheckResult): string | null {
  if (r.verdict === 'holds') return null;
  if (r.verdict === 'violated') return r.violations[0]!.property;
  throw new Error(`verdict ${r.verdict}: ${JSON.stringify(r)}`);
}

/**
 * A result without what may differ between runs: times, memory (`storeBytes` too: the two workers' shared
 * store is allocated bigger than one thread's), the workers' report.
 */
function comparable(r: CheckResult): string {
  const { seconds: _s, peakMemoryBytes: _m, storeBytes: _b, workers: _w, ...stats } = r.stats as CheckResult['stats'] & { workers?: unknown };
  return JSON.stringify({ ...r, stats });
}

const problems: string[] = [];
const rows = [
  '| case | SPIN mode | SPIN | faultline | states (SPIN / faultline) | transitions (SPIN / faultline) | POR states | symmetry states | `--workers 2` |',
  '|---|---|---|---|---:|---:|---:|---:|---|',
];
const spinWord = (e: PanError | null): string => e ?? 'no error';
for (const c of classicCases) {
  const spin = runSpin(twin(c), { mode: c.mode, optimize: '-O0', name: c.model });
  const spinError = spin.error ?? null;
  if (spinError !== c.spin.error) problems.push(`${c.name}: SPIN now says ${spinWord(spinError)}, recorded ${spinWord(c.spin.error)}`);
  const spinCounts = spinError === null && c.mode !== 'liveness' ? { states: spin.states, transitions: spin.transitions - 1 } : null;
  if (spinCounts && (spinCounts.states !== c.spin.states || spinCounts.transitions !== c.spin.transitions)) {
    problems.push(`${c.name}: SPIN now counts ${JSON.stringify(spinCounts)}, recorded ${JSON.stringify(c.spin)}`);
  }
  const system = caseSystem(c.name);
  const plain = check(system);
  const por = check(system, { reduce: 'por' });
  const sym = check(system, { reduce: 'symmetry' });
  const two = check(system, { workers: 2, source: { module: new URL('cases.ts', import.meta.url).href, export: 'caseSystem', args: c.name } });
  const says = answer(plain);
  if (says !== c.violates) problems.push(`${c.name}: faultline says ${says ?? 'holds'}, expected ${c.violates ?? 'holds'}`);
  if ((says === null) !== (spinError === null)) problems.push(`${c.name}: faultline says ${says ?? 'holds'}, SPIN ${spinWord(spinError)}`);
  if (spinCounts && (spinCounts.states !== plain.stats.states || spinCounts.transitions !== plain.stats.transitions)) {
    problems.push(
      `${c.name}: SPIN counts ${n(spinCounts.states)} / ${n(spinCounts.transitions)}, faultline ${n(plain.stats.states)} / ${n(plain.stats.transitions)}`,
    );
  }
  for (const [how, r] of [
    ['por', por],
    ['symmetry', sym],
  ] as const) {
    if (answer(r) !== says) problems.push(`${c.name}: --reduce ${how} says ${answer(r) ?? 'holds'}, unreduced ${says ?? 'holds'}`);
  }
  const sameTwo = comparable(two) === comparable(plain);
  if (!sameTwo) problems.push(`${c.name}: --workers 2 gives another result`);
  const applied = (r: CheckResult) => (r.reduction?.applied === 'none' ? '(off)' : n(r.stats.states));
  rows.push(
    `| ${c.name} | ${c.mode} | ${spinWord(spinError)} | ${says === null ? 'holds' : `violated: ${says}`} | ${spinCounts ? `${n(spinCounts.states)} / ${n(plain.stats.states)}` : '-'} | ${
      spinCounts ? `${n(spinCounts.transitions)} / ${n(plain.stats.transitions)}` : '-'
    } | ${applied(por)} | ${applied(sym)} | ${sameTwo ? 'same JSON' : 'differs'} |`,
  );
}
console.log(rows.join('\n'));
if (problems.length) {
  console.log(`\n${problems.length} disagreements:\n${problems.join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nNo disagreement.');
}
