/**
 * One thread's share of a parallel breadth-first search (the coordinator's thread and every worker run
 * the same code). A level is two commands:
 *
 *  - expand: claim batches of the level's states in order, apply every enabled step (the compiled step
 *    table, as explore.ts does), find or stage each successor in the shared table, and log every step
 *    that reaches a state new in this level as (parent, staged ref), batch by batch. Transition
 *    properties, model assertions and deadlock are judged here, on each step and terminal state.
 *  - store: once the coordinator has numbered the level's new states in the sequential search's order,
 *    claim batches of them in that order, write their records, give their table slots their numbers, and
 *    run the state monitors (invariants, bounds) on each - in increasing number, so a bound's worst value
 *    is attributed to its first state, as the sequential search attributes it.
 *
 * Anything a monitor reports stops the level (ABORT_FINDING): the coordinator then runs the sequential
 * search, which finds the same first violation by construction. Nothing here allocates per state.
 */
import { Engine } from '../engine.js';
import { compileExpand, type ExpandFn } from '../../system/codegen.js';
import { stepActor, stepChoice, stepEvent } from '../../system/step.js';
import type { CompiledSystem } from '../../system/system.js';
import { MAX_LOAD, REF_OVERFLOW, SharedRecords, SharedTable, stagedRef } from '../../store/sharedStore.js';
import {
  ABORT,
  ABORT_FINDING,
  ABORT_ROOM,
  COUNT,
  EXPAND_BATCH,
  FIGURES,
  HI,
  LO,
  NEXT,
  STAGED,
  STORE_BATCH,
  type SharedBuffers,
} from './protocol.js';

