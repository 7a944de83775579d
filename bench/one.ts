/**
 * One benchmark measurement in a fresh process (cold JIT, its own peak RSS): checks one scenario variant
 * at the given parameters and prints a JSON line. Used by bench/run.ts; runnable alone:
 *   node --import tsx bench/one.ts retry-ring:ring readers=3,pages=5,capacity=3,budget=2,retries=2 [exact|compact] [none|por|symmetry|all]
 */
import { compileSystem, check, REDUCTIONS, type Reduction } from '../checker/index.js';
import { buildVariant, findScenario, parseTarget, resolveParams, resolveVariant } from '../scenarios/index.js';

const [target = 'retry-ring', paramText = '', store = 'exact', reduceText = 'none'] = process.argv.slice(2);
const reduce = (REDUCTIONS as readonly string[]).includes(reduceText) ? (reduceText as Reduction) : 'none';
const { id, variant } = parseTarget(target);
const scenario = findScenario(id);
if (!scenario) {
  console.error(`bench/one: unknown scenario '${id}'`);
  process.exit(2);
}
const overrides = Object.fromEntries(
  paramText
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);
const v = resolveVariant(scenario, variant);
const params = resolveParams(scenario, overrides, v);
const system = compileSystem(buildVariant(scenario, v, params));
const t0 = performance.now();
const r = check(system, { now: () => performance.now(), memory: () => process.memoryUsage().rss, store: store === 'compact' ? 'compact' : 'exact', reduce });
const seconds = (performance.now() - t0) / 1000;
const s = r.stats;
console.log(
  JSON.stringify({
    target: `${id}:${v}`,
    params,
    verdict: r.verdict,
    reduction: r.reduction?.applied ?? 'none',
    property: r.violations[0]?.property ?? null,
    states: s.states,
    transitions: s.transitions,
    terminalStates: s.terminalStates,
    depth: s.depth,
    seconds,
    storeBytes: s.storeBytes,
    omissionProbability: s.omissionProbability ?? null,
    stateBits: s.stateBits,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
