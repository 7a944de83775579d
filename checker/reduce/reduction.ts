/**
 * Which reductions an exhaustive search applies (issue 9): `none`, `por` (partial-order reduction from the
 * steps' footprints), `symmetry` (one representative per permutation of the actors a system declares
 * interchangeable) or `all` (both). A reduction never changes a verdict; it changes the states counted.
 */
export const REDUCTIONS = ['none', 'por', 'symmetry', 'all'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/** What the search loop switches on. */
export interface ReductionFlags {
  readonly por: boolean;
  readonly symmetry: boolean;
}

export function reductionFlags(r: Reduction): ReductionFlags {
  return { por: r === 'por' || r === 'all', symmetry: r === 'symmetry' || r === 'all' };
}

export function resolveReduction(r: Reduction | undefined): Reduction {
  if (r === undefined) return 'none';
  if (!REDUCTIONS.includes(r)) throw new RangeError(`reduce must be ${REDUCTIONS.join(', ')}, not ${String(r)}`);
  return r;
}

/** The reduction a run used, for its result: what was asked, what was applied, and why they differ. */
export interface ReductionReport {
  readonly requested: Reduction;
  readonly applied: Reduction;
  /** One line per reduction switched off or without effect (e.g. "symmetry off: property 'X' reads CPU1 and not CPU0 ..."). */
  readonly notes: readonly string[];
}

/** The Reduction that switches on exactly `flags`. */
export function reductionOf(flags: ReductionFlags): Reduction {
  return flags.por ? (flags.symmetry ? 'all' : 'por') : flags.symmetry ? 'symmetry' : 'none';
}
