/**
 * Views: the objects guards, actions and properties read. A view reads and writes the unpacked slot buffer
 * directly through generated getters with constant offsets, so `context.pos` or `world.present[i]` in a
 * guard costs one typed-array load and no allocation. The same guard code runs unchanged under xstate's
 * own interpreter, where `context` is a plain object and `world` a plain object of numbers and arrays.
 */
import type { FieldSpecs } from './fields.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertIdentifier(name: string, what: string): void {
  if (!IDENT.test(name)) throw new TypeError(`${what} '${name}' is not a plain identifier`);
}

/** A world write that is not an integer: booleans become 0/1, anything else is a model error. */
function toInt(field: string, v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Error(`world.${field} = ${String(v)} is not an integer`);
}

export type WorldViewFactory = (S: Int32Array) => Record<string, unknown>;
export type ContextViewFactory = (S: Int32Array, base: number) => Record<string, number>;

/**
 * A world view class: scalar fields as getter/setter pairs on the slot buffer, array fields as Int32Array
 * windows onto it. `offsets` gives each field's first slot.
 */
export function worldViewFactory(fields: FieldSpecs, offsets: ReadonlyMap<string, number>): WorldViewFactory {
  const ctor: string[] = ['this.$s = S;'];
  const members: string[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    assertIdentifier(name, 'world field');
    const o = offsets.get(name)!;
    if (spec.kind === 'scalar') {
      members.push(`get ${name}() { return this.$s[${o}]; }`, `set ${name}(v) { this.$s[${o}] = (v | 0) === v ? v : toInt(${JSON.stringify(name)}, v); }`);
    } else {
      ctor.push(`this.${name} = S.subarray(${o}, ${o + spec.length});`);
    }
  }
  // toJSON and the inspect hook show the fields (the getters live on the prototype, so spreading a view
  // or Object.keys() sees none of them: read fields by name).
  const names = Object.keys(fields).map((n) => JSON.stringify(n));
  const show = `toJSON() { const o = {}; for (const k of [${names.join(', ')}]) { const v = this[k]; o[k] = typeof v === 'number' ? v : Array.from(v); } return o; } [Symbol.for('nodejs.util.inspect.custom')]() { return this.toJSON(); }`;
  const src = `return class World { constructor(S) { ${ctor.join(' ')} } ${members.join('\n')} ${show} }`;
  const Cls = new Function('toInt', src)(toInt) as new (S: Int32Array) => Record<string, unknown>;
  return (S) => new Cls(S);
}

/**
 * A context view class for one machine: read-only getters at `base + k`. Context changes only through
 * xstate `assign` actions, which the engine applies; writing a field directly throws.
 */
export function contextViewFactory(fieldNames: readonly string[]): ContextViewFactory {
  const members = fieldNames.map((name, k) => {
    assertIdentifier(name, 'context field');
    return `get ${name}() { return this.$s[this.$b + ${k}]; }`;
  });
  const names = fieldNames.map((n) => JSON.stringify(n));
  const show = `toJSON() { const o = {}; for (const k of [${names.join(', ')}]) o[k] = this[k]; return o; } [Symbol.for('nodejs.util.inspect.custom')]() { return this.toJSON(); }`;
  const src = `return class Context { constructor(S, b) { this.$s = S; this.$b = b; } ${members.join('\n')} ${show} }`;
  const Cls = new Function(src)() as new (S: Int32Array, b: number) => Record<string, number>;
  return (S, base) => new Cls(S, base);
}
