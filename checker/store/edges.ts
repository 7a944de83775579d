/**
 * The explored graph, kept for liveness checking: for every expanded state, its outgoing edges in the
 * order they were generated. Per edge: the target state, the acting actor, and one bit per progress
 * property saying whether the step counts as progress for it. Per state: which actors were enabled
 * (bit a set when actor a had at least one enabled step) and, per progress property, whether the state is
 * "in flight". Step ids are not stored: the few edges of a counterexample are re-derived by re-executing
 * the source state's steps (6 bytes per edge instead of 10).
 *
 * Layout: CSR. `first[s]` is the index of state s's first edge and `count[s]` how many it has; edges of
 * one state are contiguous because a state's edges are recorded while it is expanded.
 */

/** A typed array that doubles when full; states may be written out of index order (dfs expands so). */
class Growable<A extends Uint32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: A,
    private readonly make: (n: number) => A,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = v;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) this.reserve(i + 1);
    this.data[i] = v;
    if (i >= this.length) this.length = i + 1;
  }
  /** Bytes a push of `more` values would allocate. */
  growthBytes(more: number): number {
    let size = this.data.length;
    if (this.length + more <= size) return 0;
    while (size < this.length + more) size *= 2;
    return size * this.data.BYTES_PER_ELEMENT;
  }
  private reserve(n: number): void {
    let size = this.data.length;
    while (size < n) size *= 2;
    const bigger = this.make(size);
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }
}

const INITIAL = 1 << 16;
const u32 = (): Growable<Uint32Array> => new Growable(new Uint32Array(INITIAL), (n) => new Uint32Array(n));
const u8 = (): Growable<Uint8Array> => new Growable(new Uint8Array(INITIAL), (n) => new Uint8Array(n));

export class EdgeStore {
  private readonly targets = u32();
  private readonly actors = u8();
  private readonly progressBits = u8();
  private readonly firstEdge = u32();
  private readonly edgeCount = u32();
  private readonly enabledMask = u32();
  private readonly inFlightBits = u8();

  /** Starts the edge list of state `s`. */
  begin(s: number, inFlight: number): void {
    this.firstEdge.set(s, this.targets.length);
    this.inFlightBits.set(s, inFlight);
  }

  add(target: number, actor: number, progress: number): void {
    this.targets.push(target);
    this.actors.push(actor);
    this.progressBits.push(progress);
  }

  end(s: number, enabled: number): void {
    this.edgeCount.set(s, this.targets.length - this.firstEdge.data[s]!);
    this.enabledMask.set(s, enabled);
  }

  get states(): number {
    return this.firstEdge.length;
  }
  get edges(): number {
    return this.targets.length;
  }
  get bytes(): number {
    return (
      this.targets.data.byteLength +
      this.actors.data.byteLength +
      this.progressBits.data.byteLength +
      this.firstEdge.data.byteLength +
      this.edgeCount.data.byteLength +
      this.enabledMask.data.byteLength +
      this.inFlightBits.data.byteLength
    );
  }

  /** Bytes the arrays would allocate while `states` more states and `edges` more edges are recorded (for a memory bound). */
  growthBytes(states: number, edges: number): number {
    const perEdge = [this.targets, this.actors, this.progressBits].reduce((sum, g) => sum + g.growthBytes(edges), 0);
    return [this.firstEdge, this.edgeCount, this.enabledMask, this.inFlightBits].reduce((sum, g) => sum + g.growthBytes(states), perEdge);
  }

  /** The raw arrays, for the liveness analysis's inner loops (valid until the next add). */
  raw(): {
    targets: Uint32Array;
    actors: Uint8Array;
    progress: Uint8Array;
    first: Uint32Array;
    count: Uint32Array;
    enabled: Uint32Array;
    inFlight: Uint8Array;
  } {
    return {
      targets: this.targets.data,
      actors: this.actors.data,
      progress: this.progressBits.data,
      first: this.firstEdge.data,
      count: this.edgeCount.data,
      enabled: this.enabledMask.data,
      inFlight: this.inFlightBits.data,
    };
  }

  first(s: number): number {
    return this.firstEdge.data[s]!;
  }
  count(s: number): number {
    return this.edgeCount.data[s]!;
  }
  target(e: number): number {
    return this.targets.data[e]!;
  }
  actor(e: number): number {
    return this.actors.data[e]!;
  }
  enabled(s: number): number {
    return this.enabledMask.data[s]!;
  }
}
