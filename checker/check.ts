/**
 * `check`: compile a system, run it with a strategy, and return the result as data with every
 * counterexample rebuilt as a trace. The engine reads no clock and no memory gauge of its own: callers
 * pass `now` and `memory` probes (the CLI and the package entry point do), so the same inputs always
 * explore the same states and yield the same bytes apart from `seconds` and `peakMemoryBytes`.
 *
 * The way down: a strategy (search/strategy.ts, named in search/registry.ts) is exhaustive (bfs, dfs: a
 * Frontier), run by `explore` (search/explore.ts), or sampling (random, pct: a Scheduler), run by
 * `sample` on the executions loop (search/sampling.ts, executions.ts) that replay's scheduler runs on too;
 * both step the system on one Engine (search/engine.ts), which creates one monitor per property kind
 * (properties/monitors.ts) and feeds them every state and step. After the search, progress properties are
 * decided on the graph their monitor recorded (properties/liveness.ts); after any strategy the determinism
 * probe and the xstate cross-check run on a sample of what it visited; the findings become traces (the
 * clearest, trace/clearest.ts) in `counterexample` and the result in `buildResult`, one place each for
 * every strategy.
 */
import { cyclicStates, findFairCycle, findStuckState, LivenessStopped } from './properties/liveness.js';
import { blockedActors } from './properties/deadlock.js';
import { stuckMessage, type ProgressProperty } from './properties/progress.js';
import { SlotStateView } from './properties/property.js';
import { BITSTATE_BITS, BITSTATE_HASHES, bitstateCoverage, DEFAULT_BITSTATE, type BitstateCoverage, type BitstateOptions } from './store/bitstateStore.js';
import { omissionProbability } from './store/compactStore.js';
import type { VisitedStore } from './store/stateStore.js';
import type { BoundReport, CheckResult, Inconclusive, ModelError, PropertyOutcome, Stats, Violation } from './result.js';
import { NondeterminismError, probedStates, probeStored } from './search/determinism.js';
import { crossCheckXstate } from './search/xstateCheck.js';
import { type ExploreHooks, type ExploreOutcome, type Finding, type StopReason } from './search/explore.js';
import { exploreOn, resolveWorkers } from './search/parallel/plan.js';
import type { SystemSource } from './search/parallel/protocol.js';
import { isStrategyName, strategies, strategyNames, type StrategyName } from './search/registry.js';
import { sample, type SamplingStrategy } from './search/sampling.js';
import { Rng } from './random/rng.js';
import { compileSystem, type CompiledSystem, type SystemSpec } from './system/system.js';
import { stateAfter, stepsAround, stepsTo as stepsToState } from './trace/path.js';
import { buildTrace, LabelThrew, TraceDivergence, type Trace } from './trace/trace.js';
import { clearestBoundSteps, clearestViolation, TRACE_ORDERS, type TraceOrder, type TraceSearchOptions } from './trace/clearest.js';
import { propertyShapeProblem } from './properties/property.js';
import { assertionMessage } from './system/thrown.js';
import { stepActor, stepChoice, stepEvent } from './system/step.js';
import { WorldAccessError } from './system/views.js';
import { reductionOf, resolveReduction, type Reduction, type ReductionFlags, type ReductionReport } from './reduce/reduction.js';
import { planReduction } from './reduce/plan.js';
import { realFinding, unrealFinding } from './reduce/symmetryTrace.js';
import { realSteps } from './reduce/symmetry.js';
import { brokenSymmetry } from './reduce/symmetricProperties.js';
import { assertShape, type Shape } from './keys.js';

