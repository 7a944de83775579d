/**
 * `workers > 1`: the exhaustive breadth-first search on several threads, each owning the states whose
 * hash falls to it and keeping them in a table of its own (hash-partitioned ownership, as in Stern and
 * Dill's parallel Murphi, "Parallelizing the Murphi verifier", CAV 1997, and the distributed SPIN and
 * DiVinE): a successor another thread owns is sent to it in a per-pair buffer, and the owner stores it.
 * Level by level (participant.ts): the threads expand the states of the last level - each its own first,
 * then, in batches taken from the back, what the others have not reached yet - then each stores what was
 * sent to it. The calling thread coordinates and takes part in every phase; the workers borrowed
 * from the pool (pool.ts) do the same work. No table is shared, so no lookup takes an atomic operation.
 *
 * What the result needs to be the sequential search's, for any number of threads:
 *  - a run that explores everything and finds nothing: its reachable set, which any correct search finds,
 *    so the counts (states, transitions, terminal states) are the sequential ones, and so is the depth
 *    (the number of breadth-first levels);
 *  - a bound's worst value: the largest over the threads. Its trace leads to the first state, in the
 *    sequential search's order, that reaches it; that order is not this search's. The threads also report
 *    the first level at which they met the worst value; the sequential search then runs again through that
 *    level only (the states of levels 0..d are its first states) and names the state (`BoundFinding.store`);
 *    a bound met first near the initial state costs little;
 *  - the first violation (or model error) and everything the sequential search reports with it depend on
 *    where that search stops: when any thread reports anything the level is abandoned and the sequential
 *    search (explore.ts) runs instead, from the start, so the counterexample, the counts at the stop and
 *    the bounds' values are its own. So is a run that reaches --max-states.
 * The states are numbered in this search's own order (store/partitionedStore.ts), fixed for a given number
 * of threads: the determinism probe after the search (check.ts) samples states by number, so it may sample
 * other states for another number of threads, never with another verdict on a deterministic model.
 *
 * A bound (timeout, memory, Ctrl-C) stops the run at the next batch; the level in progress is not counted,
 * so the statistics are those of the levels stored.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { explore, type BoundFinding, type ExploreOptions, type ExploreOutcome, type StopReason } from '../explore.js';
import { PartitionedStore } from '../../store/partitionedStore.js';
import { FULL_TABLE_BITS } from '../../store/stateStore.js';
import type { CompiledSystem } from '../../system/system.js';
import { Participant } from './participant.js';
import { borrowWorkers, type Borrowed } from './pool.js';
import {
  ABORT,
  ABORT_ERROR,
  ABORT_FINDING,
  ABORT_ROOM,
  ABORT_STOP,
  BASE,
  BATCH,
  CLAIM_BACK,
  CLAIM_FRONT,
  CLAIM_LOCK,
  CLAIM_STATES,
  claimBlock,
  CMD,
  CMD_ABSORB,
  CMD_EXIT,
  CMD_EXPAND,
  CMD_PUBLISH,
  CMD_REPORT,
  controlWords,
  DONE,
  F_ABSORBED,
  F_ADDED,
  F_BYTES,
  F_EXPANDED,
  F_TERMINAL,
  F_TRANSITIONS,
  FIGURES,
  fingerprint,
  GEN,
  growableBuffer,
  LEVEL,
  READY,
  type SharedBuffers,
  type SystemSource,
  type WorkerReport,
} from './protocol.js';

export interface ParallelOptions {
  /** Threads in all, this one included (>= 2). */
  readonly workers: number;
  /** How each worker builds the system (protocol.ts). */
  readonly source: SystemSource;
  /** log2 of the first size of each thread's state table (default 21); tests start small to take the paths that grow it. */
  readonly tableBits?: number;
  /** The most bytes each outgoing buffer and frontier may grow to (default: its share of 256 GiB of address space, at most 1 GiB); tests make it small. */
  readonly outboxBytes?: number;
  /** Tests: every thread takes the others' batches before its own (the states' order is the same). */
  readonly eager?: boolean;
}

/**
 * How the threads shared the work, counted (not timed): per phase, the states all threads handled and the
 * sum over levels of the most any one thread handled. In the absorb phase a thread that handled fewer
 * waited at the barrier, so `total / (threads * busiest)` is its parallel efficiency; the expansion is
 * shared out as the threads go (participant.ts), so there the figure says how much the faster thread took
 * over, and varies from run to run.
 */
export interface ParallelWork {
  readonly levels: number;
  readonly expanded: { readonly total: number; readonly busiest: number };
  readonly absorbed: { readonly total: number; readonly busiest: number };
}

