/**
 * One thread's share of a parallel breadth-first search (the coordinator's thread and every worker run
 * the same code). Each thread owns the states whose hash falls to it (ownerOf) and keeps them in a store
 * of its own - the sequential search's StateStore, read and written without any atomic operation. A level
 * is two commands:
 *
 *  - expand: apply every enabled step to each of this thread's states of the last level, in the order it
 *    stored them (the compiled step table, as explore.ts does). Each successor is hashed once: the hash
 *    names its owner (ownerOf) and files it in the owner's store. A successor this thread owns is found
 *    or added in its store at once; any other is appended, with its parent's number and its hash, to
 *    the outgoing buffer of its owner. Transition properties, model assertions and deadlock run here, on each step and
 *    terminal state.
 *  - absorb: find or add the states the other threads sent this thread, thread by thread in order.
 *
 * Invariants and bounds run on each state when its owner adds it. A state's parent is stored as its
 * number in the search's order - by level, then by thread, then as its thread stored it - which the
 * coordinator hands each thread before the level (BASE); so the stores together form one
 * VisitedStore (store/partitionedStore.ts). The order is fixed for a given number of threads, so a run
 * is repeatable; for another number of threads it differs, but what a run that holds reports - the
 * counts, the depth, each bound's worst value - does not depend on it (coordinator.ts).
 *
 * Anything a monitor reports stops the level (ABORT_FINDING): the coordinator then runs the sequential
 * search, which finds the same first violation by construction. Nothing here allocates per state.
 */
import { Engine } from '../engine.js';
import { compileExpand, type ExpandFn } from '../../system/codegen.js';
import type { CompiledSystem } from '../../system/system.js';
import { hashWords, NO_PARENT, StateStore } from '../../store/stateStore.js';
import {
  ABORT,
  ABORT_FINDING,
  ABORT_ROOM,
  BASE,
  BATCH,
  F_ABSORBED,
  F_ADDED,
  F_BYTES,
  F_EXPANDED,
  F_TERMINAL,
  F_TRANSITIONS,
  FIGURES,
  LEVEL,
  ownerOf,
  type GrowableBuffer,
  type SharedBuffers,
} from './protocol.js';

/** Bytes an outgoing buffer starts with. */
const OUTBOX_START = 1 << 12;
/** Words of an outgoing entry after the state's: the parent's number, the state's hash. */
const ENTRY_EXTRA = 2;

export class Participant {
  readonly engine: Engine<number>;
  readonly store: StateStore;
  private readonly expand: ExpandFn;
  private readonly words: number;
  /** The packed successor; an outgoing entry is these words, the parent's number and the hash (ENTRY_EXTRA). */
  private readonly vec: Uint32Array;
  private readonly control: Int32Array;
  private readonly figures: Float64Array;
  private readonly sent: Int32Array;
  private readonly outboxes: readonly GrowableBuffer[];
  /** By destination: a view of this thread's outgoing buffer to it, and the entries written in the level. */
  private readonly out: Uint32Array[];
  private readonly outLen: Int32Array;
  // invariant: this thread's states of the level being discovered are its store's records [levelLo, size).
  private levelLo = 0;
  // The number of the state being expanded (NO_PARENT for the initial state); the level being discovered (a bound's `at`, see reportBounds).
  private cur = 0;
  private here = 0;
  private transitions = 0;
  private added = 0;
  /** Polled by the coordinator's thread every BATCH states (a bound to stop at). */
  poll: (() => boolean) | null = null;

  constructor(
    readonly system: CompiledSystem,
    shared: SharedBuffers,
    readonly thread: number,
    readonly threads: number,
    stopAtFirstViolation: boolean,
    tableBits: number,
  ) {
    const layout = system.layout;
    this.words = layout.words;
    this.engine = new Engine<number>(system, { mode: 'search', stopAtFirstViolation, here: () => this.here });
    this.expand = compileExpand(system, this.engine.stepper);
    this.vec = new Uint32Array(this.words);
    this.store = new StateStore(this.words, tableBits, { keyed: true, lastWordBits: layout.lastWordBits });
    this.control = new Int32Array(shared.control);
    this.figures = new Float64Array(shared.figures, thread * this.figureStride * 8, this.figureStride);
    this.sent = new Int32Array(shared.sent);
    this.outboxes = shared.outboxes;
    this.out = Array.from({ length: threads }, (_, to) => fixedView(this.outboxes[thread * threads + to]!));
    this.outLen = new Int32Array(threads);
  }

