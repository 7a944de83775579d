/**
 * Assertion: a step that throws (a model assertion, a guard or action with a bug) or writes outside the
 * declared world (a value outside a field's domain, an index outside an array) is a violation with the
 * trace that ends with that step, as SPIN and Murphi report an index out of range. It needs no property:
 * every system has it, listed last in a result's properties.
 */
import type { Confirmation, ConfirmRequest, Monitor, MonitorContext, MonitorFactory } from './monitor.js';

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
  /**
   * A replayed trace reproduces an assertion when its last step fails. The replay words a failure itself
   * (a step that fails before the last is a divergence, whatever the claim): this answers for a trace
   * whose every step ran.
   */
  confirm(r: ConfirmRequest): Confirmation | undefined {
    if (r.property !== ASSERTION) return undefined;
    return r.reported
      ? { reproduced: true, message: `step ${r.reported.steps} (${r.stepName(r.reported.steps)}): ${r.reported.message}` }
      : { reproduced: false, message: `after ${r.steps} steps nothing threw: the model no longer has this assertion failure` };
  }
}

export const assertionMonitor: MonitorFactory<unknown> = (_system, _properties, ctx) => new AssertionMonitor(ctx);
