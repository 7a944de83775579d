/**
 * Hash compaction: the visited set keeps a 63-bit
 * fingerprint of each state instead of the state, so its memory no longer grows with the width of a
 * state. Two different states with the same fingerprint are taken for one, and the second is never
 * explored: the search may miss states, with a probability reported from the number of states stored
 * (`omissionProbability`). For runs too large for the exact store, never for a proof.
 *
 * What a state costs: a table slot of 8 bytes (12 with keepIndex, for liveness), at most 0.7 full, plus
 * its parent and the step that reached it (8 bytes) - whatever the state's width. The full states are kept
 * only while breadth-first search still has to expand them: a window of 2^16-state chunks that is released
 * behind the expansion cursor (`expanding`). A trace is rebuilt from the parents and steps by
 * re-execution from the initial state, so nothing else needs the states.
 *
 * The fingerprint is two 32-bit murmur3 hashes of the words with different seeds; the low bit of the
 * second is forced to 1 so that 0 marks an empty slot (hence 63 bits). As in the keyed exact table, the
 * slot is the first hash's top bits, so doubling the table keeps its order (a streaming rehash).
 */
import { grownTableBits, hashWords, parentChain, SMALL_TABLE_BITS, tableGrowthBytes, type VisitedStore } from './stateStore.js';

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
const MAX_TABLE_BITS = 30;
/** The second hash's seed (the first uses hashWords' default). */
const SEED_B = 0x5bd1e995;

/** Probability that some state was missed: at most one pair of the n states shares a 63-bit fingerprint. */
export function omissionProbability(n: number): number {
  return Math.min(1, (n * (n - 1)) / 2 / 2 ** 63);
}

export class CompactStore implements VisitedStore {
  readonly words: number;
  readonly compact = true;
  private count = 0;
  private table: Uint32Array;
  private tableBits: number;
  /** Words per table entry: the fingerprint, then the record number + 1 with keepIndex. */
  private readonly entry: number;
  private readonly parents: Uint32Array[] = [];
  private readonly steps: Uint32Array[] = [];
  /** State words by chunk; chunks behind the expansion cursor are released (undefined). */
  private readonly window: (Uint32Array | undefined)[] = [];
  private released = 0;

  constructor(words: number, initialTableBits = SMALL_TABLE_BITS, options: { keepIndex?: boolean } = {}) {
    this.words = words;
    this.entry = options.keepIndex ? 3 : 2;
    this.tableBits = initialTableBits;
    this.table = new Uint32Array((1 << initialTableBits) * this.entry);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.table.length * 4 + this.recordBytes();
  }

  /** Bytes of the parents, the steps and the states still to expand. */
  protected recordBytes(): number {
    const live = this.window.length - this.released;
    return this.parents.length * CHUNK * 8 + live * CHUNK * this.words * 4;
  }

  /** As StateStore.findOrInsert; `step` is the step id that reached the state from `parent`. */
  findOrInsert(vec: Uint32Array, o: number, parent: number, step: number): number {
    const n = this.words;
    const E = this.entry;
    const a = hashWords(vec, o, n);
    const b = (hashWords(vec, o, n, SEED_B) | 1) >>> 0;
    const table = this.table;
    const mask = (1 << this.tableBits) - 1;
    let slot = a >>> (32 - this.tableBits);
    for (;;) {
      const base = slot * E;
      const e = table[base + 1]!;
      if (e === 0) {
        const idx = this.append(vec, o, parent, step);
        table[base] = a;
        table[base + 1] = b;
        if (E > 2) table[base + 2] = idx + 1;
        if (this.count * 10 > (mask + 1) * 7) this.grow();
        return idx;
      }
      if (e === b && table[base] === a) return E > 2 ? -table[base + 2]! : -1;
      slot = (slot + 1) & mask;
    }
  }

  /** The index of a stored state with these words (needs keepIndex), or -1. */
  lookup(vec: Uint32Array, o: number): number {
    if (this.entry < 3) throw new Error('internal: CompactStore.lookup needs keepIndex');
    const n = this.words;
    const a = hashWords(vec, o, n);
    const b = (hashWords(vec, o, n, SEED_B) | 1) >>> 0;
    const mask = (1 << this.tableBits) - 1;
    for (let slot = a >>> (32 - this.tableBits); ; slot = (slot + 1) & mask) {
      const e = this.table[slot * 3 + 1]!;
      if (e === 0) return -1;
      if (e === b && this.table[slot * 3] === a) return this.table[slot * 3 + 2]! - 1;
    }
  }

  protected append(vec: Uint32Array, o: number, parent: number, step: number): number {
    const idx = this.count;
    if (idx >= 0x7ffffffe) throw new RangeError('the state store is full (2^31 states)');
    const c = idx >>> CHUNK_BITS;
    if (c === this.parents.length) {
      this.parents.push(new Uint32Array(CHUNK));
      this.steps.push(new Uint32Array(CHUNK));
      this.window.push(new Uint32Array(CHUNK * this.words));
    }
    const k = idx & CHUNK_MASK;
    this.parents[c]![k] = parent;
    this.steps[c]![k] = step;
    const w = this.window[c]!;
    for (let i = 0; i < this.words; i++) w[k * this.words + i] = vec[o + i]!;
    this.count = idx + 1;
    return idx;
  }

  /** Breadth-first search is about to expand state `idx`: the states before it are no longer needed. */
  expanding(idx: number): void {
    const c = idx >>> CHUNK_BITS;
    while (this.released < c) this.window[this.released++] = undefined;
  }

  chunkOf(idx: number): Uint32Array {
    const w = this.window[idx >>> CHUNK_BITS];
    if (!w) throw new Error(`internal: state ${idx} was released (hash compaction keeps only the states still to expand)`);
    return w;
  }

  offsetOf(idx: number): number {
    return (idx & CHUNK_MASK) * this.words;
  }

  parent(idx: number): number {
    return this.parents[idx >>> CHUNK_BITS]![idx & CHUNK_MASK]!;
  }

  /** The step id that reached state `idx` from its parent (hash compaction has no states to re-derive it from). */
  stepInto(idx: number): number {
    return this.steps[idx >>> CHUNK_BITS]![idx & CHUNK_MASK]!;
  }

  /** Only fingerprints are kept once a state is expanded; its steps are kept instead (stepInto). */
  read(idx: number): void {
    throw new Error(`internal: state ${idx} cannot be read back from a hash-compacted store (read its steps instead)`);
  }

  pathTo(idx: number): number[] {
    return parentChain(this, idx);
  }

  growthBytes(more: number): number {
    const states = this.count + more;
    const chunks = Math.max(0, Math.ceil(states / CHUNK) - this.parents.length);
    return chunks * CHUNK * (2 + this.words) * 4 + tableGrowthBytes(1 << this.tableBits, states, this.entry * 4);
  }

  private grow(): void {
    const bits = grownTableBits(this.tableBits);
    if (bits > MAX_TABLE_BITS) throw new RangeError('the state table cannot grow past 2^30 slots');
    const E = this.entry;
    const old = this.table;
    const table = new Uint32Array((1 << bits) * E);
    const mask = (1 << bits) - 1;
    const shift = 32 - bits;
    for (let s = 0; s < old.length; s += E) {
      if (old[s + 1] === 0) continue;
      let slot = old[s]! >>> shift;
      while (table[slot * E + 1] !== 0) slot = (slot + 1) & mask;
      for (let i = 0; i < E; i++) table[slot * E + i] = old[s + i]!;
    }
    this.table = table;
    this.tableBits = bits;
  }
}
