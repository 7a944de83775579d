/**
 * Partial-order reduction on the built-in scenarios: states, transitions and seconds without and with
 * `reduce: 'por'`, for every variant without progress properties (a run with them is not reduced:
 * checker/reduce/por.ts) and retry-ring at two sizes. Prints a Markdown table; each row pair is one
 * process-local check each (compile included), unreduced first (see bench/models/run.ts for why).
 *   node --import tsx bench/por.ts
 */
import { check, compileSystem } from '../checker/index.js';
import { buildVariant, resolveParams, scenarios } from '../scenarios/index.js';

const extra: { id: string; variant: string; params: Record<string, number> }[] = [
  { id: 'retry-ring', variant: 'ring', params: { readers: 3, pages: 4, capacity: 2, budget: 2, retries: 2 } },
];
const runs = [...scenarios.flatMap((s) => Object.keys(s.variants).map((variant) => ({ id: s.id, variant, params: {} as Record<string, number> }))), ...extra];
const rows = ['| scenario | params | verdict | states (none -> por) | transitions (none -> por) | seconds (none / por) |', '|---|---|---|---|---|---|'];
for (const r of runs) {
  const scenario = scenarios.find((s) => s.id === r.id)!;
  const params = resolveParams(scenario, r.params, r.variant);
  const system = compileSystem(buildVariant(scenario, r.variant, params));
  if (system.properties.some((p) => p.kind === 'progress')) continue;
  const t0 = performance.now();
  const none = check(system, { reduce: 'none' });
  const t1 = performance.now();
  const por = check(system, { reduce: 'por' });
  const t2 = performance.now();
  const verdict = none.verdict === por.verdict ? none.verdict : `${none.verdict} / ${por.verdict} (differs!)`;
  const p = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  rows.push(
    `| ${r.id}:${r.variant} | ${p} | ${verdict} | ${none.stats.states} -> ${por.stats.states} | ${none.stats.transitions} -> ${por.stats.transitions} | ${((t1 - t0) / 1000).toFixed(2)} / ${((t2 - t1) / 1000).toFixed(2)} |`,
  );
}
console.log(rows.join('\n'));
