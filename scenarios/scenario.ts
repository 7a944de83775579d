/**
 * Scenarios: a named, parameterised composition of actors and properties, with variants (buggy -> fixed)
 * and the verdict each variant is expected to give at the default parameters. `faultline gate` holds
 * every scenario to its expectations.
 */
import type { SystemSpec } from '../checker/index.js';

export interface ParamSpec {
  readonly description: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

export interface Expectation {
  readonly verdict: 'holds' | 'violated';
  /** For `violated`: the property the first counterexample must violate. */
  readonly property?: string;
}

export interface VariantSpec {
  /** One line: what differs in this variant (and, for fixes, the assumptions it holds under). */
  readonly description: string;
  readonly expected: Expectation;
}

export interface Scenario<P extends string = string, V extends string = string> {
  readonly id: string;
  /** One line for `faultline list`. */
  readonly title: string;
  /** Where it comes from: the thread, commit or paper. */
  readonly source: string;
  /** Paragraphs for `faultline show`: the protocol, the bug, the assumptions of the fix. */
  readonly description: string;
  readonly params: Readonly<Record<P, ParamSpec>>;
  readonly variants: Readonly<Record<V, VariantSpec>>;
  /** The variant `check ID` runs when none is named. */
  readonly defaultVariant: NoInfer<V>;
  /** Parameter combinations that make no sense (e.g. capacity > pages): a message, or null when fine. */
  readonly validate?: (params: Readonly<Record<P, number>>) => string | null;
  readonly build: (params: Readonly<Record<P, number>>, variant: V) => SystemSpec;
}

export type AnyScenario = Scenario<string, string>;

export function defineScenario<P extends string, V extends string>(s: Scenario<P, V>): Scenario<P, V> {
  return s;
}

export class ScenarioInputError extends Error {
  override name = 'ScenarioInputError';
}

/** Splits `ID:VARIANT`. */
export function parseTarget(target: string): { id: string; variant: string | undefined } {
  const i = target.lastIndexOf(':');
  // A path like C:\x or ./a:b is not expected; scenario files are paths ending in .ts/.js with no variant.
  if (i <= 0) return { id: target, variant: undefined };
  return { id: target.slice(0, i), variant: target.slice(i + 1) };
}

/** Resolves the variant name, defaulting to the scenario's default; unknown names are bad input. */
export function resolveVariant(s: AnyScenario, variant: string | undefined): string {
  if (variant === undefined || variant === '') return s.defaultVariant;
  if (!Object.hasOwn(s.variants, variant)) {
    throw new ScenarioInputError(`scenario '${s.id}' has no variant '${variant}' (variants: ${Object.keys(s.variants).join(', ')})`);
  }
  return variant;
}

/** Applies `k=v` overrides to the defaults, checking names, integers and domains. */
export function resolveParams(s: AnyScenario, overrides: Readonly<Record<string, string | number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, spec] of Object.entries(s.params)) out[k] = spec.default;
  for (const [k, raw] of Object.entries(overrides)) {
    const spec = s.params[k];
    if (!spec) {
      const known = Object.keys(s.params);
      throw new ScenarioInputError(`scenario '${s.id}' has no parameter '${k}' (parameters: ${known.length ? known.join(', ') : 'none'})`);
    }
    const v = typeof raw === 'number' ? raw : /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isInteger(v)) throw new ScenarioInputError(`parameter '${k}' must be a whole number, not '${raw}' (domain ${spec.min}..${spec.max})`);
    if (v < spec.min || v > spec.max) throw new ScenarioInputError(`parameter '${k}' = ${v} is outside its domain ${spec.min}..${spec.max}`);
    out[k] = v;
  }
  const problem = s.validate?.(out);
  if (problem) throw new ScenarioInputError(`scenario '${s.id}': ${problem}`);
  return out;
}
