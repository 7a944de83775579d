/**
 * The JSON report of a check: one object, schema-versioned. Key order and contents are deterministic;
 * only `stats.seconds` and `stats.peakMemoryBytes` differ between two runs of the same command.
 */
import type { GateReport, ScenarioRun } from '../../scenarios/index.js';
import { toItf } from './itf.js';

export const RESULT_SCHEMA = 'faultline/result@1';

/** `replay`: the command that replays the first counterexample, when its trace file was written. */
export function runToJson(run: ScenarioRun, o: { readonly replay?: string } = {}): unknown {
  const r = run.result;
  return {
    schema: RESULT_SCHEMA,
    scenario: run.scenario,
    variant: run.variant,
    params: run.params,
    strategy: r.strategy,
    ...(r.reduction ? { reduction: r.reduction } : {}),
    ...(r.traceOrder ? { traceOrder: r.traceOrder } : {}),
    verdict: r.verdict,
    ...(r.verdict === 'inconclusive' && r.inconclusive ? { inconclusive: r.inconclusive } : {}),
    ...(r.verdict === 'model-error' && r.modelError
      ? {
          modelError: {
            kind: r.modelError.kind,
            subject: r.modelError.subject,
            message: r.modelError.message,
            ...(r.modelError.threads ? { threads: r.modelError.threads } : {}),
            trace: { steps: r.modelError.trace.steps, states: r.modelError.trace.states, itf: toItf(r.modelError.trace) },
          },
        }
      : {}),
    violations: r.violations.map((v) => ({
      property: v.property,
      kind: v.kind,
      message: v.message,
      ...(v.blocked ? { blocked: v.blocked } : {}),
      trace: {
        steps: v.trace.steps,
        ...(v.trace.loop === undefined ? {} : { loop: v.trace.loop }),
        states: v.trace.states,
        itf: toItf(v.trace),
      },
    })),
    properties: r.properties,
    bounds: r.bounds.map((b) => ({
      property: b.property,
      limit: b.limit,
      worst: b.worst,
      steps: b.trace.steps.map((s) => ({ actor: s.actor, transition: s.transition, choice: s.choice, label: s.label })),
    })),
    stats: r.stats,
    ...(o.replay ? { replay: o.replay } : {}),
  };
}

export const GATE_SCHEMA = 'faultline/gate@1';

/** The gate as one JSON object: every entry with its expectation, status and full result. */
export function gateToJson(report: GateReport): unknown {
  return {
    schema: GATE_SCHEMA,
    counts: report.counts,
    interrupted: report.interrupted,
    entries: report.entries.map((e) => ({
      scenario: e.scenario,
      variant: e.variant,
      params: e.params,
      expected: e.expected,
      provenance: e.provenance,
      status: e.status,
      message: e.message,
      ...(e.run ? { result: runToJson(e.run) } : {}),
    })),
  };
}
