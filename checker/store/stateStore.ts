/**
 * The visited-state store: every distinct packed state once, with its parent (the state whose expansion
 * first reached it), so a trace is rebuilt by re-execution. The step from parent to child is not stored:
 * it is the first enabled step of the parent whose successor is the child (trace/path.ts re-derives it),
 * which saves 4 bytes per state - 37 MB on a 9.3M-state run.
 *
 * Records live in chunks of 2^16 states, each record `words` packed words followed by the parent index:
 * no state ever moves, and growing never copies the records. The index is an
 * open-addressing hash table (linear probing) of tagged record numbers, 0 meaning empty, sized a power of
 * two and doubled at 0.7 load. Lookups compare the full vector, so the set is exact: two states are the
 * same iff their words are equal. The hash is a 32-bit murmur3 mix of the words; its low bits place the
 * state and its high bits tag the entry (see findOrInsert).
 *
 * Keyed mode (states of one or two words whose last word has a spare bit): the table holds the packed
 * words themselves, the last one + 1 so that 0 still means empty. A lookup of a known state then touches
 * one cache line instead of two (table, then record); most lookups in a search are of known states.
 * Safety checking never needs the index of a state already stored, so its entries are the words alone;
 * liveness checking records edges to known states, so `keepIndex` adds the record number + 1 to each
 * entry (8 -> 12 bytes a slot for two-word states). The table starts at
 * 2^21 slots (16 MiB keyed; zero pages are mapped lazily, so small runs do not pay for it).
 */

const CHUNK_BITS = 16;
/** log2 of the states a record chunk holds (`records()`): a reader of another thread's records needs it. */
export const RECORD_CHUNK_BITS = CHUNK_BITS;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Parent of the initial state. */
export const NO_PARENT = 0xffffffff;
/** The largest table: 2^30 slots (1 << 31 is negative in JS; memory gives out long before). */
const MAX_TABLE_BITS = 30;

