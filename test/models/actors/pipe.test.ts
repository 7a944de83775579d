/**
 * The pipe writer and reader (models/actors/pipeWriter.ts, pipeReader.ts) alone on tiny worlds, with
 * hand-counted state spaces, the three writer forms, labels, and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, deadlockFreedom, type SystemSpec } from '../../../checker/index.js';
import { pipeReaderActor, pipeWriterActor, type PipePublish, type PipeWriteDesign } from '../../../models/actors/index.js';
import { defineMmu } from '../../../models/index.js';
import { definePipe, pipeWriteAtomicity } from '../../../models/pipe/index.js';
import { assertConformance } from '../../checker/conformance.js';

// Two pages of two units: the writer's buffer is units [1, 3), p0 resident, p1 as given.
function writerAlone(
  design: PipeWriteDesign,
  p1: 'PRESENT_RW' | 'ABSENT',
  publish?: PipePublish,
  initial?: number[],
  backing: 'anon' | 'uffd' = 'anon',
): SystemSpec {
  const m = defineMmu({ pages: 2, unitsPerPage: 2, staticVma: true, pte: ['PRESENT_RW', p1], backing: ['anon', backing] });
  const P = definePipe({ slots: 2, pageUnits: 2, mutexOwners: ['W0'], writers: ['W0'], maxWrite: 2, ...(initial ? { initial } : {}) });
  return {
    name: 'w',
    world: { ...m.fields, ...P.fields },
    actors: [pipeWriterActor({ name: 'W0', pipe: P, mmu: m, writer: 0, mutexOwner: 0, addr: 1, len: 2, design, ...(publish ? { publish } : {}) })],
    properties: [pipeWriteAtomicity(P, [{ actor: 'W0', writer: 0, len: 2 }]), deadlockFreedom()],
  };
}

const counts = (spec: SystemSpec) => {
  const r = check(spec);
  return [r.verdict, r.stats.states, r.stats.transitions];
};

describe('models/actors/pipeWriter.ts', () => {
  it('mutex-held, resident buffer: lock, copy, publish, unlock: 5 states, 4 transitions (slot-first adds the reserve step)', () => {
    assert.deepEqual(counts(writerAlone('mutex-held', 'PRESENT_RW')), ['holds', 5, 4]);
    assert.deepEqual(counts(writerAlone('mutex-held', 'PRESENT_RW', 'beforeCopy')), ['holds', 6, 5]);
  });

  it('mutex-held, second page absent: the copy faults and continues under the mutex: 7 states, 6 transitions', () => {
    assert.deepEqual(counts(writerAlone('mutex-held', 'ABSENT')), ['holds', 7, 6]);
  });

  it('drop-lock-retry, second page absent: publish 1, unlock, fault in, relock, merge the other 1 (no other writer: contiguous)', () => {
    const spec = writerAlone('drop-lock-retry', 'ABSENT');
    const r = check(spec);
    assert.deepEqual([r.verdict, r.stats.states, r.stats.transitions], ['holds', 10, 9]);
    assertConformance(spec, { runs: 10, maxSteps: 12 });
  });

  it('a full pipe: the writer waits for room before copying anything, and with no reader that is a deadlock', () => {
    const r = check(writerAlone('mutex-held', 'PRESENT_RW', 'afterCopy', [2, 2]));
    assert.equal(r.violations[0]?.property, 'deadlock');
    assert.equal(r.violations[0]?.message, "W0 is stuck in 'waitSpace', waiting for room in the pipe, then pipe->mutex");
  });

  it('a missing userfaultfd page with nobody to resolve it: the writer sleeps in handle_userfault() holding the mutex', () => {
    const r = check(writerAlone('mutex-held', 'ABSENT', 'afterCopy', undefined, 'uffd'));
    assert.equal(r.violations[0]?.message, "W0 is stuck in 'userfaultWait', waiting for UFFDIO_COPY of p1 (holding pipe->mutex)");
  });

  it('rejects a write longer than PIPE_BUF and publish with the drop-lock-retry design', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 2 });
    const P = definePipe({ slots: 2, pageUnits: 2, mutexOwners: ['W0'], writers: ['W0'], maxWrite: 3 });
    assert.throws(() => pipeWriterActor({ name: 'W0', pipe: P, mmu: m, writer: 0, mutexOwner: 0, addr: 0, len: 3, design: 'mutex-held' }), /1..PIPE_BUF/);
    assert.throws(
      () => pipeWriterActor({ name: 'W0', pipe: P, mmu: m, writer: 0, mutexOwner: 0, addr: 0, len: 2, design: 'drop-lock-retry', publish: 'afterCopy' }),
      /mutex-held design only/,
    );
  });
});

describe('models/actors/pipeReader.ts', () => {
  const P = definePipe({ slots: 2, pageUnits: 2, mutexOwners: ['R'], writers: ['W0'], maxWrite: 2, initial: [1, 2] });
  const reader = (units: number): SystemSpec => ({
    name: 'r',
    world: P.fields,
    actors: [pipeReaderActor({ name: 'R', pipe: P, mutexOwner: 0, units })],
    properties: [deadlockFreedom()],
  });

  it('two buffers, a read of PIPE_BUF: takes the whole buffers that fit (1 unit; the next does not fit): 4 states, 3 transitions', () => {
    const r = check(reader(2));
    assert.deepEqual([r.verdict, r.stats.states, r.stats.transitions], ['holds', 4, 3]);
    const r3 = check(reader(3));
    assert.deepEqual([r3.verdict, r3.stats.states], ['holds', 4]);
    assertConformance(reader(3), { runs: 10, maxSteps: 6 });
  });

  it('an empty pipe and no writer: the reader sleeps for data (a deadlock when nobody will write)', () => {
    const E = definePipe({ slots: 2, pageUnits: 2, mutexOwners: ['R'], writers: ['W0'], maxWrite: 2 });
    const r = check({
      name: 'r',
      world: E.fields,
      actors: [pipeReaderActor({ name: 'R', pipe: E, mutexOwner: 0, units: 2 })],
      properties: [deadlockFreedom()],
    });
    assert.equal(r.violations[0]?.message, "R is stuck in 'waitData', waiting for data in the pipe, then pipe->mutex");
  });
});
