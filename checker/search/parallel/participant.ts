/**
 * One thread's share of a parallel breadth-first search (the coordinator's thread and every worker run
 * the same code). A level is one or two commands:
 *
 *  - expand: claim batches of the level's states in order, apply every enabled step (the compiled step
 *    table, as explore.ts does), find or add each successor in the shared table, and log every step that
 *    reaches a state new in the level as (parent, arrival position), batch by batch. Invariants run on
 *    each state this thread adds; transition properties, model assertions and deadlock on each step and
 *    terminal state.
 *  - judge (only when the system has bounds): once the coordinator has numbered the level's new states
 *    in the sequential search's order, claim batches of them in that order and run the monitors that
 *    measure (bounds) on each - in increasing number, so a bound's worst value is attributed to its first
 *    state, as the sequential search attributes it.
 *
 * Anything a monitor reports stops the level (ABORT_FINDING): the coordinator then runs the sequential
 * search, which finds the same first violation by construction. Nothing here allocates per state.
 */
import { Engine } from '../engine.js';
import type { Monitor } from '../../properties/monitor.js';
import { compileExpand, type ExpandFn } from '../../system/codegen.js';
import type { CompiledSystem } from '../../system/system.js';
import { MAX_LOAD, REF_OVERFLOW, SharedStates, SharedTable } from '../../store/sharedStore.js';
import {
  ABORT,
  ABORT_FINDING,
  ABORT_ROOM,
  ARRIVAL_BLOCK,
  ARRIVED,
  BATCH_WORDS,
  COUNT,
  EXPAND_BATCH,
  FIGURES,
  HI,
  JUDGE_BATCH,
  LEVEL_BASE,
  LO,
  NEXT,
  REBUILD_BATCH,
  type SharedBuffers,
} from './protocol.js';

export class Participant {
  readonly engine: Engine<number>;
  private readonly expand: ExpandFn;
  private readonly vec: Uint32Array;
  /** State monitors that judge a state once (invariants: when it is added) and those that measure (bounds: in number order). */
  private readonly judges: readonly Monitor[];
  readonly measures: readonly Monitor[];
  private table!: SharedTable;
  /** The table being replaced, while the table is rebuilt. */
  private previous: SharedTable | null = null;
  private readonly states: SharedStates;
  private arrivalCap = 0;
  /** States the level may add before the table passes MAX_LOAD. */
  private addLimit = 0;
  private log!: Int32Array;
  /** Every thread's log (numbering reads them all). */
  private logs: Int32Array[] = [];
  private logCap = 0;
  private first!: Int32Array;
  private firstCap = 0;
  private levelBase = 0;
  private batches!: Int32Array;
  private batchCap = 0;
  private figures!: Float64Array;
  // invariant: this thread's arrival block is [arrival, arrivalEnd).
  private arrival = 0;
  private arrivalEnd = 0;
  // The state being expanded, this thread's place in its log, and its figures for the level.
  private cur = 0;
  private logEnd = 0;
  private here = 0;
  private transitions = 0;
  private terminal = 0;
  private added = 0;
  /** Polled by the coordinator's thread between batches (a bound to stop at). */
  poll: (() => boolean) | null = null;

  constructor(
    readonly system: CompiledSystem,
    private readonly control: Int32Array,
    readonly thread: number,
    stopAtFirstViolation: boolean,
  ) {
    this.engine = new Engine<number>(system, { mode: 'search', stopAtFirstViolation, here: () => this.here });
    this.expand = compileExpand(system, this.engine.stepper);
    this.vec = new Uint32Array(system.layout.words);
    this.states = new SharedStates(system.layout.words);
    this.judges = this.engine.onState.filter((m) => !m.measures);
    this.measures = this.engine.onState.filter((m) => m.measures);
  }

  /** Takes up the buffers the coordinator handed round (new chunks, a grown table, longer logs). */
  attach(b: SharedBuffers): void {
    const W = this.system.layout.words;
    if (this.table?.buffers.table !== b.table) this.table = new SharedTable(W, { table: b.table, tableBits: b.tableBits });
    if (!b.previous) this.previous = null;
    else if (this.previous?.buffers.table !== b.previous.table) this.previous = new SharedTable(W, b.previous);
    this.states.attach(b.arrivals, b.numbers);
    this.arrivalCap = b.arrivalCap;
    if (this.log?.buffer !== b.logs[this.thread]) {
      this.logs = b.logs.map((l) => new Int32Array(l));
      this.log = this.logs[this.thread]!;
    }
    if (this.first?.buffer !== b.firsts) this.first = new Int32Array(b.firsts);
    this.firstCap = b.firstCap;
    this.logCap = b.logCap;
    if (this.batches?.buffer !== b.batches) this.batches = new Int32Array(b.batches);
    this.batchCap = b.batchCap;
    if (this.figures?.buffer !== b.figures) this.figures = new Float64Array(b.figures);
  }

