/**
 * Step ids along a path of stored states. The store keeps each state's parent but not the step that led
 * from it: that step is the first enabled step of the parent (in the fixed order) whose successor is the
 * child, because the parent's expansion stored the child the first time one of its steps produced it.
 * Lasso edges re-derive their steps the same way, with an extra condition (the actor, no progress).
 */
import { SlotStateView } from '../properties/property.js';
import { NO_STEP, type VisitedStore } from '../store/stateStore.js';
import { Stepper, stepActor } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { NondeterminismError, unreproducedStep } from '../search/determinism.js';

/** Accepts or rejects a candidate step (the stepper holds the successor; `before` the state stepped from). */
export type StepFilter = (id: number, before: SlotStateView, after: SlotStateView) => boolean;

/** Rewrites a successor in place to the state the store keeps for it (symmetry reduction: its representative). */
export type Canonical = (S: Int32Array) => void;

/**
 * The first enabled step of stored state `from` whose successor is stored state `to` (after `canonical`,
 * when the store keeps representatives) and that `accept` takes.
 */
export function stepBetween(system: CompiledSystem, store: VisitedStore, from: number, to: number, accept?: StepFilter, canonical?: Canonical): number {
  const layout = system.layout;
  const stepper = new Stepper(system);
  const pre = layout.buffer();
  layout.unpack(store.chunkOf(from), store.offsetOf(from), pre);
  const target = new Uint32Array(layout.words);
  store.read(to, target, 0);
  const packed = new Uint32Array(layout.words);
  const before = accept ? new SlotStateView(system, pre) : undefined;
  const after = accept ? new SlotStateView(system, stepper.S, stepper.world) : undefined;
  stepper.load(pre);
  for (const id of stepper.enabledSteps()) {
    stepper.load(pre);
    try {
      stepper.applyId(id);
    } catch {
      continue; // a step that throws leads nowhere
    }
    canonical?.(stepper.S);
    if (layout.pack(stepper.S, packed, 0) >= 0) continue;
    if (!packed.every((w, i) => w === target[i])) continue;
    if (accept && !accept(id, before!, after!)) continue;
    return id;
  }
  // The search stored `to` as a successor of `from`: if no step leads there now, model code is not deterministic.
  const { subject, message } = unreproducedStep(system, pre);
  throw new NondeterminismError(message, subject, from);
}

/**
 * The step ids from the initial state to stored state `idx`: those the store keeps (hash compaction, which
 * has no states to re-derive them from), or else re-derived along the parents (the exact store).
 */
export function stepsTo(system: CompiledSystem, store: VisitedStore, idx: number, canonical?: Canonical): number[] {
  return stepsAlong(system, store, store.pathTo(idx), canonical);
}

/** The step ids that walk `states` (a parent chain from the store, initial state first). */
export function stepsAlong(system: CompiledSystem, store: VisitedStore, states: readonly number[], canonical?: Canonical): number[] {
  const steps: number[] = [];
  try {
    for (let i = 1; i < states.length; i++) {
      const kept = store.stepInto(states[i]!);
      steps.push(kept !== NO_STEP ? kept : stepBetween(system, store, states[i - 1]!, states[i]!, undefined, canonical));
    }
  } catch (e) {
    if (e instanceof NondeterminismError) throw new NondeterminismError(e.message, e.subject, e.state, steps);
    throw e;
  }
  return steps;
}

/**
 * The steps around a cycle of stored states, found by re-execution from the words of its first state
 * (`start`, unpacked): each edge's step is the first enabled step of its actor whose successor the store
 * knows as the edge's target, and that `accept` takes. Needs only `lookup` (an index-keeping store), not
 * the stored states: it serves the exact store and hash compaction alike.
 */
export function stepsAround(
  system: CompiledSystem,
  store: VisitedStore,
  start: Int32Array,
  cycle: readonly (readonly [from: number, to: number, actor: number])[],
  accept: StepFilter,
): number[] {
  const layout = system.layout;
  const stepper = new Stepper(system);
  const cur = layout.buffer();
  cur.set(start);
  const packed = new Uint32Array(layout.words);
  const before = new SlotStateView(system, cur);
  const after = new SlotStateView(system, stepper.S, stepper.world);
  const steps: number[] = [];
  for (const [from, to, actor] of cycle) {
    stepper.load(cur);
    let found = -1;
    for (const id of stepper.enabledSteps()) {
      if (stepActor(id) !== actor) continue;
      stepper.load(cur);
      try {
        stepper.applyId(id);
      } catch {
        continue;
      }
      if (layout.pack(stepper.S, packed, 0) >= 0 || store.lookup(packed, 0) !== to || !accept(id, before, after)) continue;
      found = id;
      break;
    }
    if (found < 0) {
      const { subject, message } = unreproducedStep(system, cur);
      throw new NondeterminismError(message, subject, from, steps);
    }
    steps.push(found);
    cur.set(stepper.S);
  }
  return steps;
}

/** The state the steps lead to from the initial state, unpacked. */
export function stateAfter(system: CompiledSystem, steps: readonly number[]): Int32Array {
  const stepper = new Stepper(system);
  stepper.load(system.initial);
  for (const id of steps) stepper.applyId(id);
  return Int32Array.from(stepper.S);
}
