/**
 * punch-hole: a buffered read(2) or a page fault racing fallocate(FALLOC_FL_PUNCH_HOLE) (or truncate) on
 * the same folio of a file: whether the reader can put the file's old data back into the page cache between
 * truncate_inode_pages_range() and the filesystem freeing the blocks.
 *
 *   fault-unlocked    ext4 up to v4.4: punch and page faults unsynchronized; the fault re-creates the
 *                     folio from blocks about to be freed (fixed by ea3d7209ca01, v4.5: i_mmap_sem);
 *   read-unlocked     ext4 v4.5 .. v5.14: faults take i_mmap_sem, read(2) and readahead take nothing
 *                     ("a long standing race between hole punching and read(2) / readahead(2)", fixed by
 *                     d4f5258eae7b with 730633f0b7f9, v5.15);
 *   fault-i-mmap-sem  ext4 v4.5 .. v5.14 for faults: ext4_filemap_fault() under down_read(i_mmap_sem);
 *   invalidate-lock   v5.15: mapping->invalidate_lock taken shared by filemap_create_folio(),
 *                     filemap_update_page() and filemap_fault() only to add a folio or read one in.
 *
 * World: a file of one folio of one unit, one block each (models/pagecache/folio.ts with `evict`
 * and folio generations), its invalidate lock, i_size and the user mapping (models/pagecache/truncate.ts).
 * Actors: models/actors/truncate.ts (the punch of folio 0, or a truncate to 0) and
 * models/actors/filemapRead.ts (a read or a fault of folio 0).
 */
import { deadlockFreedom, terminates, type ActorSpec, type SystemSpec } from '../checker/index.js';
import { filemapReadActor, type FilemapInvalidateLock } from '../models/actors/filemapRead.js';
import { truncateActor } from '../models/actors/truncate.js';
import { definePageCache } from '../models/pagecache/folio.js';
import { defineTruncate, noOrphanMapping, noStalePageCache, type TruncateWorld } from '../models/pagecache/truncate.js';
import { defineScenario } from './scenario.js';

export type PunchHoleVariant = 'fault-unlocked' | 'read-unlocked' | 'fault-i-mmap-sem' | 'invalidate-lock';
type Params = 'cached' | 'truncate';

interface Form {
  /** The punch (or truncate) takes the lock; its name in labels. */
  readonly lock: false | 'i_mmap_sem' | 'invalidate_lock';
  readonly readers: readonly { readonly path: 'read' | 'fault'; readonly invalidateLock: FilemapInvalidateLock }[];
}

const FORMS: Record<PunchHoleVariant, Form> = {
  'fault-unlocked': { lock: false, readers: [{ path: 'fault', invalidateLock: 'none' }] },
  'read-unlocked': { lock: 'i_mmap_sem', readers: [{ path: 'read', invalidateLock: 'none' }] },
  'fault-i-mmap-sem': { lock: 'i_mmap_sem', readers: [{ path: 'fault', invalidateLock: 'whole' }] },
  'invalidate-lock': {
    lock: 'invalidate_lock',
    readers: [
      { path: 'read', invalidateLock: 'create' },
      { path: 'fault', invalidateLock: 'create' },
    ],
  },
};

export function buildPunchHole(p: Readonly<Record<Params, number>>, variant: PunchHoleVariant): SystemSpec<TruncateWorld> {
  const form = FORMS[variant];
  const pc = definePageCache({ folios: 1, folioUnits: 1, aops: 'block', uptodate: p.cached === 1, evict: { refs: 0, generations: 1, cached: p.cached === 1 } });
  const t = defineTruncate(pc, { readers: form.readers.length });
  const lockName = form.lock || 'invalidate_lock';
  const readers: ActorSpec[] = form.readers.map((r, i) =>
    filemapReadActor(t, { name: `CPU${i}`, path: r.path, index: 0, invalidateLock: r.invalidateLock, lockName }),
  ) as unknown as ActorSpec[];
  const punch = truncateActor(t, { op: p.truncate ? 'truncate' : 'punch', from: 0, invalidateLock: form.lock !== false, lockName });
  return {
    name: `punch-hole:${variant}`,
    world: { ...pc.fields, ...t.fields },
    actors: [...readers, punch as unknown as ActorSpec],
    properties: [
      noStalePageCache(pc),
      noOrphanMapping(t),
      deadlockFreedom(),
      ...form.readers.map((r, i) => terminates<TruncateWorld>(`CPU${i}`, { name: `${r.path} returns` })),
    ],
  };
}