export type ParallelOutcome = ExploreOutcome & {
  /** Why the sequential search answered instead (it ran again from the start), when it did. */
  readonly rerun?: 'found' | 'max-states' | 'room' | 'witness';
  readonly work?: ParallelWork;
};

/** A worker could not build the system, or failed: the run cannot go on. */
export class WorkerError extends Error {}

/** How long the coordinator waits at a time before it looks for a worker's failure report. */
const WAIT_MS = 200;
/** Waits for the workers to load the model before giving up on them (two minutes: a loaded machine is slow). */
const STARTUP_WAITS = 600;
/** The most virtual memory all outgoing buffers together reserve (each grows in place up to its share, at most 1 GiB). */
const OUTBOX_RESERVE = 2 ** 38;
/**
 * Batches of states between two polls of the run's bounds (process.memoryUsage() costs 50-700 us): 16,384 of this
 * thread's states. Only this thread polls, so a poll here is a wait at the barrier for every other thread.
 */
const POLL_BATCHES = 256;

/** The parallel search; same inputs and result as `explore` (bfs, exact store, no progress properties). */
export function exploreParallel(system: CompiledSystem, options: ExploreOptions, parallel: ParallelOptions): ParallelOutcome {
  const threads = parallel.workers;
  const pairs = threads * threads;
  const boxMax = parallel.outboxBytes ?? Math.min(2 ** 30, Math.floor(OUTBOX_RESERVE / (pairs + 2 * threads) / 4096) * 4096);
  const bounds = system.properties.filter((p) => p.kind === 'bound').length;
  const shared: SharedBuffers = {
    control: new SharedArrayBuffer(controlWords(threads) * 4),
    outboxes: Array.from({ length: pairs }, () => growableBuffer(boxMax)),
    sent: new SharedArrayBuffer(pairs * 4),
    frontiers: Array.from({ length: 2 * threads }, () => growableBuffer(boxMax)),
    figures: new SharedArrayBuffer(threads * (FIGURES + 2 * bounds) * 8),
  };
  const control = new Int32Array(shared.control);
  // Each thread holds its share of a search big enough to be worth threads: its table starts at full size.
  const tableBits = parallel.tableBits ?? FULL_TABLE_BITS;
  const print = fingerprint(system);
  const borrowed = borrowWorkers(threads - 1, (i) => ({
    source: parallel.source,
    fingerprint: print,
    shared,
    thread: i + 1,
    threads,
    stopAtFirstViolation: options.stopAtFirstViolation,
    tableBits,
    eager: parallel.eager ?? false,
  }));
  let rerun: ParallelOutcome['rerun'];
  try {
    const search = new LevelSearch(system, options, shared, borrowed, threads, tableBits, parallel.eager ?? false);
    const outcome = search.run();
    if (typeof outcome !== 'string') return outcome;
    rerun = outcome;
  } finally {
    // Every worker leaves its command loop, whatever happened here.
    Atomics.store(control, CMD, CMD_EXIT);
    Atomics.add(control, GEN, 1);
    Atomics.notify(control, GEN);
    borrowed.release();
  }
  return { ...explore(system, options), rerun };
}

class LevelSearch {
  private readonly me: Participant;
  private readonly control: Int32Array;
  private readonly figures: Float64Array;
  private readonly stride: number;
  private stopped: StopReason | null = null;
  /** Per completed level, per thread, the states it added. */
  private readonly levels: number[][] = [];
  private count = 0;
  private transitions = 0;
  private terminal = 0;
  private bytes = 0;
  private polls = 0;
  private readonly work = { expanded: { total: 0, busiest: 0 }, absorbed: { total: 0, busiest: 0 } };

  constructor(
    private readonly system: CompiledSystem,
    private readonly options: ExploreOptions,
    shared: SharedBuffers,
    private readonly borrowed: Borrowed,
    private readonly threads: number,
    tableBits: number,
    eager: boolean,
  ) {
    this.control = new Int32Array(shared.control);
    this.figures = new Float64Array(shared.figures);
    this.me = new Participant(system, shared, 0, threads, options.stopAtFirstViolation, tableBits, eager);
    this.stride = this.me.figureStride;
    this.me.poll = () => this.poll();
  }

