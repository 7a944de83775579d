/**
 * faultline as a library: `import { defineScenario, checkScenario, check } from 'faultline'`.
 *
 * The engine (checker/) is domain-free and reads no clock; this entry point supplies the wall clock and
 * the memory probe so `stats.seconds` and `stats.peakMemoryBytes` are filled in, as the CLI does.
 */
import {
  check as checkSystem,
  CHECK_OPTIONS,
  compileSystem,
  type CheckOptions,
  type CheckResult,
  type CompiledSystem,
  type SystemSpec,
} from './checker/index.js';
import { assertShape } from './checker/keys.js';
import {
  buildVariant,
  resolveParams,
  resolveVariant,
  scenarioDefinitionProblem,
  ScenarioInputError,
  type AnyScenario,
  type ScenarioRun,
} from './scenarios/index.js';

export * from './checker/index.js';
export { defineScenario, findScenario, scenarios, ScenarioInputError } from './scenarios/index.js';
export type { AnyScenario, Expectation, ParamSpec, Provenance, Scenario, ScenarioRun, VariantSpec } from './scenarios/index.js';
export { checkInWorker, type WorkerCheckOptions } from './cli/checkInWorker.js';

const probes = { now: () => performance.now(), memory: () => process.memoryUsage().rss };

/** Checks a system: every interleaving, every property. Results are data. */
export function check(system: SystemSpec | CompiledSystem, options: CheckOptions = {}): CheckResult {
  // Anything but an object of options goes as it is, for check() to refuse by name.
  const plain = typeof options === 'object' && options !== null && !Array.isArray(options);
  return checkSystem(system, plain ? { ...probes, ...options } : options);
}

/** checkScenario()'s options: check()'s, and the variant and parameters (the record of parameters is the scenario's, checked by name there). */
export type ScenarioCheckOptions = CheckOptions & { readonly variant?: string; readonly params?: Readonly<Record<string, number>> };
const SCENARIO_CHECK_OPTIONS = { ...CHECK_OPTIONS, variant: 'string', params: 'object' } as const;

/**
 * Checks one variant of a scenario at the given parameters (defaults for the rest). The scenario's
 * definition is checked first, as the CLI checks one it loads: a mistake in it is a ScenarioInputError.
 */
export function checkScenario(scenario: AnyScenario, options: ScenarioCheckOptions = {}): ScenarioRun {
  assertShape(options, SCENARIO_CHECK_OPTIONS, 'checkScenario() options');
  const problem = scenarioDefinitionProblem(scenario);
  if (problem) throw new ScenarioInputError(`scenario '${scenario.id}': ${problem}`);
  const { variant: named, params: given, ...checkOptions } = options;
  const variant = resolveVariant(scenario, named);
  const params = resolveParams(scenario, given ?? {}, variant);
  const result = check(compileSystem(buildVariant(scenario, variant, params)), checkOptions);
  return { scenario: scenario.id, variant, params, result };
}
