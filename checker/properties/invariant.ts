/** Invariant: a predicate on every reachable state; the counterexample is the shortest path to a bad state. */
import type { CompiledSystem } from '../system/system.js';
import { describeFailure } from './explainState.js';
import { propertyThrew, truth, type Confirmation, type ConfirmRequest, type Monitor, type MonitorContext, type MonitorFactory } from './monitor.js';
import { checkPropertyArgs, type InvariantProperty, type SlotStateView, type StateView } from './property.js';
import type { Shape } from '../keys.js';

const INVARIANT_OPTIONS: Shape<Pick<InvariantProperty, 'description' | 'explain'>> = { description: 'string', explain: 'function' };

export function invariant<W = any>(
  name: string,
  holds: (s: StateView<W>) => boolean,
  options: { description?: string; explain?: (s: StateView<W>) => string } = {},
): InvariantProperty<W> {
  checkPropertyArgs('invariant', name, options, INVARIANT_OPTIONS);
  return { kind: 'invariant', name, holds, ...options };
}

/** What a violated invariant says about state `s`: its own explain, or a description of the state. */
export function invariantMessage(system: CompiledSystem, p: InvariantProperty, s: StateView): string {
  return p.explain ? p.explain(s) : describeFailure(system, p, s);
}

/** Checks every invariant on every state the engine reaches; stops checking one once it is reported. */
export class InvariantMonitor implements Monitor {
  // invariant: done[i] is 1 once invariants[i] was reported (a violation or a throw).
  private readonly done: Uint8Array;
  constructor(
    private readonly system: CompiledSystem,
    private readonly invariants: readonly InvariantProperty[],
    private readonly ctx: MonitorContext,
  ) {
    this.done = new Uint8Array(invariants.length);
  }
  state(s: SlotStateView): void {
    const { invariants, done, ctx } = this;
    for (let i = 0; i < invariants.length; i++) {
      if (done[i]) continue;
      const p = invariants[i]!;
      try {
        const ok = truth(p.holds(s), 'holds');
        s.readOnly();
        if (!ok) {
          done[i] = 1;
          ctx.report({ property: p.name, kind: 'invariant', message: invariantMessage(this.system, p, s) });
        }
      } catch (e) {
        done[i] = 1;
        ctx.report(propertyThrew(p, e));
      }
    }
  }
  /** A replayed trace reproduces the violation when some state along it breaks the invariant. */
  confirm(r: ConfirmRequest): Confirmation | undefined {
    if (!this.invariants.some((p) => p.name === r.property)) return undefined;
    return r.reported
      ? { reproduced: true, message: `after ${r.reported.steps} steps invariant '${r.property}' is violated` }
      : { reproduced: false, message: `after ${r.steps} steps invariant '${r.property}' holds: the model no longer has this violation` };
  }
}

export const invariantMonitor: MonitorFactory<unknown> = (system, properties, ctx) => {
  const invariants = properties.filter((p): p is InvariantProperty => p.kind === 'invariant');
  return invariants.length ? new InvariantMonitor(system, invariants, ctx) : null;
};
