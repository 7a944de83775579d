/**
 * Views: the objects guards, actions and properties read. A view reads and writes the unpacked slot buffer
 * directly through generated getters with constant offsets, so `context.pos` or `world.present[i]` in a
 * guard costs one typed-array load and no allocation. The same guard code runs unchanged under xstate's
 * own interpreter, where `context` is a plain object and `world` a plain object of numbers and arrays.
 */
import { Channel } from './channel.js';
import type { ArrayField, ChanField, FieldSpecs } from './fields.js';
import { CodeWriter, compileGenerated, note } from './generatedCode.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertIdentifier(name: string, what: string): void {
  if (!IDENT.test(name)) throw new TypeError(`${what} '${name}' is not a plain identifier`);
}

/**
 * A read or write of the world outside what the system declared: an undeclared field (a misspelling), an
 * array field replaced, an index outside an array, a value that is not an integer. The step that did it
 * is reported as a model assertion with its trace, as a write outside a field's domain is.
 */
export class WorldAccessError extends Error {
  override name = 'WorldAccessError';
}

/** A world write that is not an integer: booleans become 0/1, anything else is a model error. */
function toInt(field: string, v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new WorldAccessError(`world.${field} = ${shown(v)} is not an integer`);
}

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/**
 * The prototype behind every world view's own class: reached only by a name the class does not define,
 * so it costs declared fields nothing. A read or a write of any other name throws (in sloppy-mode code
 * too, where a non-extensible object would drop the write silently). Symbols and Object.prototype's
 * members (toString, hasOwnProperty ...) resolve as on any object; `then` reads undefined, so a view is
 * not mistaken for a promise.
 */
function sealedBase(declared: readonly string[]): object {
  const list = declared.join(', ');
  const known = (key: string | symbol): boolean => typeof key === 'symbol' || key in Object.prototype || key === 'then';
  return new Proxy(Object.create(Object.prototype) as object, {
    get(target, key, receiver) {
      if (known(key)) return Reflect.get(target, key, receiver);
      throw new WorldAccessError(`world.${String(key)} is not a declared world field (declared: ${list})`);
    },
    set(_target, key, value, receiver) {
      // The view's own slots (`$s`, `$flag`), set once by its constructor; declared names never start with `$`.
      if (typeof key === 'string' && key.startsWith('$')) {
        return Reflect.defineProperty(receiver as object, key, { value, writable: true, enumerable: false, configurable: false });
      }
      throw new WorldAccessError(`world.${String(key)} is not a declared world field (declared: ${list})`);
    },
    has(target, key) {
      return Reflect.has(target, key);
    },
  });
}

/** Replacing an array or channel field would leave the state's slots behind: say so. */
function replaced(field: string, v: unknown, channel = false): never {
  if (channel) throw new WorldAccessError(`world.${field} = ${shown(v)} replaces a channel field; use its send() and receive()`);
  throw new WorldAccessError(`world.${field} = ${shown(v)} replaces an array field; write its elements (world.${field}[i] = ...)`);
}

/**
 * `checked`: array fields are guarded windows that throw on an index outside the array (read or write)
 * and on a value that is not an integer in the element's domain. A Proxy per access is ~100x slower than
 * an Int32Array load, so the search's own stepper does not use them; the determinism probe does
 * (search/determinism.ts), on the states it re-runs.
 */
export type WorldViewFactory = (S: Int32Array, checked?: boolean) => Record<string, unknown>;

const INDEX = /^(0|[1-9][0-9]*|-[1-9][0-9]*|-0)$/;

