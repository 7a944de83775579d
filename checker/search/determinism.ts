/**
 * Determinism of model code: every step must be a deterministic function of (state, actor, transition,
 * choice), or a state's successors are not what the search stored. Code that reads Math.random or Date.now, or keeps state outside the world (a
 * counter in a closure, a module variable), breaks that silently: the search explores a graph that does not
 * exist, and a trace rebuilt by re-execution leads somewhere else. Two checks name it as a model error:
 * - after the search, the probe re-runs every step of a deterministically chosen sample of stored states
 *   twice (the same enabled steps, the same successor, the same exception); it runs them over guarded
 *   views (views.ts), so a bad world access on those states is reported as the model assertion it is, with
 *   the function that made it named;
 * - rebuilding a trace, a stored state that no step of its parent leads to any more (trace/path.ts).
 */
import { Stepper, stepActor, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { assertionMessage, thrownMessage } from '../system/thrown.js';
import { WorldAccessError } from '../system/views.js';

/**
 * The stored states probed after a search: the first 12, then up to 20 spread evenly over the rest (about
 * 20 ms of a cold process: under 3% of an 825,734-state search, measured on retry-ring 3,5,3,2,2).
 */
export function probedStates(states: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < Math.min(12, states); i++) out.add(i);
  for (let k = 1; k < 20 && states > 12; k++) out.add(Math.floor((k * states) / 20));
  return [...out].sort((a, b) => a - b);
}

/**
 * Probes the stored states `probedStates` picks (their paths from `stepsTo`, which gives null for a state it
 * will not re-execute the path to): the first nondeterministic
 * step or bad world access, with the steps to the state where it shows. Runs after the search, never in
 * it: calling the model's functions with guarded views inside the loop would slow every later call.
 */
export function probeStored(
  system: CompiledSystem,
  states: number,
  stepsTo: (state: number) => readonly number[] | null,
): { readonly found: NondeterministicStep; readonly steps: readonly number[] } | null {
  const probe = new NondeterminismProbe(system);
  const walker = new Stepper(system);
  for (const idx of probedStates(states)) {
    const steps = stepsTo(idx);
    if (!steps) continue; // beyond the run's budget or bounds
    walker.load(system.initial);
    try {
      for (const id of steps) if (!walker.applyId(id)) throw new Error('not enabled');
    } catch {
      // The path no longer re-executes: rebuilding it for a trace names that as nondeterminism.
      return {
        found: { kind: 'nondeterministic', step: steps[0] ?? 0, actor: system.name, event: '', message: unreproducedStep(system, system.initial).message },
        steps: [],
      };
    }
    const found = probe.at(Int32Array.from(walker.S));
    if (found) return { found, steps };
  }
  return null;
}

export interface NondeterministicStep {
  /** `world`: the step reads or writes an array outside its bounds or writes a non-integer (a model assertion). */
  readonly kind: 'nondeterministic' | 'world';
  readonly step: number;
  readonly actor: string;
  readonly event: string;
  readonly message: string;
}

/** "actor X, event Y is not deterministic: Math.random, Date.now or state kept outside the world? (...)" */
export function nondeterminismMessage(actor: string, event: string, what: string): string {
  return `actor ${actor}, event ${event} is not deterministic: Math.random, Date.now or state kept outside the world? (${what})`;
}

/** A trace could not be rebuilt by re-execution: the model is not deterministic. `steps` reach the state where it showed. */
export class NondeterminismError extends Error {
  override name = 'NondeterminismError';
  constructor(
    message: string,
    readonly subject: string,
    /** The stored state whose successor no step reproduces. */
    readonly state: number,
    readonly steps: readonly number[] = [],
  ) {
    super(message);
  }
}

/** Runs the steps of one state twice and compares what they do. */
export class NondeterminismProbe {
  private readonly stepper: Stepper;
  private readonly first: Uint32Array;
  private readonly second: Uint32Array;

  private world: { step: number; error: unknown } | null = null;

  constructor(private readonly system: CompiledSystem) {
    this.stepper = new Stepper(system, undefined, true);
    this.first = new Uint32Array(system.layout.words);
    this.second = new Uint32Array(system.layout.words);
  }

  /** The first step of `state` (unpacked) that does two different things in two runs, or null. */
  at(state: Int32Array): NondeterministicStep | null {
    const st = this.stepper;
    st.load(state);
    const once = st.enabledSteps();
    st.load(state);
    const twice = st.enabledSteps();
    const differs = once.findIndex((id, i) => twice[i] !== id);
    if (differs >= 0 || once.length !== twice.length) {
      const id = differs >= 0 ? Math.min(once[differs]!, twice[differs] ?? Infinity) : (once[twice.length] ?? twice[once.length])!;
      return this.named(id, 'its guard or choices gave different answers in two runs from the same state');
    }
    this.world = null;
    for (const id of once) {
      const a = this.run(state, id, this.first);
      const b = this.run(state, id, this.second);
      if (a !== b || (a === '' && !this.first.every((w, i) => w === this.second[i]))) {
        return this.named(id, 'two runs of the same step from the same state gave different successors');
      }
    }
    const w = this.world as { step: number; error: unknown } | null;
    if (w) return { ...this.named(w.step, ''), kind: 'world', message: assertionMessage(this.system, w.step, w.error) };
    return null;
  }

  /**
   * Step `id` from `state` re-run over the guarded views: what it throws there, or `fallback`. The search's
   * fast view says only "Cannot add property nx, object is not extensible"; the guarded one names the
   * field and the declared ones.
   */
  precise(state: Int32Array, id: number, fallback: unknown): unknown {
    const st = this.stepper;
    st.load(state);
    try {
      st.applyId(id);
    } catch (e) {
      if (e instanceof WorldAccessError) return e;
    }
    return fallback;
  }

  private named(id: number, what: string): NondeterministicStep {
    const actor = this.system.actors[stepActor(id)]!;
    const event = actor.machine.eventTypes[stepEvent(id)]!;
    return { kind: 'nondeterministic', step: id, actor: actor.name, event, message: nondeterminismMessage(actor.name, event, what) };
  }

  /** Takes step `id` from `state` into `out`: '' when it packed, else what happened instead. */
  private run(state: Int32Array, id: number, out: Uint32Array): string {
    const st = this.stepper;
    st.load(state);
    try {
      if (!st.applyId(id)) return 'not enabled';
    } catch (e) {
      if (e instanceof WorldAccessError) this.world ??= { step: id, error: e };
      return `threw ${thrownMessage(e)}`;
    }
    const bad = this.system.layout.pack(st.S, out, 0);
    return bad >= 0 ? `overflow ${bad}` : '';
  }
}

/** What to say when no step of a stored state's parent reproduces it: the culprit if a probe finds one. */
export function unreproducedStep(system: CompiledSystem, parent: Int32Array): { subject: string; message: string } {
  const probe = new NondeterminismProbe(system);
  // Code that misbehaves only sometimes (Math.random) shows within a few probes; name the step if it does.
  for (let i = 0; i < 16; i++) {
    const nd = probe.at(parent);
    if (nd?.kind === 'nondeterministic') return { subject: nd.actor, message: nd.message };
  }
  return {
    subject: system.name,
    message: `a step is not deterministic: Math.random, Date.now or state kept outside the world? (re-running the steps of a state no longer reaches the successor the search found)`,
  };
}