export interface CheckOptions {
  /** Search strategy. Default `bfs` (shortest counterexamples). */
  readonly strategy?: StrategyName;
  /** Stop, inconclusive, after storing more than this many states. Default 50,000,000. */
  readonly maxStates?: number;
  /** Default true: stop at the first violation. False: report the first violation of every property. */
  readonly stopAtFirstViolation?: boolean;
  /** Wall clock in milliseconds, for `stats.seconds`. The checker never reads a clock itself. */
  readonly now?: () => number;
  /** Resident memory in bytes, sampled for `stats.peakMemoryBytes`. */
  readonly memory?: () => number;
  /**
   * Polled during the run: a reason to stop early (timeout, memory limit, Ctrl-C). `pendingBytes`: what
   * the run may allocate before the next poll, for a memory bound to count before it happens.
   */
  readonly shouldStop?: (pendingBytes?: number) => StopReason | null;
  readonly onProgress?: ExploreHooks['onProgress'];
  /** Sampling strategies (random, pct): the seed of the one generator. Default 1. */
  readonly seed?: number;
  /**
   * Sampling strategies: the generator's stream (0 default). Stream k is the seed's sequence jumped ahead
   * k × 2^64 draws, so the jobs of a swarm (one stream each) run disjoint streams of executions.
   */
  readonly stream?: number;
  /** Sampling strategies: executions to run. Default 1,000. */
  readonly executions?: number;
  /** Sampling strategies: steps per execution at most (and PCT's k). Default 1,000. */
  readonly maxDepth?: number;
  /** pct: the bug depth d (d - 1 priority change points per execution). Default 3. */
  readonly pctDepth?: number;
  /**
   * The visited set: `exact` (default; full states, every state is told apart) or `compact` (hash
   * compaction: 63-bit fingerprints, memory independent of the state's width, and a reported probability
   * that a state was missed). Compact needs `bfs`. `bitstate` (Holzmann's supertrace: k bits a state,
   * `bitstate` options) goes beyond memory but never proves anything: without a violation its verdict is
   * inconclusive, with a coverage estimate. Bitstate needs `bfs`, and decides no progress property.
   */
  readonly store?: 'exact' | 'compact' | 'bitstate';
  /** Bitstate: log2 of the bits of the array (default 27: 16 MiB) and the hashes per state (default 3). */
  readonly bitstate?: Partial<BitstateOptions>;
  /**
   * Cross-check the compiled actors against xstate's own `transition()` on paths to a deterministic
   * sample of explored states and along every counterexample (xstateCheck.ts); a disagreement is a model
   * error. Default false (the built-in actors have their own conformance test); the CLI turns it on for
   * a user's scenario file.
   */
  readonly xstateCheck?: boolean;
  /**
   * Which counterexample an exhaustive search prints (trace/clearest.ts): `shortest` (default) - of the
   * shortest, one with the fewest context switches (for a lasso, of the shortest stems); `fewest-switches`
   * - the fewest switches of any length, then the shortest. Sampling strategies keep the trace they sampled.
   */
  readonly trace?: TraceOrder;
  /**
   * Reductions of the exhaustive search (checker/reduce/reduction.ts): `none` (default), `por`,
   * `symmetry` or `all`. A reduction not sound for the system is switched off, with a note in the
   * result's `reduction` (reduce/plan.ts); sampling strategies store no states and use none.
   */
  readonly reduce?: Reduction;
  /**
   * Threads for the exhaustive search (search/parallel/): 1 (default) or more, for bfs with the exact store.
   * The result is the same for any number (apart from `stats.seconds`, `peakMemoryBytes`, `storeBytes` (one table per thread) and `workers`).
   * Needs `source`: a system object cannot be sent to another thread.
   */
  readonly workers?: number;
  /** With `workers` > 1: the module each worker builds the system from (search/parallel/protocol.ts). */
  readonly source?: SystemSource;
}

export interface ResolvedCheckOptions {
  readonly strategy: StrategyName;
  readonly maxStates: number;
  readonly stopAtFirstViolation: boolean;
  readonly seed: number;
  readonly stream: number;
  readonly executions: number;
  readonly maxDepth: number;
  readonly pctDepth: number;
  readonly store: 'exact' | 'compact' | 'bitstate';
  readonly bitstate: BitstateOptions;
  readonly trace: TraceOrder;
  readonly reduce: Reduction;
  readonly workers: number;
}

export const DEFAULT_MAX_STATES = 50_000_000;
/** What the liveness analysis allocates per state of the graph: Tarjan's six arrays and its own (liveness.ts). */
const LIVENESS_BYTES_PER_STATE = 32;
/** Steps the determinism probe and the xstate cross-check may re-execute, in all, to reach sampled states. */
const SAMPLED_PATH_STEPS = 1_000_000;
const SAMPLED_PATH_POLL = 10_000;
/** The largest sampling bounds: one execution's path is kept in memory, and PCT keeps d - 1 change points. */
export const MAX_SAMPLING_DEPTH = 100_000_000;
export const MAX_PCT_DEPTH = 1_000;

/**
 * Every key of CheckOptions and the type of its value (`checked`: resolveCheckOptions checks the value):
 * a key not listed is a typo (`maxState`), refused rather than left to run with the default.
 */
export const CHECK_OPTIONS: Shape<CheckOptions> = {
  strategy: 'checked',
  maxStates: 'checked',
  stopAtFirstViolation: 'boolean',
  now: 'function',
  memory: 'function',
  shouldStop: 'function',
  onProgress: 'function',
  seed: 'checked',
  stream: 'checked',
  executions: 'checked',
  maxDepth: 'checked',
  pctDepth: 'checked',
  store: 'checked',
  bitstate: 'object',
  xstateCheck: 'boolean',
  trace: 'checked',
  reduce: 'checked',
  workers: 'checked',
  source: 'object',
};

const BITSTATE_OPTIONS: Shape<BitstateOptions> = { bits: 'checked', hashes: 'checked' };
/** `args` is handed to the module's export as it is: the user's own, open. */
const SOURCE_OPTIONS: Shape<SystemSource> = { module: 'string', export: 'string', args: 'checked' };

