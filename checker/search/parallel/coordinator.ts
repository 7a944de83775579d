/**
 * `workers > 1`: the exhaustive breadth-first search on several threads sharing the visited set
 * (store/sharedStore.ts), level by level (level-synchronous BFS, as in Stern and Dill's parallel Murphi and
 * Holzmann and Bosnacki's multi-core SPIN, minus their nondeterminism). The calling thread coordinates and
 * takes part in every phase; the workers borrowed from the pool (pool.ts) do the same work (participant.ts).
 *
 * The result is the sequential search's, for any number of threads, by construction:
 *  - a level's new states are numbered as the sequential search numbers them: in the order of their first
 *    discovery, (parent's number, step order). Each thread logs, per batch of parents it expands, the
 *    steps that reach states new in the level, and keeps for each new state the smallest parent that
 *    reaches it (one compare-and-swap when it lowers it); that parent's first step into it is its
 *    discovery. The threads then count each batch's discoveries, the coordinator sums them into each
 *    batch's first number, and the threads number the batches (participant.ts). So the store holds the same
 *    states under the same numbers with the same parents, and paths, traces and the determinism probe
 *    (which samples states by number) see what they see after a sequential search;
 *  - the counts (states, transitions, terminal states, depth) of a complete search are sums over levels;
 *  - a bound's worst value and its first state: each thread judges its states in increasing number, and
 *    the coordinator keeps the largest value, and of those the smallest state;
 *  - the first violation (or model error) and everything the sequential search reports with it depend on
 *    where that search stops, in the middle of a level: when any thread reports anything the level is
 *    abandoned and the sequential search (explore.ts) runs instead, from the start, so the counterexample,
 *    the counts at the stop and the bounds' values are its own. So is a run that reaches --max-states.
 * Workers thus speed up the searches that explore everything; a violation costs the parallel levels
 * before it plus the sequential search to it.
 *
 * A bound (timeout, memory, Ctrl-C) stops the run at the end of the current batch; the level in progress is
 * not counted, so the statistics are those of the levels stored.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { explore, type ExploreOptions, type ExploreOutcome, type StopReason } from '../explore.js';
import { NO_PARENT } from '../../store/stateStore.js';
import { entryWords, PLANNED_LOAD, SharedStates, SharedStateStore, SharedTable } from '../../store/sharedStore.js';
import type { CompiledSystem } from '../../system/system.js';
import { Participant } from './participant.js';
import { borrowWorkers, type Borrowed } from './pool.js';
import {
  ABORT,
  ABORT_ERROR,
  ABORT_FINDING,
  ABORT_ROOM,
  ABORT_STOP,
  ARRIVAL_BLOCK,
  ARRIVED,
  BATCH_WORDS,
  CMD,
  CMD_EXIT,
  CMD_EXPAND,
  CMD_JUDGE,
  CMD_REBUILD,
  CMD_COUNT,
  CMD_NUMBER,
  CMD_REPORT,
  CONTROL_WORDS,
  COUNT,
  DONE,
  EXPAND_BATCH,
  FIGURES,
  fingerprint,
  GEN,
  HI,
  LEVEL_BASE,
  LO,
  NEXT,
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
  /** log2 of the table's first size (default 21); tests start small to take the paths that grow it. */
  readonly tableBits?: number;
}

/** A worker could not build the system, or failed: the run cannot go on. */
export class WorkerError extends Error {}

const INITIAL_TABLE_BITS = 21;
/** How long the coordinator waits at a time before it looks for a worker's failure report. */
const WAIT_MS = 200;
/** Waits for the workers to load the model before giving up on them (two minutes: a loaded machine is slow). */
const STARTUP_WAITS = 600;