  /** A plain read: seen a little late at worst, which costs a few more states, never a wrong answer. */
  private aborted(): boolean {
    return this.control[ABORT] !== 0;
  }

  private abort(reason: number): void {
    Atomics.compareExchange(this.control, ABORT, 0, reason);
  }

  private get figureStride(): number {
    return FIGURES + 2 * (this.engine.monitors.bounds?.measured.length ?? 0);
  }

  /** Expands states [LO, HI) batch by batch; this thread's transitions, terminal and added states go to its figures. */
  expandLevel(): void {
    const c = this.control;
    const lo = c[LO]!;
    const hi = c[HI]!;
    const { engine, states, system } = this;
    const unpack = system.layout.unpack;
    const copy = system.layout.copy;
    const { S, pre, before, after } = engine;
    this.transitions = this.terminal = this.added = this.logEnd = 0;
    this.arrival = this.arrivalEnd = 0;
    this.levelBase = c[LEVEL_BASE]!;
    this.addLimit = Math.floor(MAX_LOAD * (this.table.mask + 1)) - c[COUNT]!;
    let polls = 0;
    for (;;) {
      const batch = Atomics.add(c, NEXT, 1);
      const from = lo + batch * EXPAND_BATCH;
      if (from >= hi || this.aborted()) break;
      if (batch >= this.batchCap) throw new Error('internal: more expand batches than planned');
      const to = Math.min(hi, from + EXPAND_BATCH);
      this.batches[batch * BATCH_WORDS] = this.thread;
      this.batches[batch * BATCH_WORDS + 1] = this.logEnd;
      for (let idx = from; idx < to; idx++) {
        this.cur = this.here = idx;
        unpack(states.chunkOf(idx), states.offsetOf(idx), pre);
        copy(S, pre);
        const onExpand = engine.onExpand;
        for (let i = 0; i < onExpand.length; i++) onExpand[i]!.expand!(idx, before);
        const enabled = this.expand(this.emit, this.fail);
        if (enabled < 0) {
          // emit or fail asked to stop: a finding, or no room (already raised).
          if (engine.findings.length) this.abort(ABORT_FINDING);
          break;
        }
        const onExpanded = engine.onExpanded;
        for (let i = 0; i < onExpanded.length; i++) onExpanded[i]!.expanded!(idx);
        if (enabled === 0) {
          this.terminal++;
          const onTerminal = engine.onTerminal;
          for (let i = 0; i < onTerminal.length; i++) onTerminal[i]!.terminal!(after);
        }
        if (engine.findings.length) this.abort(ABORT_FINDING);
        if (this.aborted()) break;
      }
      this.batches[batch * BATCH_WORDS + 2] = this.logEnd;
      if (this.poll && (++polls & 63) === 0 && this.poll()) break;
    }
    const f = this.thread * this.figureStride;
    this.figures[f] = this.transitions;
    this.figures[f + 1] = this.terminal;
    this.figures[f + 2] = this.added;
  }

  /** A new state's arrival position + 1 (its table ref), its words written there; REF_OVERFLOW without room. */
  private readonly arrive = (): number => {
    if (this.arrival === this.arrivalEnd) {
      this.arrival = Atomics.add(this.control, ARRIVED, ARRIVAL_BLOCK);
      this.arrivalEnd = this.arrival + ARRIVAL_BLOCK;
      const span = this.arrivalEnd - this.levelBase;
      if (this.arrivalEnd > this.arrivalCap || span > this.addLimit || span > this.firstCap) {
        this.arrival = this.arrivalEnd;
        this.abort(ABORT_ROOM);
        return REF_OVERFLOW;
      }
    }
    const a = this.arrival++;
    this.added++;
    // Published with the state's ref (findOrAdd stores it atomically after this returns).
    this.first[a - this.levelBase] = this.cur;
    this.states.write(a, this.vec, 0);
    return a + 1;
  };

  /** One enabled step has been applied to S: pack, find or add, log, tell the monitors, restore. */
  private readonly emit = (stepId: number): boolean => {
    const { engine, system } = this;
    const layout = system.layout;
    const bad = layout.pack(engine.S, this.vec, 0);
    if (bad >= 0) {
      engine.stepFailed(stepId, layout.describeOverflow(bad, engine.S));
      layout.copy(engine.S, engine.pre);
      return true;
    }
    this.transitions++;
    const before = this.added;
    const ref = this.table.findOrAdd(this.vec, 0, this.arrive);
    if (ref === REF_OVERFLOW) {
      this.abort(ABORT_ROOM);
      return true;
    }
    if (ref > this.levelBase) {
      if (this.logEnd + 2 > this.logCap * 2) {
        this.abort(ABORT_ROOM);
        return true;
      }
      this.log[this.logEnd++] = this.cur;
      this.log[this.logEnd++] = ref - 1;
      if (this.added !== before) {
        const judges = this.judges;
        for (let i = 0; i < judges.length; i++) judges[i]!.state!(engine.after);
      } else this.foundFrom(ref - 1 - this.levelBase);
    }
    if (engine.onStep.length) engine.stepTaken(stepId, -1);
    layout.copy(engine.S, engine.pre);
    return engine.findings.length > 0;
  };

