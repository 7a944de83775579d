/**
 * Replay of a model error: re-execute the trace `check` wrote and show the same mistake again, so that
 * `replay` gives the answer and exit code `check` gave. A property that threw throws again at the trace's
 * end; a nondeterministic step shows as two different runs of one step (or as a trace that no longer
 * re-executes); an xstate mismatch shows as the same disagreement along the trace; a label function that
 * threw throws again when the trace is described.
 */
import type { ModelErrorKind } from '../result.js';
import type { Property } from '../properties/property.js';
import { Stepper } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { thrownMessage } from '../system/thrown.js';
import { NondeterminismProbe } from './determinism.js';
import { replayRun, type ReplayRun } from './replay.js';
import { xstateDisagreement } from './xstateCheck.js';
import { buildTrace, LabelThrew, TraceDivergence } from '../trace/trace.js';

export type ModelErrorReplay = { readonly status: 'reproduced'; readonly message: string } | { readonly status: 'no-error'; readonly message: string };

export function replayModelError(system: CompiledSystem, steps: readonly number[], kind: ModelErrorKind, subject: string): ModelErrorReplay {
  if (kind === 'xstate-mismatch') {
    const m = xstateDisagreement(system, steps);
    return m
      ? { status: 'reproduced', message: m.message }
      : { status: 'no-error', message: `the compiled actors and xstate agree along the ${steps.length} steps` };
  }
  if (kind === 'label-threw') {
    try {
      buildTrace(system, steps);
    } catch (e) {
      if (e instanceof LabelThrew) return { status: 'reproduced', message: e.message };
      if (!(e instanceof TraceDivergence)) throw e;
      return divergence(kind, e.stepIndex, `threw ${thrownMessage(e.thrown ?? e)}`);
    }
    return { status: 'no-error', message: `every label function along the ${steps.length} steps gives a label` };
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
  const error = propertyError(system, property, steps);
  return error === null
    ? { status: 'no-error', message: `property '${subject}' no longer throws at the end of the trace` }
    : { status: 'reproduced', message: `property '${subject}' ${error.replace(/^the property /, '')}` };
}

/** A trace that no longer re-executes is itself the sign of nondeterministic code; for another kind, the model changed. */
function divergence(kind: ModelErrorKind, i: number, what: string): ModelErrorReplay {
  const message = `step ${i + 1} ${what} on re-execution`;
  return kind === 'nondeterministic'
    ? { status: 'reproduced', message: `${message}: a step is not deterministic: Math.random, Date.now or state kept outside the world?` }
    : { status: 'no-error', message };
}

/**
 * What the property's code throws along the trace, as the property's monitor reports it (replay.ts runs
 * the trace on the execution core with that monitor), or null. A progress property's recorder judged
 * every step out of a state, not only the one the trace takes: each step enabled at the trace's end is
 * replayed after it too.
 */
function propertyError(system: CompiledSystem, p: Property, steps: readonly number[]): string | null {
  const threw = (run: ReplayRun): string | null => run.runner.engine.findings.find((f) => f.modelError === 'property-threw')?.message ?? null;
  const run = replayRun(system, steps, [p]);
  const found = threw(run);
  if (found !== null || p.kind !== 'progress') return found;
  for (const id of run.runner.engine.stepper.enabledSteps()) {
    const next = threw(replayRun(system, [...steps, id], [p]));
    if (next !== null) return next;
  }
  return null;
}
