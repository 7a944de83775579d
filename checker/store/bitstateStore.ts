/**
 * Bitstate hashing, "supertrace" (G. J. Holzmann, "An analysis of bitstate hashing", Formal Methods in
 * System Design 13(3), 1998): the visited set is an array of m = 2^bits bits, and a state is taken as
 * visited when all k of its bit positions are set. No state, no fingerprint, only k bits per state: the
 * search reaches state spaces far beyond memory, at the price of states it wrongly takes as visited and
 * never explores. It can find violations (each is a real path, replayable); it never proves anything.
 *
 * The k positions come from two 32-bit hashes by double hashing, g_i = h1 + i·h2 mod m (A. Kirsch and
 * M. Mitzenmacher, "Less hashing, same performance: building a better Bloom filter", ESA 2006), with h2
 * odd so the k positions differ. Breadth-first search still needs the states it has to expand, and a
 * trace the parents and steps: those are kept as in hash compaction (CompactStore, 8 bytes a state plus
 * the window of states still to expand), so only the visited set itself shrinks to bits.
 */
import { CompactStore } from './compactStore.js';
import { hashWords } from './stateStore.js';

const SEED_A = 0x9747b28c;
const SEED_B = 0x5bd1e995;

export interface BitstateOptions {
  /** log2 of the bits of the array (SPIN's -w): 2^bits bits. */
  readonly bits: number;
  /** Bit positions per state (SPIN's -k). */
  readonly hashes: number;
}

export const DEFAULT_BITSTATE: BitstateOptions = { bits: 27, hashes: 3 };
export const BITSTATE_BITS = { min: 10, max: 32 } as const;
export const BITSTATE_HASHES = { min: 1, max: 16 } as const;

/** The coverage estimate of a bitstate run: SPIN's hash factor, and the states expected to be missed. */
export interface BitstateCoverage {
  readonly bits: number;
  readonly hashes: number;
  /** Bits per stored state, m / n (SPIN: above 100, few states are missed; near 1, most are). */
  readonly hashFactor: number;
  /** Expected number of reached states taken wrongly as visited, so never explored. */
  readonly expectedOmissions: number;
}

/**
 * Expected omissions when n states are inserted into m bits with k hashes: the i-th new state is lost
 * when its k bits are all set already, with probability about (1 - e^(-k·i/m))^k; summed over i (by the
 * trapezoid rule over at most 1,024 intervals: the terms grow smoothly).
 */
export function expectedOmissions(n: number, m: number, k: number): number {
  if (n <= 1) return 0;
  const p = (i: number): number => (1 - Math.exp((-k * i) / m)) ** k;
  const steps = Math.min(1024, n - 1);
  const h = (n - 1) / steps;
  let sum = (p(0) + p(n - 1)) / 2;
  for (let j = 1; j < steps; j++) sum += p(j * h);
  return sum * h;
}

export function bitstateCoverage(n: number, o: BitstateOptions): BitstateCoverage {
  const m = 2 ** o.bits;
  return { bits: o.bits, hashes: o.hashes, hashFactor: m / Math.max(1, n), expectedOmissions: expectedOmissions(n, m, o.hashes) };
}

export class BitstateStore extends CompactStore {
  private readonly array: Uint32Array;
  private readonly mask: number;

  constructor(
    words: number,
    readonly options: BitstateOptions = DEFAULT_BITSTATE,
  ) {
    // The fingerprint table of the parent class is not used: 2 slots.
    super(words, 1);
    this.array = new Uint32Array(2 ** Math.max(0, options.bits - 5));
    this.mask = (2 ** options.bits - 1) | 0;
  }

  override get bytes(): number {
    return this.array.length * 4 + this.recordBytes();
  }

  /** Stores the state unless all its k bits are set (then -1: taken as visited, rightly or not). */
  override findOrInsert(vec: Uint32Array, o: number, parent: number, step: number): number {
    const n = this.words;
    const h1 = hashWords(vec, o, n, SEED_A);
    const h2 = (hashWords(vec, o, n, SEED_B) | 1) >>> 0;
    const mask = this.mask;
    let fresh = false;
    for (let i = 0; i < this.options.hashes; i++) {
      const bit = ((h1 + Math.imul(i, h2)) & mask) >>> 0;
      const b = 1 << (bit & 31);
      if (!(this.array[bit >>> 5]! & b)) {
        fresh = true;
        this.array[bit >>> 5]! |= b;
      }
    }
    return fresh ? this.append(vec, o, parent, step) : -1;
  }

  override lookup(): number {
    throw new Error('internal: a bitstate store keeps no index of its states (progress needs --store exact or compact)');
  }
}