export class Participant {
  readonly engine: Engine<number>;
  private readonly expand: ExpandFn;
  private readonly vec: Uint32Array;
  private readonly info = { actor: '', actorIndex: 0, event: '', choice: 0 };
  private table!: SharedTable;
  private records!: SharedRecords;
  private staging!: Int32Array;
  private stagingU!: Uint32Array;
  private stagingCap = 0;
  /** States the level may stage: the staging area's room, and what keeps the table under MAX_LOAD. */
  private stageLimit = 0;
  private log!: Int32Array;
  private logCap = 0;
  private batches!: Int32Array;
  private batchCap = 0;
  private order!: Int32Array;
  private figures!: Float64Array;
  private readonly stride: number;
  // The state being expanded, and this thread's place in its log.
  private cur = 0;
  private logEnd = 0;
  private here = 0;
  private transitions = 0;
  private terminal = 0;
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
    this.stride = system.layout.words + 1;
  }

  /** Takes up the buffers the coordinator handed round (new chunks, a grown table, a larger staging area). */
  attach(b: SharedBuffers): void {
    const W = this.system.layout.words;
    if (this.table?.buffers.table !== b.table) this.table = new SharedTable(W, { table: b.table, tableBits: b.tableBits });
    if (!this.records) this.records = new SharedRecords(W, b.chunks);
    else this.records.add(b.chunks.slice(this.records.chunks.length));
    if (this.staging?.buffer !== b.staging) {
      this.staging = new Int32Array(b.staging);
      this.stagingU = new Uint32Array(b.staging);
    }
    this.stagingCap = b.stagingCap;
    if (this.log?.buffer !== b.logs[this.thread]) this.log = new Int32Array(b.logs[this.thread]!);
    this.logCap = b.logCap;
    if (this.batches?.buffer !== b.batches) this.batches = new Int32Array(b.batches);
    this.batchCap = b.batchCap;
    if (this.order?.buffer !== b.order) this.order = new Int32Array(b.order);
    if (this.figures?.buffer !== b.figures) this.figures = new Float64Array(b.figures);
  }

  private aborted(): boolean {
    return Atomics.load(this.control, ABORT) !== 0;
  }

  private abort(reason: number): void {
    Atomics.compareExchange(this.control, ABORT, 0, reason);
  }

  /** Expands states [LO, HI) batch by batch; this thread's transitions and terminal states go to its figures. */
  expandLevel(): void {
    const c = this.control;
    const lo = c[LO]!;
    const hi = c[HI]!;
    const { engine, records, system } = this;
    const unpack = system.layout.unpack;
    const copy = system.layout.copy;
    const { S, pre, before, after } = engine;
    this.transitions = 0;
    this.terminal = 0;
    this.logEnd = 0;
    this.stageLimit = Math.min(this.stagingCap, Math.floor(MAX_LOAD * (this.table.mask + 1)) - c[COUNT]!);
    let polls = 0;
    for (;;) {
      const batch = Atomics.add(c, NEXT, 1);
      const from = lo + batch * EXPAND_BATCH;
      if (from >= hi || this.aborted()) break;
      if (batch >= this.batchCap) throw new Error('internal: more expand batches than planned');
      const to = Math.min(hi, from + EXPAND_BATCH);
      this.batches[batch * 3] = this.thread;
      this.batches[batch * 3 + 1] = this.logEnd;
      for (let idx = from; idx < to; idx++) {
        this.cur = this.here = idx;
        unpack(records.chunkOf(idx), records.offsetOf(idx), pre);
        copy(S, pre);
        const onExpand = engine.onExpand;
        for (let i = 0; i < onExpand.length; i++) onExpand[i]!.expand!(idx, before);
        const enabled = this.expand(this.emit, this.fail);
        if (enabled < 0) break;
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
      this.batches[batch * 3 + 2] = this.logEnd;
      if (this.poll && (++polls & 15) === 0 && this.poll()) break;
    }
    this.figures[this.thread * this.figureStride()] = this.transitions;
    this.figures[this.thread * this.figureStride() + 1] = this.terminal;
  }

  private figureStride(): number {
    return FIGURES + 2 * (this.engine.monitors.bounds?.measured.length ?? 0);
  }

  /** Stages a state new in this level: its words and its table slot. */
  private readonly stage = (slot: number): number => {
    const r = Atomics.add(this.control, STAGED, 1);
    if (r >= this.stageLimit) {
      this.abort(ABORT_ROOM);
      return REF_OVERFLOW;
    }
    const W = this.stride - 1;
    const base = r * this.stride;
    for (let i = 0; i < W; i++) this.stagingU[base + i] = this.vec[i]!;
    this.staging[base + W] = slot;
    return stagedRef(r);
  };

  /** One enabled step has been applied to S: pack, find or stage, log, tell the monitors, restore. */
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
    const ref = this.table.findOrStage(this.vec, 0, this.stage);
    if (ref === REF_OVERFLOW) {
      this.abort(ABORT_ROOM);
      return true;
    }
    if (ref < 0) {
      if (this.logEnd + 2 > this.logCap * 2) {
        this.abort(ABORT_ROOM);
        return true;
      }
      this.log[this.logEnd++] = this.cur;
      this.log[this.logEnd++] = ref;
    }
    const onStep = engine.onStep;
    if (onStep.length) {
      const a = stepActor(stepId);
      const actor = system.actors[a]!;
      const info = this.info;
      info.actor = actor.name;
      info.actorIndex = a;
      info.event = actor.machine.eventTypes[stepEvent(stepId)]!;
      info.choice = stepChoice(stepId);
      engine.currentStep = stepId;
      for (let i = 0; i < onStep.length; i++) onStep[i]!.step!(engine.before, engine.after, info, -1);
      engine.currentStep = -1;
    }
    layout.copy(engine.S, engine.pre);
    return engine.findings.length > 0;
  };

  /** A guard, choices function or action threw: a model assertion (the sequential search words it). */
  private readonly fail = (_err: unknown, stepId: number): boolean => {
    this.engine.stepFailed(stepId, 'a step threw');
    this.system.layout.copy(this.engine.S, this.engine.pre);
    return true;
  };

  /** Stores the level's new states at positions [LO, HI) of its order, numbered from COUNT on, and judges each. */
  storeLevel(): void {
    const c = this.control;
    const lo = c[LO]!;
    const hi = c[HI]!;
    const count = c[COUNT]!;
    const { engine, records, table, order, staging, stagingU, system } = this;
    const W = this.stride - 1;
    for (;;) {
      const from = lo + Atomics.add(c, NEXT, 1) * STORE_BATCH;
      if (from >= hi || this.aborted()) break;
      const to = Math.min(hi, from + STORE_BATCH);
      for (let k = from; k < to; k++) {
        const r = order[2 * k]!;
        const idx = count + k;
        records.write(idx, stagingU, r * this.stride, order[2 * k + 1]!);
        table.setStored(staging[r * this.stride + W]!, idx);
        this.here = idx;
        system.layout.unpack(records.chunkOf(idx), records.offsetOf(idx), engine.S);
        engine.state();
        if (engine.findings.length) {
          this.abort(ABORT_FINDING);
          break;
        }
      }
    }
  }

  /** Writes this thread's bounds (worst value and its first state) into its figures. */
  reportBounds(): void {
    const measured = this.engine.monitors.bounds?.measured ?? [];
    const base = this.thread * this.figureStride() + FIGURES;
    for (let i = 0; i < measured.length; i++) {
      this.figures[base + 2 * i] = measured[i]!.worst;
      this.figures[base + 2 * i + 1] = measured[i]!.at ?? -1;
    }
  }
}
