/**
 * The pipe ring (models/pipe/ring.ts) against a plain array of buffers, and pipe write atomicity (models/pipe/atomicity.ts)
 * on hand-made states.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  definePipe,
  pipeBytes,
  pipeConsume,
  pipeConsumeUnits,
  pipeEmpty,
  pipeFull,
  pipeLastSlot,
  pipeMergeChars,
  pipeMergeCommit,
  pipeMutexLock,
  pipeMutexUnlock,
  pipePushBuffer,
  pipeReserveSlot,
  pipeSetLen,
  type PipeWorld,
} from '../../../models/pipe/index.js';
import { plainWorld } from '../../checker/conformance.js';

const P = definePipe({ slots: 4, pageUnits: 4, mutexOwners: ['W0', 'W1', 'R'], writers: ['W0', 'W1'], maxWrite: 8 });
const fresh = (): PipeWorld => plainWorld(P.fields) as unknown as PipeWorld;

describe('models/pipe/ring.ts', () => {
  it('starts empty with the mutex free; initial buffers fill the first slots', () => {
    const w = fresh();
    assert.ok(pipeEmpty(w));
    assert.equal(w.pipeMutex, 0);
    const Q = definePipe({ slots: 2, pageUnits: 2, mutexOwners: ['W0'], writers: ['W0'], maxWrite: 2, initial: [1] });
    const q = plainWorld(Q.fields) as unknown as PipeWorld;
    assert.deepEqual([q.pipeUsed, [...q.pipeLen], pipeBytes(q, Q)], [1, [1, 0], 1]);
    assert.throws(
      () => definePipe({ slots: 1, pageUnits: 2, mutexOwners: ['W0'], writers: ['W0'], maxWrite: 2, initial: [1, 1] }),
      /2 initial buffers in 1 slots/,
    );
  });

  it('pipe->mutex: lock by an owner, unlock only by the holder, no second lock', () => {
    const w = fresh();
    pipeMutexLock(w, P, 1);
    assert.equal(w.pipeMutex, 2);
    assert.throws(() => pipeMutexLock(w, P, 0), /held by W1/);
    assert.throws(() => pipeMutexUnlock(w, P, 0), /W0, which does not hold it/);
    pipeMutexUnlock(w, P, 1);
    assert.equal(w.pipeMutex, 0);
  });

  it("the merge test is pipe_write()'s: chars = len & (PAGE_SIZE-1), a last buffer, and room in it", () => {
    const w = fresh();
    assert.equal(pipeMergeChars(w, P, 1), 0, 'empty pipe: nothing to merge into');
    pipePushBuffer(w, P, 0, 2);
    assert.equal(pipeMergeChars(w, P, 4), 0, 'a whole page never merges (chars = 0)');
    assert.equal(pipeMergeChars(w, P, 2), 2);
    assert.equal(pipeMergeChars(w, P, 3), 0, '2 + 3 > PAGE_SIZE');
    pipeMergeCommit(w, P, 0, 2);
    assert.deepEqual([w.pipeUsed, w.pipeLen[pipeLastSlot(w, P)]], [1, 4]);
  });

  it('the ghost: appends by one writer stay contiguous until another writer appends in between', () => {
    const w = fresh();
    pipePushBuffer(w, P, 0, 1);
    pipeMergeCommit(w, P, 0, 1);
    assert.deepEqual(
      [[...w.pipeWritten], [...w.pipeSplit]],
      [
        [2, 0],
        [0, 0],
      ],
    );
    pipePushBuffer(w, P, 1, 4);
    pipePushBuffer(w, P, 0, 1);
    assert.deepEqual([[...w.pipeWritten], [...w.pipeSplit], w.pipeLast], [[3, 4], [1, 0], 1]);
  });

  it('v5.5..v6.14: a reserved slot is an empty buffer until buf->len is set; a read releases empty buffers too', () => {
    const w = fresh();
    const s = pipeReserveSlot(w, P);
    assert.deepEqual([s, w.pipeUsed, pipeBytes(w, P)], [0, 1, 0]);
    assert.throws(() => pipeSetLen(w, P, s, 0, 5), /set twice/);
    pipeSetLen(w, P, s, 0, 3);
    pipeReserveSlot(w, P);
    assert.equal(pipeConsume(w, P, 4), 3);
    assert.ok(pipeEmpty(w), 'the empty buffer after it went too');
  });

  it('ring arithmetic and reads agree with a plain FIFO of buffers on random operation sequences', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('push' as const), w: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ k: fc.constant('merge' as const), w: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ k: fc.constant('read' as const), n: fc.integer({ min: 1, max: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const w = fresh();
        const fifo: number[] = [];
        for (const o of ops) {
          if (o.k === 'push') {
            if (pipeFull(w, P)) continue;
            // The ghost domain bounds what a writer may put in; stop before it.
            if (w.pipeWritten[o.w]! + o.n > P.maxWrite) continue;
            pipePushBuffer(w, P, o.w, o.n);
            fifo.push(o.n);
          } else if (o.k === 'merge') {
            if (pipeMergeChars(w, P, o.n) === 0 || w.pipeWritten[o.w]! + o.n > P.maxWrite) continue;
            pipeMergeCommit(w, P, o.w, o.n);
            fifo[fifo.length - 1]! += o.n;
          } else {
            const expect = pipeConsumeUnits(w, P, o.n);
            let got = 0;
            while (fifo.length && got + fifo[0]! <= o.n) got += fifo.shift()!;
            assert.equal(pipeConsume(w, P, o.n), got);
            assert.equal(expect, got);
          }
          assert.equal(w.pipeUsed, fifo.length);
          assert.equal(
            pipeBytes(w, P),
            fifo.reduce((a, b) => a + b, 0),
          );
          assert.equal(pipeFull(w, P), fifo.length === P.slots);
        }
      }),
      { numRuns: 200 },
    );
  });
});
