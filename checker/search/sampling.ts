/**
 * Sampling: for configurations too big to enumerate. Instead of storing every state, run many executions
 * from the initial state, each step chosen by a scheduler (random walk, PCT) through the one seeded
 * generator, and check every property along the way: invariants, bounds and transition properties at
 * every step, deadlock at the end of an execution, model assertions, and progress whenever an execution
 * comes back to a state it visited before and the steps in between form a fair cycle without progress.
 * A sampling run can find violations but never proves anything: without one it is inconclusive
 * ("no violation in N executions"), never "holds".
 */
import { blockedActors, describeDeadlock } from '../properties/deadlock.js';
import type { BoundProperty } from '../properties/index.js';
import type { Rng } from '../random/rng.js';
import { stepActor } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import type { StopReason } from './explore.js';
import { propertiesByKind, searchFrame } from './frame.js';
import type { BlockedActor } from '../properties/deadlock.js';
import { thrownMessage } from '../system/thrown.js';

/** Chooses the next step of an execution; the engine runs it. */
export interface Scheduler {
  /**
   * Called before every execution, with the length of the longest execution so far (the run's
   * estimate of k, the number of steps; `maxDepth` before the first).
   */
  newExecution(rng: Rng, steps: number): void;
  /** Picks one of `enabled` (step ids in the fixed order) at step number `depth`; returns its index. */
  pick(enabled: readonly number[], depth: number, rng: Rng): number;
}

export interface SamplingStrategy {
  readonly kind: 'sampling';
  readonly name: string;
  readonly description: string;
  createScheduler(params: { readonly actors: number; readonly maxDepth: number; readonly pctDepth: number }): Scheduler;
}

export interface SampleFinding {
  readonly property: string;
  readonly kind: 'invariant' | 'transition' | 'bound' | 'deadlock' | 'progress' | 'assertion';
  readonly message: string;
  readonly steps: readonly number[];
  readonly loop?: number;
  readonly blocked?: readonly BlockedActor[];
}

export interface SampleOutcome {
  readonly executions: number;
  /** States visited, counting repeats. */
  readonly states: number;
  readonly transitions: number;
  /** Executions that ended in a state with no enabled step. */
  readonly terminalStates: number;
  /** The longest execution. */
  readonly depth: number;
  readonly findings: readonly SampleFinding[];
  readonly bounds: readonly { readonly property: BoundProperty; readonly worst: number; readonly steps: readonly number[] }[];
  readonly stopped: StopReason | null;
}

export interface SampleOptions {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly executions: number;
  readonly maxDepth: number;
  readonly stopAtFirstViolation: boolean;
  readonly shouldStop?: () => StopReason | null;
}

/** Steps between two polls of `shouldStop` (timeout, memory, Ctrl-C). */
const POLL_STEPS = 4096;

