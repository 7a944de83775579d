/**
 * The gate: every scenario × variant, at its default parameters, against the verdict it declares (and, for
 * `violated`, the property of the first violation). Results are data; `faultline gate` formats them and
 * chooses the exit code. A run that stops on a bound is `inconclusive`, never a pass; a scenario that fails
 * to build is an `error` (a bug in the scenario), which counts as a mismatch.
 */
import { check, compileSystem, type CheckOptions, type CheckResult, type CompiledSystem, type PropertyKind } from '../checker/index.js';
import { buildErrorText, buildVariant, resolveParams, type AnyScenario, type Expectation, type Provenance } from './scenario.js';
import type { ScenarioRun } from './run.js';

export type GateStatus = 'as-expected' | 'mismatch' | 'inconclusive' | 'error';

export interface GateProperty {
  readonly name: string;
  readonly kind: PropertyKind;
  readonly description?: string;
}

export interface GateEntry {
  readonly scenario: string;
  /** How to name the scenario on a command line: its id, or the path of the file it came from. */
  readonly target: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly expected: Expectation;
  /** What the variant is: shipped, a proposal or hypothetical. */
  readonly provenance: Provenance;
  readonly status: GateStatus;
  /** One line: what was found against what was expected. */
  readonly message: string;
  /** The system's properties, in declaration order (empty when the scenario failed to build). */
  readonly properties: readonly GateProperty[];
  /** Absent when the scenario failed to build (`error`). */
  readonly run?: ScenarioRun;
  readonly system?: CompiledSystem;
}

export interface GateReport {
  readonly entries: readonly GateEntry[];
  readonly counts: Readonly<Record<GateStatus, number>>;
  /** The run of the last entry was interrupted (Ctrl-C): the entries after it were not run. */
  readonly interrupted: boolean;
}

/** What a run found, against what the variant expects. */
export function compareExpectation(expected: Expectation, result: CheckResult): { status: GateStatus; message: string } {
  const first = result.violations[0];
  const want = expected.verdict === 'holds' ? 'holds' : `violates '${expected.property ?? 'any property'}'`;
  // A model error is never an expected result: the model must be fixed before its verdict means anything.
  if (result.modelError || (result.verdict !== 'holds' && result.verdict !== 'violated' && result.verdict !== 'inconclusive')) {
    return { status: 'error', message: `expected: ${want}; found: model error: ${result.modelError?.message ?? result.verdict}` };
  }
  if (first) {
    const found = `${first.kind} '${first.property}' violated: ${first.message}`;
    if (expected.verdict === 'violated' && (expected.property === undefined || expected.property === first.property)) {
      return { status: 'as-expected', message: `${found} (as expected)` };
    }
    return { status: 'mismatch', message: `expected: ${want}; found: ${found}` };
  }
  if (result.verdict === 'inconclusive') {
    return { status: 'inconclusive', message: `expected: ${want}; inconclusive: ${result.inconclusive?.message ?? 'the search stopped'}` };
  }
  if (expected.verdict === 'holds') return { status: 'as-expected', message: 'holds (as expected)' };
  return { status: 'mismatch', message: `expected: ${want}; found: every property holds` };
}

export interface GateOptions {
  /** Check options for each run, made fresh per run (so a timeout is per run). */
  readonly options?: (scenario: string, variant: string) => CheckOptions;
  /** Which scenario variants to run (default: all). */
  readonly include?: (scenario: string, variant: string) => boolean;
  /** How a scenario is named on a command line (default: its id; a scenario file: its path). */
  readonly targetOf?: (s: AnyScenario) => string;
  /** Called after each entry, for streaming output. */
  readonly onEntry?: (entry: GateEntry) => void;
}

/** Runs one scenario variant at its default parameters against its expectation. */
export function gateVariant(s: AnyScenario, variant: string, options: CheckOptions = {}, target: string = s.id): GateEntry {
  const { expected, provenance } = s.variants[variant]!;
  let params: Record<string, number> = {};
  // What every entry says about the variant, whatever happened to its run.
  const about = () => ({ scenario: s.id, target, variant, params, expected, provenance });
  let system: CompiledSystem;
  try {
    params = resolveParams(s, {}, variant);
    system = compileSystem(buildVariant(s, variant, params));
  } catch (e) {
    return { ...about(), status: 'error', message: `failed to build: ${buildErrorText(e)}`, properties: [] };
  }
  const properties = system.properties.map((p) => ({ name: p.name, kind: p.kind, ...(p.description === undefined ? {} : { description: p.description }) }));
  // An expectation naming a property the system does not have (a typo) could never be met: say so, unrun.
  const known = [...properties.map((p) => p.name), 'assertion'];
  if (expected.property !== undefined && !known.includes(expected.property)) {
    const message = `the expectation names property '${expected.property}', which the system does not have (properties: ${known.join(', ')})`;
    return { ...about(), status: 'error', message, properties, system };
  }
  let result: CheckResult;
  try {
    result = check(system, options);
  } catch (e) {
    return { ...about(), status: 'error', message: `the check failed: ${e instanceof Error ? e.message : String(e)}`, properties, system };
  }
  const { status, message } = compareExpectation(expected, result);
  return { ...about(), status, message, properties, run: { scenario: s.id, variant, params, result }, system };
}

/** Every variant of every scenario, in registry order then variant declaration order. */
export function runGate(list: readonly AnyScenario[], o: GateOptions = {}): GateReport {
  const entries: GateEntry[] = [];
  const counts: Record<GateStatus, number> = { 'as-expected': 0, mismatch: 0, inconclusive: 0, error: 0 };
  let interrupted = false;
  outer: for (const s of list) {
    for (const variant of Object.keys(s.variants)) {
      if (o.include && !o.include(s.id, variant)) continue;
      const entry = gateVariant(s, variant, o.options?.(s.id, variant) ?? {}, o.targetOf?.(s) ?? s.id);
      entries.push(entry);
      counts[entry.status]++;
      o.onEntry?.(entry);
      if (entry.run?.result.inconclusive?.reason === 'interrupted') {
        interrupted = true;
        break outer;
      }
    }
  }
  return { entries, counts, interrupted };
}