/** The parallel search; same inputs and result as `explore` (bfs, exact store, no progress properties). */
export function exploreParallel(system: CompiledSystem, options: ExploreOptions, parallel: ParallelOptions): ExploreOutcome & { readonly rerun?: true } {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const threads = parallel.workers;
  const print = fingerprint(system);
  const stopAtFirstViolation = options.stopAtFirstViolation;
  const borrowed = borrowWorkers(threads - 1, (i) => ({
    source: parallel.source,
    fingerprint: print,
    control: control.buffer as SharedArrayBuffer,
    thread: i + 1,
    stopAtFirstViolation,
  }));
  try {
    const search = new LevelSearch(system, options, control, borrowed, threads, parallel.tableBits ?? INITIAL_TABLE_BITS);
    const outcome = search.run();
    if (outcome) return outcome;
  } finally {
    // Every worker leaves its command loop, whatever happened here.
    Atomics.store(control, CMD, CMD_EXIT);
    Atomics.add(control, GEN, 1);
    Atomics.notify(control, GEN);
    borrowed.release();
  }
  return { ...explore(system, options), rerun: true };
}

class LevelSearch {
  private readonly me: Participant;
  private readonly words: number;
  private table: SharedTable;
  private readonly states: SharedStates;
  private buffers: SharedBuffers;
  private stopped: StopReason | null = null;
  private count = 0;
  private transitions = 0;
  private terminal = 0;
  private depth = 0;

  constructor(
    private readonly system: CompiledSystem,
    private readonly options: ExploreOptions,
    private readonly control: Int32Array,
    private readonly borrowed: Borrowed,
    private readonly threads: number,
    tableBits: number,
  ) {
    this.words = system.layout.words;
    this.me = new Participant(system, control, 0, options.stopAtFirstViolation);
    this.table = SharedTable.allocate(this.words, tableBits);
    this.states = new SharedStates(this.words);
    const bounds = this.me.engine.monitors.bounds?.measured.length ?? 0;
    this.buffers = {
      table: this.table.buffers.table,
      tableBits: this.table.bits,
      arrivals: [SharedStates.arrivalChunk(this.words)],
      numbers: [SharedStates.numberChunk()],
      arrivalCap: SharedStates.CHUNK,
      logs: [],
      logCap: 0,
      firsts: new SharedArrayBuffer(0),
      firstCap: 0,
      batches: new SharedArrayBuffer(0),
      batchCap: 0,
      figures: new SharedArrayBuffer(threads * (FIGURES + 2 * bounds) * 8),
    };
    this.me.poll = () => this.poll();
  }

  /** The outcome, or null when the sequential search must answer (something was found, or --max-states). */
  run(): ExploreOutcome | null {
    const { system, me, control } = this;
    const engine = me.engine;
    this.change({});
    // The initial state, stored and judged here, as the sequential search does.
    const vec = new Uint32Array(this.words);
    engine.S.set(system.initial);
    const bad = system.layout.pack(engine.S, vec, 0);
    if (bad >= 0) throw new Error(`the initial state is invalid: ${system.layout.describeOverflow(bad, engine.S)}`);
    this.states.write(0, vec, 0);
    this.states.number(0, 0, NO_PARENT);
    this.table.insert(vec, 0, 1);
    control[ARRIVED] = 1;
    this.count = 1;
    for (const m of engine.onBegin) m.begin!();
    engine.state();
    if (engine.findings.length) return null;
    this.awaitWorkers();
    if (this.stopped) return this.outcome();
    let lo = 0;
    let hi = 1;
    let lastNew = 1;
    while (lo < hi) {
      const n = this.expandLevel(lo, hi, lastNew);
      if (n < 0) {
        if (this.stopped) break;
        return null;
      }
      // The sequential search stops inside this level, at the state that passes the bound.
      if (this.count + n > this.options.maxStates) return null;
      if (me.measures.length && this.command(CMD_JUDGE, this.count, this.count + n) === ABORT_FINDING) return null;
      this.count += n;
      if (n > 0) this.depth++;
      lo = hi;
      hi = this.count;
      lastNew = n;
      this.options.hooks.onProgress?.(this.snapshot());
    }
    this.mergeBounds();
    return this.outcome();
  }

  private outcome(): ExploreOutcome {
    const engine = this.me.engine;
    engine.finish(!this.stopped);
    const bounds = (engine.monitors.bounds?.measured ?? []).map((b) => ({ property: b.property, worst: b.worst, state: b.at ?? 0 }));
    return {
      store: new SharedStateStore(this.table, this.states, this.count),
      states: this.count,
      transitions: this.transitions,
      terminalStates: this.terminal,
      depth: this.depth,
      findings: [],
      bounds,
      graph: null,
      stopped: this.stopped,
    };
  }

