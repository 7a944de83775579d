/** The typed registry of exhaustive search strategies; the CLI's `--strategy` choices come from here. */
import { bfs } from './bfs.js';
import { dfs } from './dfs.js';
import type { SearchStrategy } from './strategy.js';

export const strategies = { bfs, dfs } as const satisfies Record<string, SearchStrategy>;
export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategies, name);
}
