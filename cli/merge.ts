/**
 * `faultline merge`: the JSON results of the jobs of one split (`gate --shard`, `sweep --shard`, `check
 * --swarm`) back into the report one unsharded run gives. Every file must belong to the same split, and
 * every job of it must be there exactly once: a missing or repeated shard is bad input naming it, so a CI
 * job that lost an artifact cannot pass on the shards that are left.
 *
 * A gate report is rebuilt as data (GateReport) and printed by the gate's own formatters, so the merged
 * text, JSON, JUnit and Markdown are the unsharded gate's byte for byte apart from timings. The traces come
 * from the shards' JSON; each system is compiled again (not checked) for its actor names and properties.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckResult, CompiledSystem } from '../checker/index.js';
import type { GateEntry, GateReport, GateStatus } from '../scenarios/index.js';
import { UsageError } from './errors.js';
import { GATE_SCHEMA, RESULT_SCHEMA } from './format/json.js';
import { SWEEP_SCHEMA, type SweepPoint, type SweepReport } from './format/sweep.js';
import { resolveTarget } from './resolve.js';
import type { SwarmJobSummary, SwarmReport } from './format/swarm.js';
import { pointKey, type ShardMeta } from './shard.js';
import type { SwarmJob } from './swarm.js';

export type SplitKind = 'gate' | 'sweep' | 'swarm';

/** One job's result file. `data` is the parsed JSON, checked only as far as merging relies on it. */
export interface JobFile {
  readonly path: string;
  readonly kind: SplitKind;
  readonly index: number;
  readonly count: number;
  // The parsed report; its shape is the one cli/format/json.ts and sweep.ts write.
  readonly data: Record<string, unknown>;
}

const KIND_OF: Readonly<Record<string, { kind: SplitKind; key: 'shard' | 'swarm' }>> = {
  [GATE_SCHEMA]: { kind: 'gate', key: 'shard' },
  [SWEEP_SCHEMA]: { kind: 'sweep', key: 'shard' },
  [RESULT_SCHEMA]: { kind: 'swarm', key: 'swarm' },
};

function readJob(path: string, cwd: string): JobFile {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(resolve(cwd, path), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof SyntaxError ? 'not JSON' : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    throw new UsageError(`cannot read '${path}': ${why}`);
  }
  const how = typeof data === 'object' && data !== null ? KIND_OF[String(data.schema)] : undefined;
  const meta = how ? (data[how.key] as Partial<ShardMeta> | undefined) : undefined;
  if (!how || typeof meta?.index !== 'number' || typeof meta.count !== 'number') {
    throw new UsageError(
      `'${path}' is not the result of one job of a split (write it with \`gate --shard I/N --format json\`, \`sweep --shard I/N --format json\` or \`check --swarm I/N --format json\`)`,
    );
  }
  return { path, kind: how.kind, index: meta.index, count: meta.count, data };
}

