/** The bit-packed state layout (checker/system/layout.ts): pack and unpack are inverse on every domain. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bool, enumOf, int, type ScalarField } from '../../../checker/system/fields.js';
import { Layout, type SlotSpec } from '../../../checker/system/layout.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** A scalar domain of a random bit width 0..31, placed anywhere in the int32 range. */
const domain: fc.Arbitrary<ScalarField> = fc
  .integer({ min: 0, max: 31 })
  .chain((width) => {
    const lo = width === 0 ? 0 : 2 ** (width - 1);
    const hi = width === 31 ? 0x7fffffff : 2 ** width - 1;
    return fc.integer({ min: lo, max: hi });
  })
  .chain((range) => fc.integer({ min: INT32_MIN, max: INT32_MAX - range }).map((min) => int(min, min + range)));

/** Slots with values inside their domains. */
const slotsWithValues = fc
  .array(domain, { minLength: 1, maxLength: 40 })
  .chain((fields) => fc.tuple(fc.constant(fields), fc.tuple(...fields.map((f) => fc.integer({ min: f.min, max: f.max })))));

const specs = (fields: readonly ScalarField[]): SlotSpec[] => fields.map((field, i) => ({ name: `s${i}`, field }));

describe('Layout', () => {
  it('unpack(pack(S)) = S for random domains and values, at any offset', () => {
    fc.assert(
      fc.property(slotsWithValues, fc.nat({ max: 5 }), ([fields, values], offset) => {
        const layout = new Layout(specs(fields));
        const S = Int32Array.from(values);
        const words = new Uint32Array(offset + layout.words + 2).fill(0xdeadbeef);
        assert.equal(layout.pack(S, words, offset), -1);
        // Only the state's own words are written.
        for (let i = 0; i < offset; i++) assert.equal(words[i], 0xdeadbeef);
        for (let i = offset + layout.words; i < words.length; i++) assert.equal(words[i], 0xdeadbeef);
        const back = layout.buffer();
        layout.unpack(words, offset, back);
        assert.deepEqual(Array.from(back), values);
      }),
      { numRuns: 300 },
    );
  });

  it('slots never straddle a word; the widths are minimal; bits add up', () => {
    fc.assert(
      fc.property(fc.array(domain, { minLength: 1, maxLength: 40 }), (fields) => {
        const layout = new Layout(specs(fields));
        let bits = 0;
        for (const s of layout.slots) {
          const range = s.field.max - s.field.min;
          assert.ok(range < 2 ** s.width && (s.width === 0 || range >= 2 ** (s.width - 1)), `${s.name}: width ${s.width} for range ${range}`);
          assert.ok(s.shift + s.width <= 32 && s.word < layout.words);
          bits += s.width;
        }
        assert.equal(layout.bits, bits);
        assert.ok(layout.words <= Math.max(1, fields.length));
      }),
      { numRuns: 300 },
    );
  });

  it('pack reports the first slot whose value is outside its domain', () => {
    fc.assert(
      fc.property(slotsWithValues, fc.nat(), fc.boolean(), ([fields, values], pick, above) => {
        const layout = new Layout(specs(fields));
        const k = pick % fields.length;
        const f = fields[k]!;
        const bad = above ? f.max + 1 : f.min - 1;
        fc.pre(bad >= INT32_MIN && bad <= INT32_MAX);
        const S = Int32Array.from(values);
        S[k] = bad;
        assert.equal(layout.pack(S, new Uint32Array(layout.words), 0), k);
        assert.equal(layout.describeOverflow(k, S), `s${k} = ${bad} is outside its domain ${f.min}..${f.max}`);
      }),
      { numRuns: 300 },
    );
  });

  it('a small example: widths, words and enum names', () => {
    const layout = new Layout([
      { name: 'flag', field: bool() },
      { name: 'pte', field: enumOf(['ABSENT', 'PRESENT', 'SWAPPED']) },
      { name: 'one', field: int(5, 5) },
      { name: 'big', field: int(-1, 0x7ffffffe) },
    ]);
    assert.deepEqual(
      layout.slots.map((s) => [s.name, s.width, s.word, s.shift]),
      [
        ['flag', 1, 0, 0],
        ['pte', 2, 0, 1],
        ['one', 0, 0, 3],
        ['big', 31, 1, 0],
      ],
    );
    assert.equal(layout.words, 2);
    assert.equal(layout.bits, 34);
    assert.equal(layout.format(1, 2), 'SWAPPED');
    assert.equal(layout.format(3, 7), '7');
  });
});
