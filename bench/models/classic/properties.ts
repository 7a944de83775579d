/**
 * The two properties the classic mutual-exclusion models share: at most one process in the critical
 * section, and one process entering it infinitely often (SPIN's `[]<> P@cs` under weak fairness).
 */
import { invariant, progress, type InvariantProperty, type ProgressProperty } from '../../../index.js';

/** At most one actor in control state `state`. */
export function mutualExclusion(state = 'cs', name = 'mutual exclusion'): InvariantProperty {
  return invariant(name, (s) => s.actors.filter((a) => a.state === state).length <= 1, {
    description: `at most one process in the critical section ('${state}')`,
  });
}

/** Actor `actor` enters control state `state` infinitely often: in flight while elsewhere, progress when it enters. */
export function entersAgain(name: string, actor: string, state: string, description: string): ProgressProperty {
  return progress(name, {
    description,
    inFlight: (s) => s.actor(actor).state !== state,
    progress: (before, after) => before.actor(actor).state !== state && after.actor(actor).state === state,
  });
}
