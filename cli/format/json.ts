/**
 * The JSON report of a check: one object, schema-versioned. Key order and contents are deterministic;
 * only `stats.seconds` and `stats.peakMemoryBytes` differ between two runs of the same command.
 */
import type { ScenarioRun } from '../../scenarios/index.js';

export const RESULT_SCHEMA = 'faultline/result@1';

export function runToJson(run: ScenarioRun): unknown {
  const r = run.result;
  return {
    schema: RESULT_SCHEMA,
    scenario: run.scenario,
    variant: run.variant,
    params: run.params,
    strategy: r.strategy,
    verdict: r.verdict,
    ...(r.inconclusive ? { inconclusive: r.inconclusive } : {}),
    violations: r.violations.map((v) => ({
      property: v.property,
      kind: v.kind,
      message: v.message,
      ...(v.blocked ? { blocked: v.blocked } : {}),
      trace: {
        steps: v.trace.steps,
        ...(v.trace.loop === undefined ? {} : { loop: v.trace.loop }),
        states: v.trace.states,
      },
    })),
    bounds: r.bounds.map((b) => ({ property: b.property, limit: b.limit, worst: b.worst, steps: b.trace.steps.map((s) => ({ actor: s.actor, transition: s.transition, choice: s.choice })) })),
    stats: r.stats,
  };
}
