/** Results are data: what a check found, with no formatting. Formatters live in trace/ and cli/. */
import type { BlockedActor } from './properties/deadlock.js';
import type { PropertyKind } from './properties/property.js';
import type { BitstateCoverage } from './store/bitstateStore.js';
import type { TraceOrder } from './trace/clearest.js';
import type { ReductionReport } from './reduce/reduction.js';
import type { Trace } from './trace/trace.js';

/**
 * `model-error`: the model itself is broken (a property predicate threw, model code is not deterministic, a
 * compiled actor disagrees with xstate): no property verdict can be believed, so none is given.
 */
export type Verdict = 'holds' | 'violated' | 'inconclusive' | 'model-error';

/** What kind of modelling mistake a model error is (`label-threw`: an actor's `label` function threw or returned a non-string). */
export type ModelErrorKind = 'property-threw' | 'nondeterministic' | 'xstate-mismatch' | 'label-threw';

/** A modelling mistake, with the trace to the state (or the step) where it showed. */
export interface ModelError {
  readonly kind: ModelErrorKind;
  /** The property (property-threw), or the actor (the other kinds), whose code is wrong. */
  readonly subject: string;
  readonly message: string;
  readonly trace: Trace;
  /**
   * Set when the threads of a `workers` run found something the one-thread search of the same states does
   * not (a model that answers differently on another thread): the number of threads. No path shows it on
   * one thread, so the trace has no steps, and only a check on as many threads re-creates it.
   */
  readonly threads?: number;
}

export interface Violation {
  readonly property: string;
  readonly kind: PropertyKind;
  readonly message: string;
  readonly trace: Trace;
  /** Deadlocks: the blocked threads and what each waits for. */
  readonly blocked?: readonly BlockedActor[];
}

/** How each property came out. `assertion` (model assertions and domain overflows) is always listed last. */
export interface PropertyOutcome {
  readonly name: string;
  readonly kind: PropertyKind;
  /** `unknown`: the search stopped (a violation, a bound, the timeout) before this property was decided. */
  readonly status: 'holds' | 'violated' | 'unknown';
}

export interface BoundReport {
  readonly property: string;
  readonly limit: number;
  /** The largest value any explored state reached. */
  readonly worst: number;
  /** A trace to a state with the worst value (a shortest one under bfs). */
  readonly trace: Trace;
}

export interface Stats {
  readonly states: number;
  /** Every successor generated, including those already seen. */
  readonly transitions: number;
  /** States with no enabled step (proper ends and deadlocks alike). */
  readonly terminalStates: number;
  readonly depth: number;
  /** Sampling strategies: executions run (states and transitions then count repeats). */
  readonly executions?: number;
  /** Bits and 32-bit words of one packed state. */
  readonly stateBits: number;
  readonly stateWords: number;
  /** Bytes the state store held at the end (records and hash table). */
  readonly storeBytes: number;
  /**
   * Hash compaction only (`store: 'compact'`): an upper bound on the probability that two states shared a
   * fingerprint and one of them was never explored (so a verdict of holds could be wrong).
   */
  readonly omissionProbability?: number;
  /** Bitstate only (`store: 'bitstate'`): the coverage estimate - SPIN's hash factor and the states expected to be missed. */
  readonly bitstate?: BitstateCoverage;
  /** Wall-clock seconds and peak resident memory, when the caller supplied a clock and a memory probe. */
  readonly seconds: number;
  readonly peakMemoryBytes: number;
  /** Asked for more than one thread (`workers`): how many searched, and why only one did if so. */
  readonly workers?: { readonly threads: number; readonly note?: string };
}

/** Why a run is inconclusive (a bound, the timeout, memory, Ctrl-C, a sampling run, a bitstate search). */
export interface Inconclusive {
  readonly reason: string;
  readonly message: string;
}

/** What every result has, whatever its verdict. */
interface ResultBase {
  readonly system: string;
  readonly strategy: string;
  /** Exhaustive strategies: how each counterexample was chosen (trace/clearest.ts). */
  readonly traceOrder?: TraceOrder;
  /** Sampling strategies: the seed of the generator (replaying the run needs only the trace). */
  readonly seed?: number;
  /** The reductions asked for and applied, with a note for each one switched off (reduce/plan.ts). */
  readonly reduction?: ReductionReport;
  /** The violations found (empty unless the verdict is `violated`). */
  readonly violations: readonly Violation[];
  /** Every property of the system, then `assertion`, with its outcome. */
  readonly properties: readonly PropertyOutcome[];
  readonly bounds: readonly BoundReport[];
  readonly stats: Stats;
}

/** Every property was decided and none is violated: the whole state space was explored. */
export interface HoldsResult extends ResultBase {
  readonly verdict: 'holds';
  readonly modelError?: never;
  readonly inconclusive?: never;
}

export interface ViolatedResult extends ResultBase {
  readonly verdict: 'violated';
  readonly modelError?: never;
  readonly inconclusive?: never;
}

/** No violation, and not everything was decided: why not. */
export interface InconclusiveResult extends ResultBase {
  readonly verdict: 'inconclusive';
  readonly inconclusive: Inconclusive;
  readonly modelError?: never;
}

/** The model is broken: the mistake with its trace; no violation and no bound is reported. */
export interface ModelErrorResult extends ResultBase {
  readonly verdict: 'model-error';
  readonly modelError: ModelError;
  readonly inconclusive?: never;
}

/**
 * A check's result, one variant per verdict: `modelError` exists only on a model error and `inconclusive`
 * only on an inconclusive run (narrow on `verdict` before reading them).
 */
export type CheckResult = HoldsResult | ViolatedResult | InconclusiveResult | ModelErrorResult;
