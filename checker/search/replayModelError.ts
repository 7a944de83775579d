/**
 * Replay of a model error: re-execute the trace `check` wrote and show the same mistake again, so that
 * `replay` gives the answer and exit code `check` gave. A property that threw throws again at the trace's
 * end; a nondeterministic step shows as two different runs of one step (or as a trace that no longer
 * re-executes); an xstate mismatch shows as the same disagreement along the trace.
 */
import type { ModelErrorKind } from '../result.js';
import { SlotStateView, type Property } from '../properties/property.js';
import { Stepper, stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { thrownMessage } from '../system/thrown.js';
import { NondeterminismProbe } from './determinism.js';
import { xstateDisagreement } from './xstateCheck.js';

export type ModelErrorReplay = { readonly status: 'reproduced'; readonly message: string } | { readonly status: 'no-error'; readonly message: string };

export function replayModelError(system: CompiledSystem, steps: readonly number[], kind: ModelErrorKind, subject: string): ModelErrorReplay {
  if (kind === 'xstate-mismatch') {
    const m = xstateDisagreement(system, steps);
    return m
      ? { status: 'reproduced', message: m.message }
      : { status: 'no-error', message: `the compiled actors and xstate agree along the ${steps.length} steps` };
  }
  const stepper = new Stepper(system);
  stepper.load(system.initial);
  const pre = system.layout.buffer();
  for (const [i, id] of steps.entries()) {
    pre.set(stepper.S);
    let ok: boolean;
    try {
      ok = stepper.applyId(id);
    } catch (e) {
      ok = i === steps.length - 1;
      if (!ok) return divergence(kind, i, `threw ${thrownMessage(e)}`);
    }
    if (!ok) return divergence(kind, i, 'is not enabled');
  }
  if (kind === 'nondeterministic') {
    const probe = new NondeterminismProbe(system);
    for (let k = 0; k < 16; k++) {
      const nd = probe.at(stepper.S);
      if (nd?.kind === 'nondeterministic') return { status: 'reproduced', message: nd.message };
    }
    return { status: 'no-error', message: `every step from the trace's last state ran the same way in 16 tries` };
  }
  const property = system.properties.find((p) => p.name === subject);
  if (!property) return { status: 'no-error', message: `the model has no property '${subject}' any more` };
  const error = propertyError(system, property, pre, stepper, steps[steps.length - 1]);
  return error === null
    ? { status: 'no-error', message: `property '${subject}' no longer throws at the end of the trace` }
    : { status: 'reproduced', message: `property '${subject}' threw: ${error}` };
}

/** A trace that no longer re-executes is itself the sign of nondeterministic code; for another kind, the model changed. */
function divergence(kind: ModelErrorKind, i: number, what: string): ModelErrorReplay {
  const message = `step ${i + 1} ${what} on re-execution`;
  return kind === 'nondeterministic'
    ? { status: 'reproduced', message: `${message}: a step is not deterministic: Math.random, Date.now or state kept outside the world?` }
    : { status: 'no-error', message };
}

/** What the property's code throws on the trace's last state (and last step), or null. */
function propertyError(system: CompiledSystem, p: Property, pre: Int32Array, stepper: Stepper, last: number | undefined): string | null {
  const after = new SlotStateView(system, stepper.S, stepper.world);
  const before = new SlotStateView(system, pre);
  const info =
    last === undefined
      ? undefined
      : (() => {
          const a = system.actors[stepActor(last)]!;
          return { actor: a.name, actorIndex: a.index, event: a.machine.eventTypes[stepEvent(last)]!, choice: stepChoice(last) };
        })();
  try {
    if (p.kind === 'invariant') p.holds(after);
    else if (p.kind === 'bound') p.value(after);
    else if (p.kind === 'transition' && info) p.holds(before, after, info);
    else if (p.kind === 'progress') {
      p.inFlight(after);
      if (info) p.progress(before, after, info);
      // The recorder judges the steps out of a state: try each one out of the trace's last state.
      const end = Int32Array.from(stepper.S);
      pre.set(end);
      for (const id of stepper.enabledSteps()) {
        stepper.load(end);
        try {
          if (!stepper.applyId(id)) continue;
        } catch {
          continue;
        }
        const a = system.actors[stepActor(id)]!;
        p.progress(before, after, { actor: a.name, actorIndex: a.index, event: a.machine.eventTypes[stepEvent(id)]!, choice: stepChoice(id) });
      }
    }
    return null;
  } catch (e) {
    return thrownMessage(e);
  }
}
