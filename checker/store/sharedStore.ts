/**
 * The visited set of a parallel search (search/parallel/), in SharedArrayBuffers every thread of the search
 * reads and writes: an open-addressing hash table, the states' words in arrival order, and the states'
 * numbers.
 *
 * A state is written once, at its arrival position: the next free place when some thread first finds it,
 * an order that depends on the threads' timing. Its number - its place in the order the sequential search
 * stores states, which is what everything after the search sees - is given when its level is done
 * (parallel/coordinator.ts): `numbers` maps each number to the arrival position and the parent's number.
 * So numbering a level moves no state and touches no table slot.
 *
 * A table slot is `words + 1` 32-bit words: the state's words, then its ref, the only word read or
 * written atomically:
 *
 *   0          empty
 *   -1 (BUSY)  being filled: a thread won the slot (compare-and-swap 0 -> BUSY) and is writing the words;
 *              a reader waits for the ref before comparing them
 *   -2         the level ran out of arrival space (the search grows it and runs the level again)
 *   a + 1      the state at arrival position a
 *
 * The words sit in the slot itself, so looking up a known state - most lookups - reads one cache line and
 * nothing else (StateStore's keyed mode does the same for narrow states). Nothing is ever removed or moved,
 * which keeps linear probing correct under concurrent inserts: a slot, once claimed, holds the same state
 * for the rest of the search (or until the coordinator rebuilds the table between levels).
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

/**
 * Words per slot: the state's words and the ref, rounded up to a power of two for narrow states so that no
 * slot straddles two cache lines (a 12-byte slot does one time in four).
 */
