/**
 * The exhaustive search: the engine's hot path. It pops a state from the strategy's frontier, unpacks
 * it, generates every enabled step in the fixed order, applies each in place, packs the result, and looks
 * it up in the store. The monitors (engine.ts) hear of every new state, every step taken or failed and
 * every terminal state. Nothing here allocates per state; guards and actions read the slot buffer
 * through views.
 *
 * The seam for reductions and workers (issue 9): successors are generated in one call (`expand(emit,
 * fail)`, the compiled step table of codegen.ts: partial-order reduction would pick the ample subset
 * there) and every successor goes through one store lookup (`store.findOrInsert` in `emit`; workers
 * would shard the frontier and the store behind it). Everything a property needs goes through the
 * engine's monitor lists, never through this loop.
 *
 * Symmetry reduction (`reduction.symmetry`, reduce/symmetry.ts) works at that lookup: the successor is
 * canonicalised into a buffer of its own and the representative is what is stored and later expanded,
 * while the monitors still judge the real successor in S (a transition property compares a state with
 * its real successor, not with a renamed one). The store's paths then run through representatives;
 * check.ts turns them back into real executions (realSteps).
 */
import { BitstateStore, type BitstateOptions } from '../store/bitstateStore.js';
import { CompactStore } from '../store/compactStore.js';
import { NO_PARENT, SMALL_TABLE_BITS, StateStore, type VisitedStore } from '../store/stateStore.js';
import { compileExpand, type ExpandFn } from '../system/codegen.js';
import type { CompiledSystem } from '../system/system.js';
import type { BoundProperty, Property } from '../properties/property.js';
import type { BlockedActor } from '../properties/deadlock.js';
import type { ModelErrorKind } from '../result.js';
import { assertionMessage } from '../system/thrown.js';
import { NondeterminismProbe } from './determinism.js';
import { Engine } from './engine.js';
import type { SearchStrategy } from './strategy.js';
import type { ProgressRecorder } from '../properties/progress.js';
import type { ReductionFlags } from '../reduce/reduction.js';
import { PartialOrderReduction } from '../reduce/por.js';
import { SymmetryReducer } from '../reduce/symmetry.js';
import { SymmetryWatch } from '../reduce/symmetricProperties.js';

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

export interface ExploreOptions {
  readonly strategy: SearchStrategy;
  /** Stop, inconclusive, once this many distinct states are stored. */
  readonly maxStates: number;
  /** Stop at the first violation (default) or collect the first violation of every property. */
  readonly stopAtFirstViolation: boolean;
  readonly hooks: ExploreHooks;
  /** Record the explored graph for progress properties (not with a bitstate store, which cannot name states). */
  readonly recordGraph?: boolean;
  /** The visited set: exact (default), hash-compacted (fingerprints) or bitstate (bits); the last two breadth-first only. */
  readonly store?: 'exact' | 'compact' | 'bitstate';
  /** Bitstate: the bits of the array (log2) and the hashes per state. */
  readonly bitstate?: BitstateOptions;
  /** Reductions (issue 9; reduce/reduction.ts). Absent: none. */
  readonly reduction?: ReductionFlags;
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
  /** A model error only threads show: how many (ModelError.threads). */
  readonly threads?: number;
}

export interface BoundFinding {
  readonly property: BoundProperty;
  /** -Infinity when no state was explored. */
  readonly worst: number;
  readonly state: number;
  /** The store `state` is numbered in, when not the outcome's (a parallel search's witness, search/parallel/coordinator.ts). */
  readonly store?: VisitedStore;
}

export interface ExploreOutcome {
  readonly store: VisitedStore;
  readonly states: number;
  readonly transitions: number;
  readonly terminalStates: number;
  readonly depth: number;
  readonly findings: readonly Finding[];
  readonly bounds: readonly BoundFinding[];
  /** The explored graph, when progress properties asked for it. */
  readonly graph: ProgressRecorder | null;
  /** Why the search ended early, if it did. */
  readonly stopped: { readonly reason: 'max-states' | StopReason['reason']; readonly message: string } | null;
  /** What a report should say about a reduction: switched off for this run, and why (reduce/por.ts). */
  readonly reductionNote?: string;
  /** Partial-order reduction was asked for and really used (not switched off for the run). */
  readonly porApplied?: boolean;
  /** The search stopped: a property or the model tells symmetric actors apart (reduce/symmetricProperties.ts). */
  readonly symmetryBroken?: string;
}

