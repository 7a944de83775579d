/** Runs one scenario variant at given parameters: build the system, check it, keep the context with the result. */
import { check, compileSystem, type CheckOptions, type CheckResult, type CompiledSystem } from '../checker/index.js';
import { buildVariant, type AnyScenario } from './scenario.js';

export interface ScenarioRun {
  readonly scenario: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly result: CheckResult;
}

/** Builds and compiles the system of a scenario variant (throws SystemDefinitionError on a bad model). */
export function buildScenario(s: AnyScenario, variant: string, params: Readonly<Record<string, number>>): CompiledSystem {
  return compileSystem(buildVariant(s, variant, params));
}

export function runScenario(s: AnyScenario, variant: string, params: Readonly<Record<string, number>>, options: CheckOptions = {}): ScenarioRun {
  const system = buildScenario(s, variant, params);
  return { scenario: s.id, variant, params, result: check(system, options) };
}
