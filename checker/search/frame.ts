/** The working buffers every run of the engine (engine.ts) sets up the same way before it starts. */
import { SlotStateView } from '../properties/property.js';
import { Stepper } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';

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

export function searchFrame(system: CompiledSystem): SearchFrame {
  const stepper = new Stepper(system);
  const pre = system.layout.buffer();
  return { stepper, S: stepper.S, pre, after: new SlotStateView(system, stepper.S, stepper.world), before: new SlotStateView(system, pre) };
}
