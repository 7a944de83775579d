/**
 * Views: the objects guards, actions and properties read. A view reads and writes the unpacked slot buffer
 * through generated getters with constant offsets, so `context.pos` in a guard costs one typed-array load
 * and no allocation, and `world.present[i]` one array load (see WorldControl). The same guard code runs unchanged under xstate's
 * own interpreter, where `context` is a plain object and `world` a plain object of numbers and arrays.
 */
import { Channel } from './channel.js';
import type { ArrayField, ChanField, FieldSpecs } from './fields.js';
import { CodeWriter, compileGenerated, note } from './generatedCode.js';
import type { Layout } from './layout.js';

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
  throw new WorldAccessError(`world.${field} = ${shown(v)} ${notStorable(v)}`);
}

/** Why a number is not a slot value: not an integer at all, or an integer a 32-bit slot cannot hold. */
const notStorable = (v: unknown): string => (Number.isInteger(v) ? 'is outside the 32-bit range a state slot holds (-2^31..2^31-1)' : 'is not an integer');

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/**
 * The prototype behind every world view's own class: reached only by a name the class does not define,
 * so it costs declared fields nothing. A read or a write of any other name throws (in sloppy-mode code
 * too, where a non-extensible object would drop the write silently). Symbols and Object.prototype's
 * members (toString, hasOwnProperty ...) resolve as on any object; `then` reads undefined, so a view is
 * not mistaken for a promise.
 */