export function entryWords(words: number): number {
  return words < 4 ? 4 >> Number(words === 1) : words + 1;
}

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
    this.entry = entryWords(words);
    this.bits = buffers.tableBits;
    this.mask = (1 << buffers.tableBits) - 1;
    this.slots = new Int32Array(buffers.table);
  }

  static allocate(words: number, tableBits: number): SharedTable {
    if (tableBits > MAX_TABLE_BITS) throw new RangeError(`the state table cannot grow past 2^${MAX_TABLE_BITS} slots`);
    return new SharedTable(words, { table: new SharedArrayBuffer((1 << tableBits) * entryWords(words) * 4), tableBits });
  }

  /** The slot a state's probe starts at. */
  home(vec: Uint32Array, o: number): number {
    return hashWords(vec, o, this.words) & this.mask;
  }

  /**
   * Finds the state in `vec[o ..]`, or claims an empty slot for it and calls `arrive()` for its ref (the
   * new state's arrival position + 1). Returns the ref found or made, or REF_OVERFLOW when `arrive` (or a
   * concurrent one) ran out of room.
   */
  findOrAdd(vec: Uint32Array, o: number, arrive: () => number): number {
    const n = this.words;
    const E = this.entry;
    const t = this.slots;
    const mask = this.mask;
    for (let slot = this.home(vec, o); ; slot = (slot + 1) & mask) {
      const b = slot * E;
      // Plain reads first (an Atomics call costs ten of them); only what they cannot settle goes through Atomics.
      let ref = t[b + n]!;
      if (ref === REF_EMPTY) {
        ref = Atomics.compareExchange(t, b + n, REF_EMPTY, REF_BUSY);
        if (ref === REF_EMPTY) {
          for (let i = 0; i < n; i++) t[b + i] = vec[o + i]! | 0;
          const mine = arrive();
          Atomics.store(t, b + n, mine);
          return mine;
        }
      }
      while (ref === REF_BUSY) ref = Atomics.load(t, b + n);
      if (ref === REF_OVERFLOW) return REF_OVERFLOW;
      if (this.holds(b, vec, o)) return ref;
      // A slot filled a moment ago may show its ref before its words: compare again after an acquiring load.
      Atomics.load(t, b + n);
      if (this.holds(b, vec, o)) return ref;
    }
  }

  /** Whether the slot at word `b` holds the state in `vec[o ..]`. */
  private holds(b: number, vec: Uint32Array, o: number): boolean {
    const t = this.slots;
    for (let i = 0; i < this.words; i++) if (t[b + i] !== (vec[o + i]! | 0)) return false;
    return true;
  }

  /**
   * Moves this table's states whose ref is at most `below` (the states of a level in progress are left
   * out) from slots [from, to) into `next`, a larger table: between levels, several threads at once, each
   * its own range of slots. Reads this table in order, so it streams; every state moved is absent from
   * `next`, so a slot is claimed with one compare-and-swap and never compared.
   */
  moveInto(next: SharedTable, from: number, to: number, below: number): void {
    const n = this.words;
    const E = this.entry;
    const t = this.slots;
    const words = new Uint32Array(t.buffer);
    const into = next.slots;
    const mask = next.mask;
    for (let b = from * E, end = to * E; b < end; b += E) {
      const ref = t[b + n]!;
      if (ref <= 0 || ref > below) continue;
      let slot = hashWords(words, b, n) & mask;
      while (into[slot * E + n] !== REF_EMPTY || Atomics.compareExchange(into, slot * E + n, REF_EMPTY, ref) !== REF_EMPTY) slot = (slot + 1) & mask;
      for (let i = 0; i < n; i++) into[slot * E + i] = t[b + i]!;
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

  /** Inserts a state (known to be absent) with its ref: single-threaded, when the table is rebuilt. */
  insert(vec: Uint32Array, o: number, ref: number): void {
    const n = this.words;
    const E = this.entry;
    const t = this.slots;
    let slot = this.home(vec, o);
    while (t[slot * E + n] !== REF_EMPTY) slot = (slot + 1) & this.mask;
    for (let i = 0; i < n; i++) t[slot * E + i] = vec[o + i]! | 0;
    t[slot * E + n] = ref;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }
}

/**
 * The states' words by arrival position (chunks of 2^16, `words` words each) and, by number, the arrival
 * position and the parent's number (chunks of 2^16 pairs). The coordinator allocates every chunk and hands
 * them round; arrival chunks are written by the thread that finds the state, number chunks by the
 * coordinator alone.
 */
export class SharedStates {
  readonly arrivals: Uint32Array[] = [];
  readonly numbers: Int32Array[] = [];
  constructor(readonly words: number) {}

  static arrivalChunk(words: number): SharedArrayBuffer {
    return new SharedArrayBuffer(CHUNK * words * 4);
  }

  static numberChunk(): SharedArrayBuffer {
    return new SharedArrayBuffer(CHUNK * 2 * 4);
  }

  /** Chunks needed to hold `n` arrival positions or numbers. */
  static chunksFor(n: number): number {
    return Math.ceil(n / CHUNK);
  }

  static readonly CHUNK = CHUNK;

  /** Takes up chunks added since the last call. */
  attach(arrivals: readonly SharedArrayBuffer[], numbers: readonly SharedArrayBuffer[]): void {
    for (let c = this.arrivals.length; c < arrivals.length; c++) this.arrivals.push(new Uint32Array(arrivals[c]!));
    for (let c = this.numbers.length; c < numbers.length; c++) this.numbers.push(new Int32Array(numbers[c]!));
  }

  /** Writes the words of the state arriving at `a`. */
  write(a: number, from: Uint32Array, o: number): void {
    const chunk = this.arrivals[a >>> CHUNK_BITS]!;
    const base = (a & CHUNK_MASK) * this.words;
    for (let i = 0; i < this.words; i++) chunk[base + i] = from[o + i]!;
  }

  /** Number `idx` is the state at arrival position `a`, first found from state `parent`. */
  number(idx: number, a: number, parent: number): void {
    const chunk = this.numbers[idx >>> CHUNK_BITS]!;
    chunk[(idx & CHUNK_MASK) * 2] = a;
    chunk[(idx & CHUNK_MASK) * 2 + 1] = parent;
  }

  arrivalOf(idx: number): number {
    return this.numbers[idx >>> CHUNK_BITS]![(idx & CHUNK_MASK) * 2]!;
  }

  chunkOf(idx: number): Uint32Array {
    return this.arrivals[this.arrivalOf(idx) >>> CHUNK_BITS]!;
  }

  offsetOf(idx: number): number {
    return (this.arrivalOf(idx) & CHUNK_MASK) * this.words;
  }

  parent(idx: number): number {
    return this.numbers[idx >>> CHUNK_BITS]![(idx & CHUNK_MASK) * 2 + 1]! >>> 0;
  }

  get bytes(): number {
    return this.arrivals.length * CHUNK * this.words * 4 + this.numbers.length * CHUNK * 8;
  }
}

/**
 * The shared table and states as the VisitedStore the rest of check() reads after the search (paths,
 * traces, the determinism probe): the same states under the same numbers, with the same parents, as the
 * sequential search's StateStore holds.
 */
export class SharedStateStore implements VisitedStore {
  /** Number by arrival position, made on the first lookup. */
  private numberOf: Int32Array | null = null;
  constructor(
    private readonly table: SharedTable,
    private readonly states: SharedStates,
    readonly size: number,
  ) {}

  get words(): number {
    return this.states.words;
  }

  get bytes(): number {
    return this.table.bytes + this.states.bytes;
  }

  findOrInsert(): number {
    throw new Error('internal: the store of a parallel search is read-only once the search is over');
  }

  lookup(vec: Uint32Array, o: number): number {
    const ref = this.table.find(vec, o);
    if (ref <= 0) return -1;
    if (!this.numberOf) {
      this.numberOf = new Int32Array(this.states.arrivals.length * CHUNK).fill(-1);
      for (let i = 0; i < this.size; i++) this.numberOf[this.states.arrivalOf(i)] = i;
    }
    return this.numberOf[ref - 1] ?? -1;
  }

  chunkOf(idx: number): Uint32Array {
    return this.states.chunkOf(idx);
  }

  offsetOf(idx: number): number {
    return this.states.offsetOf(idx);
  }

  parent(idx: number): number {
    return this.states.parent(idx);
  }

  pathTo(idx: number): number[] {
    return parentChain(this, idx);
  }

  stepInto(): number {
    return NO_STEP;
  }

  read(idx: number, out: Uint32Array, o: number): void {
    const chunk = this.states.chunkOf(idx);
    const base = this.states.offsetOf(idx);
    for (let i = 0; i < this.words; i++) out[o + i] = chunk[base + i]!;
  }

  expanding(): void {}

  growthBytes(more: number): number {
    const chunks = SharedStates.chunksFor(this.size + more) - this.states.numbers.length;
    return Math.max(0, chunks) * CHUNK * (this.words * 4 + 8) + tableGrowthBytes(this.table.mask + 1, this.size + more, this.table.entry * 4);
  }
}