  /** The state at level position `at` is reached from the state being expanded: keep the smaller of it and the first known. */
  private foundFrom(at: number): void {
    const first = this.first;
    const cur = this.cur;
    for (let f = Atomics.load(first, at); cur < f;) {
      const was = Atomics.compareExchange(first, at, f, cur);
      if (was === f) return;
      f = was;
    }
  }

  /** A guard, choices function or action threw: a model assertion (the sequential search words it). */
  private readonly fail = (_err: unknown, stepId: number): boolean => {
    this.engine.stepFailed(stepId, 'a step threw');
    this.system.layout.copy(this.engine.S, this.engine.pre);
    return true;
  };

  /** Runs the measuring monitors on states [LO, HI), in number order, batch by batch. */
  judgeLevel(): void {
    const c = this.control;
    const lo = c[LO]!;
    const hi = c[HI]!;
    const { engine, states, system, measures } = this;
    for (;;) {
      const from = lo + Atomics.add(c, NEXT, 1) * JUDGE_BATCH;
      if (from >= hi || this.aborted()) break;
      const to = Math.min(hi, from + JUDGE_BATCH);
      for (let idx = from; idx < to; idx++) {
        this.here = idx;
        system.layout.unpack(states.chunkOf(idx), states.offsetOf(idx), engine.S);
        for (let i = 0; i < measures.length; i++) measures[i]!.state!(engine.after);
      }
      if (engine.findings.length) {
        this.abort(ABORT_FINDING);
        break;
      }
    }
  }

  /** Moves the stored states (arrival position below LEVEL_BASE) of the previous table's slots [LO, HI) into the table, batch by batch. */
  rebuildTable(): void {
    const c = this.control;
    const lo = c[LO]!;
    const hi = c[HI]!;
    const below = c[LEVEL_BASE]!;
    for (;;) {
      const from = lo + Atomics.add(c, NEXT, 1) * REBUILD_BATCH;
      if (from >= hi) break;
      this.previous!.moveInto(this.table, from, Math.min(hi, from + REBUILD_BATCH), below);
    }
  }

  /**
   * The level's numbering, in the sequential search's order, with the expansion's logs: a new state is
   * discovered from the smallest state that reaches it (its `first`), by the first of that state's steps
   * into it; states are numbered by discovery, parent by parent, and a parent's steps in order. Per batch
   * of parents [LO, HI) this counts its discoveries and marks the other steps in the log (`number` false),
   * or, once the coordinator has summed the counts into each batch's first number, numbers the
   * discoveries.
   */
  numberLevel(number: boolean): void {
    const c = this.control;
    const lo = c[LO]!;
    const hi = c[HI]!;
    const { batches, logs } = this;
    for (;;) {
      const b = Atomics.add(c, NEXT, 1);
      if (lo + b * EXPAND_BATCH >= hi) break;
      const at = b * BATCH_WORDS;
      const log = logs[batches[at]!]!;
      if (number) this.numberBatch(log, batches[at + 1]!, batches[at + 2]!, batches[at + 3]!);
      else batches[at + 3] = this.countBatch(log, batches[at + 1]!, batches[at + 2]!, c[LEVEL_BASE]!);
    }
  }

  /** The discoveries among the steps logged in log[start, end); every other step's arrival is marked (~a, negative). */
  private countBatch(log: Int32Array, start: number, end: number, base: number): number {
    const first = this.first;
    let n = 0;
    let since = start;
    for (let j = start; j < end; j += 2) {
      const parent = log[j]!;
      const a = log[j + 1]!;
      if (log[since] !== parent) since = j;
      let again = first[a - base] !== parent;
      // A parent's steps are logged together: an earlier one into the same state is the discovery.
      for (let k = since; k < j && !again; k += 2) again = log[k + 1] === a;
      if (again) log[j + 1] = ~a;
      else n++;
    }
    return n;
  }

  /** Numbers the discoveries (countBatch left them unmarked) logged in log[start, end) from `idx` on. */
  private numberBatch(log: Int32Array, start: number, end: number, idx: number): void {
    const states = this.states;
    for (let j = start; j < end; j += 2) {
      const a = log[j + 1]!;
      if (a >= 0) states.number(idx++, a, log[j]!);
    }
  }

  /** Writes this thread's bounds (worst value and its first state) into its figures. */
  reportBounds(): void {
    const measured = this.engine.monitors.bounds?.measured ?? [];
    const base = this.thread * this.figureStride + FIGURES;
    for (let i = 0; i < measured.length; i++) {
      this.figures[base + 2 * i] = measured[i]!.worst;
      this.figures[base + 2 * i + 1] = measured[i]!.at ?? -1;
    }
  }
}
