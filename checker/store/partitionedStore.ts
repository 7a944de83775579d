/**
 * The visited set of a parallel search (search/parallel/), once it is over: the states each thread owned,
 * in the record chunks of that thread's StateStore, read as one store. A state's number is its place in
 * the search's order - by level, then by thread, then in the order its thread stored it - and each record's
 * parent is already such a number (the threads learn each level's numbering before they expand it). Only
 * the levels the search completed are numbered: states of a level it abandoned are not part of the store.
 */
import { NO_STEP, parentChain, RECORD_CHUNK_BITS, type VisitedStore } from './stateStore.js';

const CHUNK_MASK = (1 << RECORD_CHUNK_BITS) - 1;

export class PartitionedStore implements VisitedStore {
  readonly size: number;
  private readonly stride: number;
  /** The number of each level's first state; levelStart[levels] = size. */
  private readonly levelStart: Float64Array;
  /** By `level * threads + t`: thread t's states in the level, and the record index of its first. */
  private readonly counts: Int32Array;
  private readonly localStart: Float64Array;
  // The last state located: chunkOf and offsetOf are asked one after the other.
  private lastIdx = -1;
  private lastThread = 0;
  private lastLocal = 0;

  /**
   * @param records per thread, its StateStore's record chunks (StateStore.records()).
   * @param levels per level, per thread, the states the thread added in it.
   */
  constructor(
    readonly words: number,
    private readonly records: readonly (readonly Uint32Array[])[],
    levels: readonly (readonly number[])[],
    readonly bytes: number,
  ) {
    const threads = records.length;
    this.stride = words + 1;
    this.levelStart = new Float64Array(levels.length + 1);
    this.counts = new Int32Array(levels.length * threads);
    this.localStart = new Float64Array(levels.length * threads);
    const local = new Float64Array(threads);
    let n = 0;
    levels.forEach((level, l) => {
      this.levelStart[l] = n;
      for (let t = 0; t < threads; t++) {
        this.counts[l * threads + t] = level[t]!;
        this.localStart[l * threads + t] = local[t]!;
        local[t]! += level[t]!;
        n += level[t]!;
      }
    });
    this.levelStart[levels.length] = n;
    this.size = n;
  }

  /** Finds thread and record index of state `idx` (a binary search over the levels). */
  private locate(idx: number): void {
    if (idx === this.lastIdx) return;
    if (!(idx >= 0 && idx < this.size)) throw new RangeError(`internal: state ${idx} is not in a store of ${this.size} states`);
    const starts = this.levelStart;
    let lo = 0;
    let hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= idx) lo = mid;
      else hi = mid - 1;
    }
    const threads = this.records.length;
    let rest = idx - starts[lo]!;
    let t = 0;
    while (rest >= this.counts[lo * threads + t]!) rest -= this.counts[lo * threads + t++]!;
    this.lastIdx = idx;
    this.lastThread = t;
    this.lastLocal = this.localStart[lo * threads + t]! + rest;
  }

  findOrInsert(): number {
    throw new Error('internal: the store of a parallel search is read-only once the search is over');
  }

  /** As the keyed StateStore without keepIndex: a safety search never needs a known state's number. */
  lookup(): number {
    throw new Error('internal: the store of a parallel search keeps no index of its states (progress runs on one thread)');
  }

  chunkOf(idx: number): Uint32Array {
    this.locate(idx);
    return this.records[this.lastThread]![this.lastLocal >>> RECORD_CHUNK_BITS]!;
  }

  offsetOf(idx: number): number {
    this.locate(idx);
    return (this.lastLocal & CHUNK_MASK) * this.stride;
  }

  parent(idx: number): number {
    return this.chunkOf(idx)[this.offsetOf(idx) + this.words]!;
  }

  pathTo(idx: number): number[] {
    return parentChain(this, idx);
  }

  stepInto(): number {
    return NO_STEP;
  }

  read(idx: number, out: Uint32Array, o: number): void {
    const chunk = this.chunkOf(idx);
    const base = this.offsetOf(idx);
    for (let i = 0; i < this.words; i++) out[o + i] = chunk[base + i]!;
  }

  expanding(): void {}

  growthBytes(): number {
    return 0;
  }
}
