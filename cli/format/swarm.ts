/** A merged swarm (`faultline merge` of `check --swarm` jobs) as data, as text and as one JSON object. */
import type { ChalkInstance } from 'chalk';
import { formatTraceText, type Violation } from '../../checker/index.js';
import { num, paramsSuffix } from './common.js';

export interface SwarmJobSummary {
  readonly index: number;
  /** The job's verdict: violated or inconclusive (anything else fails the merge). */
  readonly verdict: string;
  readonly executions: number;
  readonly pctDepth?: number;
  /** Why the job stopped before its executions were done (a timeout, Ctrl-C). */
  readonly stopped?: string;
  /** The command that reruns this job. */
  readonly command: string;
}

export interface SwarmReport {
  readonly scenario: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly strategy: string;
  readonly seed: number;
  /** Jobs in the swarm. */
  readonly count: number;
  /** Executions run, all jobs together. */
  readonly executions: number;
  readonly jobs: readonly SwarmJobSummary[];
  /** The violation of the lowest-numbered job that found one. */
  readonly first?: {
    readonly job: number;
    readonly violation: Violation;
    readonly actors: readonly string[];
    readonly command: string;
    /** `faultline replay FILE`, when that job wrote its trace (`--trace FILE`). */
    readonly replay?: string;
  };
}

export const SWARM_SCHEMA = 'faultline/swarm@1';

export function swarmToJson(r: SwarmReport): unknown {
  const first = r.first;
  return {
    schema: SWARM_SCHEMA,
    scenario: r.scenario,
    variant: r.variant,
    params: r.params,
    strategy: r.strategy,
    seed: r.seed,
    jobs: r.count,
    executions: r.executions,
    verdict: first ? 'violated' : 'inconclusive',
    ...(first
      ? {
          violation: {
            job: first.job,
            property: first.violation.property,
            kind: first.violation.kind,
            message: first.violation.message,
            steps: first.violation.trace.steps.map((s) => ({ actor: s.actor, transition: s.transition, choice: s.choice, label: s.label })),
            ...(first.violation.trace.loop === undefined ? {} : { loop: first.violation.trace.loop }),
            reproduce: first.command,
            ...(first.replay ? { replay: first.replay } : {}),
          },
        }
      : {}),
    perJob: r.jobs,
  };
}

export function formatSwarmText(r: SwarmReport, c: ChalkInstance): string {
  const head = `${r.scenario}:${r.variant}${paramsSuffix(r.params)}`;
  const depths = r.jobs.some((j) => j.pctDepth !== undefined) ? `; depths ${r.jobs.map((j) => j.pctDepth ?? '-').join(', ')}` : '';
  const how = `${r.strategy}, seed ${r.seed}${depths}`;
  const across = `${num(r.executions)} executions across ${r.count} job${r.count === 1 ? '' : 's'}`;
  const out: string[] = [];
  const odd = r.jobs.filter((j) => j.verdict !== 'violated' && j.verdict !== 'inconclusive');
  if (r.first) {
    const v = r.first.violation;
    out.push(`${head}: ${c.red.bold('VIOLATED')} in job ${r.first.job}/${r.count} (${how}; ${across})`, '');
    out.push(c.bold(`${v.kind} '${v.property}' violated: ${v.message}`), '', formatTraceText(v.trace, { actors: r.first.actors }), '');
    out.push(`Reproduce: ${r.first.command}`);
    if (r.first.replay) out.push(`Replay: ${r.first.replay}`);
  } else if (odd.length === 0) {
    out.push(`${head}: ${c.yellow('INCONCLUSIVE')}`, `  no violation in ${across} (${how}); sampling proves nothing - use --strategy bfs for a verdict`);
  } else {
    out.push(`${head}: ${c.red.bold('FAILED')}`);
  }
  for (const j of odd) out.push(`  job ${j.index}/${r.count}: verdict ${j.verdict}; rerun it: ${j.command}`);
  for (const j of r.jobs) if (j.stopped) out.push(`  job ${j.index}/${r.count} stopped early after ${num(j.executions)} executions: ${j.stopped}`);
  return out.join('\n') + '\n';
}