export function hashWords(words: Uint32Array, o: number, n: number, seed = 0x9747b28c): number {
  let h = seed ^ n;
  for (let i = 0; i < n; i++) {
    let k = words[o + i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** What `stepInto` returns for a store that does not keep steps (the exact store: trace/path.ts re-derives them). */
export const NO_STEP = -1;

/**
 * What a search needs from its visited set: the exact StateStore, the hash-compacted CompactStore or the
 * BitstateStore. Callers use this interface alone, whichever store it is.
 */
export interface VisitedStore {
  readonly words: number;
  readonly size: number;
  /** Bytes held, for reports. */
  readonly bytes: number;
  /** Finds or inserts a state (see StateStore.findOrInsert); `step` is the step id from `parent`. */
  findOrInsert(vec: Uint32Array, o: number, parent: number, step: number): number;
  /** The index of a stored state, or -1 (keyed and compact stores need keepIndex). */
  lookup(vec: Uint32Array, o: number): number;
  /** The words of a state still to be expanded: the chunk holding them and their offset. */
  chunkOf(idx: number): Uint32Array;
  offsetOf(idx: number): number;
  parent(idx: number): number;
  /** The states from the initial state (0) to `idx`, both included, along the parents. */
  pathTo(idx: number): number[];
  /** The step id from `parent(idx)` into `idx`, or NO_STEP when the store does not keep steps. */
  stepInto(idx: number): number;
  /** The packed words of stored state `idx` (the exact store; stores that keep steps never need it). */
  read(idx: number, out: Uint32Array, o: number): void;
  /** The search starts expanding `idx`: a store that keeps only unexpanded states may release those before it. */
  expanding(idx: number): void;
  /**
   * Bytes the store would allocate while `more` states are inserted (new record chunks, a doubled
   * table): a memory bound checks them before they are allocated, not after.
   */
  growthBytes(more: number): number;
}

/**
 * log2 of the slots a table of 2^bits slots grows to at 0.7 load: a small table straight to 2^21 slots
 * (FULL_TABLE_BITS), then twice as many each time. A search of up to 22,937 states thus keeps a table of
 * 2^15 slots, not 2^21: every page of a fresh table costs a page fault when first touched (12 us each on
 * this VM, 48 ms for all of 2^21 two-word slots), and a small table stays in the caches and the TLB. A
 * bigger search rehashes those few states once and then grows as it did when every table started at 2^21
 * (growing through 2^18 on the way cost retry-ring 3,5,3,2,2 about 3%).
 */
export function grownTableBits(bits: number): number {
  return bits < FULL_TABLE_BITS ? FULL_TABLE_BITS : bits + 1;
}

/** The size a small table grows to at once (grownTableBits), and the first size of a parallel search's tables. */
export const FULL_TABLE_BITS = 21;

/** Bytes of the tables a table of `slots` slots grows into (grownTableBits) while it fills up to `states` at 0.7 load. */
export function tableGrowthBytes(slots: number, states: number, bytesPerSlot: number): number {
  let bytes = 0;
  for (let bits = Math.log2(slots); states * 10 > 2 ** bits * 7;) {
    bits = grownTableBits(bits);
    bytes += 2 ** bits * bytesPerSlot;
  }
  return bytes;
}

/** The states from the initial state (0) to `idx`, both included, along the parents. */
export function parentChain(store: { parent(idx: number): number }, idx: number): number[] {
  const states: number[] = [idx];
  for (let i = idx; i !== 0;) {
    i = store.parent(i);
    states.push(i);
  }
  return states.reverse();
}

/** log2 of the slots a table starts with unless told otherwise (grownTableBits says why it is small). */
export const SMALL_TABLE_BITS = 15;

export class StateStore implements VisitedStore {
  /** Packed words per state. */
  readonly words: number;
  /** Record stride: the words, then the parent. */
  private readonly stride: number;
  private readonly chunks: Uint32Array[] = [];
  private table: Uint32Array;
  private tableMask: number;
  private count = 0;
  /** Keyed mode: entries are the state's words (see the file comment); 0 when indexed. */
  readonly keyed: boolean;
  /** Words per keyed entry: the state's words, plus the record number + 1 with keepIndex. */
  private readonly entry: number;

  /**
   * @param keyed ask for keyed mode; granted only for 1-2 word states with a spare bit in the last word.
   * @param keepIndex keyed mode: also keep each state's record number, so lookups of known states return it.
   * @param lastWordBits bits the layout uses in its last word.
   */
  constructor(words: number, initialTableBits = SMALL_TABLE_BITS, options: { keyed?: boolean; keepIndex?: boolean; lastWordBits?: number } = {}) {
    this.words = words;
    this.stride = words + 1;
    this.keyed = Boolean(options.keyed) && words <= 2 && (options.lastWordBits ?? 32) < 32;
    this.entry = words + (this.keyed && options.keepIndex ? 1 : 0);
    const slots = 1 << initialTableBits;
    this.table = new Uint32Array(this.keyed ? slots * this.entry : slots);
    this.tableMask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the store (records and table), for reports. */
  get bytes(): number {
    return this.chunks.length * CHUNK * this.stride * 4 + this.table.length * 4;
  }

  /** Slots in the hash table. */
  private get slots(): number {
    return this.tableMask + 1;
  }

  /** log2 of the number of slots. */
  private get tableBits(): number {
    return 32 - Math.clz32(this.tableMask);
  }

  /**
   * Finds the state in `vec[o .. o + words)`; inserts it with `parent` if new.
   * Returns the new record's index, or `-(index + 1)` for a state already stored.
   *
   * A table entry is `(hash & ~mask) | (index + 1)`: the low k bits (k = log2 of the table size) hold the
   * record number + 1, which fits because the table is never more than 0.7 full, and the high 32 - k bits
   * are the hash bits the slot position did not use. They act as a tag, so a probe fetches a record (a
   * cache miss) only when its tag matches: 1 in 2^(32-k) for a different state.
   */
  findOrInsert(vec: Uint32Array, o: number, parent: number, _step?: number): number {
    return this.findOrInsertHashed(vec, o, parent, hashWords(vec, o, this.words));
  }

  /**
   * As findOrInsert, for a caller that already has the state's hash (`hashWords` of its words, default
   * seed): a parallel search hashes each successor once, to find its owner and to store it.
   */
  findOrInsertHashed(vec: Uint32Array, o: number, parent: number, h: number): number {
    if (this.keyed) return this.findOrInsertKeyed(vec, o, parent, h);
    const n = this.words;
    const stride = this.stride;
    const mask = this.tableMask;
    const tag = (h & ~mask) >>> 0;
    let slot = h & mask;
    const table = this.table;
    const chunks = this.chunks;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) break;
      if ((e & ~mask) >>> 0 === tag) {
        const idx = (e & mask) - 1;
        const rec = chunks[idx >>> CHUNK_BITS]!;
        const base = (idx & CHUNK_MASK) * stride;
        let same = true;
        for (let i = 0; i < n; i++) {
          if (rec[base + i] !== vec[o + i]) {
            same = false;
            break;
          }
        }
        if (same) return -idx - 1;
      }
      slot = (slot + 1) & mask;
    }
    const idx = this.append(vec, o, parent);
    table[slot] = tag | (idx + 1);
    if (this.count * 10 > this.slots * 7) this.grow();
    return idx;
  }

  /**
   * Keyed mode: as findOrInsert; a state already stored returns -(index + 1) with keepIndex, else -1.
   * An entry is `entry` consecutive table words: the state's words (the last + 1), then index + 1.
   */
  private findOrInsertKeyed(vec: Uint32Array, o: number, parent: number, h: number): number {
    const n = this.words;
    const E = this.entry;
    const mask = this.tableMask;
    const table = this.table;
    const first = vec[o]!;
    const last = vec[o + n - 1]! + 1;
    // The slot is the hash's top bits, so growing keeps the order of the table (see grow()).
    let slot = h >>> (32 - this.tableBits);
    let b = slot * E;
    for (;;) {
      const e = table[b + n - 1]!;
      if (e === 0) break;
      if (e === last && (n === 1 || table[b] === first)) return E > n ? -table[b + n]! : -1;
      slot = (slot + 1) & mask;
      b = slot * E;
    }
    const idx = this.append(vec, o, parent);
    table[b] = first;
    table[b + n - 1] = last;
    if (E > n) table[b + n] = idx + 1;
    if (this.count * 10 > this.slots * 7) this.grow();
    return idx;
  }

  /** The index of a stored state, or -1. Keyed mode needs keepIndex. */
  lookup(vec: Uint32Array, o: number): number {
    const n = this.words;
    const h = hashWords(vec, o, n);
    const table = this.table;
    const mask = this.tableMask;
    if (this.keyed) {
      if (this.entry === n) throw new Error('internal: StateStore.lookup in keyed mode needs keepIndex');
      const E = this.entry;
      const last = vec[o + n - 1]! + 1;
      for (let slot = h >>> (32 - this.tableBits); ; slot = (slot + 1) & mask) {
        const e = table[slot * E + n - 1]!;
        if (e === 0) return -1;
        if (e === last && (n === 1 || table[slot * E] === vec[o])) return table[slot * E + n]! - 1;
      }
    }
    const tag = (h & ~mask) >>> 0;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = table[slot]!;
      if (e === 0) return -1;
      if ((e & ~mask) >>> 0 !== tag) continue;
      const idx = (e & mask) - 1;
      const rec = this.chunks[idx >>> CHUNK_BITS]!;
      const base = (idx & CHUNK_MASK) * this.stride;
      let same = true;
      for (let i = 0; i < n; i++) if (rec[base + i] !== vec[o + i]) same = false;
      if (same) return idx;
    }
  }

  /** Appends a record; returns its index. */
  private append(vec: Uint32Array, o: number, parent: number): number {
    const n = this.words;
    const stride = this.stride;
    const idx = this.count;
    if (idx >= 0x7ffffffe) throw new RangeError('the state store is full (2^31 states)');
    const c = idx >>> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(new Uint32Array(CHUNK * stride));
    const rec = this.chunks[c]!;
    const base = (idx & CHUNK_MASK) * stride;
    for (let i = 0; i < n; i++) rec[base + i] = vec[o + i]!;
    rec[base + n] = parent;
    this.count = idx + 1;
    return idx;
  }

  /**
   * The record chunks, in order (2^RECORD_CHUNK_BITS records of `words` words and the parent each): a
   * parallel search hands them to the thread that reads the states once the search is over.
   */
  records(): readonly Uint32Array[] {
    return this.chunks;
  }

  /** Copies state `idx`'s words into `out[o ..]`. */
  read(idx: number, out: Uint32Array, o: number): void {
    const rec = this.chunks[idx >>> CHUNK_BITS]!;
    const base = (idx & CHUNK_MASK) * this.stride;
    for (let i = 0; i < this.words; i++) out[o + i] = rec[base + i]!;
  }

  /** The chunk holding state `idx` and the offset of its words in it (zero-copy access for unpacking). */
  /** Not kept: the parent's expansion re-derives it (file comment). */
  stepInto(): number {
    return NO_STEP;
  }

  /** Every state stays: nothing to release. */
  expanding(): void {}

  chunkOf(idx: number): Uint32Array {
    return this.chunks[idx >>> CHUNK_BITS]!;
  }
  offsetOf(idx: number): number {
    return (idx & CHUNK_MASK) * this.stride;
  }

  parent(idx: number): number {
    return this.chunks[idx >>> CHUNK_BITS]![(idx & CHUNK_MASK) * this.stride + this.words]!;
  }

  pathTo(idx: number): number[] {
    return parentChain(this, idx);
  }

  growthBytes(more: number): number {
    const states = this.count + more;
    const chunks = Math.max(0, Math.ceil(states / CHUNK) - this.chunks.length);
    return chunks * CHUNK * this.stride * 4 + tableGrowthBytes(this.slots, states, (this.keyed ? this.entry : 1) * 4);
  }

  private grow(): void {
    // Past 2^21 slots, double: a table kept small stays in the last-level cache and the TLB longer, which
    // measured faster (retry-ring 3,5,3,2,2: 0.90 s with 2^21 slots against 1.03 s with 2^22) than rehashing
    // less often. Below, straight to 2^21 (grownTableBits).
    const bits = grownTableBits(this.tableBits);
    if (bits > MAX_TABLE_BITS) throw new RangeError('the state table cannot grow past 2^30 slots');
    const n = this.words;
    const mask = (1 << bits) - 1;
    if (this.keyed) {
      // Keyed entries hold their keys, and a slot is the hash's top bits: reading the old table in order
      // and writing each key at hash >>> (32 - bits) fills the new table (almost) in order too. Both
      // passes stream through memory instead of scattering writes over a table larger than the caches.
      const E = this.entry;
      const old = this.table;
      const table = new Uint32Array((mask + 1) * E);
      const key = new Uint32Array(n);
      const shift = 32 - bits;
      for (let s = 0; s <= this.tableMask; s++) {
        const last = old[s * E + n - 1]!;
        if (last === 0) continue;
        for (let i = 0; i < n - 1; i++) key[i] = old[s * E + i]!;
        key[n - 1] = last - 1;
        let slot = hashWords(key, 0, n) >>> shift;
        while (table[slot * E + n - 1] !== 0) slot = (slot + 1) & mask;
        for (let i = 0; i < E; i++) table[slot * E + i] = old[s * E + i]!;
      }
      this.table = table;
      this.tableMask = mask;
      return;
    }
    const table = new Uint32Array(mask + 1);
    for (let idx = 0; idx < this.count; idx++) {
      const rec = this.chunks[idx >>> CHUNK_BITS]!;
      const base = (idx & CHUNK_MASK) * this.stride;
      const h = hashWords(rec, base, n);
      let slot = h & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = ((h & ~mask) | (idx + 1)) >>> 0;
    }
    this.table = table;
    this.tableMask = mask;
  }
}
