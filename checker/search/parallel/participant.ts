/**
 * One thread's share of a parallel breadth-first search (the coordinator's thread and every worker run
 * the same code). Each thread owns the states whose hash falls to it (ownerOf) and keeps them in a store
 * of its own - the sequential search's StateStore, read and written without any atomic operation - and a
 * copy of the states it added in the last level, its frontier, in a buffer every thread can read. A level
 * is two commands:
 *
 *  - expand: apply every enabled step to the states of the last level (the compiled step table, as
 *    explore.ts does). A thread takes batches of BATCH states of its own frontier from the front; once
 *    that is done, it takes batches of the others' from the back (work sharing: on a machine whose cores
 *    run at different speeds, or one another process slows down, the faster thread does more of the
 *    level instead of waiting for the slower one at the barrier). Each successor is hashed once: the hash
 *    names its owner (ownerOf) and files it in the owner's store. A successor of a thread's own batch that
 *    the thread owns is found or added in its store at once; every other is appended, with its parent's
 *    number and its hash, to its owner's outgoing buffer from this thread, in a group for its batch.
 *    Transition properties, model assertions and deadlock run here, on each step and terminal state.
 *  - absorb: find or add the states the threads sent this thread, batch by batch in a fixed order - its
 *    own frontier's batches first, then the next thread's, and so on - whichever thread expanded them.
 *
 * So a thread's states of a level come in the same order whoever expanded which batch: its own
 * frontier's successors, batch by batch (the batches it took itself from the front, stored at once, come
 * before the ones taken from the back, stored in absorb), then the next frontiers'. Invariants and bounds
 * run on each state when its owner adds it. A state's parent is stored as its number in the search's
 * order - by level, then by thread, then as its thread stored it - which the coordinator hands each thread
 * before the level (BASE); so the stores together form one VisitedStore (store/partitionedStore.ts). The
 * order is fixed for a given number of threads, so a run is repeatable; for another number of threads it
 * differs, but what a run that holds reports - the counts, the depth, each bound's worst value - does not
 * depend on it (coordinator.ts).
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
  CLAIM_BACK,
  CLAIM_FRONT,
  CLAIM_LOCK,
  CLAIM_STATES,
  claimBlock,
  F_ABSORBED,
  F_ADDED,
  F_BYTES,
  F_EXPANDED,
  F_TERMINAL,
  F_TRANSITIONS,
  FIGURES,
  GROUP_HEADER,
  LEVEL,
  ownerOf,
  type GrowableBuffer,
  type SharedBuffers,
} from './protocol.js';

/** Bytes an outgoing buffer or a frontier grows to first. */
const BUFFER_START = 1 << 12;
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
  private readonly frontiers: readonly GrowableBuffer[];
  /** By destination: a view of this thread's outgoing buffer to it, and the words written in the level. */
  private readonly out: Uint32Array[];
  private readonly outLen: Int32Array;
  /** By destination: where the header of the batch's group in its outgoing buffer is, or -1 (nothing sent yet). */
  private readonly group: Int32Array;
  /** This thread's frontier of the level being discovered (the buffer of its parity), and the words in it. */
  private next: Uint32Array = new Uint32Array(0);
  private nextLen = 0;
  /** The frontier and batch being expanded, and whether it is this thread's own batch taken from the front. */
  private batchOf = 0;
  private batch = 0;
  private own = false;
  // The number of the state being expanded (NO_PARENT for the initial state); the level being discovered (a bound's `at`, see reportBounds).
  private cur = 0;
  private here = 0;
  private transitions = 0;
  private terminal = 0;
  private expanded = 0;
  private added = 0;
  /** Absorb's index of the level's groups sent to this thread, by frontier, by batch: the group's word offset + 1 (0: none was sent) ... */
  private groupAt: Int32Array[];
  /** ... and the thread that sent it (the buffer it is in). */
  private groupFrom: Int32Array[];
  private readonly eager: boolean;
  /** Polled by the coordinator's thread every BATCH states (a bound to stop at). */
  poll: (() => boolean) | null = null;

  constructor(
    readonly system: CompiledSystem,
    shared: SharedBuffers,
    readonly thread: number,
    readonly threads: number,
    stopAtFirstViolation: boolean,
    tableBits: number,
    eager = false,
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
    this.frontiers = shared.frontiers;
    this.out = Array.from({ length: threads }, (_, to) => fixedView(this.outboxes[thread * threads + to]!));
    this.outLen = new Int32Array(threads);
    this.group = new Int32Array(threads).fill(-1);
    this.groupAt = Array.from({ length: threads }, () => new Int32Array(0));
    this.groupFrom = Array.from({ length: threads }, () => new Int32Array(0));
    this.eager = eager;
    this.startFrontier(0);
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

  /**
   * The coordinator's thread: hands the initial state (packed in `vec`) to its owner, as the search's
   * state 0 (frontier 0's batch 0 of level 0); false if there was no room for it.
   */
  seed(initial: Uint32Array): boolean {
    this.vec.set(initial.subarray(0, this.words));
    this.outLen.fill(0);
    this.cur = NO_PARENT;
    this.beginBatch(0, 0, true);
    const kept = this.keep(hashWords(this.vec, 0, this.words));
    this.endBatch();
    this.publishSent();
    return kept && !this.aborted();
  }

  /** Expands the states of the last level, this thread's own first; its figures get the transitions, terminal states and states it expanded. */
  expandLevel(): void {
    this.here = this.control[LEVEL]!;
    this.transitions = this.added = this.terminal = this.expanded = 0;
    this.outLen.fill(0);
    this.startFrontier(this.here);
    const T = this.threads;
    if (!this.eager) this.expandFrom(this.thread, true);
    for (let k = 1; k < T && !this.aborted(); k++) this.expandFrom((this.thread + k) % T, false);
    if (this.eager) this.expandFrom(this.thread, true);
    this.publishSent();
    const f = this.figures;
    f[F_TRANSITIONS] = this.transitions;
    f[F_TERMINAL] = this.terminal;
    f[F_EXPANDED] = this.expanded;
  }

  /** Takes batches of thread `u`'s frontier (from the front if it is this thread's own) until none is left, expanding each. */
  private expandFrom(u: number, front: boolean): void {
    const states = this.control[claimBlock(this.threads, u) + CLAIM_STATES]!;
    if (states === 0) return;
    const W = this.words;
    // The frontier's writer grew it in place before the barrier: a fresh view sees all of it.
    const frontier = new Uint32Array(this.frontiers[u * 2 + ((this.here - 1) & 1)]!, 0, states * W);
    const base = this.control[BASE + u]!;
    const { engine, system } = this;
    const unpack = system.layout.unpack;
    const copy = system.layout.copy;
    const { S, pre, before, after } = engine;
    for (;;) {
      if (this.aborted() || (this.poll !== null && this.poll())) return;
      const b = this.claim(u, front);
      if (b < 0) return;
      this.beginBatch(u, b, front);
      const hi = Math.min(states, (b + 1) * BATCH);
      let stop = false;
      for (let k = b * BATCH; k < hi; k++) {
        const idx = base + k;
        this.cur = idx;
        unpack(frontier, k * W, pre);
        copy(S, pre);
        const onExpand = engine.onExpand;
        for (let i = 0; i < onExpand.length; i++) onExpand[i]!.expand!(idx, before);
        const enabled = this.expand(this.emit, this.fail);
        this.expanded++;
        if (enabled < 0) {
          // emit or fail asked to stop: a finding, or no room (already raised).
          if (engine.findings.length) this.abort(ABORT_FINDING);
          stop = true;
          break;
        }
        const onExpanded = engine.onExpanded;
        for (let i = 0; i < onExpanded.length; i++) onExpanded[i]!.expanded!(idx);
        if (enabled === 0) {
          this.terminal++;
          const onTerminal = engine.onTerminal;
          for (let i = 0; i < onTerminal.length; i++) onTerminal[i]!.terminal!(after);
        }
        if (engine.findings.length) {
          this.abort(ABORT_FINDING);
          stop = true;
          break;
        }
      }
      this.endBatch();
      if (stop) return;
    }
  }

  /**
   * The next batch of thread `u`'s frontier: from the front (`front`: u's own), or from the back; -1 once
   * none is left. The claim block's spin lock is held for a few reads and writes, once a batch.
   */
  private claim(u: number, front: boolean): number {
    const c = this.control;
    const at = claimBlock(this.threads, u);
    // Held for a few plain reads and writes; a holder the scheduler took off its core (more threads than
    // cores) is waited for asleep, a millisecond at a time, rather than spun for.
    for (let spins = 0; Atomics.compareExchange(c, at + CLAIM_LOCK, 0, 1) !== 0;) {
      if (++spins % 256 === 0) Atomics.wait(c, at + CLAIM_LOCK, 1, 1);
    }
    const f = c[at + CLAIM_FRONT]!;
    const b = c[at + CLAIM_BACK]!;
    let got = -1;
    if (f < b) {
      if (front) c[at + CLAIM_FRONT] = (got = f) + 1;
      else c[at + CLAIM_BACK] = got = b - 1;
    }
    Atomics.store(c, at + CLAIM_LOCK, 0);
    return got;
  }

  /** Batch `b` of thread `u`'s frontier starts; `front`: taken from the front, so `u` is this thread (its successors it owns are stored at once). */
  private beginBatch(u: number, b: number, front: boolean): void {
    this.batchOf = u;
    this.batch = b;
    this.own = front;
  }

  /** Closes the batch's groups: each header gets its count of entries. */
  private endBatch(): void {
    const E = this.words + ENTRY_EXTRA;
    for (let to = 0; to < this.threads; to++) {
      const g = this.group[to]!;
      if (g < 0) continue;
      this.out[to]![g + 2] = (this.outLen[to]! - g - GROUP_HEADER) / E;
      this.group[to] = -1;
    }
  }

  /** Stores the states the threads sent this thread in the level, batch by batch: its own frontier's, then the next thread's, and so on. */
  absorbLevel(): void {
    const { engine, store, threads, thread } = this;
    const W = this.words;
    const E = W + ENTRY_EXTRA;
    const unpack = this.system.layout.unpack;
    this.here = this.control[LEVEL]!;
    const boxes = this.indexGroups();
    let absorbed = 0;
    let seen = 0;
    for (let k = 0; k < threads && !this.aborted(); k++) {
      const u = (thread + k) % threads;
      const at = this.groupAt[u]!;
      const from = this.groupFrom[u]!;
      const batches = this.batchesOf(u);
      for (let b = 0; b < batches; b++) {
        const g = at[b]! - 1;
        if (g < 0) continue;
        const box = boxes[from[b]!]!;
        const n = box[g + 2]!;
        for (let j = 0, o = g + GROUP_HEADER; j < n; j++, o += E) {
          if (++seen % BATCH === 0 && (this.aborted() || (this.poll !== null && this.poll()))) break;
          if (store.findOrInsertHashed(box, o, box[o + W]!, box[o + W + 1]!) < 0) continue;
          this.added++;
          this.toFrontier(box, o);
          unpack(box, o, engine.S);
          this.engine.state(); // invariants and bounds, on the state just added (unpacked in S)
          if (engine.findings.length) {
            this.abort(ABORT_FINDING);
            break;
          }
        }
        absorbed += n;
        if (this.aborted()) break;
      }
    }
    const f = this.figures;
    f[F_ADDED] = this.added;
    f[F_ABSORBED] = absorbed;
    f[F_BYTES] = this.bytes;
  }

  /** Batches in thread `u`'s frontier this level. */
  private batchesOf(u: number): number {
    return Math.ceil(this.control[claimBlock(this.threads, u) + CLAIM_STATES]! / BATCH);
  }

  /** Indexes the groups sent to this thread in the level by frontier and batch (groupAt, groupFrom); returns the views of the buffers they are in, by sender. */
  private indexGroups(): Uint32Array[] {
    const { threads, thread } = this;
    for (let u = 0; u < threads; u++) {
      const batches = this.batchesOf(u);
      if (this.groupAt[u]!.length < batches) {
        this.groupAt[u] = new Int32Array(batches * 2);
        this.groupFrom[u] = new Int32Array(batches * 2);
      } else this.groupAt[u]!.fill(0, 0, batches);
    }
    const E = this.words + ENTRY_EXTRA;
    const boxes: Uint32Array[] = [];
    for (let from = 0; from < threads; from++) {
      const len = this.sent[from * threads + thread]!;
      // The writer grew the buffer in place before the barrier: a fresh view sees all of it.
      const box = new Uint32Array(this.outboxes[from * threads + thread]!, 0, len);
      boxes.push(box);
      for (let g = 0; g < len; g += GROUP_HEADER + box[g + 2]! * E) {
        this.groupAt[box[g]!]![box[g + 1]!] = g + 1;
        this.groupFrom[box[g]!]![box[g + 1]!] = from;
      }
    }
    return boxes;
  }

  /** Bytes this thread holds: its store, its outgoing buffers and its frontiers. */
  get bytes(): number {
    let b = this.store.bytes;
    for (const box of this.out) b += box.byteLength;
    for (let p = 0; p < 2; p++) b += this.frontiers[this.thread * 2 + p]!.byteLength;
    return b;
  }

  /** The level being discovered starts: this thread's frontier of it is the buffer of its parity, empty. */
  private startFrontier(level: number): void {
    this.next = fixedView(this.frontiers[this.thread * 2 + (level & 1)]!);
    this.nextLen = 0;
  }

  /** Appends the state at words[o ..] to this thread's frontier of the level (ABORT_ROOM if it cannot grow). */
  private toFrontier(words: Uint32Array, o: number): void {
    const W = this.words;
    if (this.nextLen + W > this.next.length && !this.growFrontier()) return;
    const next = this.next;
    const at = this.nextLen;
    for (let i = 0; i < W; i++) next[at + i] = words[o + i]!;
    this.nextLen = at + W;
  }

  /** Grows this thread's frontier in place for one more state; false (and ABORT_ROOM) at its reserved maximum. */
  private growFrontier(): boolean {
    this.next = grown(this.frontiers[this.thread * 2 + (this.here & 1)]!, (this.nextLen + this.words) * 4);
    if (this.next.length) return true;
    this.abort(ABORT_ROOM);
    return false;
  }

  /** The packed state in `vec`, of hash `h`, goes to its owner: stored here (and judged) if this thread owns it and the batch is its own, else sent. */
  private keep(h: number): boolean {
    const W = this.words;
    const owner = ownerOf(h, this.threads);
    if (owner === this.thread && this.own) {
      if (this.store.findOrInsertHashed(this.vec, 0, this.cur, h) >= 0) {
        this.added++;
        this.toFrontier(this.vec, 0);
        this.engine.state(); // invariants and bounds, on the state just added (unpacked in S)
      }
      return true;
    }
    let at = this.outLen[owner]!;
    // The batch's first entry for this owner opens its group; a full buffer grows (both rare: kept out of this path).
    if (this.group[owner]! < 0 || at + W + ENTRY_EXTRA > this.out[owner]!.length) {
      at = this.makeRoom(owner);
      if (at < 0) return false;
    }
    const box = this.out[owner]!;
    for (let i = 0; i < W; i++) box[at + i] = this.vec[i]!;
    box[at + W] = this.cur;
    box[at + W + 1] = h;
    this.outLen[owner] = at + W + ENTRY_EXTRA;
    return true;
  }

  /**
   * Makes room for one more entry to `owner`: opens the batch's group (its header) if this is the first,
   * and grows the buffer in place if it is full. Returns where the entry goes, or -1 (ABORT_ROOM) when the
   * buffer is at its reserved maximum.
   */
  private makeRoom(owner: number): number {
    let at = this.outLen[owner]!;
    const header = this.group[owner]! < 0 ? GROUP_HEADER : 0;
    const need = (at + header + this.words + ENTRY_EXTRA) * 4;
    if (need > this.out[owner]!.byteLength && !(this.out[owner] = grown(this.outboxes[this.thread * this.threads + owner]!, need)).length) {
      this.abort(ABORT_ROOM);
      return -1;
    }
    if (header) {
      const box = this.out[owner]!;
      this.group[owner] = at;
      box[at] = this.batchOf;
      box[at + 1] = this.batch;
      box[at + 2] = 0;
      at += GROUP_HEADER;
      this.outLen[owner] = at;
    }
    return at;
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

/**
 * The buffer grown in place to hold `bytes` (doubling), and a view of it; an empty view if that passes its
 * reserved maximum (the caller raises ABORT_ROOM).
 */
function grown(sab: GrowableBuffer, bytes: number): Uint32Array {
  let want = Math.max(BUFFER_START, sab.byteLength);
  while (want < bytes) want *= 2;
  want = Math.min(want, sab.maxByteLength);
  if (want < bytes) return new Uint32Array(0);
  sab.grow(want);
  return fixedView(sab);
}

/** A view of the buffer's present length (not one that tracks a growable buffer's length: V8 reads those more slowly). */
function fixedView(sab: SharedArrayBuffer): Uint32Array {
  return new Uint32Array(sab, 0, sab.byteLength >>> 2);
}
