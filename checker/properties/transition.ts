/**
 * Transition property: a predicate on every step (s, s'), including steps into states already seen - e.g.
 * "the fault-in window never grows after a no-progress round". The counterexample ends with the bad step.
 */
import type { StateView, StepInfo, TransitionProperty } from './property.js';

export function transitionProperty<W = any>(
  name: string,
  holds: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean,
  options: { description?: string; explain?: (before: StateView<W>, after: StateView<W>, step: StepInfo) => string } = {},
): TransitionProperty<W> {
  return { kind: 'transition', name, holds, ...options };
}

/**
 * A monotone quantity: `value` never increases across a step unless the step `resets` it (for example
 * progress was made). Built on transitionProperty.
 */
export function nonIncreasing<W = any>(
  name: string,
  value: (s: StateView<W>) => number,
  options: { description?: string; unless?: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean } = {},
): TransitionProperty<W> {
  const unless = options.unless;
  return {
    kind: 'transition',
    name,
    ...(options.description === undefined ? {} : { description: options.description }),
    holds: (b, a, step) => value(a) <= value(b) || (unless !== undefined && unless(b, a, step)),
    explain: (b, a) => `it grew from ${value(b)} to ${value(a)}`,
  };
}
