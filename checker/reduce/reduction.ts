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
