/**
 * The exhaustive exploration loop: the engine's hot path. It pops a state from the strategy's frontier,
 * unpacks it, generates every enabled step in the fixed order, applies each in place, packs the result,
 * and looks it up in the store. Safety monitors run on every new state (invariants, bounds), on every
 * generated step (transition properties) and on every terminal state (deadlock). Nothing here allocates
 * per state; guards and actions read the slot buffer through views.
 */
import { blockedActors, describeDeadlock, type BlockedActor } from '../properties/deadlock.js';
import type { BoundProperty, Property, SlotStateView, StepInfo } from '../properties/property.js';
import { BitstateStore, type BitstateOptions } from '../store/bitstateStore.js';
import { CompactStore } from '../store/compactStore.js';
import { NO_PARENT, StateStore, type VisitedStore } from '../store/stateStore.js';
import { compileExpand } from '../system/codegen.js';
import type { CompiledSystem } from '../system/system.js';
import { propertiesByKind, searchFrame } from './frame.js';
import type { SearchStrategy } from './strategy.js';
import { assertionMessage, thrownMessage } from '../system/thrown.js';
import type { ModelErrorKind } from '../result.js';
import { NondeterminismProbe } from './determinism.js';
import { describeFailure } from '../properties/explainState.js';

export interface ExploreHooks {
  /**
   * Polled every few thousand states: a reason to stop (timeout, memory, Ctrl-C), or null to go on.
   * `pendingBytes`: what the search may allocate before the next poll (the state table doubles in one
   * step), so a memory bound stops before it instead of long after.
   */
  readonly shouldStop?: (pendingBytes?: number) => StopReason | null;
  /** Called with running statistics at the same points. */
  readonly onProgress?: (p: ProgressSnapshot) => void;
}

export interface StopReason {
  readonly reason: 'timeout' | 'memory' | 'interrupted';
  readonly message: string;
}

export interface ProgressSnapshot {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly storeBytes: number;
}

/** Receives the explored graph, for liveness checking after the search. */
export interface EdgeSink {
  beginState(index: number, before: SlotStateView): void;
  edge(target: number, step: number, before: SlotStateView, after: SlotStateView, info: StepInfo): void;
  /** A step of this actor was enabled but threw or overflowed: no edge, still enabled. */
  enabledOnly(actorIndex: number): void;
  endState(index: number): void;
}

export interface ExploreOptions {
  readonly strategy: SearchStrategy;
  /** Stop, inconclusive, once this many distinct states are stored. */
  readonly maxStates: number;
  /** Stop at the first violation (default) or collect the first violation of every property. */
  readonly stopAtFirstViolation: boolean;
  readonly hooks: ExploreHooks;
  readonly edges?: EdgeSink;
  /** The visited set: exact (default), hash-compacted (fingerprints) or bitstate (bits); the last two breadth-first only. */
  readonly store?: 'exact' | 'compact' | 'bitstate';
  /** Bitstate: the bits of the array (log2) and the hashes per state. */
  readonly bitstate?: BitstateOptions;
}

/** A violation as the search found it: where, not yet a trace. */
export interface Finding {
  readonly property: string;
  readonly kind: Property['kind'] | 'assertion';
  readonly message: string;
  /** The state the trace leads to. */
  readonly state: number;
  /** A last step taken from `state` (transition properties, assertions), not itself stored. */
  readonly step?: number;
  /** Deadlocks: the blocked threads and what each waits for. */
  readonly blocked?: readonly BlockedActor[];
  /** Not a violation but a mistake in the model (the property's own code threw, a step is not deterministic). */
  readonly modelError?: ModelErrorKind;
}

export interface BoundFinding {
  readonly property: BoundProperty;
  /** -Infinity when no state was explored. */
  readonly worst: number;
  readonly state: number;
}

export interface ExploreOutcome {
  readonly store: VisitedStore;
  readonly states: number;
  readonly transitions: number;
  readonly terminalStates: number;
  readonly depth: number;
  readonly findings: readonly Finding[];
  readonly bounds: readonly BoundFinding[];
  /** Why the search ended early, if it did. */
  readonly stopped: { readonly reason: 'max-states' | StopReason['reason']; readonly message: string } | null;
}

const POLL_MASK = 0xfff;