  /**
   * Expands states [lo, hi) and numbers the new states they reach; returns how many, or -1 when the level
   * was abandoned (a finding: the sequential search answers; a bound: `stopped`).
   */
  private expandLevel(lo: number, hi: number, lastNew: number): number {
    const c = this.control;
    const base = c[ARRIVED]!;
    c[LEVEL_BASE] = base;
    c[COUNT] = this.count;
    // Room for the level: a guess from the last one, grown (and the level run again) when it falls short.
    let expect = Math.max(3 * lastNew, 2 * (hi - lo), 2 ** (this.table.bits - 9));
    for (;;) {
      if (!this.makeRoom(hi - lo, base, expect)) return -1;
      c[ARRIVED] = base;
      const why = this.command(CMD_EXPAND, lo, hi);
      if (why === ABORT_FINDING || why === ABORT_STOP) return -1;
      if (why !== ABORT_ROOM) break;
      // The level's states are in the table: rebuild it from the stored states, and run the level again.
      expect = Math.max(expect * 2, (c[ARRIVED]! - base) * 2);
      if (!this.rebuildTable(this.count + expect)) return -1;
    }
    const figures = new Float64Array(this.buffers.figures);
    const stride = figures.length / this.threads;
    let added = 0;
    for (let t = 0; t < this.threads; t++) {
      this.transitions += figures[t * stride]!;
      this.terminal += figures[t * stride + 1]!;
      added += figures[t * stride + 2]!;
    }
    return this.number(lo, hi, added);
  }

  /**
   * Numbers the level's new states in the sequential search's order (Participant.numberLevel): every
   * thread counts the discoveries of a share of the expand batches, the counts are summed here into each
   * batch's first number, and every thread numbers a share of the batches.
   */
  private number(lo: number, hi: number, added: number): number {
    const need = SharedStates.chunksFor(this.count + added) - this.buffers.numbers.length;
    if (need > 0) this.change({ numbers: [...this.buffers.numbers, ...Array.from({ length: need }, () => SharedStates.numberChunk())] });
    this.command(CMD_COUNT, lo, hi);
    const batches = new Int32Array(this.buffers.batches);
    let idx = this.count;
    const end = Math.ceil((hi - lo) / EXPAND_BATCH) * BATCH_WORDS;
    for (let at = 3; at < end; at += BATCH_WORDS) {
      const n = batches[at]!;
      batches[at] = idx;
      idx += n;
    }
    if (idx - this.count !== added) throw new Error(`internal: ${added} states added in a level but ${idx - this.count} discovered`);
    this.command(CMD_NUMBER, lo, hi);
    return added;
  }

  /** Sizes the arrival space, logs, batch list and table for a level of `size` states expected to find `expect` new ones. */
  private makeRoom(size: number, base: number, expect: number): boolean {
    const b = this.buffers;
    const W = this.words;
    const need: { -readonly [K in keyof SharedBuffers]?: SharedBuffers[K] } = {};
    const batchCap = Math.ceil(size / EXPAND_BATCH);
    if (b.batchCap < batchCap) Object.assign(need, { batches: new SharedArrayBuffer(batchCap * 2 * BATCH_WORDS * 4), batchCap: batchCap * 2 });
    const arrivals = base + expect + this.threads * ARRIVAL_BLOCK;
    const more = SharedStates.chunksFor(arrivals) - b.arrivals.length;
    const logCap = expect * 4;
    const span = expect + this.threads * ARRIVAL_BLOCK;
    const bytes =
      Math.max(0, more) * SharedStates.CHUNK * W * 4 + (b.logCap < logCap ? this.threads * logCap * 2 * 8 : 0) + (b.firstCap < span ? span * 2 * 4 : 0);
    if (bytes && this.checkStop(bytes)) return false;
    if (more > 0) {
      Object.assign(need, {
        arrivals: [...b.arrivals, ...Array.from({ length: more }, () => SharedStates.arrivalChunk(W))],
        arrivalCap: (b.arrivals.length + more) * SharedStates.CHUNK,
      });
    }
    if (b.firstCap < span) Object.assign(need, { firsts: new SharedArrayBuffer(span * 2 * 4), firstCap: span * 2 });
    if (b.logCap < logCap)
      Object.assign(need, { logs: Array.from({ length: this.threads }, () => new SharedArrayBuffer(logCap * 2 * 2 * 4)), logCap: logCap * 2 });
    if (this.count + expect > PLANNED_LOAD * (this.table.mask + 1) && !this.rebuildTable(this.count + expect)) return false;
    if (Object.keys(need).length) this.change(need);
    return true;
  }

