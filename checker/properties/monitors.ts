/**
 * The registry of monitors: one per property kind, in the order the engine calls them for one event
 * (state: invariants, then bounds; step: transitions, then progress; terminal: deadlock, then progress).
 * A new property kind is a new file with its constructor and its monitor, and one line here.
 */
import { assertionMonitor } from './assertion.js';
import { boundMonitor, type BoundMonitor } from './bound.js';
import { deadlockMonitor } from './deadlock.js';
import { invariantMonitor } from './invariant.js';
import { monitorSet, type Monitor, type MonitorContext, type MonitorSet } from './monitor.js';
import { progressMonitor, type ProgressRecorder } from './progress.js';
import { transitionMonitor } from './transition.js';
import type { CompiledSystem } from '../system/system.js';
import type { Property } from './property.js';

export interface Monitors<L> {
  readonly set: MonitorSet;
  /** The bounds' worst values, read after the run (null: the system has no bound). */
  readonly bounds: BoundMonitor<L> | null;
  /** The explored graph an exhaustive search recorded for the cycle analysis after it (null: none). */
  readonly graph: ProgressRecorder | null;
}

/**
 * `recordGraph`: an exhaustive search whose store can name every state records the graph for progress.
 * `props`: the properties to watch (a replay watches the one it claims); model assertions are always watched.
 */
export function createMonitors<L>(
  system: CompiledSystem,
  ctx: MonitorContext<L>,
  recordGraph: boolean,
  props: readonly Property[] = system.properties,
): Monitors<L> {
  const bounds = boundMonitor(system, props, ctx);
  const progress = progressMonitor(system, props, ctx, recordGraph);
  const monitors: (Monitor | null)[] = [
    invariantMonitor(system, props, ctx),
    bounds,
    transitionMonitor(system, props, ctx),
    deadlockMonitor(system, props, ctx),
    progress,
    assertionMonitor(system, props, ctx),
  ];
  return {
    set: monitorSet(monitors.filter((m): m is Monitor => m !== null)),
    bounds,
    graph: progress && 'edges' in progress ? progress : null,
  };
}