const POLL_MASK = 0xfff;

/**
 * log2 of the first size of the state table: SMALL_TABLE_BITS, or fewer when --max-states caps the states
 * below what that holds at 0.7 load (a parallel search's rerun through a few levels). Every page of a fresh
 * table is a page fault when first touched (stateStore.ts grownTableBits). The table grows as needed.
 */
function tableBitsFor(maxStates: number): number {
  return Math.max(10, Math.min(SMALL_TABLE_BITS, Math.ceil(Math.log2((maxStates + 1) / 0.7)) + 1));
}

export function explore(system: CompiledSystem, options: ExploreOptions): ExploreOutcome {
  if (!options.reduction?.por) return exploreOnce(system, options, null);
  // Partial-order reduction is not claimed for progress under fairness, nor yet together with symmetry: such
  // a run takes every interleaving (reduce/por.ts).
  const progress = system.properties.some((p) => p.kind === 'progress');
  const off = progress
    ? 'partial-order reduction is off for this run: it checks progress properties, which it is not shown to preserve under fairness'
    : options.reduction.symmetry
      ? 'partial-order reduction is off for this run: together with symmetry reduction it is not yet tested (Emerson, Jha & Peled 1997 give the conditions), so only symmetry applies'
      : null;
  const por = new PartialOrderReduction(system, off);
  for (;;) {
    por.begin();
    const outcome = exploreOnce(system, options, por.off ? null : por);
    // A search whose reductions relied on something it later learnt was wrong runs again with what it learnt.
    if (!por.invalid || outcome.stopped) {
      const note = por.note();
      return { ...outcome, porApplied: !por.off, ...(note === undefined ? {} : { reductionNote: note }) };
    }
  }
}

