/**
 * A shadow world: a private copy of some world fields, for dry runs. A guard that must know what an
 * operation will return (fault_in_*() leaves units not faulted in, GUP pins n pages or would sleep) loads
 * the shadow from the real world and runs the same effect function on it: one code path for the effect and
 * for its prediction, so they cannot disagree, and no allocation (the shadow is built once).
 *
 * Dry runs do not nest: an effect function never calls a `...Result` function.
 */
import type { FieldSpecs } from '../../checker/index.js';

export class Shadow<W = Record<string, unknown>> {
  /** The shadow world; its arrays are Int32Arrays, its scalars plain numbers, like the engine's view. */
  readonly world: W;
  private readonly scalars: readonly string[];
  private readonly arrays: readonly string[];

  constructor(fields: FieldSpecs) {
    const world: Record<string, unknown> = {};
    const scalars: string[] = [];
    const arrays: string[] = [];
    for (const [name, f] of Object.entries(fields)) {
      if (f.kind === 'scalar') {
        world[name] = f.init;
        scalars.push(name);
      } else if (f.kind === 'array') {
        world[name] = Int32Array.from(f.init);
        arrays.push(name);
      }
      // The kernel world has no channel fields; a shadow leaves any out (reading one is undefined).
    }
    this.world = world as W;
    this.scalars = scalars;
    this.arrays = arrays;
  }

  /** Copies the shadowed fields from `w` (an engine view or a plain object) and returns the shadow world. */
  load(w: object): W {
    const src = w as Record<string, unknown>;
    const dst = this.world as Record<string, unknown>;
    const scalars = this.scalars;
    for (let i = 0; i < scalars.length; i++) {
      const k = scalars[i]!;
      dst[k] = src[k];
    }
    const arrays = this.arrays;
    for (let i = 0; i < arrays.length; i++) {
      const k = arrays[i]!;
      const s = src[k] as ArrayLike<number>;
      const d = dst[k] as Int32Array;
      for (let j = 0; j < d.length; j++) d[j] = s[j]!;
    }
    return this.world;
  }
}