/** A guarded window onto an array field's slots (see WorldViewFactory). */
function checkedArray(window: Int32Array, field: string, spec: ArrayField): Int32Array {
  const { min, max } = spec.element;
  const n = window.length;
  const index = (key: string | symbol): number | null => {
    if (typeof key !== 'string' || !INDEX.test(key)) return null;
    const i = Number(key);
    if (i < 0 || i >= n) throw new WorldAccessError(`world.${field}[${key}] is outside the array (indices 0..${n - 1})`);
    return i;
  };
  return new Proxy(window, {
    get(t, key) {
      const i = index(key);
      if (i !== null) return t[i];
      const v = Reflect.get(t, key, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
    set(t, key, v) {
      const i = index(key);
      if (i === null) throw new WorldAccessError(`world.${field}.${String(key)} = ${shown(v)}: an array field has only its elements`);
      const x = typeof v === 'boolean' ? Number(v) : v;
      if (typeof x !== 'number' || (x | 0) !== x) throw new WorldAccessError(`world.${field}[${i}] = ${shown(v)} is not an integer`);
      if (x < min || x > max) throw new WorldAccessError(`world.${field}[${i}] = ${x} is outside its domain ${min}..${max}`);
      t[i] = x;
      return true;
    },
  });
}

export type ContextViewFactory = (S: Int32Array, base: number) => Record<string, number>;

/**
 * A world view class: scalar fields as getter/setter pairs on the slot buffer, array fields as Int32Array
 * windows onto it. `offsets` gives each field's first slot.
 */
export function worldViewFactory(fields: FieldSpecs, offsets: ReadonlyMap<string, number>, system = 'unnamed'): WorldViewFactory {
  const ctor = new CodeWriter(2);
  const members = new CodeWriter(1);
  ctor.line('this.$s = S;');
  for (const [name, spec] of Object.entries(fields)) {
    assertIdentifier(name, 'world field');
    const o = offsets.get(name)!;
    members.blank();
    if (spec.kind === 'scalar') {
      members.line(`// world.${name}: slot ${o}, ${spec.min}..${spec.max}`);
      members.line(`get ${name}() { return this.$s[${o}]; }`);
      members.line(`set ${name}(v) { this.$s[${o}] = (v | 0) === v ? v : toInt(${JSON.stringify(name)}, v); }`);
    } else if (spec.kind === 'chan') {
      ctor.line(`this.$${name} = channel(${JSON.stringify(name)}, S, ${o}); // world.${name}: a channel from slot ${o}`);
      members.line(`// world.${name}: a channel (length in slot ${o}, then its messages)`);
      members.line(`get ${name}() { return this.$${name}; }`);
      members.line(`set ${name}(v) { replaced(${JSON.stringify(name)}, v, true); }`);
    } else {
      const last = o + spec.length - 1;
      ctor.line(
        `this.$${name} = arrays(${JSON.stringify(name)}, S.subarray(${o}, ${o + spec.length})); // world.${name}[0..${spec.length - 1}]: slots ${o}..${last}`,
      );
      members.line(`// world.${name}[0..${spec.length - 1}]: slots ${o}..${last}, each ${spec.element.min}..${spec.element.max}`);
      members.line(`get ${name}() { return this.$${name}; }`);
      members.line(`set ${name}(v) { replaced(${JSON.stringify(name)}, v); }`);
    }
  }
  // toJSON and the inspect hook show the fields (the getters live on the prototype, so spreading a view
  // or Object.keys() sees none of them: read fields by name).
  const names = Object.keys(fields).map((n) => JSON.stringify(n));
  const src = [
    `// The world view of system '${note(system)}' (checker/system/views.ts): a scalar field is a getter and setter on its slot of S,`,
    '// an array field a window onto its slots (checked or not, as arrays(name, window) makes it).',
    'return class World {',
    '  constructor(S) {',
    ctor.text(),
    '  }',
    members.text(),
    '',
    '  toJSON() {',
    '    const o = {};',
    `    for (const k of [${names.join(', ')}]) { const v = this[k]; o[k] = typeof v === 'number' ? v : Array.from(v); }`,
    '    return o;',
    '  }',
    "  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toJSON(); }",
    '};',
  ].join('\n');
  // A channel checks every operation itself (channel.ts), in the fast view as in the checked one.
  const channel = (name: string, S: Int32Array, o: number): Channel => new Channel(S, o, fields[name] as ChanField, name);
  const make = (arrays: (name: string, window: Int32Array) => Int32Array) =>
    compileGenerated<(...a: unknown[]) => new (S: Int32Array) => Record<string, unknown>>(system, 'world', ['toInt', 'replaced', 'arrays', 'channel'], src)(
      toInt,
      replaced,
      arrays,
      channel,
    );
  // The search's view: not extensible, so a write to an undeclared field throws in strict-mode code (ES
  // modules, so every .ts scenario file) at no cost to the declared ones. A Proxy in its prototype chain
  // would also catch reads and sloppy-mode writes, but costs the hot loop ~30% (measured on retry-ring).
  const Fast = make((_name, window) => window);
  // The checked view: a name the class does not define reaches the throwing base, read or written.
  const Checked = make((name, window) => checkedArray(window, name, fields[name] as ArrayField));
  Object.setPrototypeOf(Checked.prototype, sealedBase(Object.keys(fields)));
  return (S, checked) => (checked ? new Checked(S) : Object.preventExtensions(new Fast(S)));
}

/**
 * A context view class for one machine: read-only getters at `base + k`. Context changes only through
 * xstate `assign` actions, which the engine applies; writing a field directly throws.
 */
export function contextViewFactory(fieldNames: readonly string[], system = 'unnamed', what = 'context'): ContextViewFactory {
  const members = fieldNames.map((name, k) => {
    assertIdentifier(name, 'context field');
    return `  get ${name}() { return this.$s[this.$b + ${k}]; } // context.${name}: the actor's first context slot + ${k}`;
  });
  const names = fieldNames.map((n) => JSON.stringify(n));
  const src = [
    `// A context view of system '${note(system)}' (checker/system/views.ts): read-only getters at the actor's context slots, S[b + k].`,
    'return class Context {',
    '  constructor(S, b) { this.$s = S; this.$b = b; }',
    ...members,
    `  toJSON() { const o = {}; for (const k of [${names.join(', ')}]) o[k] = this[k]; return o; }`,
    "  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toJSON(); }",
    '};',
  ].join('\n');
  const Cls = compileGenerated<() => new (S: Int32Array, b: number) => Record<string, number>>(system, what, [], src)();
  return (S, base) => new Cls(S, base);
}
