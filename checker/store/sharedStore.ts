/**
 * The visited set of a parallel search (search/parallel/): the same records as StateStore (chunks of 2^16
 * states, each `words` packed words then the parent index) and an open-addressing hash table, both in
 * SharedArrayBuffers every thread of the search reads and writes.
 *
 * A table slot is `words + 1` 32-bit words: the state's words, then its ref. The ref says what the slot
 * holds and is the only word read or written atomically:
 *
 *   0          empty
 *   -1 (BUSY)  being filled: a thread won the slot (compare-and-swap 0 -> BUSY) and is writing the words;
 *              a reader waits for the ref before comparing them
 *   -2         the level ran out of staging space (the search grows it and runs the level again)
 *   i + 1      the stored state i (a record)
 *   -(r + 3)   staged state r: found in the level being expanded, not yet numbered
 *
 * The words sit in the slot itself, so looking up a known state - most lookups - reads one cache line and
 * no record (StateStore's keyed mode does the same for narrow states). States found during a level are
 * staged (words and slot, in arrival order) and numbered only when the level is done, in the order the
 * sequential search would have found them (parallel/coordinator.ts); their slots then get their numbers.
 * Removing nothing and moving nothing keeps linear probing correct under concurrent inserts: a slot, once
 * claimed, holds the same state for the rest of the search.
 */
import { hashWords, NO_STEP, parentChain, tableGrowthBytes, type VisitedStore } from './stateStore.js';

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
const MAX_TABLE_BITS = 30;
export const REF_EMPTY = 0;
export const REF_BUSY = -1;
export const REF_OVERFLOW = -2;
/** The largest load a table may reach during a level before the level stops to grow it. */
export const MAX_LOAD = 0.85;
/** The load a table is grown to stay under, planned before each level. */
export const PLANNED_LOAD = 0.6;

/** `ref` of a staged state. */
export const stagedRef = (r: number): number => -(r + 3);
/** The staged state of a ref that is one (ref <= -3). */
export const stagedIndex = (ref: number): number => -ref - 3;

/** The table's words, as the threads share them. */
export interface SharedTableBuffers {
  readonly table: SharedArrayBuffer;
  readonly tableBits: number;
}

export class SharedTable {
  readonly entry: number;
  readonly mask: number;
  readonly bits: number;
  readonly slots: Int32Array;
  constructor(
    readonly words: number,
    readonly buffers: SharedTableBuffers,
  ) {
    this.entry = words + 1;
    this.bits = buffers.tableBits;
    this.mask = (1 << buffers.tableBits) - 1;
    this.slots = new Int32Array(buffers.table);
  }

  static allocate(words: number, tableBits: number): SharedTable {
    if (tableBits > MAX_TABLE_BITS) throw new RangeError(`the state table cannot grow past 2^${MAX_TABLE_BITS} slots`);
    return new SharedTable(words, { table: new SharedArrayBuffer((1 << tableBits) * (words + 1) * 4), tableBits });
  }

  /** The slot a state's probe starts at. */
  home(vec: Uint32Array, o: number): number {
    return hashWords(vec, o, this.words) & this.mask;
  }

  /**
   * Finds the state in `vec[o ..]`, or claims an empty slot for it and calls `stage(slot)` for its ref
   * (which must write nothing into the table). Returns the ref found or staged, or REF_OVERFLOW when
   * `stage` (or a concurrent one) ran out of room.
   */
  findOrStage(vec: Uint32Array, o: number, stage: (slot: number) => number): number {
    const n = this.words;
    const E = this.entry;
    const t = this.slots;
    const mask = this.mask;
    for (let slot = this.home(vec, o); ; slot = (slot + 1) & mask) {
      const b = slot * E;
      let ref = Atomics.load(t, b + n);
      if (ref === REF_EMPTY) {
        ref = Atomics.compareExchange(t, b + n, REF_EMPTY, REF_BUSY);
        if (ref === REF_EMPTY) {
          for (let i = 0; i < n; i++) t[b + i] = vec[o + i]! | 0;
          const mine = stage(slot);
          Atomics.store(t, b + n, mine);
          return mine;
        }
      }
      while (ref === REF_BUSY) ref = Atomics.load(t, b + n);
      if (ref === REF_OVERFLOW) return REF_OVERFLOW;
      let same = true;
      for (let i = 0; i < n; i++) {
        if (t[b + i] !== (vec[o + i]! | 0)) {
          same = false;
          break;
        }
      }
      if (same) return ref;
    }
  }