/** Partial options in, a complete config out; every default stated once, here. An unknown key or a value of the wrong type is a RangeError. */
export function resolveCheckOptions(o: CheckOptions = {}): ResolvedCheckOptions {
  assertShape(o, CHECK_OPTIONS, 'check() options');
  if (o.bitstate !== undefined) assertShape(o.bitstate, BITSTATE_OPTIONS, 'check() options: bitstate');
  if (o.source !== undefined) assertShape(o.source, SOURCE_OPTIONS, 'check() options: source');
  const whole = (name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`${name} must be a whole number >= ${min}, not ${typeof v === 'string' ? `'${v}' (a string)` : String(v)}`);
    if (v > max) throw new RangeError(`${name} must be at most ${max.toLocaleString('en-US')}, not ${v}`);
    return v;
  };
  return {
    strategy: resolveStrategy(o.strategy),
    maxStates: whole('maxStates', o.maxStates ?? DEFAULT_MAX_STATES, 1),
    stopAtFirstViolation: o.stopAtFirstViolation ?? true,
    seed: whole('seed', o.seed ?? 1, 0),
    stream: whole('stream', o.stream ?? 0, 0),
    executions: whole('executions', o.executions ?? 1000, 1),
    maxDepth: whole('maxDepth', o.maxDepth ?? 1000, 1, MAX_SAMPLING_DEPTH),
    pctDepth: whole('pctDepth', o.pctDepth ?? 3, 1, MAX_PCT_DEPTH),
    store: resolveStore(o),
    trace: resolveTraceOrder(o.trace),
    reduce: resolveReduction(o.reduce),
    workers: resolveWorkers(o),
    bitstate: {
      bits: whole('bitstate.bits', o.bitstate?.bits ?? DEFAULT_BITSTATE.bits, BITSTATE_BITS.min, BITSTATE_BITS.max),
      hashes: whole('bitstate.hashes', o.bitstate?.hashes ?? DEFAULT_BITSTATE.hashes, BITSTATE_HASHES.min, BITSTATE_HASHES.max),
    },
  };
}

function resolveStrategy(name: StrategyName | undefined): StrategyName {
  if (name === undefined) return 'bfs';
  if (typeof name !== 'string' || !isStrategyName(name)) throw new RangeError(`strategy must be ${strategyNames.join(', ')}, not ${String(name)}`);
  return name;
}

function resolveTraceOrder(order: TraceOrder | undefined): TraceOrder {
  if (order === undefined) return 'shortest';
  if (!TRACE_ORDERS.includes(order)) throw new RangeError(`trace must be ${TRACE_ORDERS.join(' or ')}, not ${String(order)}`);
  return order;
}

function resolveStore(o: CheckOptions): 'exact' | 'compact' | 'bitstate' {
  const store = o.store ?? 'exact';
  if (store !== 'exact' && store !== 'compact' && store !== 'bitstate') throw new RangeError(`store must be exact, compact or bitstate, not ${String(store)}`);
  if (store !== 'exact' && (o.strategy ?? 'bfs') !== 'bfs') {
    throw new RangeError(`the ${store} store keeps only the states breadth-first search has yet to expand: it needs the bfs strategy, not ${o.strategy}`);
  }
  return store;
}

/** The plan's report with what partial-order reduction itself found (switched off for the run, or searched again). */
function withPorOutcome(report: ReductionReport, flags: ReductionFlags, outcome: ExploreOutcome): ReductionReport {
  const note = outcome.reductionNote;
  if (note === undefined) return report;
  const applied = flags.por && outcome.porApplied === false ? reductionOf({ ...flags, por: false }) : report.applied;
  return { requested: report.requested, applied, notes: [...report.notes, note] };
}

