/**
 * The state layout: a system compiles once into a list of integer slots (world fields, then per actor its
 * control state, budget and context fields). A global state is those slots bit-packed into a fixed number
 * of 32-bit words; no slot straddles a word. Packing and unpacking are generated once per layout as
 * straight-line code, so the hot loop does shifts and masks only.
 */
import { formatValue, type ScalarField } from './fields.js';
import { CodeWriter, compileGenerated, note } from './generatedCode.js';

export interface SlotSpec {
  /** Display name: `present[2]`, `reader0.pos`, `reader0@state`. */
  readonly name: string;
  readonly field: ScalarField;
}

export interface Slot extends SlotSpec {
  readonly index: number;
  readonly width: number;
  readonly word: number;
  readonly shift: number;
}

/** Packs the unpacked slots `S` into `out[o ..]`; returns -1, or the index of the first slot out of its domain. */
export type PackFn = (S: Int32Array, out: Uint32Array, o: number) => number;
/** Unpacks the words at `words[o ..]` into `S`. */
export type UnpackFn = (words: Uint32Array, o: number, S: Int32Array) => void;
/** Copies every slot of `from` into `to` (unrolled: ~7x faster than a loop for a few dozen slots). */
export type CopyFn = (to: Int32Array, from: Int32Array) => void;

export class Layout {
  readonly slots: readonly Slot[];
  /** Number of 32-bit words per packed state. */
  readonly words: number;
  readonly bits: number;
  /** Bits used in the last word (a store can use a spare bit there as an "occupied" mark). */
  readonly lastWordBits: number;
  readonly pack: PackFn;
  readonly unpack: UnpackFn;
  readonly copy: CopyFn;

  /** @param system names the generated functions (`faultline://<system>/pack.js`, see generatedCode.ts). */
  constructor(specs: readonly SlotSpec[], system = 'unnamed') {
    const slots: Slot[] = [];
    let word = 0;
    let used = 0;
    let bits = 0;
    for (const [index, spec] of specs.entries()) {
      const range = spec.field.max - spec.field.min;
      const width = range === 0 ? 0 : 32 - Math.clz32(range);
      if (used + width > 32) {
        word++;
        used = 0;
      }
      slots.push({ ...spec, index, width, word, shift: used });
      used += width;
      bits += width;
    }
    this.slots = slots;
    this.words = word + 1;
    this.bits = bits;
    this.lastWordBits = used;
    this.pack = compilePack(slots, this.words, system);
    this.unpack = compileUnpack(slots, system);
    this.copy = slots.length <= 512 ? compileCopy(slots, system) : (to, from) => to.set(from);
  }

  /** A fresh unpacked-slot buffer. */
  buffer(): Int32Array {
    return new Int32Array(this.slots.length);
  }

  /** "reader0.pos = 7 is outside its domain 0..6" */
  describeOverflow(slotIndex: number, S: Int32Array): string {
    const slot = this.slots[slotIndex]!;
    return `${slot.name} = ${S[slotIndex]} is outside its domain ${slot.field.min}..${slot.field.max}`;
  }

  /** The value of a slot as a trace prints it (enum names where the field has them). */
  format(slotIndex: number, value: number): string {
    return formatValue(this.slots[slotIndex]!.field, value);
  }
}

/** `reader0.pos 0..6: word 1, bits 3..5` (a slot of width 0 holds a constant and takes no bits). */
function where(s: Slot): string {
  const bits = s.width === 0 ? 'no bits (constant)' : `word ${s.word}, bits ${s.shift}..${s.shift + s.width - 1}`;
  return note(`${s.name} ${s.field.min}..${s.field.max}: ${bits}`);
}

function compilePack(slots: readonly Slot[], words: number, system: string): PackFn {
  const code = new CodeWriter();
  code.line(`// pack: the ${slots.length} slots of S into out[o .. o + ${words - 1}]; returns -1, or the first slot outside its domain.`);
  // One branch for the whole state: for v in [0, range] both v and range - v are non-negative, so OR-ing
  // them all keeps the sign bit clear; only if it is set do we look for the slot that is out of range.
  code.line('// chk collects v | (range - v) of every slot: its sign bit is set only if some slot is outside its domain.');
  code.line('let v = 0, chk = 0;');
  for (let w = 0; w < words; w++) code.line(`let w${w} = 0;`);
  for (const s of slots) {
    const range = s.field.max - s.field.min;
    code.line(`${s.field.min === 0 ? `v = S[${s.index}];` : `v = S[${s.index}] - ${s.field.min};`} // ${where(s)}`);
    code.line(`chk |= v | (${range} - v);`);
    if (s.width > 0) code.line(`w${s.word} |= v << ${s.shift};`);
  }
  code.open('if (chk < 0) {');
  for (const s of slots) code.line(`if (((S[${s.index}] - ${s.field.min}) >>> 0) > ${s.field.max - s.field.min}) return ${s.index}; // ${note(s.name)}`);
  code.close();
  for (let w = 0; w < words; w++) code.line(`out[o + ${w}] = w${w};`);
  code.line('return -1;');
  return compileGenerated<PackFn>(system, 'pack', ['S', 'out', 'o'], code.text());
}

function compileUnpack(slots: readonly Slot[], system: string): UnpackFn {
  const code = new CodeWriter();
  code.line(`// unpack: the words at words[o ..] into the ${slots.length} slots of S.`);
  const used = [...new Set(slots.filter((s) => s.width > 0).map((s) => s.word))];
  for (const w of used) code.line(`const w${w} = words[o + ${w}];`);
  for (const s of slots) {
    if (s.width === 0) {
      code.line(`S[${s.index}] = ${s.field.min}; // ${where(s)}`);
    } else {
      const mask = s.width === 31 ? 0x7fffffff : (1 << s.width) - 1;
      const min = s.field.min === 0 ? '' : ` + ${s.field.min}`;
      code.line(`S[${s.index}] = ((w${s.word} >>> ${s.shift}) & ${mask})${min}; // ${where(s)}`);
    }
  }
  return compileGenerated<UnpackFn>(system, 'unpack', ['words', 'o', 'S'], code.text());
}

function compileCopy(slots: readonly Slot[], system: string): CopyFn {
  const code = new CodeWriter();
  code.line(`// copy: every slot of from into to.`);
  for (const s of slots) code.line(`to[${s.index}] = from[${s.index}]; // ${note(s.name)}`);
  return compileGenerated<CopyFn>(system, 'copy', ['to', 'from'], code.text());
}