function exploreOnce(system: CompiledSystem, options: ExploreOptions, por: PartialOrderReduction | null): ExploreOutcome {
  const layout = system.layout;
  const W = layout.words;
  const vec = new Uint32Array(W);
  // Keyed store; liveness records edges to known states, so it keeps their indices too.
  const keepIndex = Boolean(options.recordGraph) || por !== null;
  const store: VisitedStore =
    options.store === 'bitstate'
      ? new BitstateStore(W, options.bitstate)
      : options.store === 'compact'
        ? new CompactStore(W, tableBitsFor(options.maxStates), { keepIndex })
        : new StateStore(W, tableBitsFor(options.maxStates), { keyed: true, keepIndex, lastWordBits: layout.lastWordBits });
  const frontier = options.strategy.createFrontier(store);
  const pack = layout.pack;
  const unpack = layout.unpack;
  const copy = layout.copy;

  // The place a finding names: the state just stored while its state monitors run, else the state being expanded.
  let here = 0;
  const engine = new Engine<number>(system, {
    mode: 'search',
    stopAtFirstViolation: options.stopAtFirstViolation,
    here: () => here,
    recordGraph: Boolean(options.recordGraph),
  });
  const { S, pre, after, before } = engine;
  // Only to name a bad world access precisely when a step throws (the guarded views never run in the loop:
  // calling the model's functions with a second kind of view would slow every later call of them).
  const probe = new NondeterminismProbe(system);

  // Symmetry: representatives are built in `canon`, so S keeps the real successor for the monitors.
  const symmetry = options.reduction?.symmetry ? new SymmetryReducer(system) : null;
  const sym = symmetry?.active ? symmetry : null;
  const canon = layout.buffer();
  S.set(system.initial);
  sym?.canonicalize(S);
  // Under symmetry, the properties must be blind to the renamings, and the model keep them (symmetricProperties.ts).
  const watch = sym ? new SymmetryWatch(system, sym) : null;
  watch?.state(S, 0);
  const bad0 = pack(S, vec, 0);
  if (bad0 >= 0) throw new Error(`the initial state is invalid: ${layout.describeOverflow(bad0, S)}`);
  store.findOrInsert(vec, 0, NO_PARENT, 0);
  for (const m of engine.onBegin) m.begin!();
  engine.state();
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
  const expand = compileExpand(system, engine.stepper);
  // Partial-order reduction expands through its own path (reduce/por.ts), which ends in `expand` or `emit`.
  const binding = {
    stepper: engine.stepper,
    S,
    pre,
    copy,
    expand,
    stored: () => store.size,
    lookup: () => store.lookup(vec, 0),
    depth: () => curDepth,
    breadthFirst: options.strategy.name === 'bfs',
  };
  const expandState: ExpandFn = por ? (e, f) => por.expand(binding, e, f) : expand;

  /** One enabled step has been applied to S: pack, store, tell the monitors, restore. */
  const emit = (stepId: number): boolean => {
    let bad: number;
    if (sym) {
      canon.set(S);
      sym.canonicalize(canon);
      bad = pack(canon, vec, 0);
      if (bad >= 0) {
        // A value outside its domain is named where it is in the real successor.
        const inS = pack(S, vec, 0);
        if (inS >= 0) bad = inS;
      }
    } else bad = pack(S, vec, 0);
    if (bad >= 0) {
      engine.stepFailed(stepId, layout.describeOverflow(bad, S));
      copy(S, pre);
      return engine.stop;
    }
    transitions++;
    let r = store.findOrInsert(vec, 0, cur, stepId);
    if (watch && !(watch.step(pre, S, stepId) && (r < 0 || watch.state(S, r)))) {
      copy(S, pre);
      return true;
    }
    if (r >= 0) {
      // depth: the largest distance (along the search tree) of any stored state.
      if (curDepth >= maxDepth) maxDepth = curDepth + 1;
      here = r;
      engine.state();
      here = cur;
      frontier.push(r, curDepth + 1);
    } else {
      r = -r - 1;
    }
    if (engine.onStep.length) engine.stepTaken(stepId, r);
    copy(S, pre);
    return engine.stop;
  };
  /** A guard, choices function or action threw: a model assertion, reported with the step. */
  const fail = (err: unknown, stepId: number): boolean => {
    engine.stepFailed(stepId, assertionMessage(system, stepId, probe.precise(pre, stepId, err)));
    copy(S, pre);
    return engine.stop;
  };

  while (!engine.stop && !watch?.broken) {
    const idx = frontier.pop();
    if (idx < 0) break;
    cur = here = idx;
    curDepth = frontier.depth;
    store.expanding(idx);
    unpack(store.chunkOf(idx), store.offsetOf(idx), pre);
    copy(S, pre);
    const onExpand = engine.onExpand;
    for (let i = 0; i < onExpand.length; i++) onExpand[i]!.expand!(idx, before);
    const enabled = expandState(emit, fail);
    if (enabled < 0) break;
    const onExpanded = engine.onExpanded;
    for (let i = 0; i < onExpanded.length; i++) onExpanded[i]!.expanded!(idx);
    if (enabled === 0) {
      terminal++;
      const onTerminal = engine.onTerminal;
      for (let i = 0; i < onTerminal.length; i++) onTerminal[i]!.terminal!(after);
    }
    expanded++;
    // More states stored than allowed means some stored state will never be expanded: inconclusive.
    if (store.size > options.maxStates) {
      stopped = { reason: 'max-states', message: `bound of ${options.maxStates.toLocaleString('en-US')} states reached at depth ${maxDepth}` };
      break;
    }
    if ((expanded & POLL_MASK) === 0) {
      // The next window may store twice the states the last one did (and the monitors grow their records).
      const pending = store.growthBytes(2 * (store.size - sizeAtPoll)) + engine.growthBytes();
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
  engine.finish(!stopped && !engine.stop);
  const findings: Finding[] = engine.findings.map(({ at, atStep: _atStep, provisional: _provisional, loop: _loop, ...f }) => ({ ...f, state: at }));
  const bounds = (engine.monitors.bounds?.measured ?? []).map((b) => ({ property: b.property, worst: b.worst, state: b.at ?? 0 }));
  return {
    store,
    states: store.size,
    transitions,
    terminalStates: terminal,
    depth: maxDepth,
    findings,
    bounds,
    graph: engine.monitors.graph,
    stopped,
    ...(watch?.broken ? { symmetryBroken: watch.broken } : {}),
  };
}