export function check(system: SystemSpec | CompiledSystem, options: CheckOptions = {}): CheckResult {
  const compiled = typeof system === 'object' && system !== null && 'layout' in system ? system : compileSystem(system);
  const config = resolveCheckOptions(options);
  const strategy = strategies[config.strategy];
  const plan = planReduction(compiled, config.reduce, strategy.kind === 'exhaustive');
  if (strategy.kind === 'sampling') return checkBySampling(compiled, strategy, config, options, plan.report);
  const start = options.now?.() ?? 0;
  let peak = options.memory?.() ?? 0;
  const sample = (): void => {
    if (options.memory) peak = Math.max(peak, options.memory());
  };
  const progressProps = compiled.properties.filter((p): p is ProgressProperty => p.kind === 'progress');
  // A bitstate store knows no state's index, so it records no graph: progress stays undecided.
  const bitstate = config.store === 'bitstate';
  const outcome = exploreOn(compiled, config.workers, options.source, {
    strategy,
    maxStates: config.maxStates,
    stopAtFirstViolation: config.stopAtFirstViolation,
    hooks: {
      shouldStop: (pendingBytes = 0) => {
        sample();
        return options.shouldStop?.(pendingBytes) ?? null;
      },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
    recordGraph: progressProps.length > 0 && !bitstate,
    store: config.store,
    bitstate: config.bitstate,
    reduction: plan.flags,
  });
  sample();
  const { workers } = outcome;
  const store = outcome.store;
  // Under symmetry the store's paths run through representatives: every path leaves here as a real execution.
  const sym = plan.symmetry;
  const canonical = sym ? (S: Int32Array) => sym.canonicalize(S) : undefined;
  const stepsTo = (state: number): number[] =>
    sym ? realSteps(compiled, sym, stepsToState(compiled, store, state, canonical)) : stepsToState(compiled, store, state);
  /** A finding's path (its last step apart) and the finding, said of the real execution. */
  const located = (f: Finding): [number[], Finding] =>
    sym ? realFinding(compiled, sym, stepsToState(compiled, store, f.state, canonical), f) : [stepsTo(f.state), f];
  const recorder = outcome.graph;
  const violations: Violation[] = [];
  let bounds: BoundReport[] = [];
  let modelError: ModelError | undefined;
  const progressDecided = new Set<string>();
  let complete = false;
  // The analysis after the search is polled too: it stops, inconclusive, on a timeout, memory or Ctrl-C.
  let livenessStopped: StopReason | null = null;
  const poll = (): StopReason | null => {
    sample();
    return options.shouldStop?.() ?? null;
  };
  // The probe and the xstate cross-check re-execute the paths to sampled states: only paths within a step
  // budget, and only while the run's bounds allow, so a deep or stopped search (a counter a billion steps
  // long, Ctrl-C) is not followed by minutes of re-execution nobody can interrupt.
  const budget = new PathBudget(poll);
  const sampledPath = (state: number): number[] | null => {
    let depth = 0;
    for (let i = state; i !== 0 && depth <= budget.left; i = store.parent(i)) depth++;
    return budget.take(depth) ? stepsTo(state) : null;
  };
  // A model that breaks the symmetry it declares makes the reduced search merge states that behave
  // differently: probed on a sample of the stored states (and in the search), and every counterexample
  // replayed on the unreduced model; if so the run is made again without it.
  if (sym) {
    // A property that tells members apart stopped the search at once (reduce/symmetricProperties.ts).
    let broken: string | null = outcome.symmetryBroken ?? null;
    try {
      broken ??=
        brokenSymmetry(
          compiled,
          sym,
          probedStates(outcome.states).flatMap((i) => {
            const path = sampledPath(i);
            return path ? [stateAfter(compiled, path)] : [];
          }),
        ) ?? unrealFinding(compiled, outcome.findings.map(located));
    } catch (e) {
      if (!(e instanceof NondeterminismError)) throw e;
      broken = e.message;
    }
    if (broken) {
      const again = check(compiled, { ...options, reduce: config.reduce === 'all' ? 'por' : 'none' });
      const notes = [...(again.reduction?.notes ?? []), `symmetry off: ${broken}`];
      return { ...again, reduction: { requested: config.reduce, applied: again.reduction?.applied ?? 'none', notes } };
    }
  }
  try {
    const mistake = outcome.findings.find((f) => f.modelError);
    if (mistake) modelError = toModelError(compiled, ...located(mistake));
    else violations.push(...outcome.findings.map((f) => toViolation(compiled, ...located(f))));
    // Every step must be a function of the state, and stay inside the declared world: probe a sample.
    if (!modelError) modelError = sampledProbe(compiled, outcome.states, sampledPath, violations, config.stopAtFirstViolation);
    // Progress needs the whole graph: only after a complete search, and only if it is still undecided.
    complete = !modelError && !outcome.stopped && !bitstate && !(config.stopAtFirstViolation && violations.length);
    if (recorder && complete) {
      try {
        // Its arrays (about 30 bytes a state) are counted against a memory bound before they are allocated.
        const before = options.shouldStop?.(LIVENESS_BYTES_PER_STATE * recorder.edges.states);
        if (before) throw new LivenessStopped(before);
        const cyclic = cyclicStates(recorder.edges, poll);
        for (const [bit, p] of progressProps.entries()) {
          const error = recorder.errors[bit];
          if (error) {
            // The property's own code threw: a model error, not a violation of the property.
            // At the state where inFlight threw, or with the step whose progress() threw.
            const at = { property: p.name, kind: 'progress' as const, message: error.message, modelError: 'property-threw' as const, state: error.state };
            modelError = toModelError(compiled, ...located(error.step === undefined ? at : { ...at, step: error.step }));
            complete = false;
            break;
          }
          const cycle = findFairCycle(compiled, recorder.edges, bit, cyclic, poll);
          progressDecided.add(p.name);
          if (!cycle) {
            // No fair cycle; a maximal run may still end with the actor in flight and nobody able to move.
            const stuck = findStuckState(recorder.edges, bit);
            if (stuck < 0) continue;
            const path = stepsTo(stuck);
            const blocked = blockedActors(compiled, new SlotStateView(compiled, stateAfter(compiled, path)));
            violations.push(toViolation(compiled, path, { property: p.name, kind: 'progress', message: stuckMessage(p, blocked), state: stuck }));
            if (config.stopAtFirstViolation) break;
            continue;
          }
          violations.push(
            lassoViolation(
              compiled,
              store,
              stepsTo(cycle.entry),
              p,
              cycle.edges.map((e, i) => [cycle.sources[i]!, recorder.edges.target(e), recorder.edges.actor(e)] as const),
            ),
          );
          if (config.stopAtFirstViolation) break;
        }
      } catch (e) {
        if (!(e instanceof LivenessStopped)) throw e;
        livenessStopped = e.stop;
      }
      sample();
    }
    if (options.xstateCheck && !modelError) {
      const counterexamples = outcome.findings.map((f) => {
        const [path, g] = located(f);
        return g.step === undefined ? path : [...path, g.step];
      });
      const mismatch = crossCheckXstate(compiled, outcome.states, sampledPath, counterexamples);
      if (mismatch) modelError = { kind: 'xstate-mismatch', subject: mismatch.actor, message: mismatch.message, trace: longestTrace(compiled, mismatch.steps) };
    }
    // Each worst-value trace made the clearest, as a violation's is. A parallel search names its state in a store of its own.
    const witness = (b: (typeof outcome.bounds)[number]): number[] => (b.store ? stepsToState(compiled, b.store, b.state) : stepsTo(b.state));
    bounds = outcome.bounds.map((b) => ({
      property: b.property.name,
      limit: b.property.limit,
      worst: b.worst,
      trace: buildTrace(compiled, clearestBoundSteps(compiled, b.property, b.worst, witness(b), clearestOptions(config, options))),
    }));
  } catch (e) {
    if (e instanceof TraceDivergence && e.thrown instanceof WorldAccessError && e.steps) {
      // A bad world access on a state the search's fast views cannot guard: the trace's guarded views found it.
      violations.length = 0;
      const last = e.steps[e.steps.length - 1]!;
      violations.push({
        property: 'assertion',
        kind: 'assertion',
        message: assertionMessage(compiled, last, e.thrown),
        trace: counterexample(compiled, e.steps),
      });
      bounds = [];
    } else {
      // A trace the search found no longer replays: the model's steps are not functions of the state.
      modelError = nondeterminismFound(compiled, e);
    }
  }
  // Each counterexample made the clearest one (trace/clearest.ts), within the search's own bounds.
  try {
    if (!modelError) violations.splice(0, violations.length, ...violations.map((v) => clearestViolation(compiled, v, clearestOptions(config, options))));
  } catch (e) {
    modelError = nondeterminismFound(compiled, e);
  }
  if (modelError) {
    violations.length = 0;
    bounds = [];
    complete = false;
    progressDecided.clear();
  }
  const stats: Stats = {
    states: outcome.states,
    transitions: outcome.transitions,
    terminalStates: outcome.terminalStates,
    depth: outcome.depth,
    stateBits: compiled.layout.bits,
    stateWords: compiled.layout.words,
    storeBytes: outcome.store.bytes,
    ...(config.store === 'compact' ? { omissionProbability: omissionProbability(outcome.states) } : {}),
    ...(bitstate ? { bitstate: bitstateCoverage(outcome.states, config.bitstate) } : {}),
    seconds: options.now ? (options.now() - start) / 1000 : 0,
    peakMemoryBytes: peak,
    ...(workers ? { workers } : {}),
  };
  // Bitstate never proves: a search that ran to the end is inconclusive, with its coverage estimate.
  const partial =
    bitstate && !modelError && !outcome.stopped && !livenessStopped && !violations.length ? bitstatePartial(stats.bitstate!, outcome.states) : null;
  // Per property: violated, or holds when its check ran to the end (safety: the whole state space was
  // explored; progress: its cycle analysis ran), or unknown.
  const violatedNames = new Set(violations.map((v) => v.property));
  const properties: PropertyOutcome[] = compiled.properties.map((p) => ({
    name: p.name,
    kind: p.kind,
    status: violatedNames.has(p.name) ? 'violated' : (p.kind === 'progress' ? progressDecided.has(p.name) : complete) ? 'holds' : 'unknown',
  }));
  properties.push({ name: 'assertion', kind: 'assertion', status: violatedNames.has('assertion') ? 'violated' : complete ? 'holds' : 'unknown' });
  return buildResult(compiled.name, config.strategy, {
    reduction: withPorOutcome(plan.report, plan.flags, outcome),
    traceOrder: config.trace,
    violations,
    modelError,
    stopped: outcome.stopped ?? livenessStopped ?? budget.stopped ?? partial,
    properties,
    bounds,
    stats,
  });
}

/**
 * The steps the determinism probe and the xstate cross-check may re-execute to reach sampled states, in
 * all: only paths within the budget, and only while the run's bounds allow (polled before a re-execution
 * long enough to matter: a small model's probe always runs to the end), so a deep or stopped run (a
 * counter a billion steps long, Ctrl-C) is not followed by minutes of re-execution nobody can interrupt.
 */
class PathBudget {
  /** Steps still to spend. */
  left = SAMPLED_PATH_STEPS;
  /** Why the re-execution stopped early, or null. */
  stopped: StopReason | null = null;
  constructor(private readonly poll: () => StopReason | null) {}
  /** May a path of `length` steps be re-executed? */
  take(length: number): boolean {
    const long = SAMPLED_PATH_STEPS - this.left + length > SAMPLED_PATH_POLL;
    if (this.stopped || (long && (this.stopped = this.poll()))) return false;
    if (length > this.left) return false;
    this.left -= length;
    return true;
  }
}

/**
 * The determinism probe (search/determinism.ts) on `states` sampled states (their paths from `pathTo`): a
 * step that is not a function of the state is the model error returned; a bad world access there is the
 * model assertion it is, put first among the violations (the only one, when the run stops at the first).
 */
function sampledProbe(
  system: CompiledSystem,
  states: number,
  pathTo: (state: number) => readonly number[] | null,
  violations: Violation[],
  stopAtFirstViolation: boolean,
): ModelError | undefined {
  const probed = probeStored(system, states, pathTo);
  if (!probed) return undefined;
  if (probed.found.kind === 'nondeterministic') {
    return { kind: 'nondeterministic', subject: probed.found.actor, message: probed.found.message, trace: longestTrace(system, probed.steps) };
  }
  // One violation a property: the probe's (which names the bad access) takes the place of the search's assertion, if it found one.
  const searched = violations.findIndex((v) => v.kind === 'assertion');
  if (stopAtFirstViolation) violations.length = 0;
  else if (searched >= 0) violations.splice(searched, 1);
  violations.unshift({
    property: 'assertion',
    kind: 'assertion',
    message: probed.found.message,
    trace: counterexample(system, [...probed.steps, probed.found.step]),
  });
  return undefined;
}

/** The xstate cross-check (search/xstateCheck.ts) along `counterexamples` and paths to sampled states: a disagreement is a model error. */
function xstateCheck(
  system: CompiledSystem,
  states: number,
  pathTo: (state: number) => readonly number[] | null,
  counterexamples: readonly (readonly number[])[],
): ModelError | undefined {
  const mismatch = crossCheckXstate(system, states, pathTo, counterexamples);
  return mismatch ? { kind: 'xstate-mismatch', subject: mismatch.actor, message: mismatch.message, trace: longestTrace(system, mismatch.steps) } : undefined;
}

/** What a run found, before it is a result. */
interface RunOutcome {
  readonly violations: readonly Violation[];
  readonly modelError: ModelError | undefined;
  /** Why the run did not decide everything, or null when it did. */
  readonly stopped: Inconclusive | null;
  readonly properties: readonly PropertyOutcome[];
  readonly bounds: readonly BoundReport[];
  readonly stats: Stats;
  /** Sampling: the generator's seed. */
  readonly seed?: number;
  /** Exhaustive strategies: how each counterexample was chosen. */
  readonly traceOrder?: TraceOrder;
  readonly reduction: ReductionReport;
}

/**
 * The one result builder, for every strategy: the verdict is a model error if the model is broken, else
 * violated if something was found, else inconclusive if the run stopped short (or only sampled), else holds.
 */
function buildResult(system: string, strategy: string, o: RunOutcome): CheckResult {
  const { violations, properties, bounds, stats } = o;
  const seed = {
    reduction: o.reduction,
    ...(o.traceOrder === undefined ? {} : { traceOrder: o.traceOrder }),
    ...(o.seed === undefined ? {} : { seed: o.seed }),
  };
  if (o.modelError) return { system, verdict: 'model-error', strategy, ...seed, violations: [], properties, bounds, stats, modelError: o.modelError };
  if (violations.length) return { system, verdict: 'violated', strategy, ...seed, violations, properties, bounds, stats };
  if (o.stopped) return { system, verdict: 'inconclusive', strategy, ...seed, violations, properties, bounds, stats, inconclusive: o.stopped };
  return { system, verdict: 'holds', strategy, ...seed, violations, properties, bounds, stats };
}

/**
 * A counterexample's trace from its steps (and, for a lasso, where its loop starts): every violation of
 * every strategy becomes a trace here and nowhere else.
 */
function counterexample(system: CompiledSystem, steps: readonly number[], loop?: number): Trace {
  return buildTrace(system, steps, loop);
}

function clearestOptions(config: ResolvedCheckOptions, options: CheckOptions): Omit<TraceSearchOptions, 'maxLength'> {
  const stop = options.shouldStop;
  return { order: config.trace, maxStates: config.maxStates, ...(stop ? { shouldStop: () => stop() } : {}) };
}

/** Why a bitstate search that ran to the end proves nothing, with its coverage estimate (as SPIN reports it). */
function bitstatePartial(c: BitstateCoverage, states: number): { readonly reason: 'bitstate'; readonly message: string } {
  const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : 0 });
  return {
    reason: 'bitstate',
    message:
      `bitstate search: no violation among ${n(states)} states stored in 2^${c.bits} bits with ${c.hashes} hash${c.hashes === 1 ? '' : 'es'} ` +
      `(hash factor ${n(c.hashFactor)}; about ${n(c.expectedOmissions)} state${n(c.expectedOmissions) === '1' ? '' : 's'} expected to be taken wrongly for visited, each hiding whatever only it leads to); ` +
      `raise --bitstate-bits for more coverage, or use --store exact or compact for a verdict`,
  };
}