/** The files of one split, in job order; anything missing, repeated or foreign is bad input naming it. */
export function readSplit(paths: readonly string[], cwd: string): JobFile[] {
  if (paths.length === 0) throw new UsageError('merge needs the JSON results of the jobs to merge (e.g. faultline merge gate-*.json)');
  const jobs = paths.map((p) => readJob(p, cwd));
  const first = jobs[0]!;
  const what = first.kind === 'swarm' ? 'swarm job' : 'shard';
  const same = (j: JobFile): string => JSON.stringify(splitIdentity(j));
  for (const j of jobs) {
    if (j.kind !== first.kind)
      throw new UsageError(`'${j.path}' is a ${j.kind} result and '${first.path}' a ${first.kind} result: merge the jobs of one split`);
    if (j.count !== first.count || same(j) !== same(first)) {
      throw new UsageError(`'${j.path}' (${what} ${j.index}/${j.count}) is not from the same split as '${first.path}' (${what} ${first.index}/${first.count})`);
    }
  }
  const byIndex = new Map<number, JobFile>();
  for (const j of jobs) {
    const seen = byIndex.get(j.index);
    if (seen) throw new UsageError(`${what} ${j.index}/${j.count} is given twice ('${seen.path}' and '${j.path}')`);
    byIndex.set(j.index, j);
  }
  const missing = Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new UsageError(
      `${what}${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
    );
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** What every job of one split shares: the plan (shards), or the run they sample (swarm). */
function splitIdentity(j: JobFile): unknown {
  const d = j.data;
  if (j.kind === 'swarm') {
    const { index: _index, stream: _stream, pctDepth: _depth, command: _command, ...rest } = d.swarm as Record<string, unknown>;
    return { scenario: d.scenario, variant: d.variant, params: d.params, strategy: d.strategy, ...rest };
  }
  const meta = d.shard as ShardMeta;
  return j.kind === 'sweep' ? { plan: meta.plan, scenario: d.scenario, variant: d.variant, fixed: d.fixed, axes: d.axes } : { plan: meta.plan };
}

interface JsonViolation {
  readonly trace: { readonly itf?: unknown } & Record<string, unknown>;
  readonly [key: string]: unknown;
}

interface JsonBound {
  readonly property: string;
  readonly limit: number;
  readonly worst: number;
  readonly steps: readonly Record<string, unknown>[];
}

/**
 * A CheckResult from its JSON (cli/format/json.ts runToJson). What the JSON does not carry is what no
 * report prints: a bound's trace keeps its steps, without their field changes or states.
 */
export function resultFromJson(j: Record<string, unknown>, system: CompiledSystem): CheckResult {
  const { schema: _schema, scenario: _scenario, variant: _variant, params: _params, replay: _replay, swarm: _swarm, ...rest } = j;
  const violations = (j.violations as readonly JsonViolation[]).map(({ trace: { itf: _itf, ...trace }, ...v }) => ({ ...v, trace }));
  const bounds = (j.bounds as readonly JsonBound[]).map((b) => ({
    property: b.property,
    limit: b.limit,
    worst: b.worst,
    trace: { steps: b.steps.map((s) => ({ ...s, changes: [] })), states: [] },
  }));
  // The shape is runToJson's; the parse boundary is the one place it is taken on trust.
  return { ...rest, system: system.name, violations, bounds } as unknown as CheckResult;
}

interface JsonGateEntry {
  readonly scenario: string;
  readonly variant: string;
  readonly params: Record<string, number>;
  readonly expected: GateEntry['expected'];
  readonly provenance: GateEntry['provenance'];
  readonly status: GateStatus;
  readonly message: string;
  readonly result?: Record<string, unknown>;
}

/** The gate report of the shards, entries in the order of the plan. */
export async function mergeGate(jobs: readonly JobFile[], cwd: string): Promise<GateReport> {
  const plan = (jobs[0]!.data.shard as ShardMeta).plan;
  const found = new Map<string, { entry: JsonGateEntry; job: JobFile }>();
  const counts: Record<string, number> = {};
  let interrupted = false;
  for (const job of jobs) {
    for (const [k, n] of Object.entries(job.data.counts as Record<string, number>)) counts[k] = (counts[k] ?? 0) + n;
    interrupted ||= job.data.interrupted === true;
    for (const e of job.data.entries as JsonGateEntry[]) {
      const key = `${e.scenario}:${e.variant}`;
      const other = found.get(key);
      if (other) throw new UsageError(`'${key}' is in shard ${other.job.index} ('${other.job.path}') and in shard ${job.index} ('${job.path}')`);
      found.set(key, { entry: e, job });
    }
  }
  const entries: GateEntry[] = [];
  for (const key of plan) {
    const hit = found.get(key);
    if (!hit) {
      if (interrupted) continue;
      throw new UsageError(`'${key}' is in the plan but in no shard's result (was a shard's file cut short?)`);
    }
    entries.push(await gateEntryFromJson(hit.entry, ((hit.job.data.shard as { targets?: Record<string, string> }).targets ?? {})[hit.entry.scenario], cwd));
  }
  return { entries, counts: counts as Record<GateStatus, number>, interrupted };
}

async function gateEntryFromJson(e: JsonGateEntry, target: string | undefined, cwd: string): Promise<GateEntry> {
  // Every field of the JSON entry but its result is the GateEntry's own (gateToJson writes them as they are).
  const { result: _result, ...about } = e;
  const base = { ...about, target: target ?? e.scenario };
  if (!e.result) return { ...base, properties: [] };
  const system = (await resolveTarget(`${base.target}:${e.variant}`, e.params, cwd)).system;
  const properties = system.properties.map((p) => ({ name: p.name, kind: p.kind, ...(p.description === undefined ? {} : { description: p.description }) }));
  const result = resultFromJson(e.result, system);
  return { ...base, properties, run: { scenario: e.scenario, variant: e.variant, params: e.params, result }, system };
}

/** The sweep report of the shards, points in grid order. */
export function mergeSweep(jobs: readonly JobFile[]): SweepReport {
  const d = jobs[0]!.data;
  const plan = (d.shard as ShardMeta).plan;
  const found = new Map<string, SweepPoint>();
  let interrupted = false;
  for (const job of jobs) {
    interrupted ||= job.data.interrupted === true;
    for (const p of job.data.points as SweepPoint[]) {
      const key = pointKey(p.point);
      if (found.has(key)) throw new UsageError(`the sweep point ${key} is in two shards (one is '${job.path}')`);
      found.set(key, p);
    }
  }
  const points: SweepPoint[] = [];
  for (const key of plan) {
    const p = found.get(key);
    if (p) points.push(p);
    else if (!interrupted) throw new UsageError(`the sweep point ${key} is in the plan but in no shard's result (was a shard's file cut short?)`);
  }
  return {
    scenario: d.scenario as string,
    variant: d.variant as string,
    fixed: d.fixed as SweepReport['fixed'],
    axes: d.axes as SweepReport['axes'],
    points,
    interrupted,
  };
}

/** The jobs of a swarm, merged: every job's search, and the first violation any job found. */
export async function mergeSwarm(jobs: readonly JobFile[], cwd: string): Promise<SwarmReport> {
  const d = jobs[0]!.data;
  const meta = (j: JobFile): SwarmJob => j.data.swarm as SwarmJob;
  const stats = (j: JobFile): { executions?: number } => j.data.stats as { executions?: number };
  const summaries: SwarmJobSummary[] = jobs.map((j) => {
    const stopped = j.data.inconclusive as { reason: string; message: string } | undefined;
    return {
      index: j.index,
      verdict: String(j.data.verdict),
      executions: stats(j).executions ?? 0,
      ...(meta(j).pctDepth === undefined ? {} : { pctDepth: meta(j).pctDepth! }),
      ...(stopped && stopped.reason !== 'sampled' ? { stopped: stopped.message } : {}),
      command: meta(j).command,
    };
  });
  const hit = jobs.find((j) => (j.data.violations as unknown[]).length > 0);
  let first: SwarmReport['first'];
  if (hit) {
    const system = (await resolveTarget(meta(hit).target, hit.data.params as Record<string, number>, cwd)).system;
    const violation = resultFromJson(hit.data, system).violations[0]!;
    first = {
      job: hit.index,
      violation,
      actors: system.actors.map((a) => a.name),
      command: meta(hit).command,
      ...(typeof hit.data.replay === 'string' ? { replay: hit.data.replay } : {}),
    };
  }
  return {
    scenario: d.scenario as string,
    variant: d.variant as string,
    params: d.params as Record<string, number>,
    strategy: d.strategy as string,
    seed: meta(jobs[0]!).seed,
    count: jobs[0]!.count,
    executions: summaries.reduce((n, j) => n + j.executions, 0),
    jobs: summaries,
    ...(first ? { first } : {}),
  };
}
