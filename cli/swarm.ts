/**
 * Swarm verification for the sampling strategies (G. J. Holzmann, R. Joshi, A. Groce, "Swarm
 * verification techniques", IEEE TSE 37(6), 2011): instead of one long random or PCT search, N independent
 * jobs - a CI matrix - each run their own part. Job i draws from stream i - 1 of the seed (Rng.stream:
 * the sequence jumped (i - 1) × 2^64 draws), so no two jobs repeat each other's executions; and, as
 * SPIN's swarm varies its search options per job, a PCT job given no --pct-depth takes its own bug depth
 * from SWARM_PCT_DEPTHS, so the swarm covers shallow and deeper bugs at once.
 */
import type { Limits } from './options.js';
import type { Shard } from './shard.js';

/**
 * The PCT bug depth of swarm job i (without --pct-depth): job 1 keeps the default 3, the others vary it.
 * Depth 1 (no priority change) comes last: on the built-in deadlocks (gfs2 ABBA, pipe-atomic) it found
 * nothing in 3,000 executions, where depths 2 to 6 each found the bug within 7.
 */
export const SWARM_PCT_DEPTHS = [3, 2, 4, 5, 6, 1] as const;

export function swarmPctDepth(index: number): number {
  return SWARM_PCT_DEPTHS[(index - 1) % SWARM_PCT_DEPTHS.length]!;
}

/** The limits of one swarm job: its stream, and for pct its depth unless the user fixed one. */
export function swarmLimits(limits: Limits, job: Shard): Limits {
  const pctDepth = limits.strategy === 'pct' ? (limits.sampling.pctDepth ?? swarmPctDepth(job.index)) : undefined;
  return { ...limits, sampling: { ...limits.sampling, stream: job.index - 1, ...(pctDepth === undefined ? {} : { pctDepth }) } };
}

/** What a swarm job's JSON result carries for `faultline merge`: which job, its search, and how to rerun it. */
export interface SwarmJob {
  readonly index: number;
  readonly count: number;
  readonly seed: number;
  readonly stream: number;
  readonly pctDepth?: number;
  /** The target as given (`ID[:VARIANT]` or a file), for the reproduce command and for merge to rebuild the system. */
  readonly target: string;
  /** The command that reruns exactly this job. */
  readonly command: string;
}

export function swarmJob(job: Shard, limits: Limits, target: string, paramFlags: string): SwarmJob {
  const s = limits.sampling;
  const seed = s.seed ?? 1;
  const options = [
    `--strategy ${limits.strategy}`,
    `--seed ${seed}`,
    `--swarm ${job.index}/${job.count}`,
    ...(s.executions === undefined ? [] : [`--executions ${s.executions}`]),
    ...(s.maxDepth === undefined ? [] : [`--max-depth ${s.maxDepth}`]),
    ...(s.pctDepth === undefined ? [] : [`--pct-depth ${s.pctDepth}`]),
  ];
  return {
    index: job.index,
    count: job.count,
    seed,
    stream: job.index - 1,
    ...(s.pctDepth === undefined ? {} : { pctDepth: s.pctDepth }),
    target,
    command: `faultline check ${target} ${options.join(' ')}${paramFlags}`,
  };
}