/** A progress violation: the shortest stem to the cycle's entry, then the cycle, as one trace with `loop`. */
function lassoViolation(
  system: CompiledSystem,
  store: VisitedStore,
  stem: readonly number[],
  p: ProgressProperty,
  cycle: readonly (readonly [from: number, to: number, actor: number])[],
): Violation {
  let loop: number[];
  try {
    loop = stepsAround(system, store, stateAfter(system, stem), cycle, (id, before, after) => {
      const a = system.actors[stepActor(id)]!;
      return !p.progress(before, after, { actor: a.name, actorIndex: a.index, event: a.machine.eventTypes[stepEvent(id)]!, choice: stepChoice(id) });
    });
  } catch (e) {
    if (e instanceof NondeterminismError) throw new NondeterminismError(e.message, e.subject, e.state, [...stem, ...e.steps]);
    throw e;
  }
  const trace = counterexample(system, [...stem, ...loop], stem.length);
  const actors = [...new Set(trace.steps.slice(stem.length).map((s) => s.actor))];
  return {
    property: p.name,
    kind: 'progress',
    message: `${p.description ?? p.name}: a fair cycle of ${loop.length} step${loop.length === 1 ? '' : 's'} (${actors.join(', ')}) repeats forever without progress`,
    trace,
  };
}

