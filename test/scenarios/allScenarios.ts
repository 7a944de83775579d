/**
 * Every scenario the project ships: the built-in registry (scenarios/index.ts) and every example scenario
 * file in examples/ (loaded the way `faultline check examples/x.scenario.ts` loads it). Tests that must
 * cover all scenarios (replay round trip, conformance) iterate over this, so a new scenario is picked up
 * as soon as it is registered or dropped into examples/.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../cli/load.js';
import { typeChecking } from '../../cli/typecheck.js';
import { scenarios, type AnyScenario } from '../../scenarios/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ShippedScenario {
  /** What `faultline check` takes: the registry id, or the file's path relative to the repository root. */
  readonly target: string;
  readonly scenario: AnyScenario;
}

export async function allScenarios(): Promise<ShippedScenario[]> {
  const out: ShippedScenario[] = scenarios.map((scenario) => ({ target: scenario.id, scenario }));
  const files = readdirSync(new URL('../../examples/', import.meta.url))
    .filter((f) => /\.scenario\.(m?[jt]s)$/.test(f))
    .sort();
  // Loaded without TypeScript's type-check, which costs about 4 CPU seconds in each test process that calls
  // this (and the tests here are about the models, not their types): that the examples type-check is
  // `npm run typecheck`'s subject (tsconfig.json includes examples/), and the CLI tests check them the
  // way `faultline check` does.
  const checking = typeChecking.enabled;
  typeChecking.enabled = false;
  try {
    for (const f of files) out.push({ target: `examples/${f}`, scenario: await loadScenarioFile(`examples/${f}`, REPO_ROOT) });
  } finally {
    typeChecking.enabled = checking;
  }
  return out;
}
