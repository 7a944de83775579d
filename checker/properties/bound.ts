/**
 * Bound: a counter stays within a limit (retries <= budget + c). The run also reports the worst value any
 * reachable state reaches and the shortest trace to it (under bfs), so a user reads "worst case: 4
 * retries with reclaim budget 3" even when the bound holds.
 */
import type { CompiledSystem } from '../system/system.js';
import { boundValue, propertyThrew, type Confirmation, type ConfirmRequest, type Monitor, type MonitorContext } from './monitor.js';
import { checkPropertyArgs, type BoundProperty, type Property, type SlotStateView, type StateView } from './property.js';
import { shown, type Shape } from '../keys.js';

const BOUND_OPTIONS: Shape<Pick<BoundProperty, 'description'>> = { description: 'string' };

export function bound<W = any>(name: string, value: (s: StateView<W>) => number, limit: number, options: { description?: string } = {}): BoundProperty<W> {
  checkPropertyArgs('bound', name, options, BOUND_OPTIONS);
  if (typeof limit !== 'number' || !Number.isFinite(limit)) throw new RangeError(`bound('${name}'): its limit must be a number, not ${shown(limit)}`);
  return { kind: 'bound', name, value, limit, ...options };
}

/** A bound's worst value over the run and where it was reached (undefined: the initial state, or nowhere). */
export interface BoundMeasure<L> {
  readonly property: BoundProperty;
  /** -Infinity when no state was measured. */
  worst: number;
  at: L | undefined;
}

/**
 * Measures every bound on every state. An exhaustive search reports an excess at its worst: the first
 * excess is provisional, the search goes on measuring (nothing else is reported after the first
 * violation), and the end of the run names the worst value and the state that reaches it. A sampling run
 * cannot know the worst: it reports the first excess it meets, with its value.
 */
export class BoundMonitor<L> implements Monitor {
  readonly measures = true;
  readonly measured: readonly BoundMeasure<L>[];
  // invariant: reported[i] is 1 once bounds[i]'s excess (or its throw) was reported.
  private readonly reported: Uint8Array;
  // The value of each bound in the last state measured.
  private readonly last: Float64Array;
  constructor(
    bounds: readonly BoundProperty[],
    private readonly ctx: MonitorContext<L>,
  ) {
    this.measured = bounds.map((property) => ({ property, worst: -Infinity, at: undefined }));
    this.reported = new Uint8Array(bounds.length);
    this.last = new Float64Array(bounds.length);
  }
  state(s: SlotStateView): void {
    const { measured, reported, ctx } = this;
    for (let i = 0; i < measured.length; i++) {
      const b = measured[i]!;
      let v: number;
      try {
        v = boundValue(b.property.value(s));
        s.readOnly();
      } catch (e) {
        ctx.report(propertyThrew(b.property, e));
        continue;
      }
      this.last[i] = v;
      if (v > b.worst) {
        b.worst = v;
        b.at = ctx.here();
      }
      if (v > b.property.limit && !reported[i]) {
        reported[i] = 1;
        if (ctx.mode === 'search') ctx.report({ property: b.property.name, kind: 'bound', message: '', provisional: true });
        else ctx.report({ property: b.property.name, kind: 'bound', message: `value ${v} exceeds the limit ${b.property.limit}` });
      }
    }
  }
  end(complete: boolean): void {
    if (this.ctx.mode !== 'search') return;
    for (let i = 0; i < this.measured.length; i++) {
      if (!this.reported[i]) continue;
      const { property, worst, at } = this.measured[i]!;
      const message = complete
        ? `worst value ${worst} exceeds the limit ${property.limit}`
        : `value ${worst} exceeds the limit ${property.limit} (the worst found before the search stopped; it may go higher)`;
      this.ctx.revise(property.name, message, at!);
    }
  }
  /** Final only at the trace's end: a bound's trace leads to its worst value, over the limit there. */
  confirm(r: ConfirmRequest): Confirmation | undefined {
    const i = this.measured.findIndex((b) => b.property.name === r.property);
    if (i < 0) return undefined;
    const v = this.last[i]!;
    const { name, limit } = this.measured[i]!.property;
    return v > limit
      ? { reproduced: true, message: `after ${r.steps} steps '${name}' = ${v} exceeds its limit ${limit}` }
      : { reproduced: false, message: `after ${r.steps} steps '${name}' = ${v} is within its limit ${limit}` };
  }
}

export function boundMonitor<L>(_system: CompiledSystem, properties: readonly Property[], ctx: MonitorContext<L>): BoundMonitor<L> | null {
  const bounds = properties.filter((p): p is BoundProperty => p.kind === 'bound');
  return bounds.length ? new BoundMonitor(bounds, ctx) : null;
}
