/**
 * Deadlock, defined here and nowhere else: a state with no enabled step in which some thread actor is not
 * in a final state. Environment actors never count as blocked. The report names, for each blocked thread,
 * its control state and what it waits for (the state's `meta.waitsFor`: a string, or a function of
 * `{ context, world }` returning one).
 */
import type { CompiledSystem } from '../system/system.js';
import { assertShape, type Shape } from '../keys.js';
import type { Confirmation, ConfirmRequest, Monitor, MonitorContext, MonitorFactory } from './monitor.js';
import type { DeadlockProperty, SlotStateView, StateView } from './property.js';
import { thrownMessage } from '../system/thrown.js';

const DEADLOCK_OPTIONS: Shape<Pick<DeadlockProperty, 'name' | 'description'>> = { name: 'string', description: 'string' };

export function deadlockFreedom(options: { name?: string; description?: string } = {}): DeadlockProperty {
  assertShape(options, DEADLOCK_OPTIONS, 'deadlockFreedom() options');
  return {
    kind: 'deadlock',
    name: options.name ?? 'deadlock',
    description: options.description ?? 'some thread is not finished and no actor can step',
  };
}

export interface BlockedActor {
  readonly actor: string;
  readonly state: string;
  readonly waitsFor: string | undefined;
}

/** The thread actors not in a final state, or an empty list when a terminal state is a proper end. */
export function blockedActors(system: CompiledSystem, view: StateView): BlockedActor[] {
  const out: BlockedActor[] = [];
  for (const a of system.actors) {
    if (a.kind !== 'thread') continue;
    const v = view.actors[a.index]!;
    if (v.final) continue;
    const st = a.machine.states.find((s) => s.name === v.state)!;
    const w = st.waitsFor;
    let waitsFor: string | undefined;
    try {
      waitsFor = typeof w === 'function' ? String(w({ context: v.context, world: view.world })) : w === undefined ? undefined : String(w);
    } catch (e) {
      waitsFor = `? (meta.waitsFor threw: ${thrownMessage(e)})`;
    }
    out.push({ actor: a.name, state: v.state, waitsFor });
  }
  return out;
}

export function describeDeadlock(blocked: readonly BlockedActor[]): string {
  return blocked.map((b) => `${b.actor} is stuck in '${b.state}'${b.waitsFor ? `, waiting for ${b.waitsFor}` : ''}`).join('; ');
}

/** Reports the first terminal state in which some thread is not final. */
export class DeadlockMonitor implements Monitor {
  private done = false;
  // The threads the report named.
  private blocked: readonly BlockedActor[] = [];
  constructor(
    private readonly system: CompiledSystem,
    private readonly property: DeadlockProperty,
    private readonly ctx: MonitorContext,
  ) {}
  terminal(s: SlotStateView): void {
    if (this.done) return;
    const blocked = blockedActors(this.system, s);
    if (!blocked.length) return;
    this.done = true;
    this.blocked = blocked;
    this.ctx.report({ property: this.property.name, kind: 'deadlock', message: describeDeadlock(blocked), blocked });
  }
  /** Final only at the trace's end: a replayed trace reproduces a deadlock when its last state is one. */
  confirm(r: ConfirmRequest): Confirmation | undefined {
    if (r.property !== this.property.name) return undefined;
    const names = this.blocked.map((b) => b.actor);
    return this.done && r.enabled.length === 0
      ? { reproduced: true, message: `after ${r.steps} steps no actor can step and ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not finished` }
      : { reproduced: false, message: `after ${r.steps} steps the system is not deadlocked (${r.enabled.length} steps enabled)` };
  }
}

export const deadlockMonitor: MonitorFactory<unknown> = (system, properties, ctx) => {
  const p = properties.find((x): x is DeadlockProperty => x.kind === 'deadlock');
  return p ? new DeadlockMonitor(system, p, ctx) : null;
};
