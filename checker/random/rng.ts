/**
 * The one seeded generator every random choice goes through: xoshiro128** (D. Blackman and S. Vigna,
 * "Scrambled linear pseudorandom number generators", 2018), seeded by splitmix32. Its whole state is four
 * 32-bit words, so it can be saved and restored (`state()` / `Rng.from()`); the same seed always gives
 * the same sequence. No Math.random anywhere in checker/ or models/.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(s: readonly [number, number, number, number]) {
    [this.a, this.b, this.c, this.d] = s;
  }

  /** A generator seeded with a whole number (any value; 0 is fine). */
  static seeded(seed: number): Rng {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    return new Rng([next(), next(), next(), next() | 1]);
  }

  /** A generator continuing from a saved state. */
  static from(state: readonly [number, number, number, number]): Rng {
    return new Rng(state);
  }

  /**
   * Jumps ahead 2^64 draws (the jump polynomial of Blackman and Vigna's xoshiro128**): streams 0, 1, 2 ...
   * of one seed never overlap for 2^64 draws each, so independent jobs sampling one system draw disjoint
   * sequences.
   */
  jump(): this {
    let [a, b, c, d] = [0, 0, 0, 0];
    for (const word of JUMP) {
      for (let bit = 0; bit < 32; bit++) {
        if ((word >>> bit) & 1) {
          a ^= this.a;
          b ^= this.b;
          c ^= this.c;
          d ^= this.d;
        }
        this.next();
      }
    }
    [this.a, this.b, this.c, this.d] = [a >>> 0, b >>> 0, c >>> 0, d >>> 0];
    return this;
  }

  /** Stream `stream` of a seed: the seeded generator jumped ahead `stream` × 2^64 draws. */
  static stream(seed: number, stream: number): Rng {
    const rng = Rng.seeded(seed);
    for (let i = 0; i < stream; i++) rng.jump();
    return rng;
  }

  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  /** The next 32-bit unsigned value. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A whole number in [0, n), n >= 1, without modulo bias. */
  below(n: number): number {
    if (!(n >= 1 && n <= 0x100000000)) throw new RangeError(`Rng.below(${n})`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const v = this.next();
      if (v < limit) return v % n;
    }
  }
}

/** xoshiro128**'s jump polynomial (2^64 draws), from the authors' reference implementation. */
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
