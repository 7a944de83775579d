/** Invariant: a predicate on every reachable state; the counterexample is the shortest path to a bad state. */
import type { InvariantProperty, StateView } from './property.js';

export function invariant<W = any>(
  name: string,
  holds: (s: StateView<W>) => boolean,
  options: { description?: string; explain?: (s: StateView<W>) => string } = {},
): InvariantProperty<W> {
  return { kind: 'invariant', name, holds, ...options };
}
