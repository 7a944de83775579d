/**
 * Field domains: every world field and every actor context field is a small integer with a declared
 * range. The range fixes the field's bit width in the packed state vector (layout.ts), so a value
 * outside it is a model error that the engine reports with the step that produced it.
 */
import { assertShape, shapeProblem, shown, type Shape } from '../keys.js';

/** A scalar field: an integer in [min, max]. `names` labels the values in traces (an enum). */
export interface ScalarField {
  readonly kind: 'scalar';
  readonly min: number;
  readonly max: number;
  /** Initial value (world fields; actor fields take theirs from the machine's context). */
  readonly init: number;
  /** Optional display names, indexed by value - min. */
  readonly names?: readonly string[];
  /**
   * The field holds the id of a member of this symmetry group (SystemSpec `symmetric`): value k in
   * 0 .. size-1 names the group's k-th actor, any other value (a "none") names no one. Symmetry reduction
   * renames the value when it permutes the group's actors (reduce/symmetry.ts).
   */
  readonly actorId?: string;
}

/** A fixed-length array of scalars, exposed to guards and actions as an Int32Array view. */
export interface ArrayField {
  readonly kind: 'array';
  readonly length: number;
  readonly element: ScalarField;
  /** Initial values, one per element. */
  readonly init: readonly number[];
  /**
   * Element k belongs to the k-th actor of this symmetry group (SystemSpec `symmetric`), so the array
   * has one element per member; symmetry reduction moves elements with their actors (reduce/symmetry.ts).
   */
  readonly indexedBy?: string;
}

/**
 * A bounded FIFO queue (Promela's `chan`, P's message queues) of messages of `element.length` small
 * integers each. In the state it is one length slot followed by `capacity` message slots (channel.ts):
 * messages shifted to the front and unused slots 0, so equal queues pack to equal states.
 */
export interface ChanField {
  readonly kind: 'chan';
  readonly capacity: number;
  /** The domain of each field of a message; a scalar channel has one. */
  readonly element: readonly ScalarField[];
  /** Initial messages, head first, each with one value per field. */
  readonly init: readonly (readonly number[])[];
}

export type FieldSpec = ScalarField | ArrayField | ChanField;
export type FieldSpecs = Readonly<Record<string, FieldSpec>>;

/** The keys of each kind of field, for one written by hand rather than by int(), array() or chan(). */
const FIELD_SHAPES: { readonly [K in FieldSpec['kind']]: Shape<Extract<FieldSpec, { kind: K }>> } = {
  scalar: { kind: 'string', min: 'checked', max: 'checked', init: 'checked', names: 'array', actorId: 'string' },
  array: { kind: 'string', length: 'checked', element: 'checked', init: 'array', indexedBy: 'string' },
  chan: { kind: 'string', capacity: 'checked', element: 'array', init: 'array' },
};

/**
 * What is wrong with a field's keys, or null: one written by hand (`{ kind: 'scalar', min: 0, max: 3,
 * init: 0, nmes: [...] }`) with a key its kind does not have. A value that is not a field at all is
 * left to the caller, which says so.
 */
export function fieldKeysProblem(field: unknown, what: string): string | null {
  const kind = (field as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === 'string' && Object.hasOwn(FIELD_SHAPES, kind) ? shapeProblem<object>(field, FIELD_SHAPES[kind as FieldSpec['kind']], what) : null;
}

/** The values a state slot stores exactly: a signed 32-bit integer (the slots are an Int32Array). */
export const SLOT_MIN = -0x80000000;
export const SLOT_MAX = 0x7fffffff;

/** What is wrong with a domain min..max, or null; a domain the state cannot store exactly is refused, never wrapped. */
export function rangeProblem(min: number, max: number): string | null {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max) return `the range ${min}..${max} is not a range of integers`;
  if (min < SLOT_MIN || max > SLOT_MAX) return `the range ${min}..${max} does not fit a state slot (${SLOT_MIN}..${SLOT_MAX}); shift it, e.g. 0..${max - min}`;
  if (max - min > 0x7fffffff) return `the range ${min}..${max} is wider than 31 bits`;
  return null;
}

function checkRange(min: number, max: number, init: number, what: string): void {
  const problem = rangeProblem(min, max);
  if (problem) throw new RangeError(`${what}: ${problem}`);
  if (!Number.isInteger(init) || init < min || init > max) {
    throw new RangeError(`${what}: the initial value ${init} is outside ${min}..${max}`);
  }
}

/** `int()`'s options: the initial value, and the symmetry group whose actor ids the field holds. */
export interface IntOptions {
  readonly init?: number;
  readonly actorId?: string;
}

const INT_OPTIONS: Shape<IntOptions> = { init: 'checked', actorId: 'string' };

