/**
 * Progress: no fair cycle in which something stays "in flight" and no progress step happens (a livelock,
 * an infinite retry), and no run that ends - no actor can move - while it is in flight (a thread left
 * waiting forever). Checked after exhaustive exploration on the explored graph; see liveness.ts.
 */
import { describeDeadlock, type BlockedActor } from './deadlock.js';
import type { StateView, StepInfo } from './property.js';

export interface ProgressProperty<W = any> {
  readonly kind: 'progress';
  readonly name: string;
  readonly description?: string;
  /** True while the thing that must finish is still under way (e.g. the syscall has not returned). */
  readonly inFlight: (s: StateView<W>) => boolean;
  /** True for a step that counts as progress (e.g. the iterator's count decreased). */
  readonly progress: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean;
}

export function progress<W = any>(
  name: string,
  options: {
    readonly inFlight: (s: StateView<W>) => boolean;
    readonly progress: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean;
    readonly description?: string;
  },
): ProgressProperty<W> {
  return { kind: 'progress', name, ...options };
}

/**
 * Termination of one actor: it is in flight until it reaches a final state, and no step counts as
 * progress - so any fair cycle while it is not final, or any run that ends with it not final, is a violation.
 */
export function terminates<W = any>(actor: string, options: { name?: string; description?: string } = {}): ProgressProperty<W> {
  // Resolve the actor's index once per system (views of one system share their actors array).
  let actors: unknown = null;
  let index = -1;
  return {
    kind: 'progress',
    name: options.name ?? `${actor} terminates`,
    description: options.description ?? `${actor} eventually reaches a final state`,
    inFlight: (s) => {
      if (s.actors !== actors) {
        index = s.actor(actor).index;
        actors = s.actors;
      }
      return !s.actors[index]!.final;
    },
    progress: () => false,
  };
}

/**
 * A progress violation on a run that ends: no actor can move, and the property is still in flight. The
 * unfinished threads say where each is stuck and what it waits for, as a deadlock report does.
 */
export function stuckMessage(p: ProgressProperty, blocked: readonly BlockedActor[]): string {
  const where = blocked.length ? ` (${describeDeadlock(blocked)})` : '';
  return `${p.description ?? p.name}: the run ends in a state where no actor can move${where}, with '${p.name}' still in flight`;
}
