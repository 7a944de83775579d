/**
 * The MMU fragment builder (models/mmu/config.ts): which fields each option adds and what they cost in
 * state bits, the LRU's initial order, and the bad-option messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setup } from 'xstate';
import { compileSystem, type FieldSpecs } from '../../../checker/index.js';
import { defineIovIter, defineMmu, iterFields, mmuFields, type MmuOptions } from '../../../models/index.js';

const idle = setup({}).createMachine({ id: 'idle', initial: 'done', states: { done: { type: 'final' } } });
const bits = (fields: FieldSpecs): number =>
  compileSystem({ name: 'bits', world: fields, actors: [{ name: 'i', machine: idle, fields: {} }], properties: [] }).layout.bits;

describe('models/mmu/config.ts', () => {
  const rows: readonly [string, MmuOptions, readonly string[], number][] = [
    ['VMAs and PTEs only', { pages: 3 }, ['vma', 'pte'], 12],
    ['static VMAs', { pages: 3, staticVma: true }, ['vma', 'pte'], 6],
    ['resident capacity 2', { pages: 3, capacity: 2 }, ['vma', 'pte', 'lru'], 16],
    ['MTE, 4 granules per page', { pages: 3, unitsPerPage: 4, mte: true }, ['vma', 'pte', 'tagOK'], 24],
    ['direct I/O: refs, pins, capacity, swap', { pages: 3, capacity: 2, refs: 1, pins: 1, swap: true }, ['vma', 'pte', 'lru', 'folioRef', 'folioPins'], 22],
    [
      'stable pages',
      { pages: 3, pageLock: true, dirty: true, writeback: true, buffers: true, versions: 2, refs: 1, pins: 1, stableWrites: true },
      [
        'vma',
        'pte',
        'folioRef',
        'folioPins',
        'folioLocked',
        'folioDirty',
        'folioWriteback',
        'folioBuffers',
        'folioVersion',
        'folioWbSnapshot',
        'folioWbChecked',
      ],
      39,
    ],
    [
      'folio lock and mmap_lock for 2 owners',
      { pages: 3, pageLock: true, mmapLock: { owners: 2 } },
      ['vma', 'pte', 'folioLocked', 'mmapHolders', 'mmapWriter', 'mmapWritersWaiting', 'mmapMisuse'],
      21,
    ],
  ];
  for (const [what, opts, names, cost] of rows) {
    it(`${what}: ${cost} bits for 3 pages`, () => {
      const f = mmuFields(opts);
      assert.deepEqual(Object.keys(f), names);
      assert.equal(bits(f), cost);
    });
  }

  it('an iterator costs its count, its position, and a bit each for WARN and nofault', () => {
    const f = iterFields('to', {
      type: 'IOVEC',
      dir: 'DEST',
      segments: [
        { base: 0, len: 4 },
        { base: 4, len: 0 },
        { base: 4, len: 8 },
      ],
      nofault: true,
    });
    assert.deepEqual(Object.keys(f), ['toCount', 'toConsumed', 'toWarn', 'toNofault']);
    assert.equal(bits(f), 4 + 4 + 1 + 1);
  });

  it('initially resident pages enter the LRU with the highest page most recent', () => {
    const m = defineMmu({ pages: 3, capacity: 3, pte: ['PRESENT_RW', 'ABSENT', 'PRESENT_RO'] });
    assert.deepEqual((m.fields.lru as unknown as { init: number[] }).init, [3, 1, 0]);
  });

  it('refuses inconsistent options with a message naming them', () => {
    assert.throws(() => defineMmu({ pages: 2, capacity: 3 }), /capacity must be a whole number in 1\.\.2/);
    assert.throws(() => defineMmu({ pages: 2, capacity: 1, pte: 'PRESENT_RW' }), /2 pages start resident, more than the capacity 1/);
    assert.throws(() => defineMmu({ pages: 1, vma: 'RO', pte: 'PRESENT_RW' }), /writable PTE under a RO VMA/);
    assert.throws(() => defineMmu({ pages: 3, folios: [2, 2] }), /must be positive page counts summing to pages \(3\)/);
    assert.throws(() => defineMmu({ pages: 1, pte: 'SWAP' }), /'SWAP' is not one of ABSENT, PRESENT_RO, PRESENT_RW/);
    assert.throws(() => defineMmu({ pages: 1, tagOK: false }), /tagOK needs mte: true/);
    const m = defineMmu({ pages: 1 });
    assert.throws(() => defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 2, len: 4 }] }), /outside the user memory \[0, 4\)/);
    assert.throws(() => defineIovIter(m, 'to', { type: 'DISCARD', dir: 'SOURCE', count: 2 }), /always ITER_DEST/);
  });
});