  /** The outcome, or why the sequential search must answer (something was found, --max-states, no room). */
  run(): ParallelOutcome | NonNullable<ParallelOutcome['rerun']> {
    const { system, me, control } = this;
    const engine = me.engine;
    for (const m of engine.onBegin) m.begin!();
    const vec = new Uint32Array(system.layout.words);
    engine.S.set(system.initial);
    const bad = system.layout.pack(engine.S, vec, 0);
    if (bad >= 0) throw new Error(`the initial state is invalid: ${system.layout.describeOverflow(bad, engine.S)}`);
    this.awaitWorkers();
    if (this.stopped) return this.outcome([]);
    // Level 0: the initial state, stored (and judged) by its owner, as if thread 0's frontier were it.
    control[LEVEL] = 0;
    this.share([1, ...new Array<number>(this.threads - 1).fill(0)]);
    if (!me.seed(vec)) return 'room';
    let why = this.command(CMD_ABSORB);
    for (let level = 1; ; level++) {
      if (why === ABORT_FINDING) return 'found';
      if (why === ABORT_ROOM) return 'room';
      if (why === ABORT_STOP) break;
      const added = this.levelDone(level === 1);
      if (added === 0) break;
      // The sequential search stops inside this level, at the state that passes the bound.
      if (this.count + added > this.options.maxStates) return 'max-states';
      this.levels.push(this.perThread(F_ADDED));
      this.count += added;
      this.options.hooks.onProgress?.(this.snapshot());
      // Each thread's states of the new level are numbered after the threads before it.
      const perThread = this.levels[this.levels.length - 1]!;
      let base = this.count - added;
      for (let t = 0; t < this.threads; t++) {
        control[BASE + t] = base;
        base += perThread[t]!;
      }
      this.share(perThread);
      control[LEVEL] = level;
      why = this.command(CMD_EXPAND);
      if (why === 0) why = this.command(CMD_ABSORB);
    }
    const found = this.worstValues();
    return typeof found === 'string' ? found : this.outcome(found);
  }

  /** Sums a finished level's figures; returns the states it added (0: the search is over). */
  private levelDone(seed: boolean): number {
    const expanded = this.perThread(F_EXPANDED);
    const absorbed = this.perThread(F_ABSORBED);
    let added = 0;
    let bytes = 0;
    for (let t = 0; t < this.threads; t++) {
      const f = t * this.stride;
      if (!seed) {
        this.transitions += this.figures[f + F_TRANSITIONS]!;
        this.terminal += this.figures[f + F_TERMINAL]!;
      }
      added += this.figures[f + F_ADDED]!;
      bytes += this.figures[f + F_BYTES]!;
    }
    if (!seed) {
      this.tally(this.work.expanded, expanded);
      this.tally(this.work.absorbed, absorbed);
    }
    this.bytes = bytes;
    return added;
  }

  private tally(into: { total: number; busiest: number }, per: readonly number[]): void {
    for (const n of per) into.total += n;
    into.busiest += Math.max(...per);
  }

  private perThread(figure: number): number[] {
    return Array.from({ length: this.threads }, (_, t) => this.figures[t * this.stride + figure]!);
  }

  private outcome(bounds: readonly BoundFinding[]): ParallelOutcome {
    const engine = this.me.engine;
    engine.finish(!this.stopped);
    return {
      store: this.publish(),
      states: this.count,
      transitions: this.transitions,
      terminalStates: this.terminal,
      depth: Math.max(0, this.levels.length - 1),
      findings: [],
      bounds,
      graph: null,
      stopped: this.stopped,
      work: { levels: this.levels.length, ...this.work },
    };
  }

  /** Every thread's records, read as one store (CMD_PUBLISH: the workers post theirs). */
  private publish(): PartitionedStore {
    const records: (readonly Uint32Array[])[] = [this.me.store.records()];
    // Stopped before the first level was stored: nothing to hand over (a worker may not even have started).
    if (!this.levels.length) for (let t = 1; t < this.threads; t++) records.push([]);
    else {
      this.command(CMD_PUBLISH);
      for (const port of this.borrowed.ports) {
        const m = receiveMessageOnPort(port)?.message as WorkerReport | undefined;
        if (!m || !('records' in m)) throw new WorkerError(m && 'error' in m ? m.error : 'a worker thread did not hand over its states');
        records.push(m.records);
      }
    }
    return new PartitionedStore(this.system.layout.words, records, this.levels, this.bytes);
  }

