/**
 * Page-cache writeback (models/actors/pageCacheWriteback.ts) against truncate (models/actors/truncate.ts):
 * truncate_inode_pages_range() waits for PG_writeback before it removes a folio, so no write I/O is ever in
 * flight to blocks the filesystem freed; the wait is reachable; the property is not vacuous.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { array, bool, check, deadlockFreedom, invariant, terminates, type SystemSpec } from '../../../checker/index.js';
import { pageCacheWritebackActor } from '../../../models/actors/pageCacheWriteback.js';
import { truncateActor } from '../../../models/actors/truncate.js';
import { definePageCache, pcFolioLock, pcFolioUnlock, pcFreeBlocks } from '../../../models/pagecache/folio.js';
import {
  defineTruncate,
  noStalePageCache,
  noWritebackToFreedBlocks,
  pcEndWriteback,
  pcStartWriteback,
  pcWritebackStartOk,
  pcWritebackToFreed,
  type TruncateWorld,
} from '../../../models/pagecache/truncate.js';
import { assertConformance } from '../../checker/conformance.js';
import { plainWorld } from '../helpers.js';

function build(folios: number): SystemSpec<TruncateWorld> {
  const pc = definePageCache({ folios, folioUnits: 1, aops: 'block', uptodate: true, evict: { refs: 0, generations: 1 } });
  const t = defineTruncate(pc, { readers: 1, writeback: true });
  return {
    name: 'writeback-vs-truncate',
    // Every folio starts dirty: a write the flusher has not written back yet.
    world: { ...pc.fields, ...t.fields, pcDirty: array(folios, bool(), new Array<number>(folios).fill(1)) },
    actors: [
      pageCacheWritebackActor(t, { passes: folios }),
      truncateActor(t, { op: 'truncate', from: 0, invalidateLock: true }),
    ] as SystemSpec<TruncateWorld>['actors'],
    properties: [noWritebackToFreedBlocks(t), noStalePageCache(pc), deadlockFreedom(), terminates<TruncateWorld>('truncate', { name: 'truncate returns' })],
  };
}

describe('models/actors/pageCacheWriteback.ts', () => {
  it('truncate waits for writeback: no write to freed blocks, no deadlock, truncate returns (1 folio: 29 states, 2 folios: 88 states)', () => {
    for (const [folios, states] of [
      [1, 29],
      [2, 88],
    ] as const) {
      const r = check(build(folios));
      assert.equal(r.verdict, 'holds', `${folios} folios`);
      assert.equal(r.stats.states, states, `${folios} folios`);
    }
  });

  it('the wait is reachable: truncate holds the folio lock while the folio is under writeback', () => {
    const spec = build(1);
    const neverWaits = invariant<TruncateWorld>(
      'truncate never waits for writeback',
      (s) => !(s.actor('truncate').state === 'locked' && s.world.pcWriteback![0] === 1),
    );
    const t = check({ ...spec, properties: [neverWaits] }).violations[0]!.trace;
    assert.deepEqual(
      t.steps.map((s) => `${s.actor}.${s.transition}`),
      ['writeback.writeFolio', 'truncate.filemapInvalidateLock', 'truncate.iSizeWrite', 'truncate.unmapMappingRange', 'truncate.folioLock'],
    );
  });

  it('the property sees a write in flight to freed blocks; the operations refuse misuse', () => {
    const pc = definePageCache({ folios: 1, folioUnits: 1, aops: 'block', uptodate: true, evict: { refs: 0, generations: 1 } });
    const t = defineTruncate(pc, { readers: 1, writeback: true });
    const w = plainWorld({ ...pc.fields, ...t.fields }) as unknown as TruncateWorld;
    assert.equal(pcWritebackStartOk(w, t, 0), false, 'clean');
    w.pcDirty![0] = 1;
    assert.equal(pcWritebackStartOk(w, t, 0), true);
    assert.throws(() => pcStartWriteback(w, t, 0), /not locked/);
    pcFolioLock(w, pc, 0);
    assert.equal(pcWritebackStartOk(w, t, 0), false, 'locked');
    pcStartWriteback(w, t, 0);
    pcFolioUnlock(w, pc, 0);
    assert.deepEqual([w.pcDirty![0], w.pcWriteback![0]], [0, 1]);
    pcFreeBlocks(w, pc, 0);
    assert.equal(pcWritebackToFreed(w, t), 0);
    pcEndWriteback(w, t, 0);
    assert.equal(pcWritebackToFreed(w, t), -1);
    assert.throws(() => pcEndWriteback(w, t, 0), /not under writeback/);
    assert.throws(() => pageCacheWritebackActor(defineTruncate(pc, { readers: 1 })), /needs writeback/);
  });

  it('conforms to xstate', () => {
    assertConformance(build(2), { runs: 10, maxSteps: 20 });
  });
});