  /** The ref of a state, or REF_EMPTY: single-threaded, once the search is over. */
  find(vec: Uint32Array, o: number): number {
    const n = this.words;
    const E = this.entry;
    const t = this.slots;
    for (let slot = this.home(vec, o); ; slot = (slot + 1) & this.mask) {
      const b = slot * E;
      const ref = t[b + n]!;
      if (ref === REF_EMPTY) return REF_EMPTY;
      let same = true;
      for (let i = 0; i < n && same; i++) same = t[b + i] === (vec[o + i]! | 0);
      if (same) return ref;
    }
  }

  /** Inserts stored state `idx` (known to be absent): single-threaded, when the table is rebuilt. */
  insertStored(vec: Uint32Array, o: number, idx: number): void {
    const n = this.words;
    const E = this.entry;
    const t = this.slots;
    let slot = this.home(vec, o);
    while (t[slot * E + n] !== REF_EMPTY) slot = (slot + 1) & this.mask;
    for (let i = 0; i < n; i++) t[slot * E + i] = vec[o + i]! | 0;
    t[slot * E + n] = idx + 1;
  }

  /** A staged state got its number: its slot now says so. */
  setStored(slot: number, idx: number): void {
    this.slots[slot * this.entry + this.words] = idx + 1;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }
}

/** The records of the stored states, as the threads share them: every chunk is allocated by the coordinator. */
export class SharedRecords {
  readonly stride: number;
  readonly chunks: Uint32Array[];
  constructor(
    readonly words: number,
    buffers: readonly SharedArrayBuffer[],
  ) {
    this.stride = words + 1;
    this.chunks = buffers.map((b) => new Uint32Array(b));
  }

  /** The chunk buffers to add so that `states` records fit (the coordinator allocates them and hands them round). */
  static missingChunks(words: number, have: number, states: number): SharedArrayBuffer[] {
    const out: SharedArrayBuffer[] = [];
    for (let c = have; c * CHUNK < states; c++) out.push(new SharedArrayBuffer(CHUNK * (words + 1) * 4));
    return out;
  }

  /** Bytes of the chunks `states` records need beyond `have` chunks. */
  static chunkBytes(words: number, have: number, states: number): number {
    return Math.max(0, Math.ceil(states / CHUNK) - have) * CHUNK * (words + 1) * 4;
  }

  add(buffers: readonly SharedArrayBuffer[]): void {
    for (const b of buffers) this.chunks.push(new Uint32Array(b));
  }

  /** Writes record `idx`: `words` words from `from[o ..]` and its parent. */
  write(idx: number, from: Uint32Array, o: number, parent: number): void {
    const rec = this.chunks[idx >>> CHUNK_BITS]!;
    const base = (idx & CHUNK_MASK) * this.stride;
    for (let i = 0; i < this.words; i++) rec[base + i] = from[o + i]!;
    rec[base + this.words] = parent;
  }

  chunkOf(idx: number): Uint32Array {
    return this.chunks[idx >>> CHUNK_BITS]!;
  }

  offsetOf(idx: number): number {
    return (idx & CHUNK_MASK) * this.stride;
  }

  parent(idx: number): number {
    return this.chunks[idx >>> CHUNK_BITS]![(idx & CHUNK_MASK) * this.stride + this.words]!;
  }

  get bytes(): number {
    return this.chunks.length * CHUNK * this.stride * 4;
  }
}

/**
 * The shared table and records as the VisitedStore the rest of check() reads after the search (paths,
 * traces, the determinism probe): the same states under the same numbers as StateStore would hold.
 */
export class SharedStateStore implements VisitedStore {
  constructor(
    private readonly table: SharedTable,
    private readonly records: SharedRecords,
    readonly size: number,
  ) {}

  get words(): number {
    return this.records.words;
  }

  get bytes(): number {
    return this.table.bytes + this.records.bytes;
  }

  findOrInsert(): number {
    throw new Error('internal: the store of a parallel search is read-only once the search is over');
  }

  lookup(vec: Uint32Array, o: number): number {
    const ref = this.table.find(vec, o);
    return ref > 0 && ref <= this.size ? ref - 1 : -1;
  }

  chunkOf(idx: number): Uint32Array {
    return this.records.chunkOf(idx);
  }

  offsetOf(idx: number): number {
    return this.records.offsetOf(idx);
  }

  parent(idx: number): number {
    return this.records.parent(idx);
  }

  pathTo(idx: number): number[] {
    return parentChain(this, idx);
  }

  stepInto(): number {
    return NO_STEP;
  }

  read(idx: number, out: Uint32Array, o: number): void {
    const rec = this.records.chunkOf(idx);
    const base = this.records.offsetOf(idx);
    for (let i = 0; i < this.words; i++) out[o + i] = rec[base + i]!;
  }

  expanding(): void {}

  growthBytes(more: number): number {
    return SharedRecords.chunkBytes(this.words, this.records.chunks.length, this.size + more) + tableGrowthBytes(this.table.mask + 1, this.size + more, this.table.entry * 4);
  }
}
