/**
 * A stepper that remembers which guard or choices function threw while `enabledSteps()` listed the steps
 * of a state. The list counts such a step as enabled (taking it is the model assertion); an exhaustive
 * search expands every step and so reports it at once, but an execution (random, pct) takes only the step
 * its scheduler picks. The function has already run - and, say, written the world - in this execution, so
 * the executions loop (executions.ts) reports it there, as the search would, instead of only if its step
 * happens to be picked.
 */
import type { CompiledEvent, CompiledTransition } from '../system/compile.js';
import { encodeStep, Stepper } from '../system/step.js';

export class ListingStepper extends Stepper {
  /** The first guard or choices function that threw during the last enabledSteps(): its step, and what it threw. */
  failed: { readonly step: number; readonly thrown: unknown } | null = null;
  private listing = false;

  override enabledSteps(): number[] {
    this.failed = null;
    this.listing = true;
    try {
      return super.enabledSteps();
    } finally {
      this.listing = false;
    }
  }

  override choiceCount(a: number, e: CompiledEvent): number {
    try {
      return super.choiceCount(a, e);
    } catch (err) {
      // The search reports a failing choices function with choice 0 of its event.
      this.note(encodeStep(a, e.index, 0), err);
      throw err;
    }
  }

  override pick(a: number, e: CompiledEvent, choice: number): CompiledTransition | null {
    try {
      return super.pick(a, e, choice);
    } catch (err) {
      this.note(encodeStep(a, e.index, choice), err);
      throw err;
    }
  }

  private note(step: number, thrown: unknown): void {
    if (this.listing && this.failed === null) this.failed = { step, thrown };
  }
}