  get figureStride(): number {
    return FIGURES + 2 * (this.engine.monitors.bounds?.measured.length ?? 0);
  }

  /** A plain read: seen a little late at worst, which costs a few more states, never a wrong answer. */
  private aborted(): boolean {
    return this.control[ABORT] !== 0;
  }

  private abort(reason: number): void {
    Atomics.compareExchange(this.control, ABORT, 0, reason);
  }

  /** The coordinator's thread: hands the initial state (packed in `vec`) to its owner, as the search's state 0. */
  seed(initial: Uint32Array): void {
    this.vec.set(initial.subarray(0, this.words));
    this.outLen.fill(0);
    this.cur = NO_PARENT;
    this.keep(hashWords(this.vec, 0, this.words));
    this.publishSent();
  }

  /** Expands this thread's states of the last level, in order; its figures get the level's transitions, terminal states and states added. */
  expandLevel(): void {
    const { engine, store, system } = this;
    const unpack = system.layout.unpack;
    const copy = system.layout.copy;
    const { S, pre, before, after } = engine;
    const lo = this.levelLo;
    const hi = store.size;
    const base = this.control[BASE + this.thread]!;
    this.levelLo = hi;
    this.here = this.control[LEVEL]!;
    this.transitions = this.added = 0;
    this.outLen.fill(0);
    let terminal = 0;
    let expanded = 0;
    for (let local = lo; local < hi; local++) {
      if ((local - lo) % BATCH === 0 && (this.aborted() || (this.poll !== null && this.poll()))) break;
      const idx = base + (local - lo);
      this.cur = idx;
      unpack(store.chunkOf(local), store.offsetOf(local), pre);
      copy(S, pre);
      const onExpand = engine.onExpand;
      for (let i = 0; i < onExpand.length; i++) onExpand[i]!.expand!(idx, before);
      const enabled = this.expand(this.emit, this.fail);
      expanded++;
      if (enabled < 0) {
        // emit or fail asked to stop: a finding, or no room (already raised).
        if (engine.findings.length) this.abort(ABORT_FINDING);
        break;
      }
      const onExpanded = engine.onExpanded;
      for (let i = 0; i < onExpanded.length; i++) onExpanded[i]!.expanded!(idx);
      if (enabled === 0) {
        terminal++;
        const onTerminal = engine.onTerminal;
        for (let i = 0; i < onTerminal.length; i++) onTerminal[i]!.terminal!(after);
      }
      if (engine.findings.length) {
        this.abort(ABORT_FINDING);
        break;
      }
    }
    this.publishSent();
    const f = this.figures;
    f[F_TRANSITIONS] = this.transitions;
    f[F_TERMINAL] = terminal;
    f[F_EXPANDED] = expanded;
  }

  /** Stores the states the other threads sent this thread in the level, thread by thread. */
  absorbLevel(): void {
    const { engine, store, threads, thread } = this;
    const W = this.words;
    const E = W + ENTRY_EXTRA;
    const unpack = this.system.layout.unpack;
    this.here = this.control[LEVEL]!;
    let absorbed = 0;
    for (let from = 0; from < threads && !this.aborted(); from++) {
      if (from === thread) continue;
      const n = this.sent[from * threads + thread]!;
      if (n === 0) continue;
      // The writer grew the buffer in place before the barrier: a fresh view sees all of it.
      const box = new Uint32Array(this.outboxes[from * threads + thread]!, 0, n * E);
      for (let j = 0; j < n; j++) {
        if (j % BATCH === 0 && j > 0 && (this.aborted() || (this.poll !== null && this.poll()))) break;
        const o = j * E;
        if (store.findOrInsertHashed(box, o, box[o + W]!, box[o + W + 1]!) < 0) continue;
        this.added++;
        unpack(box, o, engine.S);
        this.engine.state(); // invariants and bounds, on the state just added (unpacked in S)
        if (engine.findings.length) {
          this.abort(ABORT_FINDING);
          break;
        }
      }
      absorbed += n;
    }
    const f = this.figures;
    f[F_ADDED] = this.added;
    f[F_ABSORBED] = absorbed;
    f[F_BYTES] = this.bytes;
  }

