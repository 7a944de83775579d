/**
 * Bound: a counter stays within a limit (retries <= budget + c). The run also reports the worst value any
 * reachable state reaches and the shortest trace to it (under bfs), so a user reads "worst case: 4
 * retries with reclaim budget 3" even when the bound holds.
 */
import type { BoundProperty, StateView } from './property.js';

export function bound<W = any>(name: string, value: (s: StateView<W>) => number, limit: number, options: { description?: string } = {}): BoundProperty<W> {
  return { kind: 'bound', name, value, limit, ...options };
}
