/**
 * Scenarios: a named, parameterised composition of actors and properties, with variants (buggy -> fixed)
 * and the verdict each variant is expected to give at the default parameters. `faultline gate` holds
 * every scenario to its expectations.
 */
import type { SystemSpec } from '../checker/index.js';
import { didYouMean, shapeProblem, type Shape } from '../checker/keys.js';

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

/**
 * Where a variant's code comes from, so a verdict is read for what it is about: `shipped` is code that was in
 * released kernels (the versions, e.g. 'v5.16 - v5.17' or 'v6.15+', and the commits that wrote or removed
 * it; a vendor tree may give none); `proposal` a patch or design that was posted but never merged (the
 * thread); `hypothetical` code nobody proposed, modelled to show why something matters (why it is modelled).
 */
export type Provenance =
  { kind: 'shipped'; versions: string; commits: readonly string[] } | { kind: 'proposal'; thread: string } | { kind: 'hypothetical'; why: string };

export const PROVENANCE_KINDS = ['shipped', 'proposal', 'hypothetical'] as const;

export interface VariantSpec<P extends string = string> {
  /** One line: what differs in this variant (and, for fixes, the assumptions it holds under). */
  readonly description: string;
  readonly expected: Expectation;
  /** Shipped (versions, commits), a proposal (the thread) or hypothetical (why): required, built-in or not. */
  readonly provenance: Provenance;
  /**
   * The parameters this variant takes, when it does not take them all (a variant that models another
   * configuration). The others stay at their defaults, are not shown, and setting one is bad input.
   */
  readonly params?: readonly P[];
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
  readonly variants: Readonly<Record<V, VariantSpec<NoInfer<P>>>>;
  /** The variant `check ID` runs when none is named. */
  readonly defaultVariant: NoInfer<V>;
  // validate and build are methods, not function-valued properties, so that a Scenario<'capacity',
  // 'fixed' | 'buggy'> is an AnyScenario (method parameters are bivariant under strictFunctionTypes).
  /** Parameter combinations that make no sense (e.g. capacity > pages): a message, or null when fine. */
  validate?(params: Readonly<Record<P, number>>): string | null;
  build(params: Readonly<Record<P, number>>, variant: V): SystemSpec;
}

export type AnyScenario = Scenario<string, string>;

export function defineScenario<P extends string, V extends string>(s: Scenario<P, V>): Scenario<P, V> {
  return s;
}

export class ScenarioInputError extends Error {
  override name = 'ScenarioInputError';
}

/** The scenario's own validate() threw (or returned neither null nor a string): its mistake, not a combination it rejects. */
export class ValidateError extends ScenarioInputError {}

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
    const names = Object.keys(s.variants);
    throw new ScenarioInputError(`scenario '${s.id}' has no variant '${variant}' (variants: ${names.join(', ')})${didYouMean(variant, names)}`);
  }
  return variant;
}

/** The parameters a variant takes, in the scenario's order. */
export function variantParams(s: AnyScenario, variant: string): string[] {
  const only = s.variants[variant]?.params;
  return Object.keys(s.params).filter((k) => !only || only.includes(k));
}

/** Bad input for the first of `names` (declared parameters) that the variant does not take, or null. */
export function paramNotTaken(s: AnyScenario, variant: string, names: Iterable<string>): string | null {
  const taken = variantParams(s, variant);
  for (const k of names) {
    if (!taken.includes(k)) return `parameter '${k}' does not apply to ${s.id}:${variant} (its parameters: ${taken.length ? taken.join(', ') : 'none'})`;
  }
  return null;
}

/**
 * Applies `k=v` overrides to the defaults, checking names, integers and domains. With a variant, the
 * result holds only the parameters that variant takes, and an override of another is bad input.
 */
