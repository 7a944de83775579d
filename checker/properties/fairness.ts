/**
 * Fairness, defined here once for every path that judges a cycle: the explored graph's components
 * (liveness.ts), and an execution - sampled or replayed - that comes back to a state (progress.ts). Thread
 * actors are weakly fair by default (an actor's `fairness` says otherwise); environment actors have no
 * fairness, but a finite budget instead.
 *
 * A cycle is fair when every weakly fair actor steps in it or is disabled in some state of it (weak
 * fairness: enabled forever implies taken), and every strongly fair actor steps in it or is disabled in
 * all of its states (strong fairness: enabled infinitely often implies taken). An environment actor's step
 * never lies on such a cycle: it acts only finitely often.
 *
 * Actors are bits of a 32-bit mask: `fairnessMasks()` refuses a system with more actors whenever a cycle is
 * judged, on every path, instead of letting `1 << a` wrap.
 */
import { stepActor } from '../system/step.js';
import { SystemDefinitionError, type CompiledSystem } from '../system/system.js';

/** Fairness bookkeeping keeps one bit per actor per state. */
export const MAX_LIVENESS_ACTORS = 32;

export interface FairnessMasks {
  /** Bit a: actor a is weakly fair. */
  readonly weak: number;
  /** Bit a: actor a is strongly fair. */
  readonly strong: number;
  /** Bit a: actor a is an environment (acts only finitely often). */
  readonly environment: number;
}

/** The system's fairness masks; throws a SystemDefinitionError past MAX_LIVENESS_ACTORS actors. */
export function fairnessMasks(system: CompiledSystem): FairnessMasks {
  if (system.actors.length > MAX_LIVENESS_ACTORS) {
    throw new SystemDefinitionError(`system '${system.name}': progress checking supports at most ${MAX_LIVENESS_ACTORS} actors`);
  }
  let weak = 0;
  let strong = 0;
  let environment = 0;
  for (const a of system.actors) {
    const bit = 1 << a.index;
    if (a.fairness === 'weak') weak |= bit;
    else if (a.fairness === 'strong') strong |= bit;
    if (a.kind === 'environment') environment |= bit;
  }
  return { weak, strong, environment };
}

/** The actors (as a mask) that have an enabled step among `enabled` (step ids). */
export function enabledActors(enabled: readonly number[]): number {
  let mask = 0;
  for (const id of enabled) mask |= 1 << stepActor(id);
  return mask;
}

/** What a cycle shows about its actors, as masks. */
export interface CycleActors {
  /** Actors that step on the cycle. */
  readonly stepped: number;
  /** Actors enabled in every state of the cycle. */
  readonly everywhere: number;
  /** Actors enabled in some state of the cycle. */
  readonly somewhere: number;
}

/**
 * The first actor (in actor order) the cycle treats unfairly, or -1 when the cycle is fair: a weakly fair
 * actor enabled in every state of it that never steps, or a strongly fair one enabled somewhere in it that
 * never steps.
 */
export function unfairActor(system: CompiledSystem, f: FairnessMasks, c: CycleActors): number {
  for (const a of system.actors) {
    const bit = 1 << a.index;
    if (c.stepped & bit) continue;
    if (f.weak & bit && c.everywhere & bit) return a.index;
    if (f.strong & bit && c.somewhere & bit) return a.index;
  }
  return -1;
}

/** The indices of the actors in `mask`, in actor order. */
export function actorsIn(system: CompiledSystem, mask: number): number[] {
  return system.actors.filter((a) => mask & (1 << a.index)).map((a) => a.index);
}
