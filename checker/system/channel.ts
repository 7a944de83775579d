/**
 * A FIFO channel world field (fields.ts `chan()`): a bounded queue of messages, each one or more small
 * integers. It lives in the slot buffer as
 *
 *     [length, m0.f0, m0.f1, ..., m1.f0, ...]      (capacity messages of arity fields each)
 *
 * invariant: messages 0 .. length-1 are the queue, head first; every slot past them is 0. Sending appends,
 * receiving shifts the rest to the front and zeroes the freed message, so two equal queues are equal slots
 * and pack to the same state (Promela's `chan` is stored the same way).
 *
 * Misuse is a model assertion (WorldAccessError) with the trace that reached it, as SPIN reports it when
 * its `-DCHECK` / full-queue checks fire: a send to a full channel, a receive or peek past its end, a
 * message with the wrong number of fields, a value outside its field's domain. The same class serves the
 * engine's view (over the state's slots) and xstate's plain world (over a private buffer), so a guard
 * reads a channel the same way under both.
 */
import { formatValue, type ChanField, type ScalarField } from './fields.js';
import type { Layout, SlotSpec } from './layout.js';
import { WorldAccessError } from './views.js';

/** The slot buffer's type, whatever layout.ts makes it. */
type Slots = ReturnType<Layout['buffer']>;

/** Slots a channel takes: its length, then capacity × arity message fields. */
export const chanSlotCount = (f: ChanField): number => 1 + f.capacity * f.element.length;

/** The domain a message slot stores: the field's domain widened to hold 0, the value of an unused slot. */
function slotDomain(field: ScalarField, init: number): ScalarField {
  return { ...field, min: Math.min(0, field.min), max: Math.max(0, field.max), init };
}

/** The channel's slots for the layout: `q.length`, then `q[i]` (scalar messages) or `q[i][f]` (tuples). */
export function chanSlotSpecs(name: string, f: ChanField): SlotSpec[] {
  const arity = f.element.length;
  const out: SlotSpec[] = [{ name: `${name}.length`, field: { kind: 'scalar', min: 0, max: f.capacity, init: f.init.length } }];
  for (let i = 0; i < f.capacity; i++) {
    for (let k = 0; k < arity; k++) {
      out.push({ name: arity === 1 ? `${name}[${i}]` : `${name}[${i}][${k}]`, field: slotDomain(f.element[k]!, f.init[i]?.[k] ?? 0) });
    }
  }
  return out;
}

export class Channel {
  readonly capacity: number;
  private readonly arity: number;

  constructor(
    private readonly s: Slots,
    /** The length slot; message i field k is at o + 1 + i * arity + k. */
    private readonly o: number,
    private readonly spec: ChanField,
    private readonly name: string,
  ) {
    this.capacity = spec.capacity;
    this.arity = spec.element.length;
  }

  /** A channel over its own buffer at its initial contents (the plain world xstate steps on). */
  static standalone(name: string, spec: ChanField): Channel {
    const s = new Int32Array(chanSlotCount(spec)) as Slots;
    chanSlotSpecs(name, spec).forEach((slot, i) => (s[i] = slot.field.init));
    return new Channel(s, 0, spec, name);
  }

  /** Number of messages queued. */
  get length(): number {
    return this.s[this.o]!;
  }

  isEmpty(): boolean {
    return this.s[this.o] === 0;
  }

  isFull(): boolean {
    return this.s[this.o] === this.capacity;
  }

  /** Appends a message, one value per field (Promela `q!v` / `q!a,b`). A full channel is a model assertion. */
  send(...values: number[]): void {
    const n = this.s[this.o]!;
    if (n >= this.capacity) throw new WorldAccessError(`world.${this.name}.send(${values.join(', ')}): the channel is full (capacity ${this.capacity})`);
    if (values.length !== this.arity) {
      throw new WorldAccessError(`world.${this.name}.send(${values.join(', ')}): a message has ${this.arity} field${this.arity === 1 ? '' : 's'}`);
    }
    // Every field is checked before any is written: a refused send leaves the channel as it was.
    for (let k = 0; k < this.arity; k++) {
      const v: unknown = values[k];
      const { min, max } = this.spec.element[k]!;
      if (typeof v !== 'number' || (v | 0) !== v || v < min || v > max) {
        throw new WorldAccessError(`world.${this.name}.send(${values.join(', ')}): ${String(v)} is outside the message field's domain ${min}..${max}`);
      }
    }
    const base = this.o + 1 + n * this.arity;
    for (let k = 0; k < this.arity; k++) this.s[base + k] = values[k]!;
    this.s[this.o] = n + 1;
  }

  /**
   * Removes the head message and returns its first field (Promela `q?x`); read the other fields of a tuple
   * with `peek(0, k)` before receiving. An empty channel is a model assertion.
   */
  receive(): number {
    const n = this.s[this.o]!;
    if (n === 0) throw new WorldAccessError(`world.${this.name}.receive(): the channel is empty`);
    const s = this.s;
    const first = this.o + 1;
    const head = s[first]!;
    const last = first + (n - 1) * this.arity;
    s.copyWithin(first, first + this.arity, last + this.arity);
    s.fill(0, last, last + this.arity);
    s[this.o] = n - 1;
    return head;
  }

  /** Field `field` of message `index` (0 = the head), without removing it. Past the end is a model assertion. */
  peek(index = 0, field = 0): number {
    if (!(index >= 0 && index < this.s[this.o]! && Number.isInteger(index))) {
      throw new WorldAccessError(`world.${this.name}.peek(${index}): the channel holds ${this.s[this.o]} message(s)`);
    }
    if (!(field >= 0 && field < this.arity && Number.isInteger(field))) {
      throw new WorldAccessError(`world.${this.name}.peek(${index}, ${field}): a message has ${this.arity} field(s)`);
    }
    return this.s[this.o + 1 + index * this.arity + field]!;
  }

  /** Whether the head message starts with `values` (Promela's poll `q?[v]`); false when empty. */
  poll(...values: number[]): boolean {
    if (this.s[this.o] === 0) return false;
    const n = Math.min(values.length, this.arity);
    for (let k = 0; k < n; k++) if (this.s[this.o + 1 + k] !== values[k]) return false;
    return true;
  }

  /** The queued messages, head first: numbers for a scalar channel, arrays of field values for tuples. */
  messages(): (number | number[])[] {
    const out: (number | number[])[] = [];
    for (let i = 0; i < this.length; i++) {
      const base = this.o + 1 + i * this.arity;
      out.push(this.arity === 1 ? this.s[base]! : Array.from(this.s.subarray(base, base + this.arity)));
    }
    return out;
  }

  /** The channel's slots (length, then every message slot), to compare two channels slot for slot. */
  slots(): Slots {
    return this.s.subarray(this.o, this.o + chanSlotCount(this.spec)) as Slots;
  }

  /** `[one 3, two 5]`: the messages head first, enum fields by name. */
  toString(): string {
    const fields = this.spec.element;
    return `[${this.messages()
      .map((m) => (typeof m === 'number' ? formatValue(fields[0]!, m) : m.map((v, k) => formatValue(fields[k]!, v)).join(' ')))
      .join(', ')}]`;
  }

  [Symbol.iterator](): Iterator<number | number[]> {
    return this.messages()[Symbol.iterator]();
  }

  toJSON(): (number | number[])[] {
    return this.messages();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
