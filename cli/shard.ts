/**
 * Splitting a gate or a sweep into independent jobs for a CI matrix (`--shard i/n`), the way Playwright
 * shards its test runs: every job computes the same plan (all the work, in the unsharded order), the same
 * deterministic assignment of the plan to n shards, and runs only its own part. `faultline merge` puts the
 * parts back in plan order.
 *
 * The assignment balances recorded costs (states explored at the last recorded run), never the clock of
 * this run: LPT scheduling (R. L. Graham, "Bounds on multiprocessing timing anomalies", SIAM J. Appl.
 * Math. 17(2), 1969): the items by decreasing cost, each to the least-loaded shard, ties by plan order and
 * shard number, so every job computes the same split. Equal costs give a round-robin over the plan.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The most shards (or swarm jobs) one split may have. */
export const MAX_SHARDS = 256;

/** `i/n` with 1 <= i <= n; anything else is bad input naming the flag. */
export function parseShard(flag: string, raw: string | undefined): Shard | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !(count >= 1 && count <= MAX_SHARDS) || !(index >= 1 && index <= count)) {
    throw new UsageError(`${flag} expects I/N with 1 <= I <= N <= ${MAX_SHARDS} (e.g. ${flag} 2/4), not '${raw}'`);
  }
  return { index, count };
}

/** The shard (1-based) of every item: LPT over `costs`, deterministic. */
export function assignShards(costs: readonly number[], count: number): number[] {
  const order = costs.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
  const load = new Array<number>(count).fill(0);
  const shard = new Array<number>(costs.length).fill(0);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s]! < load[best]!) best = s;
    load[best]! += costs[i]!;
    shard[i] = best + 1;
  }
  return shard;
}

/**
 * Recorded costs by key (`scenario:variant` for a gate, `k=v k=v` for a sweep point): a JSON object of
 * numbers, or any faultline gate, sweep or merged report, whose explored states are taken as the costs.
 */
export function readCosts(path: string, cwd: string): Map<string, number> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(resolve(cwd, path), 'utf8'));
  } catch (e) {
    throw new UsageError(`--costs: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const out = new Map<string, number>();
  const r = data as { entries?: unknown; points?: unknown };
  if (Array.isArray(r.entries)) {
    for (const e of r.entries as { scenario: string; variant: string; result?: { stats?: { states?: number } } }[]) {
      const states = e.result?.stats?.states;
      if (typeof states === 'number') out.set(`${e.scenario}:${e.variant}`, states);
    }
  } else if (Array.isArray(r.points)) {
    for (const p of r.points as { point: Record<string, number>; states?: number }[]) {
      if (typeof p.states === 'number') out.set(pointKey(p.point), p.states);
    }
  } else if (typeof data === 'object' && data !== null) {
    for (const [k, v] of Object.entries(data)) if (typeof v === 'number' && v >= 0) out.set(k, v);
  }
  if (out.size === 0) throw new UsageError(`--costs: '${path}' holds no costs (give a JSON object of numbers, or a gate or sweep report in JSON)`);
  return out;
}

/** The key of a sweep point in a costs map and in a merge: `k=v k=v` in axis order. */
export function pointKey(point: Readonly<Record<string, number>>): string {
  return Object.entries(point)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/**
 * What starting one run costs, in states: compiling the system and setting up the search take about as
 * long as exploring two thousand states (the built-in gate: 0.02 s for a 3-state variant, 0.07 s for
 * 6,526 states), so a shard of many tiny runs is not taken for an empty one.
 */
export const RUN_OVERHEAD = 2000;

/** Costs for `keys`: the recorded ones, the median recorded one for the rest (0 when none is known), plus RUN_OVERHEAD. */
export function costsFor(keys: readonly string[], recorded: ReadonlyMap<string, number>): number[] {
  const known = keys.filter((k) => recorded.has(k)).map((k) => recorded.get(k)!);
  known.sort((a, b) => a - b);
  const fallback = known.length ? known[Math.floor(known.length / 2)]! : 0;
  return keys.map((k) => (recorded.get(k) ?? fallback) + RUN_OVERHEAD);
}

/** What a shard's JSON result carries for `faultline merge`: which shard it is, and the whole plan. */
export interface ShardMeta extends Shard {
  /** Every item of the unsharded run, in its order (`scenario:variant`, or a sweep point's key). */
  readonly plan: readonly string[];
}
