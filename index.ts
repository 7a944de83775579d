/**
 * faultline as a library: `import { defineScenario, checkScenario, check } from 'faultline'`.
 *
 * The engine (checker/) is domain-free and reads no clock; this entry point supplies the wall clock and
 * the memory probe so `stats.seconds` and `stats.peakMemoryBytes` are filled in, as the CLI does.
 */
import { check as checkSystem, compileSystem, type CheckOptions, type CheckResult, type CompiledSystem, type SystemSpec } from './checker/index.js';
import { buildVariant, resolveParams, resolveVariant, type AnyScenario, type ScenarioRun } from './scenarios/index.js';

export * from './checker/index.js';
export { defineScenario, findScenario, scenarios, ScenarioInputError } from './scenarios/index.js';
export type { AnyScenario, Expectation, ParamSpec, Provenance, Scenario, ScenarioRun, VariantSpec } from './scenarios/index.js';
export { checkInWorker, type WorkerCheckOptions } from './cli/checkInWorker.js';

const probes = { now: () => performance.now(), memory: () => process.memoryUsage().rss };

/** Checks a system: every interleaving, every property. Results are data. */
export function check(system: SystemSpec | CompiledSystem, options: CheckOptions = {}): CheckResult {
  return checkSystem(system, { ...probes, ...options });
}

/** Checks one variant of a scenario at the given parameters (defaults for the rest). */
export function checkScenario(
  scenario: AnyScenario,
  options: CheckOptions & { readonly variant?: string; readonly params?: Readonly<Record<string, number>> } = {},
): ScenarioRun {
  const variant = resolveVariant(scenario, options.variant);
  const params = resolveParams(scenario, options.params ?? {}, variant);
  const result = check(compileSystem(buildVariant(scenario, variant, params)), options);
  return { scenario: scenario.id, variant, params, result };
}