/** A finding that is a model error (a property threw, a step is not deterministic), with its trace. */
function toModelError(
  system: CompiledSystem,
  path: readonly number[],
  f: Pick<Finding, 'property' | 'message' | 'step' | 'modelError' | 'threads'>,
): ModelError {
  const steps = f.step === undefined ? path : [...path, f.step];
  const kind = f.modelError ?? 'property-threw';
  const message = kind === 'property-threw' ? propertyThrew(system, f.property, f.message) : f.message;
  return { kind, subject: f.property, message, trace: buildTrace(system, steps), ...(f.threads ? { threads: f.threads } : {}) };
}

/** "property 'P' threw: TypeError: ..." from the monitors' "the property threw: ..." (or what is wrong with its shape). */
function propertyThrew(system: CompiledSystem, property: string, message: string): string {
  const p = system.properties.find((x) => x.name === property);
  const shape = p && propertyShapeProblem(p);
  if (shape) return `property '${property}' is malformed: ${shape}`;
  return message.replace(/^the property threw: /, `property '${property}' threw: `);
}

/**
 * Rebuilding a trace the search found failed (no step reproduces a stored successor, or re-executing the
 * steps diverges): model code is not deterministic. A step's label function that threw is the model's
 * mistake too, with the trace to that step. Anything else is faultline's own failure.
 */