export const punchHole = defineScenario({
  id: 'punch-hole',
  title: 'a page-cache read or fault racing fallocate(PUNCH_HOLE): stale data after the punch (ea3d7209ca01, 730633f0b7f9, d4f5258eae7b)',
  source:
    'ea3d7209ca01 "ext4: fix races between page faults and hole punching" (Jan Kara, v4.5); ' +
    '730633f0b7f9 "mm: Protect operations adding pages to page cache with invalidate_lock" and d4f5258eae7b "ext4: Convert to use mapping->invalidate_lock" ' +
    '(Jan Kara, v5.15, the hole_punch_for_v5.15-rc1 pull: "Fix races leading to possible data corruption or stale data exposure in multiple filesystems when hole punching races with operations such as readahead")',
  description:
    'fallocate(FALLOC_FL_PUNCH_HOLE) first removes the range from the page cache (truncate_pagecache_range() -> truncate_inode_pages_range(): ' +
    'folio_lock(), truncate_inode_folio(), folio->mapping = NULL) and then frees the blocks (ext4_ext_remove_space()). A read(2), readahead or page fault ' +
    'that creates a folio of the range in between reads the old blocks back in: after the punch the page cache holds the old data of what is now a hole ' +
    '("read / page fault / readahead can instantiate pages in page cache with potentially stale data (if blocks get quickly reused)", 730633f0b7f9), ' +
    'and a fault maps it. Folio locks cannot stop it - the folio does not exist yet - and i_size checks do not, since a punch keeps i_size. ' +
    'fault-unlocked: ext4 before ea3d7209ca01 (v4.5), "page faults and hole punching are completely unsynchronized". ' +
    'read-unlocked: ext4 v4.5 .. v5.14, whose i_mmap_sem covered faults but not read(2) or readahead (d4f5258eae7b: "we fix a long standing race between ' +
    'hole punching and read(2) / readahead(2) paths that can lead to stale page cache contents"). fault-i-mmap-sem: those kernels\' fault path, which holds. ' +
    'invalidate-lock (v5.15): the lock moved into the address_space, taken shared only to add a folio or read one in; a reader that finds its folio ' +
    'truncated after folio_lock() (folio->mapping == NULL) retries. Properties: no stale page cache (no uptodate folio holds old data over freed blocks), ' +
    'no orphan mapping (no PTE maps a removed folio), the reader returns, no deadlock. Parameters: ' +
    "cached = the file's folio starts in the page cache, uptodate; truncate = a truncate to 0 instead of the punch (i_size shrinks first; the fixed forms only). " +
    'Not modelled: readahead of more than the one folio, partial folios, writeback, blocks reused by another file.',
  params: {
    cached: { description: '1: the folio starts in the page cache, uptodate (the file was read); 0: not cached', default: 1, min: 0, max: 1 },
    truncate: { description: '1: truncate(0) instead of the punch (i_size shrinks first)', default: 0, min: 0, max: 1 },
  },
  variants: {
    'fault-unlocked': {
      description: 'ext4 up to v4.4: filemap_fault() runs unsynchronized with the punch and re-creates the folio from blocks about to be freed',
      expected: { verdict: 'violated', property: 'no stale page cache' },
      provenance: { kind: 'shipped', versions: 'ext4 up to v4.4', commits: ['ea3d7209ca01'] },
      params: ['cached'],
    },
    'read-unlocked': {
      description: 'ext4 v4.5 .. v5.14: the punch holds i_mmap_sem, read(2) takes nothing and re-creates the folio from blocks about to be freed',
      expected: { verdict: 'violated', property: 'no stale page cache' },
      provenance: { kind: 'shipped', versions: 'ext4 v4.5 .. v5.14', commits: ['ea3d7209ca01', 'd4f5258eae7b'] },
      params: ['cached'],
    },
    'fault-i-mmap-sem': {
      description: 'ext4 v4.5 .. v5.14 faults: ext4_filemap_fault() holds i_mmap_sem shared around filemap_fault()',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'ext4 v4.5 .. v5.14', commits: ['ea3d7209ca01'] },
    },
    'invalidate-lock': {
      description: 'v5.15: a read and a fault take mapping->invalidate_lock shared to add or read a folio, the punch exclusive',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.15+', commits: ['730633f0b7f9', 'd4f5258eae7b'] },
    },
  },
  defaultVariant: 'read-unlocked',
  build: (p, v) => buildPunchHole(p, v),
});