export function resolveParams(s: AnyScenario, overrides: Readonly<Record<string, string | number>>, variant?: string): Record<string, number> {
  const taken = variant === undefined ? Object.keys(s.params) : variantParams(s, variant);
  const out: Record<string, number> = {};
  for (const [k, spec] of Object.entries(s.params)) out[k] = spec.default;
  for (const [k, raw] of Object.entries(overrides)) {
    const spec = s.params[k];
    if (!spec) {
      const known = Object.keys(s.params);
      throw new ScenarioInputError(
        `scenario '${s.id}' has no parameter '${k}' (parameters: ${known.length ? known.join(', ') : 'none'})${didYouMean(k, known)}`,
      );
    }
    const notTaken = variant === undefined ? null : paramNotTaken(s, variant, [k]);
    if (notTaken) throw new ScenarioInputError(notTaken);
    const v = typeof raw === 'number' ? raw : /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isInteger(v)) throw new ScenarioInputError(`parameter '${k}' must be a whole number, not '${raw}' (domain ${spec.min}..${spec.max})`);
    if (v < spec.min || v > spec.max) throw new ScenarioInputError(`parameter '${k}' = ${v} is outside its domain ${spec.min}..${spec.max}`);
    out[k] = v;
  }
  let problem: string | null | undefined;
  try {
    problem = s.validate?.(out);
  } catch (e) {
    throw new ValidateError(`scenario '${s.id}': its validate() threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof problem !== 'string' && problem !== null && problem !== undefined) {
    const shown = typeof problem === 'object' ? 'an object' : `${typeof problem} ${String(problem)}`;
    throw new ValidateError(`scenario '${s.id}': its validate() returned ${shown}; it returns null when the parameters are valid, or a string saying why not`);
  }
  if (problem) throw new ScenarioInputError(`scenario '${s.id}': ${problem}`);
  return Object.fromEntries(taken.map((k) => [k, out[k]!]));
}

/**
 * The keys of a scenario's definition and of the objects in it: a key not listed is a typo (`validat`,
 * `expect`, `propery`), refused when the scenario is loaded rather than left out of every check. The
 * records keyed by the author's own names (`params`, `variants`) are open, their entries are not; the
 * parameter values build() and validate() receive are the scenario's own business.
 */
const SCENARIO: Shape<AnyScenario> = {
  id: 'checked',
  title: 'checked',
  source: 'checked',
  description: 'checked',
  params: 'checked',
  variants: 'checked',
  defaultVariant: 'checked',
  validate: 'function',
  build: 'checked',
};
const PARAM: Shape<ParamSpec> = { description: 'string', default: 'checked', min: 'checked', max: 'checked' };
const VARIANT: Shape<VariantSpec> = { description: 'string', expected: 'checked', provenance: 'checked', params: 'array' };
const EXPECTATION: Shape<Expectation> = { verdict: 'checked', property: 'checked' };
const PROVENANCE: { readonly [K in Provenance['kind']]: Shape<Extract<Provenance, { kind: K }>> } = {
  shipped: { kind: 'checked', versions: 'checked', commits: 'checked' },
  proposal: { kind: 'checked', thread: 'checked' },
  hypothetical: { kind: 'checked', why: 'checked' },
};

/** What is wrong with the keys of a scenario's definition, its parameters, variants, expectations and provenances, or null. */
function definitionKeysProblem(s: AnyScenario): string | null {
  const problem = shapeProblem(s, SCENARIO, 'its definition');
  if (problem) return problem;
  const record = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  for (const [k, p] of Object.entries(record(s.params) ? s.params : {})) {
    const found = record(p) ? shapeProblem(p, PARAM, `parameter '${k}'`) : null;
    if (found) return found;
  }
  for (const [v, spec] of Object.entries(record(s.variants) ? s.variants : {})) {
    if (!record(spec)) continue;
    const provenance = spec.provenance as { kind?: unknown } | undefined;
    const kind = provenance?.kind;
    const found =
      shapeProblem(spec, VARIANT, `variant '${v}'`) ??
      (record(spec.expected) ? shapeProblem(spec.expected, EXPECTATION, `variant '${v}': its expected`) : null) ??
      (record(provenance) && typeof kind === 'string' && Object.hasOwn(PROVENANCE, kind)
        ? shapeProblem<object>(provenance, PROVENANCE[kind as Provenance['kind']], `variant '${v}': its '${kind}' provenance`)
        : null);
    if (found) return found;
  }
  return null;
}

const COMMIT = /^[0-9a-f]{7,40}$/;
const PROVENANCE_FORMS = "{ kind: 'shipped', versions, commits: [...] }, { kind: 'proposal', thread } or { kind: 'hypothetical', why }";

/**
 * What is wrong with a variant's provenance, or null: one of the three kinds, its text fields non-empty
 * strings and each commit an abbreviated or full hash (7-40 lowercase hex digits).
 */
export function provenanceProblem(p: unknown): string | null {
  if (p === undefined) return `it has no provenance (add provenance: ${PROVENANCE_FORMS})`;
  const q = typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : {};
  if (!(PROVENANCE_KINDS as readonly unknown[]).includes(q.kind)) return `its provenance must be ${PROVENANCE_FORMS}`;
  const text = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';
  if (q.kind === 'proposal') return text(q.thread) ? null : "its 'proposal' provenance needs a thread (where it was posted)";
  if (q.kind === 'hypothetical') return text(q.why) ? null : "its 'hypothetical' provenance needs a why (what it is modelled to show)";
  if (!text(q.versions)) return "its 'shipped' provenance needs versions (e.g. 'v5.16 - v5.17', 'v6.15+')";
  if (!Array.isArray(q.commits)) return "its 'shipped' provenance needs commits: an array of hashes (may be empty)";
  const bad = q.commits.find((c) => typeof c !== 'string' || !COMMIT.test(c));
  return bad === undefined ? null : `its 'shipped' provenance lists ${JSON.stringify(bad)}, which is not a commit hash (7-40 lowercase hex digits)`;
}

/**
 * What is wrong with a variant's expectation, or null: `{ verdict: 'holds' }` or `{ verdict: 'violated',
 * property? }` (a typo such as 'violates' would otherwise be a mismatch on every gate run, or a crash).
 */
export function expectationProblem(e: unknown): string | null {
  const forms = "{ verdict: 'holds' } or { verdict: 'violated', property?: NAME }";
  if (typeof e !== 'object' || e === null) return `its expected must be ${forms}, not ${e === null ? 'null' : typeof e}`;
  const x = e as Record<string, unknown>;
  if (x.verdict !== 'holds' && x.verdict !== 'violated') return `its expected verdict is ${JSON.stringify(x.verdict) ?? 'undefined'}; it must be ${forms}`;
  if (x.property !== undefined && (x.verdict !== 'violated' || typeof x.property !== 'string'))
    return `its expected property ${JSON.stringify(x.property)} goes only with verdict 'violated', as a string: ${forms}`;
  return null;
}

/** One line: `shipped v5.16+; commits 42c498c18a94, ...`, `proposal, never merged: THREAD`, `hypothetical: WHY`. */
export function formatProvenance(p: Provenance): string {
  if (p.kind === 'shipped') return `shipped ${p.versions}${p.commits.length ? `; commits ${p.commits.join(', ')}` : ''}`;
  return p.kind === 'proposal' ? `proposal, never merged: ${p.thread}` : `hypothetical: ${p.why}`;
}

/**
 * What is wrong with a scenario's definition itself, or null: the default variant is one of its variants;
 * every parameter's min, max and default are whole numbers with min <= default <= max; a variant's
 * `params` names only declared parameters; every variant states its provenance; and the defaults pass `validate` for every variant. Checked
 * when a scenario is loaded (built-in or from a file), so a typo is reported instead of checked.
 */
export function scenarioDefinitionProblem(s: AnyScenario): string | null {
  const keys = definitionKeysProblem(s);
  if (keys) return keys;
  const variants = Object.keys(s.variants);
  if (variants.length === 0) return 'it has no variants';
  if (!Object.hasOwn(s.variants, s.defaultVariant)) return `defaultVariant '${s.defaultVariant}' is not one of its variants (${variants.join(', ')})`;
  for (const [k, p] of Object.entries(s.params)) {
    for (const f of ['min', 'max', 'default'] as const) {
      if (!Number.isSafeInteger(p[f])) return `parameter '${k}': ${f} must be a whole number, not ${String(p[f])}`;
    }
    if (p.min > p.max) return `parameter '${k}': min ${p.min} is above max ${p.max}`;
    if (p.default < p.min || p.default > p.max) return `parameter '${k}': default ${p.default} is outside its domain ${p.min}..${p.max}`;
  }
  for (const [v, spec] of Object.entries(s.variants)) {
    const provenance = provenanceProblem((spec as Partial<VariantSpec>).provenance);
    if (provenance) return `variant '${v}': ${provenance}`;
    const expectation = expectationProblem((spec as Partial<VariantSpec>).expected);
    if (expectation) return `variant '${v}': ${expectation}`;
    for (const k of spec.params ?? []) {
      if (!Object.hasOwn(s.params, k))
        return `variant '${v}' takes parameter '${k}', which is not declared (parameters: ${Object.keys(s.params).join(', ') || 'none'})`;
    }
    try {
      resolveParams(s, {}, v);
    } catch (e) {
      if (!(e instanceof ScenarioInputError)) throw e;
      return `the default parameters are invalid for variant '${v}': ${e.message.replace(/^scenario '[^']*': /, '')}`;
    }
  }
  return null;
}

/**
 * What a scenario's build() (or the system it built) threw, on one line: xstate's own definition errors
 * span two ("Invalid transition definition for state node 'm.run':\nChild state 'dnoe' does not exist").
 */
export function buildErrorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).trim().replace(/\s*\n\s*/g, ' ');
}

/** The system of a variant at the parameters resolveParams() gave; those it does not take at their defaults. */
export function buildVariant(s: AnyScenario, variant: string, params: Readonly<Record<string, number>>): SystemSpec {
  const all: Record<string, number> = {};
  for (const [k, spec] of Object.entries(s.params)) all[k] = params[k] ?? spec.default;
  return s.build(all, variant);
}