  /** Bytes this thread holds: its store and its outgoing buffers. */
  get bytes(): number {
    let b = this.store.bytes;
    for (const box of this.out) b += box.byteLength;
    return b;
  }

  /** The packed state in `vec`, of hash `h`, goes to its owner: stored here (and judged) if that is this thread, else sent. */
  private keep(h: number): boolean {
    const W = this.words;
    const owner = ownerOf(h, this.threads);
    if (owner === this.thread) {
      if (this.store.findOrInsertHashed(this.vec, 0, this.cur, h) >= 0) {
        this.added++;
        this.engine.state(); // invariants and bounds, on the state just added (unpacked in S)
      }
      return true;
    }
    let box = this.out[owner]!;
    const at = this.outLen[owner]! * (W + ENTRY_EXTRA);
    if (at + W + ENTRY_EXTRA > box.length && !(box = this.grow(owner))) return false;
    for (let i = 0; i < W; i++) box[at + i] = this.vec[i]!;
    box[at + W] = this.cur;
    box[at + W + 1] = h;
    this.outLen[owner]!++;
    return true;
  }

  /** Doubles the outgoing buffer to `owner` in place; an empty view (and ABORT_ROOM) once it reaches its reserved maximum. */
  private grow(owner: number): Uint32Array {
    const sab = this.outboxes[this.thread * this.threads + owner]!;
    const want = Math.min(sab.maxByteLength, Math.max(OUTBOX_START, sab.byteLength * 2));
    if (want <= sab.byteLength) {
      this.abort(ABORT_ROOM);
      return new Uint32Array(0);
    }
    sab.grow(want);
    return (this.out[owner] = fixedView(sab));
  }

  private publishSent(): void {
    for (let to = 0; to < this.threads; to++) this.sent[this.thread * this.threads + to] = this.outLen[to]!;
  }

  /** One enabled step has been applied to S: pack, keep or send, tell the monitors, restore. */
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
    if (!this.keep(hashWords(this.vec, 0, this.words))) return true;
    if (engine.onStep.length) engine.stepTaken(stepId, -1);
    layout.copy(engine.S, engine.pre);
    return engine.findings.length > 0;
  };

  /** A guard, choices function or action threw: a model assertion (the sequential search words it). */
  private readonly fail = (_err: unknown, stepId: number): boolean => {
    this.engine.stepFailed(stepId, 'a step threw');
    this.system.layout.copy(this.engine.S, this.engine.pre);
    return true;
  };

  /**
   * Writes this thread's bounds into its figures: the worst value and where it was first met. `here` is
   * the level being discovered, so a bound's `at` is the level of the first state at which this thread
   * met its worst value (the coordinator finds the state itself, coordinator.ts).
   */
  reportBounds(): void {
    const measured = this.engine.monitors.bounds?.measured ?? [];
    for (let i = 0; i < measured.length; i++) {
      this.figures[FIGURES + 2 * i] = measured[i]!.worst;
      this.figures[FIGURES + 2 * i + 1] = measured[i]!.at ?? 0;
    }
  }
}

/** A view of the buffer's present length (not one that tracks a growable buffer's length: V8 reads those more slowly). */
function fixedView(sab: SharedArrayBuffer): Uint32Array {
  return new Uint32Array(sab, 0, sab.byteLength >>> 2);
}