  /**
   * Each bound's worst value over every thread and, for its trace, the first state (in the sequential
   * search's order) that reaches it: the sequential search run again through the first level at which
   * any thread met that value; 'witness' when that search disagrees (a model whose steps are not
   * functions of the state), and the sequential search answers the whole run.
   */
  private worstValues(): readonly BoundFinding[] | 'witness' {
    const measured = this.me.engine.monitors.bounds?.measured;
    if (!measured?.length) return [];
    // A stopped run names no worst value: no state of it is known to be the sequential search's first.
    if (this.stopped) return [];
    this.command(CMD_REPORT);
    const worst = measured.map((_, i) => {
      let value = -Infinity;
      let level = 0;
      for (let t = 0; t < this.threads; t++) {
        const v = this.figures[t * this.stride + FIGURES + 2 * i]!;
        const at = this.figures[t * this.stride + FIGURES + 2 * i + 1]!;
        if (v > value || (v === value && at < level)) [value, level] = [v, at];
      }
      return { value, level };
    });
    const deepest = Math.max(...worst.map((w) => (Number.isFinite(w.value) ? w.level : 0)));
    if (deepest === 0) return measured.map((b, i) => ({ property: b.property, worst: worst[i]!.value, state: 0 }));
    let through = 0;
    for (let l = 0; l <= deepest; l++) for (const n of this.levels[l]!) through += n;
    const shouldStop = this.options.hooks.shouldStop;
    const again = explore(this.system, { ...this.options, maxStates: through, hooks: shouldStop ? { shouldStop } : {} });
    const found = again.bounds.map((b) => ({ property: b.property, worst: b.worst, state: b.state, store: again.store }));
    return found.every((b, i) => b.worst === worst[i]!.value) ? found : 'witness';
  }

  /** Sets the claim blocks for a level whose frontiers hold `states[t]` states: every batch still to take. */
  private share(states: readonly number[]): void {
    for (let t = 0; t < this.threads; t++) {
      const at = claimBlock(this.threads, t);
      this.control[at + CLAIM_LOCK] = 0;
      this.control[at + CLAIM_FRONT] = 0;
      this.control[at + CLAIM_BACK] = Math.ceil(states[t]! / BATCH);
      this.control[at + CLAIM_STATES] = states[t]!;
    }
  }

  /** Runs one command on every thread, this one included; returns why it was abandoned, or 0. */
  private command(cmd: number): number {
    const c = this.control;
    c[ABORT] = 0;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, CMD, cmd);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    if (cmd === CMD_EXPAND) this.me.expandLevel();
    else if (cmd === CMD_ABSORB) this.me.absorbLevel();
    else if (cmd === CMD_REPORT) this.me.reportBounds();
    for (let d = Atomics.load(c, DONE); d < this.threads - 1; d = Atomics.load(c, DONE)) {
      Atomics.wait(c, DONE, d, WAIT_MS);
      this.failed();
    }
    this.failed();
    return Atomics.load(c, ABORT);
  }

  /**
   * The workers have built the system and wait for commands (or one failed to, or the run's bounds stop
   * it first). A worker that never answers is a failure too, after STARTUP_WAITS waits.
   */
  private awaitWorkers(): void {
    const c = this.control;
    let waits = 0;
    for (let r = Atomics.load(c, READY); r < this.threads - 1; r = Atomics.load(c, READY)) {
      Atomics.wait(c, READY, r, WAIT_MS);
      this.failed();
      if (this.checkStop(0)) return;
      if (++waits > STARTUP_WAITS) throw new WorkerError(`${this.threads - 1 - r} worker thread(s) did not start within ${(STARTUP_WAITS * WAIT_MS) / 1000} s`);
    }
    this.failed();
  }

  /** Throws the first failure a worker reported. */
  private failed(): void {
    if (Atomics.load(this.control, ABORT) !== ABORT_ERROR) return;
    for (const p of this.borrowed.ports) {
      const m = receiveMessageOnPort(p)?.message as WorkerReport | undefined;
      if (m && 'error' in m) throw new WorkerError(m.error);
    }
  }

  /** Polled by this thread every batch of states: every POLL_BATCHES batches the run's bounds, which stop every thread at its next batch. */
  private poll(): boolean {
    if (++this.polls % POLL_BATCHES !== 0) return false;
    // The threads' stores may double before the next poll.
    const s = this.checkStop(this.me.store.growthBytes(this.me.store.size) * this.threads);
    this.options.hooks.onProgress?.(this.snapshot());
    if (!s) return false;
    Atomics.compareExchange(this.control, ABORT, 0, ABORT_STOP);
    return true;
  }

  /** A bound, asked before `bytes` more are allocated. */
  private checkStop(bytes: number): boolean {
    const s = this.options.hooks.shouldStop?.(bytes) ?? null;
    if (s) this.stopped = s;
    return s !== null;
  }

  private snapshot(): { states: number; transitions: number; depth: number; storeBytes: number } {
    return { states: this.count, transitions: this.transitions, depth: Math.max(0, this.levels.length - 1), storeBytes: this.bytes };
  }
}
