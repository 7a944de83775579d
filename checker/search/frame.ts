/** What every search loop (exhaustive or sampling) sets up the same way before it starts. */
import type { BoundProperty, DeadlockProperty, InvariantProperty, TransitionProperty } from '../properties/index.js';
import type { ProgressProperty } from '../properties/progress.js';
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

/** The system's properties sorted by kind. */
export function propertiesByKind(system: CompiledSystem): {
  readonly invariants: readonly InvariantProperty[];
  readonly transitions: readonly TransitionProperty[];
  readonly bounds: readonly BoundProperty[];
  readonly progress: readonly ProgressProperty[];
  readonly deadlock: DeadlockProperty | undefined;
} {
  const p = system.properties;
  return {
    invariants: p.filter((x): x is InvariantProperty => x.kind === 'invariant'),
    transitions: p.filter((x): x is TransitionProperty => x.kind === 'transition'),
    bounds: p.filter((x): x is BoundProperty => x.kind === 'bound'),
    progress: p.filter((x): x is ProgressProperty => x.kind === 'progress'),
    deadlock: p.find((x): x is DeadlockProperty => x.kind === 'deadlock'),
  };
}
