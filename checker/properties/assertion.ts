/**
 * Assertion: a step that throws (a model assertion, a guard or action with a bug) or writes outside the
 * declared world (a value outside a field's domain, an index outside an array) is a violation with the
 * trace that ends with that step, as SPIN and Murphi report an index out of range. It needs no property:
 * every system has it, listed last in a result's properties.
 */
import type { Monitor, MonitorContext, MonitorFactory } from './monitor.js';

/** The name every result gives model assertions. */
export const ASSERTION = 'assertion';

export class AssertionMonitor implements Monitor {
  private done = false;
  constructor(private readonly ctx: MonitorContext) {}
  stepFailed(_stepId: number, message: string): void {
    if (this.done) return;
    this.done = true;
    this.ctx.report({ property: ASSERTION, kind: 'assertion', message, atStep: true });
  }
}

export const assertionMonitor: MonitorFactory<unknown> = (_system, _properties, ctx) => new AssertionMonitor(ctx);