function nondeterminismFound(system: CompiledSystem, e: unknown): ModelError {
  if (e instanceof LabelThrew) return { kind: 'label-threw', subject: e.actor, message: e.message, trace: e.trace };
  if (e instanceof NondeterminismError) {
    return { kind: 'nondeterministic', subject: e.subject, message: e.message, trace: longestTrace(system, e.steps) };
  }
  if (e instanceof TraceDivergence) {
    return {
      kind: 'nondeterministic',
      subject: system.name,
      message: `a step is not deterministic: Math.random, Date.now or state kept outside the world? (re-executing a path the search found diverged at ${e.message})`,
      trace: buildTrace(system, []),
    };
  }
  throw e;
}

/** The trace of the longest prefix of `steps` that still re-executes (nondeterministic code may stop it early). */
function longestTrace(system: CompiledSystem, steps: readonly number[]): Trace {
  for (let n = steps.length; ; n--) {
    try {
      return buildTrace(system, steps.slice(0, n));
    } catch (e) {
      if (!(e instanceof TraceDivergence) || n === 0) throw e;
      n = Math.min(n, e.stepIndex + 1);
    }
  }
}

/** Turns a finding (a state index and maybe a last step) into a violation with its trace. */
export function toViolation(system: CompiledSystem, path: readonly number[], f: Finding): Violation {
  const steps = f.step === undefined ? path : [...path, f.step];
  const trace = counterexample(system, steps);
  return { property: f.property, kind: f.kind, message: f.message, trace, ...(f.blocked ? { blocked: f.blocked } : {}) };
}