/** An integer field in [min, max]; starts at `init` (default: min). */
export function int(min: number, max: number, init: number | IntOptions = min): ScalarField {
  if (typeof init !== 'number') assertShape(init, INT_OPTIONS, 'int() options');
  const options = typeof init === 'number' ? {} : init;
  const start = typeof init === 'number' ? init : (init.init ?? min);
  checkRange(min, max, start, 'int()');
  return { kind: 'scalar', min, max, init: start, ...(options.actorId === undefined ? {} : { actorId: options.actorId }) };
}

/** A boolean field stored as 0/1; starts false unless told. */
export function bool(init: boolean | 0 | 1 = false): ScalarField {
  // `bool('false')` would start true: a string is truthy.
  if (init !== true && init !== false && init !== 0 && init !== 1)
    throw new RangeError(`bool(): the initial value must be true, false, 0 or 1, not ${shown(init)}`);
  return { kind: 'scalar', min: 0, max: 1, init: init ? 1 : 0 };
}

/**
 * An enumeration: values are indices into `names` (0 .. names.length - 1), and traces print the names.
 * Models usually export the matching constants, e.g. `PTE_ABSENT = 0`.
 */
export function enumOf<const N extends readonly string[]>(names: N, init: N[number] | number = 0): ScalarField {
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  // A name given twice makes two values print alike in every trace, and `indexOf` find only the first.
  if (twice !== undefined) throw new RangeError(`enumOf(): '${twice}' is named twice (${names.join(', ')})`);
  const start = typeof init === 'number' ? init : names.indexOf(init);
  if (start < 0) throw new RangeError(`enumOf(): initial value ${String(init)} is not one of ${names.join(', ')}`);
  checkRange(0, names.length - 1, start, 'enumOf()');
  return { kind: 'scalar', min: 0, max: names.length - 1, init: start, names };
}

/** `array()`'s options: the initial values, and the symmetry group the array is indexed by. */
export interface ArrayOptions {
  readonly init?: number | readonly number[];
  readonly indexedBy?: string;
}

const ARRAY_OPTIONS: Shape<ArrayOptions> = { init: 'checked', indexedBy: 'string' };

/**
 * A fixed-length array whose elements share one domain; `init` is one value for all or one per element,
 * or the options `{ init, indexedBy }`.
 */
export function array(length: number, element: ScalarField, initOrOptions?: number | readonly number[] | ArrayOptions): ArrayField {
  const options: ArrayOptions =
    initOrOptions === undefined
      ? {}
      : typeof initOrOptions === 'number' || Array.isArray(initOrOptions)
        ? { init: initOrOptions }
        : (initOrOptions as ArrayOptions);
  assertShape(options, ARRAY_OPTIONS, 'array() options');
  const init = options.init;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new RangeError(`array(): length ${length} must be an integer in 1..4096`);
  }
  const values =
    init === undefined ? new Array<number>(length).fill(element.init) : typeof init === 'number' ? new Array<number>(length).fill(init) : [...init];
  if (values.length !== length) throw new RangeError(`array(): ${values.length} initial values for length ${length}`);
  for (const v of values) checkRange(element.min, element.max, v, 'array()');
  return { kind: 'array', length, element, init: values, ...(options.indexedBy === undefined ? {} : { indexedBy: options.indexedBy }) };
}

/**
 * A FIFO channel of at most `capacity` messages. `element` is one domain (each message is one integer) or a
 * tuple of domains (each message is that many integers, e.g. `[enumOf(['one', 'two']), int(0, 5)]`).
 * `init` lists the messages it starts with, head first (default: empty). Guards and actions use it
 * through the `Channel` methods: `send`, `receive`, `poll`, `peek`, `length`, `isEmpty()`, `isFull()`.
 */
export function chan(capacity: number, element: ScalarField | readonly ScalarField[], init: readonly (number | readonly number[])[] = []): ChanField {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 4096) {
    throw new RangeError(`chan(): capacity ${capacity} must be an integer in 1..4096`);
  }
  const fields = Array.isArray(element) ? (element as readonly ScalarField[]) : [element as ScalarField];
  if (fields.length < 1 || fields.length > 16) throw new RangeError(`chan(): a message has 1..16 fields, not ${fields.length}`);
  if (!Array.isArray(init)) throw new RangeError(`chan(): the initial messages must be an array, not ${shown(init)}`);
  if (init.length > capacity) throw new RangeError(`chan(): ${init.length} initial messages for capacity ${capacity}`);
  const messages = init.map((m) => (typeof m === 'number' ? [m] : [...m]));
  for (const m of messages) {
    if (m.length !== fields.length) throw new RangeError(`chan(): initial message [${m.join(', ')}] has ${m.length} fields, not ${fields.length}`);
    m.forEach((v, f) => checkRange(fields[f]!.min, fields[f]!.max, v, 'chan()'));
  }
  return { kind: 'chan', capacity, element: fields, init: messages };
}

/** How a value of a scalar field reads in a trace: its enum name when it has one. */
export function formatValue(field: ScalarField, value: number): string {
  const name = field.names?.[value - field.min];
  return name ?? String(value);
}