export function sample(system: CompiledSystem, o: SampleOptions): SampleOutcome {
  const layout = system.layout;
  const { stepper, S, pre, after, before } = searchFrame(system);
  const packed = new Uint32Array(layout.words);
  const { invariants, transitions, progress, deadlock, bounds: boundProps } = propertiesByKind(system);
  // The worst value's path is the first `length` steps of an execution's path (which only grows): kept
  // by reference, copied once at the end, so a bound that worsens at every step costs nothing per step.
  const bounds = boundProps.map((property) => ({ property, worst: -Infinity, path: [] as readonly number[], length: 0 }));
  const findings: SampleFinding[] = [];
  const violated = new Set<string>();
  const report = (f: SampleFinding): void => {
    if (violated.has(f.property)) return;
    violated.add(f.property);
    findings.push(f);
  };
  const done = (): boolean => o.stopAtFirstViolation && findings.length > 0;
  const threw = (e: unknown): string => `the property threw: ${thrownMessage(e)}`;
  const checkState = (path: readonly number[]): void => {
    for (const p of invariants) {
      if (violated.has(p.name)) continue;
      try {
        if (!p.holds(after))
          report({ property: p.name, kind: 'invariant', message: p.explain ? p.explain(after) : (p.description ?? p.name), steps: [...path] });
      } catch (e) {
        report({ property: p.name, kind: 'invariant', message: threw(e), steps: [...path] });
      }
    }
    for (const b of bounds) {
      let v: number;
      try {
        v = b.property.value(after);
      } catch (e) {
        report({ property: b.property.name, kind: 'bound', message: threw(e), steps: [...path] });
        continue;
      }
      if (v > b.worst) {
        b.worst = v;
        b.path = path;
        b.length = path.length;
      }
      if (v > b.property.limit)
        report({ property: b.property.name, kind: 'bound', message: `value ${v} exceeds the limit ${b.property.limit}`, steps: [...path] });
    }
  };
  const environment = system.actors.map((a) => a.kind === 'environment');
  let executions = 0;
  let states = 0;
  let steps = 0;
  let terminal = 0;
  let longest = 0;
  let stopped: StopReason | null = null;

  // Polled by steps, not by executions: one execution can be millions of steps long.
  let untilPoll = 0;
  const poll = (): boolean => {
    if (--untilPoll > 0) return false;
    untilPoll = POLL_STEPS;
    stopped = o.shouldStop?.() ?? null;
    return stopped !== null;
  };
  runs: for (; executions < o.executions && !done(); executions++) {
    if (poll()) break;
    o.scheduler.newExecution(o.rng, longest > 0 ? longest : o.maxDepth);
    stepper.load(system.initial);
    const path: number[] = [];
    // Per step k of this execution: the state before it (packed, as a key), its enabled actors, its
    // in-flight bits, and the step's progress bits; for progress lassos.
    const seen = new Map<string, number>();
    const enabledMask: number[] = [];
    const inFlight: number[] = [];
    const progressBits: number[] = [];
    states++;
    checkState(path);
    for (let depth = 0; depth < o.maxDepth && !done(); depth++) {
      if (poll()) {
        longest = Math.max(longest, path.length);
        break runs;
      }
      let flight = 0;
      for (const [k, p] of progress.entries()) {
        try {
          if (p.inFlight(after)) flight |= 1 << k;
        } catch (e) {
          report({ property: p.name, kind: 'progress', message: threw(e), steps: [...path] });
        }
      }
      const enabled = stepper.enabledSteps();
      let mask = 0;
      for (const id of enabled) mask |= 1 << stepActor(id);
      // Only progress needs the states of the execution (as keys): without it an execution keeps no states.
      let key = '';
      if (progress.length) {
        layout.pack(S, packed, 0);
        key = packed.join(',');
      }
      const first = progress.length ? seen.get(key) : undefined;
      if (first !== undefined) {
        // Back at a state of this execution: the steps since then form a cycle. Is it a fair one
        // without progress, in flight throughout, with no environment step?
        for (const [k, p] of progress.entries()) {
          if (violated.has(p.name)) continue;
          if (fairLasso(system, environment, path, first, enabledMask, inFlight, progressBits, k)) {
            report({
              property: p.name,
              kind: 'progress',
              message: `${p.description ?? p.name}: the steps from ${first + 1} to ${path.length} repeat forever without progress`,
              steps: [...path],
              loop: first,
            });
          }
        }
        if (done()) break;
      }
      if (first === undefined && progress.length) seen.set(key, path.length);
      enabledMask.push(mask);
      inFlight.push(flight);
      if (enabled.length === 0) {
        terminal++;
        if (deadlock && !violated.has(deadlock.name)) {
          const blocked = blockedActors(system, after);
          if (blocked.length) report({ property: deadlock.name, kind: 'deadlock', message: describeDeadlock(blocked), steps: [...path], blocked });
        }
        break;
      }
      const id = enabled[o.scheduler.pick(enabled, depth, o.rng)]!;
      pre.set(S);
      const actor = system.actors[stepActor(id)]!;
      try {
        stepper.applyId(id);
      } catch (e) {
        report({ property: 'assertion', kind: 'assertion', message: `${actor.name}: ${thrownMessage(e)}`, steps: [...path, id] });
        break;
      }
      const bad = layout.pack(S, packed, 0);
      if (bad >= 0) {
        report({ property: 'assertion', kind: 'assertion', message: layout.describeOverflow(bad, S), steps: [...path, id] });
        break;
      }
      steps++;
      states++;
      const info = { actor: actor.name, actorIndex: actor.index, event: actor.machine.eventTypes[(id >>> 16) & 0xff]!, choice: id & 0xffff };
      for (const p of transitions) {
        if (violated.has(p.name)) continue;
        try {
          if (!p.holds(before, after, info))
            report({
              property: p.name,
              kind: 'transition',
              message: p.explain ? p.explain(before, after, info) : (p.description ?? p.name),
              steps: [...path, id],
            });
        } catch (e) {
          report({ property: p.name, kind: 'transition', message: threw(e), steps: [...path, id] });
        }
      }
      let bits = 0;
      for (const [k, p] of progress.entries()) {
        try {
          if (environment[actor.index] || p.progress(before, after, info)) bits |= 1 << k;
        } catch (e) {
          report({ property: p.name, kind: 'progress', message: threw(e), steps: [...path, id] });
        }
      }
      progressBits.push(bits);
      path.push(id);
      checkState(path);
    }
    if (path.length > longest) longest = path.length;
  }
  return {
    executions,
    states,
    transitions: steps,
    terminalStates: terminal,
    depth: longest,
    findings,
    bounds: bounds.map((b) => ({ property: b.property, worst: b.worst, steps: b.path.slice(0, b.length) })),
    stopped,
  };
}

/** Steps first .. path.length - 1 close a cycle; is it a fair one, in flight, without progress for property k? */
function fairLasso(
  system: CompiledSystem,
  environment: readonly boolean[],
  path: readonly number[],
  first: number,
  enabledMask: readonly number[],
  inFlight: readonly number[],
  progressBits: readonly number[],
  k: number,
): boolean {
  let stepped = 0;
  let everywhere = -1;
  let somewhere = 0;
  for (let i = first; i < path.length; i++) {
    if (progressBits[i]! & (1 << k)) return false;
    if (!(inFlight[i]! & (1 << k))) return false;
    const a = stepActor(path[i]!);
    if (environment[a]) return false;
    stepped |= 1 << a;
    everywhere &= enabledMask[i]!;
    somewhere |= enabledMask[i]!;
  }
  for (const a of system.actors) {
    const bit = 1 << a.index;
    if (stepped & bit) continue;
    if (a.fairness === 'weak' && everywhere & bit) return false;
    if (a.fairness === 'strong' && somewhere & bit) return false;
  }
  return true;
}
