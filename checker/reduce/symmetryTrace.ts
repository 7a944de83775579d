/**
 * A finding of the symmetry-reduced search, made a finding of the real system. The search stores
 * representatives, so the path to a finding runs through them; `realSteps` (symmetry.ts) renames it into
 * a real execution from the initial state, which may end in a renaming of the state the monitor judged.
 * What the monitor said names actors of that state ("reader0 is stuck in 'FAULT'", "reader2: ..."), so
 * the message is said again of the real trace's end: a deadlock's blocked threads, an invariant's
 * explanation, a transition's or a failed step's actor. A bound's message is a number, the same in every
 * renaming.
 */
import { blockedActors, describeDeadlock } from '../properties/deadlock.js';
import { invariantMessage } from '../properties/invariant.js';
import { SlotStateView } from '../properties/property.js';
import { transitionMessage } from '../properties/transition.js';
import type { Finding } from '../search/explore.js';
import { Stepper, stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { assertionMessage } from '../system/thrown.js';
import { realSteps, type SymmetryReducer } from './symmetry.js';
import { replay } from '../search/replay.js';

/** What a finding says, restated (absent: as the search said it). */
type Said = { readonly message?: string; readonly blocked?: Finding['blocked'] };

/** The real path to the finding's state, and the finding with its last step renamed and its message restated. */
export function realFinding(system: CompiledSystem, sym: SymmetryReducer, repPath: readonly number[], f: Finding): [number[], Finding] {
  const steps = realSteps(system, sym, f.step === undefined ? repPath : [...repPath, f.step]);
  const path = f.step === undefined ? steps : steps.slice(0, -1);
  const last = f.step === undefined ? undefined : steps[steps.length - 1]!;
  let said: Said = {};
  try {
    said = f.modelError ? {} : restate(system, path, last, f);
  } catch {
    // the message as the search said it: re-executing is the trace builder's to judge
  }
  const { step: _step, blocked: _blocked, ...rest } = f;
  const blocked = said.blocked ?? f.blocked;
  return [path, { ...rest, message: said.message ?? f.message, ...(last === undefined ? {} : { step: last }), ...(blocked ? { blocked } : {}) }];
}

function restate(system: CompiledSystem, path: readonly number[], last: number | undefined, f: Finding): Said {
  const stepper = new Stepper(system, undefined, true);
  stepper.load(system.initial);
  for (const id of path) stepper.applyId(id);
  const end = new SlotStateView(system, stepper.S, stepper.world);
  const p = system.properties.find((x) => x.name === f.property);
  if (f.kind === 'deadlock') {
    const blocked = blockedActors(system, end);
    return { message: describeDeadlock(blocked), blocked };
  }
  if (f.kind === 'invariant' && p?.kind === 'invariant') return { message: invariantMessage(system, p, end) };
  if (last === undefined) return {};
  const pre = Int32Array.from(stepper.S);
  let thrown: unknown;
  try {
    stepper.applyId(last);
  } catch (e) {
    thrown = e;
  }
  if (f.kind === 'assertion') {
    if (thrown !== undefined) return { message: assertionMessage(system, last, thrown) };
    const bad = system.layout.pack(stepper.S, new Uint32Array(system.layout.words), 0);
    return bad >= 0 ? { message: system.layout.describeOverflow(bad, stepper.S) } : {};
  }
  if (f.kind === 'transition' && p?.kind === 'transition' && thrown === undefined) {
    const a = system.actors[stepActor(last)]!;
    const info = { actor: a.name, actorIndex: a.index, event: a.machine.eventTypes[stepEvent(last)]!, choice: stepChoice(last) };
    return { message: transitionMessage(p, new SlotStateView(system, pre), end, info) };
  }
  return {};
}

/**
 * The first counterexample of a symmetry-reduced search that is not one of the unreduced model, said in
 * one line, or null: each (real path, finding) of `located` replayed (search/replay.ts). A model that breaks
 * the symmetry it declares where the probes do not look merges states that behave differently, and a
 * violation found through such a merge (a deadlock that is none) does not replay.
 */
export function unrealFinding(system: CompiledSystem, located: readonly (readonly [readonly number[], Finding])[]): string | null {
  for (const [path, f] of located) {
    if (f.modelError || f.kind === 'progress') continue;
    const steps = f.step === undefined ? path : [...path, f.step];
    const out = replay(system, steps, undefined, { property: f.property, kind: f.kind });
    if (out.status !== 'reproduced') {
      return `the model breaks the symmetry it declares: the reduced search's counterexample for '${f.property}' is not an execution of the model (${out.status}: ${out.message})`;
    }
  }
  return null;
}
