/**
 * What symmetry reduction saves on retry-ring (issue 9): the same configuration checked unreduced and
 * with `reduce: 'symmetry'` (the readers are one declared symmetric group: at most 3! = 6 for three),
 * each in a fresh process (bench/one.ts: cold JIT, its own peak RSS), one after the other in one run.
 * Prints one JSON line per check and a summary line with the ratios. A measurement, not a test.
 *   node --import tsx bench/symmetry.ts [readers=3,pages=6,capacity=3,budget=3,retries=3]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const params = process.argv[2] ?? 'readers=3,pages=6,capacity=3,budget=3,retries=3';
const root = fileURLToPath(new URL('..', import.meta.url));

interface One {
  verdict: string;
  reduction: string;
  states: number;
  transitions: number;
  seconds: number;
  storeBytes: number;
  peakRssBytes: number;
}

function measure(reduce: 'none' | 'symmetry'): One {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/one.ts', 'retry-ring:ring', params, 'exact', reduce], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  console.log(out.trim());
  return JSON.parse(out) as One;
}

const none = measure('none');
const sym = measure('symmetry');
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(
  `retry-ring ${params}: ${none.states.toLocaleString('en-US')} -> ${sym.states.toLocaleString('en-US')} states (${(none.states / sym.states).toFixed(2)}x fewer), ` +
    `verdict ${none.verdict} / ${sym.verdict} (reduction applied: ${sym.reduction}); ` +
    `${none.seconds.toFixed(2)} s -> ${sym.seconds.toFixed(2)} s (${(none.seconds / sym.seconds).toFixed(2)}x); ` +
    `peak RSS ${mib(none.peakRssBytes)} -> ${mib(sym.peakRssBytes)}; store ${mib(none.storeBytes)} -> ${mib(sym.storeBytes)}`,
);
