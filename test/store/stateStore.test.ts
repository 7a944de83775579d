/**
 * The visited-state store (checker/store/stateStore.ts) is an exact set, in both table modes (indexed,
 * and keyed: the table holds the words themselves and a known state's index is not returned): checked
 * against a Set of JSON strings with fast-check (tiny initial tables, so the table grows many times within
 * a run), and once past 2^21 states so the default table grows and records span many chunks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NO_PARENT, StateStore } from '../../checker/store/stateStore.js';

describe('StateStore', () => {
  it('findOrInsert agrees with a Set of JSON strings (indices, parents, read, pathTo), indexed and keyed', () => {
    const scenario = fc.integer({ min: 1, max: 4 }).chain((words) =>
      fc.record({
        words: fc.constant(words),
        keyed: fc.boolean(),
        tableBits: fc.integer({ min: 1, max: 6 }),
        // Values from a small pool, so the same state comes back often; some with high bits set (keyed
        // mode needs a spare bit in the last word, so its last word stays below 2^31).
        states: fc.array(fc.array(fc.constantFrom(0, 1, 2, 0x80000000, 0xffffffff, 0x12345678), { minLength: words, maxLength: words }), {
          minLength: 1,
          maxLength: 300,
        }),
        offset: fc.nat({ max: 3 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ words, keyed, tableBits, states, offset }) => {
        const store = new StateStore(words, tableBits, { keyed, lastWordBits: 31 });
        assert.equal(store.keyed, keyed && words <= 2);
        const seen = new Map<string, number>();
        const records: { words: number[]; parent: number }[] = [];
        const vec = new Uint32Array(offset + words);
        for (const [i, raw] of states.entries()) {
          const s = raw.map((v, k) => (k === words - 1 ? v & 0x7fffffff : v));
          vec.set(s, offset);
          const parent = seen.size === 0 ? NO_PARENT : i % seen.size;
          const key = JSON.stringify(s);
          const r = store.findOrInsert(vec, offset, parent);
          const known = seen.get(key);
          if (known === undefined) {
            assert.equal(r, seen.size, `new state ${key} gets the next index`);
            seen.set(key, r);
            records.push({ words: s, parent });
          } else {
            assert.equal(r, store.keyed ? -1 : -known - 1, `state ${key} is found (at ${known})`);
          }
          assert.equal(store.size, seen.size);
        }
        const out = new Uint32Array(words);
        for (const [idx, rec] of records.entries()) {
          store.read(idx, out, 0);
          assert.deepEqual(Array.from(out), rec.words);
          assert.equal(store.parent(idx), rec.parent);
          const chunk = store.chunkOf(idx);
          assert.deepEqual(Array.from(chunk.subarray(store.offsetOf(idx), store.offsetOf(idx) + words)), rec.words);
        }
        // pathTo follows parents back to state 0 and returns the states in order, both ends included.
        const last = records.length - 1;
        const path: number[] = [last];
        for (let i = last; i !== 0;) path.unshift((i = records[i]!.parent));
        assert.deepEqual(store.pathTo(last), path);
      }),
      { numRuns: 200 },
    );
  });

  for (const keyed of [false, true]) {
    it(`stays exact across table growth past 2^21 states (${keyed ? 'keyed' : 'indexed'}; the default table grows at 1,468,007)`, () => {
      const N = 1_500_000;
      const store = new StateStore(2, undefined, { keyed, lastWordBits: 3 });
      const vec = new Uint32Array(2);
      // Distinct states: (i * odd) mod 2^32 is a bijection; the second word repeats a small pattern.
      const state = (i: number): void => {
        vec[0] = Math.imul(i, 0x9e3779b1) >>> 0;
        vec[1] = i % 7;
      };
      for (let i = 0; i < N; i++) {
        state(i);
        const r = store.findOrInsert(vec, 0, i === 0 ? NO_PARENT : i - 1);
        if (r !== i) assert.fail(`state ${i} inserted at ${r}`);
      }
      assert.equal(store.size, N);
      for (let i = 0; i < N; i++) {
        state(i);
        const r = store.findOrInsert(vec, 0, 0);
        if (r !== (keyed ? -1 : -i - 1)) assert.fail(`state ${i} found at ${r}`);
      }
      // A state never inserted is new; records are intact after both rehashes.
      vec[0] = 1;
      vec[1] = 7;
      assert.equal(store.findOrInsert(vec, 0, 5), N);
      const out = new Uint32Array(2);
      for (const i of [0, 65_535, 65_536, 734_003, 734_004, 1_468_006, 1_468_007, N - 1]) {
        store.read(i, out, 0);
        assert.deepEqual(Array.from(out), [Math.imul(i, 0x9e3779b1) >>> 0, i % 7]);
        assert.equal(store.parent(i), i === 0 ? NO_PARENT : i - 1);
      }
      assert.deepEqual(store.pathTo(3), [0, 1, 2, 3]);
    });
  }
});
