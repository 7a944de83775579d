/**
 * The typed registry of search strategies; the CLI's `--strategy` choices come from here. Exhaustive ones
 * (bfs, dfs) store every state and can prove a property; sampling ones (random, pct) run executions and
 * can only find violations.
 */
import { bfs } from './bfs.js';
import { dfs } from './dfs.js';
import { pct } from './pct.js';
import { random } from './random.js';
import type { SamplingStrategy } from './sampling.js';
import type { SearchStrategy } from './strategy.js';

export const strategies = { bfs, dfs, random, pct } as const satisfies Record<string, SearchStrategy | SamplingStrategy>;
export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategies, name);
}
