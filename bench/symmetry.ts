/**
 * What symmetry reduction will save on retry-ring, measured before it is wired into the search: a
 * breadth-first search over the unreduced state space and one over representatives
 * (checker/reduce/symmetry.ts) with the readers declared one symmetric group, and their ratio (3 readers:
 * at most 3! = 6). Also runs `asymmetry()` on the first 400 states, which would show a reader the model
 * tells apart. Slow (Stepper.enabledSteps, string keys): a measurement, not a checker.
 *   node --import tsx bench/symmetry.ts readers=3,pages=3,capacity=2,budget=2,retries=2
 */
import { compileSystem } from '../checker/index.js';
import { asymmetry, SymmetryReducer } from '../checker/reduce/symmetry.js';
import { Stepper } from '../checker/system/step.js';
import type { CompiledSystem } from '../checker/system/system.js';
import { buildVariant, findScenario, resolveParams, resolveVariant } from '../scenarios/index.js';

const scenario = findScenario('retry-ring')!;
const variant = resolveVariant(scenario, 'ring');
const overrides = Object.fromEntries(
  (process.argv[2] ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);
const params = resolveParams(scenario, overrides, variant);
const spec = buildVariant(scenario, variant, params);
const readers = spec.actors.filter((a) => (a.kind ?? 'thread') === 'thread').map((a) => a.name);
const system = compileSystem({ ...spec, symmetric: { readers } });
const sym = new SymmetryReducer(system);

/** Reachable states, each visited once; with `reduce`, representatives only. `visit` sees the first ones. */
function reachable(system: CompiledSystem, reduce: boolean, visit?: (S: Int32Array) => void): number {
  const stepper = new Stepper(system);
  const packed = new Uint32Array(system.layout.words);
  const key = (S: Int32Array): string => {
    system.layout.pack(S, packed, 0);
    return Buffer.from(packed.buffer).toString('latin1');
  };
  const start = Int32Array.from(system.initial);
  if (reduce) sym.canonicalize(start);
  const seen = new Set([key(start)]);
  let frontier: Int32Array[] = [start];
  while (frontier.length > 0) {
    const next: Int32Array[] = [];
    for (const s of frontier) {
      visit?.(s);
      stepper.load(s);
      for (const id of stepper.enabledSteps()) {
        stepper.load(s);
        stepper.applyId(id);
        const t = Int32Array.from(stepper.S);
        if (reduce) sym.canonicalize(t);
        const k = key(t);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  return seen.size;
}

let probed = 0;
let asymmetric: string | null = null;
const full = reachable(system, false, (S) => {
  if (probed++ < 400) asymmetric ??= asymmetry(system, sym, S);
});
const reduced = reachable(system, true);
console.log(
  `retry-ring ${Object.values(params).join(',')}: ${full} states, ${reduced} representatives (${(full / reduced).toFixed(2)}x); ` +
    `asymmetry on ${Math.min(probed, 400)} states: ${asymmetric ?? 'none'}`,
);
