/** From the command line's words to a compiled scenario variant; every problem is one line of bad input. */
import { compileSystem, SystemDefinitionError, type CompiledSystem } from '../checker/index.js';
import { buildErrorText, buildVariant, resolveParams, resolveVariant, ScenarioInputError, type AnyScenario } from '../scenarios/index.js';
import { UsageError } from './errors.js';
import { loadTarget } from './load.js';

export interface Resolved {
  readonly scenario: AnyScenario;
  readonly variant: string;
  readonly params: Record<string, number>;
  readonly system: CompiledSystem;
}

export function resolveScenario(scenario: AnyScenario, variant: string | undefined, params: Readonly<Record<string, string | number>>): Resolved {
  let v: string;
  let p: Record<string, number>;
  try {
    v = resolveVariant(scenario, variant);
    p = resolveParams(scenario, params, v);
  } catch (e) {
    if (e instanceof ScenarioInputError) throw new UsageError(e.message);
    throw e;
  }
  let system: CompiledSystem;
  try {
    system = compileSystem(buildVariant(scenario, v, p));
  } catch (e) {
    if (e instanceof SystemDefinitionError || e instanceof RangeError || e instanceof TypeError)
      throw new UsageError(`the model is not well defined: ${buildErrorText(e)}`);
    throw new UsageError(`scenario '${scenario.id}' failed to build: ${buildErrorText(e)}`);
  }
  return { scenario, variant: v, params: p, system };
}

export async function resolveTarget(target: string, params: Readonly<Record<string, string | number>>, cwd: string): Promise<Resolved> {
  const { scenario, variant } = await loadTarget(target, cwd);
  return resolveScenario(scenario, variant, params);
}