function sealedBase(declared: readonly string[], what = 'world', kind = 'world field'): object {
  const list = declared.join(', ');
  const undeclared = (key: string | symbol): WorldAccessError =>
    new WorldAccessError(`${what}.${String(key)} is not a declared ${kind} (declared: ${list === '' ? 'none' : list})`);
  const known = (key: string | symbol): boolean => typeof key === 'symbol' || key in Object.prototype || key === 'then';
  return new Proxy(Object.create(Object.prototype) as object, {
    get(target, key, receiver) {
      if (known(key)) return Reflect.get(target, key, receiver);
      throw undeclared(key);
    },
    set(_target, key, value, receiver) {
      // The view's own slots (`$s`, `$flag`), set once by its constructor; declared names never start with `$`.
      if (typeof key === 'string' && key.startsWith('$')) {
        return Reflect.defineProperty(receiver as object, key, { value, writable: true, enumerable: false, configurable: false });
      }
      throw undeclared(key);
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

/** "world.x = 1 is written by guard [go] of actor P0, event step: ..." - a write from code that may only read the world. */
function writtenOutside(what: string, role: string): WorldAccessError {
  const who = role === '' ? 'outside an action' : `by ${role}`;
  return new WorldAccessError(`${what} is written ${who}: guards, assign and choices functions and properties only read the world; write it in an action`);
}

/** A scalar write through the reading view. */
function readOnly(field: string, v: unknown, role: string): never {
  throw writtenOutside(`world.${field} = ${shown(v)}`, role);
}

/**
 * An array of the reading view no longer holds what was filled into it (`f`): code that may only read the
 * world wrote it. Puts the array back and returns the error naming the first element written.
 */
function arrayWritten(field: string, a: unknown[], f: Slots, role: string): WorldAccessError {
  const n = f.length;
  let what = `world.${field}.length = ${a.length}`;
  if (a.length === n) {
    const i = a.findIndex((v, k) => v !== f[k]);
    what = `world.${field}[${i}] = ${shown(a[i])}`;
  }
  a.length = n;
  for (let i = 0; i < n; i++) a[i] = f[i]!;
  return writtenOutside(what, role);
}

/** Why an element an action wrote cannot be stored: throws; a boolean is stored as 0/1. */
function badElement(field: string, i: number, v: unknown, min: number, max: number): number {
  const x = typeof v === 'boolean' ? Number(v) : v;
  if (typeof x !== 'number' || (x | 0) !== x) throw new WorldAccessError(`world.${field}[${i}] = ${shown(v)} ${notStorable(x)}`);
  if (x < min || x > max) throw new WorldAccessError(`world.${field}[${i}] = ${x} is outside its domain ${min}..${max}`);
  return x;
}

function lengthChanged(field: string, a: unknown[], n: number): never {
  throw new WorldAccessError(`world.${field}.length = ${a.length}: an array field keeps its length ${n}`);
}

/** Keys that denote an array index, in range or not: integers, negative, fractional, NaN, the infinities. */
const INDEXLIKE = /^(-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?|-?Infinity|NaN|undefined|null)$/;

/**
 * What an array field's elements inherit: Array.prototype's members, then a Proxy that throws for any index
 * (an index inside the array is an own element and never reaches it). So `a[i]` inside the array is an
 * ordinary array load, a read or write outside it throws, and array methods work as on any array.
 */
function arrayPrototype(field: string, length: number): object {
  const outside = (key: string | symbol): boolean => typeof key === 'string' && INDEXLIKE.test(key);
  const where = `world.${field}`;
  const range = `(indices 0..${length - 1})`;
  const guard = new Proxy(Object.create(Object.prototype) as object, {
    get(target, key, receiver) {
      if (outside(key)) throw new WorldAccessError(`${where}[${String(key)}] is outside the array ${range}`);
      return Reflect.get(target, key, receiver);
    },
    set(_target, key, v) {
      if (outside(key)) throw new WorldAccessError(`${where}[${String(key)}] is outside the array ${range}`);
      throw new WorldAccessError(`${where}.${String(key)} = ${shown(v)}: an array field has only its elements`);
    },
  });
  const proto = Object.create(guard) as object;
  for (const key of Reflect.ownKeys(Array.prototype)) Object.defineProperty(proto, key, Object.getOwnPropertyDescriptor(Array.prototype, key)!);
  return proto;
}

/**
 * The checked reading view's face of an array: a write to it throws at once, naming the function that
 * runs (`$role`); reads go to the array (outside it, its prototype throws).
 */
function readOnlyFace(view: { $role: string }, field: string, a: number[]): number[] {
  return new Proxy(a, {
    set(_t, key, v) {
      throw writtenOutside(`world.${field}[${String(key)}] = ${shown(v)}`, view.$role);
    },
    deleteProperty(_t, key) {
      throw writtenOutside(`delete world.${field}[${String(key)}]`, view.$role);
    },
    defineProperty(_t, key) {
      throw writtenOutside(`world.${field}[${String(key)}]`, view.$role);
    },
  });
}

/**
 * The unpacked slot buffer S as a view sees it. Write new code against this alias (or `layout.buffer()`'s
 * type), not against Int32Array.
 */
type Slots = ReturnType<Layout['buffer']>;

/**
 * A world view over the slot buffer S, generated per system by `worldViewFactory`. Every view comes as a
 * pair sharing S:
 *
 * - the **reading view** (`Stepper.world`), which guards, choices functions, assign functions and
 *   properties get. Scalar fields are getters on S; a scalar write throws. Array fields are plain arrays
 *   with the guarded prototype (`arrayPrototype`), filled from S when read. A fill first compares the array
 *   with what was last filled into it (`$f<k>`): a difference is a write from code that may only read,
 *   reported (`arrayWritten`), never kept, never dropped silently. A fill stores only the elements that
 *   differ, because V8 stores into an array with a Proxy on its prototype chain through its slow path
 *   (~6 ns a store instead of ~0.5; loads are not affected).
 *   When an array is current: outside the generated expand function every read fills (compares) again;
 *   inside it (`$hold` ... `$release`, codegen.ts) S holds still between the points where the expand
 *   function changes it and says so (`$renew`), so an array is filled at most once per such stretch.
 *   The stepper's own reading view (`cached`) fills nothing for an array whose contents fit in CACHE_BITS:
 *   a read returns the frozen array for S's contents (`frozen`, one per content, shared by every view of
 *   the system), which a write throws on at the write (strict-mode code; sloppy code has it dropped, never
 *   kept), so it has nothing to verify either (`$verifies` counts the arrays that do).
 * - the **writing view** (`$writer`), which a transition's effect actions get. Scalar fields are getter
 *   and setter pairs on S (a value that is not an integer throws). An array field is copied from S on its
 *   first read within the transition; when the effects are done (`$flush`) only the copied arrays are
 *   written back, each changed element checked: an integer (a boolean as 0/1) inside the element's domain;
 *   a length change is an index outside the array. The reading view's copy of a written array is no longer
 *   current, and `$x` says that S's arrays changed.
 */
export interface WorldControl {
  /** The writing view of a reading view (itself for a view from elsewhere, see `writerOf`). */
  readonly $writer: WorldControl;
  /** The function running now, for the checked view's messages ("guard [pagePresent] of actor P0, event copy"). */
  $role: string;
  /** Reading view: the expand function holds S still until `$renew` or `$release`. */
  $hold(): void;
  /** Reading view: S changed under the view; arrays fill again on their next read. */
  $renew(): void;
  $release(): void;
  /** Reading view: the first array written since it was filled (current ones only), put back, as an error; or null. */
  $verify(): WorldAccessError | null;
  /** Reading view: the same for every array, current or not. */
  $check(): WorldAccessError | null;
  /** Writing view: the arrays the effects read go back to S, checked (throws WorldAccessError). */
  $flush(): void;
  /** Writing view: forget the arrays copied since the last flush (an effect threw). */
  $drop(): void;
  /** Writing view: 1 once a flush changed an array of S (the expand function clears it). */
  $x: number;
  /** Reading view: how many of its arrays model code could write unnoticed until `$verify` (0: none to verify). */
  readonly $verifies: number;
}

/** A view of the world; its fields are the declared ones (see WorldControl). */
export type WorldView = Record<string, unknown>;

/**
 * Every view's prototype chain ends in the sealed base (an undeclared field, read or written, throws).
 * `checked`: an array written by code that may only read throws at the write, naming the function (`$role`):
 * slower, for re-running steps off the hot path. `standalone`: the writing view, for a world
 * used on its own outside the engine (tests, tools): what is written reads back; arrays reach S on
 * `flushWorld`. `cached`: the stepper's reading view, small arrays content-cached and frozen (WorldControl).
 */
export type WorldViewFactory = (S: Slots, checked?: boolean, standalone?: boolean, cached?: boolean) => WorldView;

/** The engine's handle on a view; a view made elsewhere (a recording world) is its own writer and has nothing to flush. */
export function worldControl(view: WorldView): WorldControl | null {
  return '$writer' in view ? (view as unknown as WorldControl) : null;
}

/** Writes what a standalone view's arrays hold back to its slot buffer, checked (throws WorldAccessError). */
export function flushWorld(view: WorldView): void {
  (view as unknown as WorldControl).$flush();
}

/** Unrolled up to this many elements; a loop past it. */
const UNROLL = 32;

/**
 * An array field whose contents fit in this many bits (length x element width) is content-cached in the
 * stepper's reading view: one frozen array per content, built once and shared by every view of the system.
 */
const CACHE_BITS = 12;

/** The bits an array field's contents take: length x the element's width (0 for a constant element). */
function contentBits(spec: ArrayField): number {
  const range = spec.element.max - spec.element.min;
  return spec.length * (range === 0 ? 0 : 32 - Math.clz32(range));
}

/**
 * The world view classes of a system (see WorldControl): scalar fields as getters (and, writing, setters)
 * on the slot buffer, array fields as checked plain arrays, channels as Channel objects. `offsets` gives
 * each field's first slot.
 */
export function worldViewFactory(fields: FieldSpecs, offsets: ReadonlyMap<string, number>, system = 'unnamed'): WorldViewFactory {
  const entries = Object.entries(fields);
  const arrays = entries.filter((e): e is [string, ArrayField] => e[1].kind === 'array');
  const cachable = arrays.map(([, spec]) => contentBits(spec) <= CACHE_BITS);
  const source = (cached: boolean): string => {
    const rCtor = new CodeWriter(2);
    const wCtor = new CodeWriter(2);
    const rMembers = new CodeWriter(1);
    const wMembers = new CodeWriter(1);
    const renew = new CodeWriter(2);
    const verify = new CodeWriter(2);
    const checkAll = new CodeWriter(2);
    const flush = new CodeWriter(2);
    const drop = new CodeWriter(2);
    for (const c of [rCtor, wCtor]) c.line('this.$s = S;');
    rCtor.line("this.$role = ''; // the function running now (checked views name it)");
    rCtor.line('this.$held = 0; // 1 while the expand function holds S still');
    const verifies = cached ? cachable.filter((c) => !c).length : arrays.length;
    rCtor.line(`this.$verifies = ${verifies}; // arrays model code could write unnoticed until $verify (the others are frozen)`);
    wCtor.line('this.$r = r; // its reading view');
    wCtor.line("this.$role = '';");
    wCtor.line('this.$writer = this;');
    wCtor.line('this.$x = 0; // 1 once a flush changed an array of S');
    for (const [name, spec] of entries) {
      assertIdentifier(name, 'world field');
      const o = offsets.get(name)!;
      const q = JSON.stringify(name);
      rMembers.blank();
      wMembers.blank();
      if (spec.kind === 'scalar') {
        const comment = `// world.${name}: slot ${o}, ${spec.min}..${spec.max}`;
        rMembers.line(comment);
        rMembers.line(`get ${name}() { return this.$s[${o}]; }`);
        rMembers.line(`set ${name}(v) { readOnly(${q}, v, this.$role); }`);
        wMembers.line(comment);
        wMembers.line(`get ${name}() { return this.$s[${o}]; }`);
        wMembers.line(`set ${name}(v) { this.$s[${o}] = (v | 0) === v ? v : toInt(${q}, v); }`);
        continue;
      }
      if (spec.kind === 'chan') {
        // A channel checks every operation itself (channel.ts); both views share one.
        rCtor.line(`this.$${name} = channel(${q}, S, ${o}); // world.${name}: a channel from slot ${o}`);
        wCtor.line(`this.$${name} = r.$${name};`);
        for (const m of [rMembers, wMembers]) {
          m.line(`// world.${name}: a channel (length in slot ${o}, then its messages)`);
          m.line(`get ${name}() { return this.$${name}; }`);
          m.line(`set ${name}(v) { replaced(${q}, v, true); }`);
        }
        continue;
      }
      const k = arrays.findIndex(([n]) => n === name);
      const n = spec.length;
      const { min, max } = spec.element;
      const head = `// world.${name}[0..${n - 1}]: slots ${o}..${o + n - 1}, each ${min}..${max}`;
      const same = n <= UNROLL ? `a.length === ${n} && ${Array.from({ length: n }, (_, i) => `a[${i}] === f[${i}]`).join(' && ')}` : `same(a, f)`;
      // The reading view.
      if (cached && cachable[k]) {
        // Content-cached: the frozen array for S's contents (a write to it throws in strict-mode code).
        const w = 32 - Math.clz32(max - min);
        const terms = Array.from({ length: n }, (_, i) => (w === 0 ? '0' : `(${min === 0 ? `S[${o + i}]` : `(S[${o + i}] - ${min})`} << ${i * w})`));
        rCtor.line(`this.$a${k} = null; // world.${name}: the frozen array of S's contents (only while held)`);
        rCtor.line(`this.$c${k} = 0; // 1: it holds S's slots (only while held)`);
        rMembers.line(`${head}; one frozen array per content`);
        rMembers.line(`get ${name}() { return this.$c${k} === 1 ? this.$a${k} : this.$fill${k}(); }`);
        rMembers.line(`set ${name}(v) { replaced(${q}, v); }`);
        rMembers.open(`$fill${k}() { // the contents' key: element i at bit ${w} * i`);
        rMembers.line('const S = this.$s;');
        rMembers.line(`const key = ${terms.join(' | ')};`);
        rMembers.line(`const a = C${k}[key] ?? frozen(${k}, key, S, ${o});`);
        rMembers.line(`this.$a${k} = a;`);
        rMembers.line(`this.$c${k} = this.$held;`);
        rMembers.line('return a;');
        rMembers.close();
        renew.line(`this.$c${k} = 0;`);
      } else {
        rCtor.line(`this.$a${k} = array(${k}); // world.${name}`);
        rCtor.line(`this.$f${k} = new Int32Array(${n}); // what was last filled into it (the array starts as zeros too)`);
        rCtor.line(`this.$c${k} = 0; // 1: it holds S's slots (only while held)`);
        rCtor.line(`this.$face${k} = face(this, ${q}, this.$a${k}); // what a read returns`);
        rMembers.line(head);
        rMembers.line(`get ${name}() { if (this.$c${k} === 0) this.$fill${k}(); return this.$face${k}; }`);
        rMembers.line(`set ${name}(v) { replaced(${q}, v); }`);
        rMembers.open(`$fill${k}() { // world.${name} from S, storing only what differs; a write since the last fill is reported`);
        rMembers.line(`const a = this.$a${k}, f = this.$f${k}, S = this.$s;`);
        rMembers.line(`if (!(${same})) throw arrayWritten(${q}, a, f, this.$role);`);
        if (n <= UNROLL) {
          rMembers.line('let v = 0;');
          for (let i = 0; i < n; i++) rMembers.line(`v = S[${o + i}]; if (v !== f[${i}]) a[${i}] = f[${i}] = v;`);
        } else {
          rMembers.line(`for (let i = 0; i < ${n}; i++) { const v = S[${o} + i]; if (v !== f[i]) a[i] = f[i] = v; }`);
        }
        rMembers.line(`this.$c${k} = this.$held;`);
        rMembers.close();
        renew.line(`this.$c${k} = 0;`);
        verify.line(`if (this.$c${k} === 1) { const a = this.$a${k}, f = this.$f${k}; if (!(${same})) return arrayWritten(${q}, a, f, this.$role); }`);
        checkAll.line(`{ const a = this.$a${k}, f = this.$f${k}; if (!(${same})) return arrayWritten(${q}, a, f, this.$role); }`);
      }
      // The writing view.
      wCtor.line(`this.$a${k} = array(${k}); // world.${name}`);
      wCtor.line(`this.$g${k} = new Int32Array(${n}); // what S held when it was copied`);
      wCtor.line(`this.$d${k} = 0; // 1: copied since the last flush`);
      wMembers.line(head);
      wMembers.line(`get ${name}() { if (this.$d${k} === 0) this.$copy${k}(); return this.$a${k}; }`);
      wMembers.line(`set ${name}(v) { replaced(${q}, v); }`);
      wMembers.open(`$copy${k}() { // world.${name} from S, storing only what differs`);
      wMembers.line(`if (this.$a${k}.length !== ${n}) this.$a${k} = array(${k}); // shortened by an effect that was reported`);
      wMembers.line(`const a = this.$a${k}, g = this.$g${k}, S = this.$s;`);
      if (n <= UNROLL) {
        wMembers.line('let v = 0;');
        for (let i = 0; i < n; i++) wMembers.line(`v = S[${o + i}]; if (a[${i}] !== v) a[${i}] = v; g[${i}] = v;`);
      } else {
        wMembers.line(`for (let i = 0; i < ${n}; i++) { const v = S[${o} + i]; if (a[i] !== v) a[i] = v; g[i] = v; }`);
      }
      wMembers.line(`this.$d${k} = 1;`);
      wMembers.close();
      const store = (i: string, slot: string): string =>
        `v = a[${i}]; if (v !== g[${i}]) { if ((v | 0) !== v || v < ${min} || v > ${max}) v = badElement(${q}, ${i}, v, ${min}, ${max}); S[${slot}] = v; w = 1; }`;
      flush.open(`if (this.$d${k} !== 0) { // world.${name}`);
      flush.line(`this.$d${k} = 0;`);
      flush.line(`const a = this.$a${k}, g = this.$g${k};`);
      flush.line(`if (a.length !== ${n}) lengthChanged(${q}, a, ${n});`);
      flush.line('let w = 0;');
      if (n <= UNROLL) for (let i = 0; i < n; i++) flush.line(store(String(i), String(o + i)));
      else flush.line(`for (let i = 0; i < ${n}; i++) { ${store('i', `${o} + i`)} }`);
      flush.line(`if (w !== 0) { this.$r.$c${k} = 0; this.$x = 1; }`);
      flush.close();
      drop.line(`this.$d${k} = 0;`);
    }
    rCtor.line('this.$writer = new Writer(S, this); // the writing view over the same S');
    // toJSON and the inspect hook show the fields (the getters live on the prototype, so spreading a view
    // or Object.keys() sees none of them: read fields by name).
    const names = entries.map(([n]) => JSON.stringify(n));
    const shared = [
      '  toJSON() {',
      '    const o = {};',
      `    for (const k of [${names.join(', ')}]) { const v = this[k]; o[k] = typeof v === 'number' ? v : Array.from(v); }`,
      '    return o;',
      '  }',
      "  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toJSON(); }",
    ];
    return [
      `// The world views of system '${note(system)}' (checker/system/views.ts WorldControl).`,
      ...arrays.flatMap(([name], k) => (cached && cachable[k] ? [`const C${k} = caches[${k}]; // world.${name}: frozen arrays by content`] : [])),
      '// Writer: what effect actions get. Scalars are getters and setters on S; an array is copied from S on its first read',
      "// and written back, each changed element checked, by $flush() when the transition's effects are done.",
      'class Writer {',
      '  constructor(S, r) {',
      wCtor.text(),
      '  }',
      wMembers.text(),
      '',
      '  $flush() {',
      '    const S = this.$s;',
      '    let v = 0;',
      flush.text(),
      '  }',
      '  $drop() {',
      drop.text(),
      '  }',
      ...shared,
      '}',
      '',
      '// Reader: what guards, choices and assign functions and properties get. A scalar write throws; an array is filled',
      '// from S when read (only what differs is stored), and a write into it is found at the next fill or $verify().',
      'class Reader {',
      '  constructor(S) {',
      rCtor.text(),
      '  }',
      rMembers.text(),
      '',
      // Every $c is 0 when not held ($release renewed, and a fill then caches nothing): holding renews nothing.
      '  $hold() { this.$held = 1; }',
      '  $release() { this.$held = 0; this.$renew(); }',
      '  $renew() {',
      renew.text(),
      '  }',
      '  $verify() {',
      verify.text(),
      '    return null;',
      '  }',
      '  $check() {',
      checkAll.text(),
      '    return null;',
      '  }',
      ...shared,
      '}',
      'return [Reader, Writer];',
    ].join('\n');
  };
  const channel = (name: string, S: Slots, o: number): Channel => new Channel(S, o, fields[name] as ChanField, name);
  const protos = arrays.map(([name, spec]) => arrayPrototype(name, spec.length));
  const array = (k: number): number[] =>
    Object.setPrototypeOf(
      Array.from({ length: arrays[k]![1].length }, () => 0),
      protos[k]!,
    ) as number[];
  const same = (a: unknown[], f: Slots): boolean => a.length === f.length && a.every((x, i) => x === f[i]);
  // The content caches, shared by every cached view of the system: frozen arrays never change.
  const caches = arrays.map(([, spec], k) => (cachable[k] ? new Array<number[] | undefined>(2 ** contentBits(spec)).fill(undefined) : []));
  const frozen = (k: number, key: number, S: Slots, o: number): number[] => {
    const a = array(k);
    for (let i = 0; i < a.length; i++) a[i] = S[o + i]!;
    caches[k]![key] = Object.freeze(a) as number[];
    return a;
  };
  type ViewClass = new (S: Slots, r?: unknown) => WorldView;
  const params = ['toInt', 'replaced', 'readOnly', 'array', 'channel', 'badElement', 'lengthChanged', 'arrayWritten', 'same', 'face', 'caches', 'frozen'];
  const make = (face: (view: { $role: string }, field: string, a: number[]) => number[], cached = false) =>
    compileGenerated<(...a: unknown[]) => [ViewClass, ViewClass]>(system, 'world', params, source(cached))(
      toInt,
      replaced,
      readOnly,
      array,
      channel,
      badElement,
      lengthChanged,
      arrayWritten,
      same,
      face,
      caches,
      frozen,
    );
  // The search's views end in the sealed base too, so a read or write of an undeclared field throws on every
  // step (the declared ones are found on the class before it): +2.5% on retry-ring 3,5,3,2,2, 24 interleaved
  // rounds on a quiet machine (2026-12-05, BENCHMARKS.md; an earlier build of it measured +12% under load).
  const [FastReader, FastWriter] = make((_view, _field, a) => a);
  // The stepper's own view in the search: small arrays content-cached and frozen, so guards never meet an
  // array filled from S, nothing is filled per successor, and nothing needs verifying afterwards.
  const [CachedReader, CachedWriter] = make((_view, _field, a) => a, true);
  // The checked views: an array written through the reading view throws at the write, naming the function.
  const [CheckedReader, CheckedWriter] = make(readOnlyFace);
  // Every view: a name the classes do not define reaches the throwing base, read or written.
  for (const C of [FastReader, FastWriter, CachedReader, CachedWriter, CheckedReader, CheckedWriter]) {
    Object.setPrototypeOf(C.prototype, sealedBase(Object.keys(fields)));
  }
  return (S, checked, standalone, cached) => {
    const r = checked ? new CheckedReader(S) : cached && !standalone ? new CachedReader(S) : new FastReader(S);
    const w = r.$writer as WorldView;
    // The sealed base lets a `$` name through to the view itself (its own slots, set by the constructor):
    // not extensible, a model cannot add one afterwards.
    if (!checked) {
      Object.preventExtensions(r);
      Object.preventExtensions(w);
    }
    return standalone ? w : r;
  };
}

export type ContextViewFactory = (S: Slots, base: number) => Record<string, number>;

/**
 * A context view class for one machine: read-only getters at `base + k`. Context changes only through
 * xstate `assign` actions, which the engine applies; writing a field directly throws (in sloppy-mode code
 * too), and so does reading or writing a name the machine's context does not declare (the sealed base).
 */
export function contextViewFactory(fieldNames: readonly string[], system = 'unnamed', what = 'context', machine = 'the machine'): ContextViewFactory {
  const members = fieldNames.map((name, k) => {
    assertIdentifier(name, 'context field');
    return [
      `  get ${name}() { return this.$s[this.$b + ${k}]; } // context.${name}: the actor's first context slot + ${k}`,
      `  set ${name}(v) { written(${JSON.stringify(name)}, v); }`,
    ].join('\n');
  });
  const names = fieldNames.map((n) => JSON.stringify(n));
  const src = [
    `// A context view of system '${note(system)}' (checker/system/views.ts): getters at the actor's context slots, S[b + k]; a write throws.`,
    'return class Context {',
    '  constructor(S, b) { this.$s = S; this.$b = b; }',
    ...members,
    `  toJSON() { const o = {}; for (const k of [${names.join(', ')}]) o[k] = this[k]; return o; }`,
    "  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toJSON(); }",
    '};',
  ].join('\n');
  const written = (field: string, v: unknown): never => {
    throw new WorldAccessError(`context.${field} = ${shown(v)} writes the context directly: it changes only through assign(...)`);
  };
  const Cls = compileGenerated<(w: typeof written) => new (S: Int32Array, b: number) => Record<string, number>>(system, what, ['written'], src)(written);
  // A name the class does not define, read or written (`context.nxt`, `context.count = 1` instead of an
  // assign), reaches the throwing base, as a world view's does.
  Object.setPrototypeOf(Cls.prototype, sealedBase(fieldNames, 'context', `context field of ${machine}`));
  return (S, base) => new Cls(S, base);
}