/** A check by a sampling strategy: violations with their traces, or inconclusive - never "holds". */
function checkBySampling(
  compiled: CompiledSystem,
  strategy: SamplingStrategy,
  config: ResolvedCheckOptions,
  options: CheckOptions,
  reduction: ReductionReport,
): CheckResult {
  const start = options.now?.() ?? 0;
  let peak = options.memory?.() ?? 0;
  const probe = (): void => {
    if (options.memory) peak = Math.max(peak, options.memory());
  };
  const outcome = sample(compiled, {
    scheduler: strategy.createScheduler({ actors: compiled.actors.length, maxDepth: config.maxDepth, pctDepth: config.pctDepth }),
    rng: Rng.stream(config.seed, config.stream),
    executions: config.executions,
    maxDepth: config.maxDepth,
    stopAtFirstViolation: config.stopAtFirstViolation,
    shouldStop: () => {
      probe();
      return options.shouldStop?.() ?? null;
    },
  });
  probe();
  const mistake = outcome.findings.find((f) => f.modelError);
  let modelError: ModelError | undefined;
  let violations: Violation[] = [];
  let bounds: BoundReport[] = [];
  const budget = new PathBudget(() => {
    probe();
    return options.shouldStop?.() ?? null;
  });
  try {
    if (mistake) modelError = toModelError(compiled, mistake.steps, mistake);
    else {
      violations = outcome.findings.map((f) => ({
        property: f.property,
        kind: f.kind,
        message: f.message,
        trace: counterexample(compiled, f.steps, f.loop),
        ...(f.blocked ? { blocked: f.blocked } : {}),
      }));
      // As after an exhaustive search: the determinism probe and the xstate cross-check, on a deterministic
      // sample of the states the executions visited (the end and the middle of each counterexample, up to
      // the step before a failing one, and of each sampled execution), within the same step budget; the
      // cross-check also walks every counterexample whole.
      const walked = outcome.findings.map((f) => (f.kind === 'assertion' ? f.steps.slice(0, -1) : f.steps));
      const paths = [...walked, ...outcome.sampled].flatMap((p) => [p, p.slice(0, p.length >> 1)]);
      const pathTo = (i: number): readonly number[] | null => (budget.take(paths[i]!.length) ? paths[i]! : null);
      modelError = sampledProbe(compiled, paths.length, pathTo, violations, config.stopAtFirstViolation);
      if (options.xstateCheck && !modelError) {
        modelError = xstateCheck(
          compiled,
          paths.length,
          pathTo,
          outcome.findings.map((f) => f.steps),
        );
      }
      bounds = outcome.bounds.map((b) => ({ property: b.property.name, limit: b.property.limit, worst: b.worst, trace: buildTrace(compiled, b.steps) }));
    }
  } catch (e) {
    // A trace the executions took no longer replays: the model's steps are not functions of the state.
    modelError = nondeterminismFound(compiled, e);
  }
  if (modelError) {
    violations = [];
    bounds = [];
  }
  const violatedNames = new Set(violations.map((v) => v.property));
  const properties: PropertyOutcome[] = [...compiled.properties, { name: 'assertion', kind: 'assertion' as const }].map((p) => ({
    name: p.name,
    kind: p.kind,
    status: violatedNames.has(p.name) ? 'violated' : 'unknown',
  }));
  const how = `${strategy.name}, seed ${config.seed}${config.stream ? `, stream ${config.stream}` : ''}`;
  const stopped = outcome.stopped ?? budget.stopped;
  return buildResult(compiled.name, strategy.name, {
    reduction,
    seed: config.seed,
    violations,
    modelError,
    // Sampling proves nothing: without a violation it is always inconclusive.
    stopped: {
      reason: stopped?.reason ?? 'sampled',
      message: stopped
        ? `${stopped.message} (${outcome.executions.toLocaleString('en-US')} executions complete, ${outcome.transitions.toLocaleString('en-US')} steps; ${how})`
        : `no violation in ${outcome.executions.toLocaleString('en-US')} executions of at most ${config.maxDepth.toLocaleString('en-US')} steps (${how}); sampling proves nothing - use --strategy bfs for a verdict`,
    },
    properties,
    bounds,
    stats: {
      states: outcome.states,
      transitions: outcome.transitions,
      terminalStates: outcome.terminalStates,
      depth: outcome.depth,
      executions: outcome.executions,
      stateBits: compiled.layout.bits,
      stateWords: compiled.layout.words,
      storeBytes: 0,
      seconds: options.now ? (options.now() - start) / 1000 : 0,
      peakMemoryBytes: peak,
    },
  });
}
