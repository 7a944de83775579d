/** The working buffers every run of the engine (engine.ts) sets up the same way before it starts. */
import { SlotStateView } from '../properties/property.js';
import { Stepper } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { ListingStepper } from './listingStepper.js';

/** A stepper on the working buffer S, a buffer for the pre-state, and views of both. */
export interface SearchFrame {
  readonly stepper: Stepper;
  readonly S: Int32Array;
  readonly pre: Int32Array;
  /** Reads S (the state being built or judged). */
  readonly after: SlotStateView;
  /** Reads pre (the state a step is taken from). */
  readonly before: SlotStateView;
}

/**
 * `guarded`: the stepper's world views check every access (views.ts), as a replay needs; slower. Otherwise
 * properties read S through a view of their own, whose arrays are filled and compared after every property
 * call (a write is reported naming the field): the stepper's arrays are frozen per content (views.ts).
 * `listing`: a ListingStepper, which names a guard or choices function that threw while listing the enabled steps.
 */
export function searchFrame(system: CompiledSystem, guarded = false, listing = false): SearchFrame {
  const stepper = listing ? new ListingStepper(system, undefined, guarded, !guarded) : new Stepper(system, undefined, guarded, !guarded);
  const pre = system.layout.buffer();
  return {
    stepper,
    S: stepper.S,
    pre,
    after: new SlotStateView(system, stepper.S, guarded ? stepper.world : undefined),
    before: new SlotStateView(system, pre),
  };
}
