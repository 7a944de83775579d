/**
 * Which of the requested reductions a run can use (reduction.ts names them): a reduction is switched off,
 * with a note in the result, where it would not be sound for the system, never left on to give a wrong
 * verdict (DESIGN.md, "Reductions, workers, shards").
 */
import type { CompiledSystem } from '../system/system.js';
import { reductionFlags, reductionOf, type Reduction, type ReductionFlags, type ReductionReport } from './reduction.js';
import { whySymmetryUnsound } from './symmetricProperties.js';
import { SymmetryReducer } from './symmetry.js';

export interface ReductionPlan {
  /** What the search switches on. */
  readonly flags: ReductionFlags;
  readonly report: ReductionReport;
  /** The canonicaliser, when symmetry is on (the search makes its own; traces are rebuilt with this one). */
  readonly symmetry: SymmetryReducer | null;
}

/** The reductions of `requested` that `system` admits; `exhaustive`: the strategy searches a state space. */
export function planReduction(system: CompiledSystem, requested: Reduction, exhaustive: boolean): ReductionPlan {
  const wanted = reductionFlags(requested);
  const notes: string[] = [];
  if (!exhaustive) {
    if (requested !== 'none') notes.push(`${requested} off: a sampling strategy stores no states to reduce`);
    return { flags: reductionFlags('none'), report: { requested, applied: 'none', notes }, symmetry: null };
  }
  let symmetry: SymmetryReducer | null = null;
  if (wanted.symmetry) {
    const sym = new SymmetryReducer(system);
    const why = sym.active ? whySymmetryUnsound(system, sym) : 'the system declares no symmetric actors';
    if (why) notes.push(`symmetry off: ${why}`);
    else symmetry = sym;
  }
  const flags = { por: wanted.por, symmetry: symmetry !== null };
  return { flags, report: { requested, applied: reductionOf(flags), notes }, symmetry };
}