  /**
   * A fresh table holding the stored states only (not those of a level run in part), with room for
   * `states`: every thread moves a share of the old table's slots into it (CMD_REBUILD).
   */
  private rebuildTable(states: number): boolean {
    let bits = this.table.bits;
    while (states > PLANNED_LOAD * 2 ** bits) bits++;
    if (this.checkStop(2 ** bits * entryWords(this.words) * 4)) return false;
    const previous = this.table;
    this.table = SharedTable.allocate(this.words, bits);
    this.change({ table: this.table.buffers.table, tableBits: bits, previous: previous.buffers });
    this.command(CMD_REBUILD, 0, previous.mask + 1);
    // The old table goes once no thread holds it.
    const { previous: _, ...rest } = this.buffers;
    this.buffers = rest;
    this.change({});
    return true;
  }

  /** Hands changed buffers round: to this thread now, to the workers with their next command. */
  private change(update: Partial<SharedBuffers>): void {
    this.buffers = { ...this.buffers, ...update };
    this.states.attach(this.buffers.arrivals, this.buffers.numbers);
    this.me.attach(this.buffers);
    for (const p of this.borrowed.ports) p.postMessage(this.buffers);
  }

  /** Runs one command on every thread, this one included; returns why it was abandoned, or 0. */
  private command(cmd: number, lo: number, hi: number): number {
    const c = this.control;
    c[LO] = lo;
    c[HI] = hi;
    c[NEXT] = 0;
    c[ABORT] = 0;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, CMD, cmd);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    if (cmd === CMD_EXPAND) this.me.expandLevel();
    else if (cmd === CMD_JUDGE) this.me.judgeLevel();
    else if (cmd === CMD_REPORT) this.me.reportBounds();
    else if (cmd === CMD_REBUILD) this.me.rebuildTable();
    else if (cmd === CMD_COUNT) this.me.numberLevel(false);
    else if (cmd === CMD_NUMBER) this.me.numberLevel(true);
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
      const m = receiveMessageOnPort(p);
      if (m) throw new WorkerError((m.message as WorkerReport).error);
    }
  }

  /** Polled by this thread while it expands: a bound stops every thread at its next batch. */
  private poll(): boolean {
    const s = this.options.hooks.shouldStop?.(0) ?? null;
    this.options.hooks.onProgress?.(this.snapshot());
    if (!s) return false;
    this.stopped = s;
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
    return { states: this.count, transitions: this.transitions, depth: this.depth, storeBytes: this.table.bytes + this.states.bytes };
  }

  /** Each bound's worst value over every thread, at the first state (by number) that reaches it. */
  private mergeBounds(): void {
    const measured = this.me.engine.monitors.bounds?.measured;
    if (!measured) return;
    this.command(CMD_REPORT, 0, 0);
    const figures = new Float64Array(this.buffers.figures);
    const stride = figures.length / this.threads;
    for (let i = 0; i < measured.length; i++) {
      const m = measured[i]!;
      for (let t = 1; t < this.threads; t++) {
        const worst = figures[t * stride + FIGURES + 2 * i]!;
        const at = figures[t * stride + FIGURES + 2 * i + 1]!;
        if (worst > m.worst || (worst === m.worst && at >= 0 && (m.at === undefined || at < m.at))) {
          m.worst = worst;
          m.at = at;
        }
      }
    }
  }
}
