/**
 * The typed registry of strategies (strategy.ts); the CLI's `--strategy` choices come from here. Exhaustive
 * ones (bfs, dfs) store every state and can prove a property; sampling ones (random, pct) run executions
 * and can only find violations. A new strategy is a new file and one entry here.
 */
import { bfs } from './bfs.js';
import { dfs } from './dfs.js';
import { pct } from './pct.js';
import { random } from './random.js';
import type { Strategy } from './strategy.js';

export const strategies = { bfs, dfs, random, pct } as const satisfies Record<string, Strategy>;
export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategies, name);
}
