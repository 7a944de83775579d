/**
 * Pipe buffers with page identity (models/pipe/buffers.ts) against a brute-force reference written from
 * fs/pipe.c, fs/splice.c and lib/iov_iter.c: an array of `struct pipe_buffer` slots that keep whatever
 * their last user left, on random sequences of writes, reads, splices, steals and truncations, in both world
 * representations; and the ops one by one on hand-made states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  definePipe,
  definePipeBuffers,
  ENODATA,
  pageCacheTruncate,
  PIPE_BUF_FLAG_CAN_MERGE,
  PIPE_BUF_FLAG_LRU,
  pipeBufConfirm,
  pipeBufRelease,
  pipeBufTrySteal,
  pipeFull,
  pipeLastSlot,
  pipeRead,
  pipeSplicePageCache,
  pipeWriteMerge,
  pipeWriteMergeChars,
  pipeWriteNewBuffer,
  type PipeBuffersWorld,
  type PipeMergeTest,
  type SpliceFlagsInit,
} from '../../../models/pipe/index.js';
import { engineWorld, plainWorld } from '../helpers.js';

const P = definePipe({ slots: 3, pageUnits: 4, mutexOwners: ['T'], writers: ['W'], maxWrite: 64 });
const B = definePipeBuffers(P, { filePages: 2 });
const fields = { ...P.fields, ...B.fields };
const fresh = (): PipeBuffersWorld => plainWorld(fields) as unknown as PipeBuffersWorld;

// --- the reference ---------------------------------------------------------------------------------
interface RefBuf {
  ops: 'none' | 'anon' | 'page_cache';
  page: number; // -1 anon, file page index otherwise
  offset: number;
  len: number;
  flags: number;
}
interface Ref {
  bufs: RefBuf[];
  head: number;
  tail: number;
  refs: number[];
  mapped: boolean[];
  clobbered: boolean[];
}
const refNew = (): Ref => ({
  bufs: Array.from({ length: P.slots }, () => ({ ops: 'none', page: -1, offset: 0, len: 0, flags: 0 })),
  head: 0,
  tail: 0,
  refs: [0, 0],
  mapped: [true, true],
  clobbered: [false, false],
});
const at = (r: Ref, i: number): RefBuf => r.bufs[i % P.slots]!;
const refFull = (r: Ref): boolean => r.head - r.tail >= P.slots;

function refWrite(r: Ref, len: number, test: PipeMergeTest): number {
  const chars = len & (P.pageUnits - 1);
  if (chars && r.head !== r.tail) {
    const buf = at(r, r.head - 1);
    const can = test === 'flag' ? (buf.flags & 0x10) !== 0 : buf.ops === 'anon';
    if (can && buf.offset + buf.len + chars <= P.pageUnits) {
      if (buf.ops === 'page_cache') r.clobbered[buf.page] = true;
      buf.len += chars;
      return len;
    }
  }
  if (refFull(r)) return -11;
  Object.assign(at(r, r.head), { ops: 'anon', page: -1, offset: 0, len, flags: 0x10 });
  r.head++;
  return len;
}

function refSplice(r: Ref, page: number, offset: number, len: number, init: SpliceFlagsInit): boolean {
  if (refFull(r) || !r.mapped[page]) return false;
  const buf = at(r, r.head);
  Object.assign(buf, { ops: 'page_cache', page, offset, len });
  if (init === 'cleared') buf.flags = 0;
  r.refs[page]!++;
  r.head++;
  return true;
}

function refRead(r: Ref, n: number): number {
  let got = 0;
  while (r.tail !== r.head) {
    const buf = at(r, r.tail);
    if (got + buf.len > n) break;
    if (buf.ops === 'page_cache' && !r.mapped[buf.page]) return got || -ENODATA;
    got += buf.len;
    if (buf.ops === 'page_cache') r.refs[buf.page]!--;
    buf.ops = 'none';
    buf.len = 0;
    r.tail++;
  }
  return got;
}

function refSteal(r: Ref): boolean {
  if (r.tail === r.head) return false;
  const buf = at(r, r.tail);
  if (buf.ops === 'anon') return true;
  if (!r.mapped[buf.page] || r.refs[buf.page] !== 1) return false;
  r.mapped[buf.page] = false;
  buf.flags |= 0x01;
  return true;
}

function assertSame(w: PipeBuffersWorld, r: Ref): void {
  assert.equal(w.pipeUsed, r.head - r.tail);
  assert.equal(w.pipeTail, r.tail % P.slots);
  for (let s = 0; s < P.slots; s++) {
    const b = r.bufs[s]!;
    const live = b.ops !== 'none';
    assert.equal(w.pipeBufFlags[s], b.flags, `flags of slot ${s}`);
    assert.equal(w.pipeBufOps[s], { none: 0, anon: 1, page_cache: 2 }[b.ops], `ops of slot ${s}`);
    assert.equal(w.pipeBufPage[s], !live ? 0 : b.ops === 'anon' ? 1 : 2 + b.page);
    if (live) assert.deepEqual([w.pipeLen[s], w.pipeBufOffset[s]], [b.len, b.offset], `len, offset of slot ${s}`);
  }
  assert.deepEqual([...w.pageCacheRefs], r.refs);
  assert.deepEqual([...w.pageCacheMapped], r.mapped.map(Number));
  assert.deepEqual([...w.pageCacheClobbered], r.clobbered.map(Number));
}

describe('models/pipe/buffers.ts', () => {
  it('a new anonymous buffer has CAN_MERGE; a release clears ops and page but leaves the flags', () => {
    const w = fresh();
    pipeWriteNewBuffer(w, P, 0, 2);
    assert.deepEqual([w.pipeBufOps[0], w.pipeBufPage[0], w.pipeBufFlags[0]], [1, 1, PIPE_BUF_FLAG_CAN_MERGE]);
    pipeBufRelease(w, 0);
    assert.deepEqual([w.pipeBufOps[0], w.pipeBufPage[0], w.pipeBufFlags[0]], [0, 0, PIPE_BUF_FLAG_CAN_MERGE]);
    assert.throws(() => pipeBufRelease(w, 0), /holds no buffer/);
  });

  it('Dirty Pipe in four calls: fill, drain, splice with stale flags, write merges into the page cache; cleared flags or the ops test prevent it', () => {
    for (const [test, init, clobbered] of [
      ['flag', 'stale', 1],
      ['flag', 'cleared', 0],
      ['ops', 'stale', 0],
    ] as const) {
      const w = fresh();
      for (let i = 0; i < P.slots; i++) pipeWriteNewBuffer(w, P, 0, 4);
      assert.equal(pipeRead(w, P, 12), 12);
      pipeSplicePageCache(w, P, B, 1, 0, 1, init);
      const chars = pipeWriteMergeChars(w, P, 2, test);
      if (chars) pipeWriteMerge(w, P, 0, chars);
      assert.equal(w.pageCacheClobbered[1], clobbered, `${test} ${init}`);
      assert.equal(w.pageCacheRefs[1], 1);
    }
  });

  it("the merge test counts the buffer's offset: a spliced unit at the end of the page leaves no room", () => {
    const w = fresh();
    for (let i = 0; i < P.slots; i++) pipeWriteNewBuffer(w, P, 0, 4);
    pipeRead(w, P, 12);
    pipeSplicePageCache(w, P, B, 0, 2, 1, 'stale');
    assert.equal(pipeWriteMergeChars(w, P, 2, 'flag'), 0, 'offset 2 + len 1 + 2 > PAGE_SIZE 4');
    assert.equal(pipeWriteMergeChars(w, P, 1, 'flag'), 1);
    assert.equal(pipeWriteMergeChars(w, P, 1, 'ops'), 0);
  });

  it('confirm: -ENODATA for a page-cache page truncated out of its mapping, 0 otherwise; a read stops there', () => {
    const w = fresh();
    pipeWriteNewBuffer(w, P, 0, 1);
    pipeSplicePageCache(w, P, B, 0, 1, 2, 'cleared');
    assert.deepEqual([pipeBufConfirm(w, 0), pipeBufConfirm(w, 1)], [0, 0]);
    pageCacheTruncate(w, 0);
    assert.equal(pipeBufConfirm(w, 1), -ENODATA);
    assert.equal(pipeRead(w, P, 8), 1, 'the anonymous buffer is read; the truncated one stops the read');
    assert.equal(pipeRead(w, P, 8), -ENODATA);
    assert.throws(() => pipeSplicePageCache(w, P, B, 0, 0, 1, 'cleared'), /no longer in the mapping/);
  });

  it('try_steal: a page-cache page leaves its mapping with PIPE_BUF_FLAG_LRU only when the pipe holds the one extra reference', () => {
    const w = fresh();
    pipeSplicePageCache(w, P, B, 0, 0, 1, 'cleared');
    pipeSplicePageCache(w, P, B, 0, 1, 1, 'cleared');
    assert.equal(pipeBufTrySteal(w, 0), false, 'two references');
    assert.equal(pipeRead(w, P, 1), 1);
    assert.equal(pipeBufTrySteal(w, 1), true);
    assert.deepEqual([w.pageCacheMapped[0], w.pipeBufFlags[1]], [0, PIPE_BUF_FLAG_LRU]);
    assert.equal(pipeLastSlot(w, P), 1);
  });

  it('agrees with the slot-array reference on random call sequences, in both world representations', () => {
    const call = fc.oneof(
      fc.record({ k: fc.constant('write' as const), len: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ k: fc.constant('read' as const), n: fc.integer({ min: 1, max: 12 }) }),
      fc.record({
        k: fc.constant('splice' as const),
        page: fc.integer({ min: 0, max: 1 }),
        offset: fc.integer({ min: 0, max: 3 }),
        len: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({ k: fc.constant('steal' as const) }),
      fc.record({ k: fc.constant('truncate' as const), page: fc.integer({ min: 0, max: 1 }) }),
    );
    const forms = fc.record({ test: fc.constantFrom<PipeMergeTest>('flag', 'ops'), init: fc.constantFrom<SpliceFlagsInit>('stale', 'cleared') });
    fc.assert(
      fc.property(forms, fc.array(call, { maxLength: 25 }), fc.boolean(), ({ test, init }, calls, engine) => {
        const w = (engine ? engineWorld(fields) : fresh()) as unknown as PipeBuffersWorld;
        const r = refNew();
        for (const c of calls) {
          if (c.k === 'write') {
            if (w.pipeWritten[0]! + c.len > P.maxWrite) continue;
            const want = refWrite(r, c.len, test);
            const chars = pipeWriteMergeChars(w, P, c.len, test);
            if (chars) pipeWriteMerge(w, P, 0, chars);
            else if (!pipeFull(w, P)) pipeWriteNewBuffer(w, P, 0, c.len);
            else assert.equal(want, -11);
          } else if (c.k === 'read') {
            assert.equal(pipeRead(w, P, c.n), refRead(r, c.n));
          } else if (c.k === 'splice') {
            if (c.offset + c.len > P.pageUnits) continue;
            const did = refSplice(r, c.page, c.offset, c.len, init);
            if (did) pipeSplicePageCache(w, P, B, c.page, c.offset, c.len, init);
            else assert.ok(pipeFull(w, P) || !w.pageCacheMapped[c.page]);
          } else if (c.k === 'steal') {
            const want = refSteal(r);
            assert.equal(w.pipeUsed ? pipeBufTrySteal(w, w.pipeTail) : false, want);
          } else {
            pageCacheTruncate(w, c.page);
            r.mapped[c.page] = false;
          }
          assertSame(w, r);
        }
      }),
      { numRuns: 300 },
    );
  });
});