export function explore(system: CompiledSystem, options: ExploreOptions): ExploreOutcome {
  const layout = system.layout;
  const { stepper, S, pre, after, before } = searchFrame(system);
  const W = layout.words;
  const vec = new Uint32Array(W);
  // Keyed store; liveness records edges to known states, so it keeps their indices too.
  const compact = options.store === 'compact' || options.store === 'bitstate';
  const store: VisitedStore =
    options.store === 'bitstate'
      ? new BitstateStore(W, options.bitstate)
      : compact
        ? new CompactStore(W, undefined, { keepIndex: Boolean(options.edges) })
        : new StateStore(W, undefined, { keyed: true, keepIndex: Boolean(options.edges), lastWordBits: layout.lastWordBits });
  const frontier = options.strategy.createFrontier(store);
  const pack = layout.pack;
  const unpack = layout.unpack;
  const actors = system.actors;
  const edges = options.edges;
  const copy = layout.copy;

  const { invariants, transitions: transitionProps, bounds: boundProps, deadlock } = propertiesByKind(system);
  const bounds = boundProps.map((property) => ({ property, worst: -Infinity, state: 0 }));
  const findings: Finding[] = [];
  // violated.has() in the per-state loops is a string-keyed lookup; these flags are what the loops test.
  const violated = new Set<string>();
  const invariantDone = new Uint8Array(invariants.length);
  const transitionDone = new Uint8Array(transitionProps.length);
  let stop = false;
  const info = { actor: '', actorIndex: 0, event: '', choice: 0 };

  // A bound's worst value needs the whole space: when the first violation is a bound's excess, the search
  // goes on measuring the bounds only (nothing else is reported), and the violation then shows the worst.
  let boundsOnly = false;
  const excess = new Set<string>();
  const report = (f: Finding): void => {
    if (violated.has(f.property) || (boundsOnly && !f.modelError)) return;
    violated.add(f.property);
    findings.push(f);
    // A model error makes every other answer of this run untrustworthy: stop at once.
    if (options.stopAtFirstViolation || f.modelError) stop = true;
  };
  /** A property predicate that throws is a model error (not a violation of that property), with the trace. */
  const threw = (property: Property, e: unknown, state: number, step?: number): void =>
    report({
      property: property.name,
      kind: property.kind,
      message: `the property threw: ${thrownMessage(e)}`,
      state,
      ...(step === undefined ? {} : { step }),
      modelError: 'property-threw',
    });
  // Only to name a bad world access precisely when a step throws (the guarded views never run in the loop:
  // calling the model's functions with a second kind of view would slow every later call of them).
  const probe = new NondeterminismProbe(system);
  /** Runs state properties on the state in S, just stored as `idx`. */
  const checkState = (idx: number): void => {
    for (let i = 0; i < invariants.length && !boundsOnly; i++) {
      const p = invariants[i]!;
      if (invariantDone[i]) continue;
      if (violated.has(p.name)) {
        invariantDone[i] = 1;
        continue;
      }
      try {
        if (!p.holds(after))
          report({ property: p.name, kind: 'invariant', message: p.explain ? p.explain(after) : describeFailure(system, p, after), state: idx });
      } catch (e) {
        threw(p, e, idx);
      }
    }
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i]!;
      let v: number;
      try {
        v = b.property.value(after);
      } catch (e) {
        threw(b.property, e, idx);
        continue;
      }
      if (v > b.worst) {
        b.worst = v;
        b.state = idx;
      }
      if (v > b.property.limit && !violated.has(b.property.name) && !boundsOnly) {
        const stopping = stop;
        excess.add(b.property.name);
        report({ property: b.property.name, kind: 'bound', message: '', state: idx });
        if (stop && !stopping) [stop, boundsOnly] = [false, true];
      }
    }
  };

  S.set(system.initial);
  const bad0 = pack(S, vec, 0);
  if (bad0 >= 0) throw new Error(`the initial state is invalid: ${layout.describeOverflow(bad0, S)}`);
  store.findOrInsert(vec, 0, NO_PARENT, 0);
  checkState(0);
  frontier.push(0, 0);

  // The current state being expanded, read by emit/fail.
  let cur = 0;
  let curDepth = 0;
  let transitions = 0;
  let terminal = 0;
  let maxDepth = 0;
  let expanded = 0;
  let stopped: ExploreOutcome['stopped'] = null;
  let sizeAtPoll = 0;
  const hooks = options.hooks;
  const expand = compileExpand(system, stepper);

  /** One enabled step has been applied to S: pack, store, check, restore. */
  const emit = (stepId: number): boolean => {
    const bad = pack(S, vec, 0);
    if (bad >= 0) {
      report({ property: 'assertion', kind: 'assertion', message: layout.describeOverflow(bad, S), state: cur, step: stepId });
      edges?.enabledOnly(stepId >>> 24);
      copy(S, pre);
      return stop;
    }
    transitions++;
    let r = store.findOrInsert(vec, 0, cur, stepId);
    if (r >= 0) {
      // depth: the largest distance (along the search tree) of any stored state.
      if (curDepth >= maxDepth) maxDepth = curDepth + 1;
      checkState(r);
      frontier.push(r, curDepth + 1);
    } else {
      r = -r - 1;
    }
    if (transitionProps.length || edges) {
      const a = stepId >>> 24;
      const actor = actors[a]!;
      info.actor = actor.name;
      info.actorIndex = a;
      info.event = actor.machine.eventTypes[(stepId >>> 16) & 0xff]!;
      info.choice = stepId & 0xffff;
      for (let i = 0; i < transitionProps.length; i++) {
        const p = transitionProps[i]!;
        if (transitionDone[i]) continue;
        if (violated.has(p.name)) {
          transitionDone[i] = 1;
          continue;
        }
        try {
          if (!p.holds(before, after, info)) {
            report({
              property: p.name,
              kind: 'transition',
              message: p.explain ? p.explain(before, after, info) : (p.description ?? p.name),
              state: cur,
              step: stepId,
            });
          }
        } catch (e) {
          threw(p, e, cur, stepId);
        }
      }
      edges?.edge(r, stepId, before, after, info);
    }
    copy(S, pre);
    return stop;
  };
  /** A guard, choices function or action threw: a model assertion, reported with the step. */
  const fail = (err: unknown, stepId: number): boolean => {
    report({ property: 'assertion', kind: 'assertion', message: assertionMessage(system, stepId, probe.precise(pre, stepId, err)), state: cur, step: stepId });
    edges?.enabledOnly(stepId >>> 24);
    copy(S, pre);
    return stop;
  };

  while (!stop) {
    const idx = frontier.pop();
    if (idx < 0) break;
    cur = idx;
    curDepth = frontier.depth;
    if (compact) (store as CompactStore).expanding(idx);
    unpack(store.chunkOf(idx), store.offsetOf(idx), pre);
    copy(S, pre);
    edges?.beginState(idx, before);
    const enabled = expand(emit, fail);
    if (enabled < 0) break;
    edges?.endState(idx);
    if (enabled === 0) {
      terminal++;
      if (deadlock && !violated.has(deadlock.name)) {
        const blocked = blockedActors(system, after);
        if (blocked.length) report({ property: deadlock.name, kind: 'deadlock', message: describeDeadlock(blocked), state: idx, blocked });
      }
    }
    expanded++;
    // More states stored than allowed means some stored state will never be expanded: inconclusive.
    if (store.size > options.maxStates) {
      stopped = { reason: 'max-states', message: `bound of ${options.maxStates.toLocaleString('en-US')} states reached at depth ${maxDepth}` };
      break;
    }
    if ((expanded & POLL_MASK) === 0) {
      // The next window may store twice the states the last one did.
      const pending = store.growthBytes(2 * (store.size - sizeAtPoll));
      sizeAtPoll = store.size;
      const s = hooks.shouldStop?.(pending);
      if (s) {
        stopped = s;
        break;
      }
      hooks.onProgress?.({ states: store.size, transitions, depth: maxDepth, storeBytes: store.bytes });
    }
  }
  // An excess is reported at its worst: the value, and the state (so the trace) where it is reached.
  const complete = !stopped && !stop;
  const reported = findings.map((f) => {
    const b = excess.has(f.property) ? bounds.find((x) => x.property.name === f.property) : undefined;
    if (!b) return f;
    const limit = b.property.limit;
    const message = complete
      ? `worst value ${b.worst} exceeds the limit ${limit}`
      : `value ${b.worst} exceeds the limit ${limit} (the worst found before the search stopped; it may go higher)`;
    return { ...f, state: b.state, message };
  });
  return { store, states: store.size, transitions, terminalStates: terminal, depth: maxDepth, findings: reported, bounds, stopped };
}
