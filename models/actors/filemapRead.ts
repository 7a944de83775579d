/**
 * A buffered read(2) or a page fault on one folio index of a file (models/pagecache/truncate.ts), as
 * mm/filemap.c does it against a racing truncate or hole punch:
 *
 *   read:  filemap_read(): if (ki_pos >= i_size_read()) return 0;
 *          filemap_get_pages(): filemap_get_read_batch() (no folio lock)
 *            absent        -> filemap_create_folio(): [invalidate_lock shared] filemap_add_folio()
 *                             (-EEXIST: AOP_TRUNCATED_PAGE, retry) + filemap_read_folio()
 *            not uptodate  -> filemap_update_page(): [invalidate_lock shared] folio_lock();
 *                             if (!folio->mapping) AOP_TRUNCATED_PAGE, retry; else ->read_folio()
 *          then "i_size must be checked after we know the pages are Uptodate": ki_pos >= i_size -> 0,
 *          else copy_folio_to_iter() - without the folio lock, from the folio it holds a reference on.
 *   fault: filemap_fault(): index >= DIV_ROUND_UP(i_size_read(), PAGE_SIZE) -> VM_FAULT_SIGBUS;
 *          filemap_get_folio(); absent or not uptodate -> [invalidate_lock shared]
 *          __filemap_get_folio(FGP_CREAT) and the read; lock_folio_maybe_drop_mmap();
 *          "Did it get truncated?" folio->mapping != mapping -> unlock, goto retry_find;
 *          not uptodate: without the invalidate lock goto retry_find, with it page_not_uptodate (read);
 *          [drop the invalidate lock]; "We must recheck i_size under page lock" -> VM_FAULT_SIGBUS;
 *          finish_fault() maps it under the folio lock, then folio_unlock().
 *
 * Option `invalidateLock` (where the bracketed lock is taken):
 *   'create'  v5.15 (730633f0b7f9): only to add a folio or read one in, as above;
 *   'whole'   around the whole call: ext4_filemap_fault()'s down_read(i_mmap_sem) (ea3d7209ca01, v4.5 -
 *             v5.14), XFS's MMAPLOCK for faults and IOLOCK for reads;
 *   'none'    never: ext4's read(2) before d4f5258eae7b (v5.15), ext4's faults before ea3d7209ca01 (v4.5).
 *
 * Steps: `invalidateLockShared`, `iSizeRead`, `filemapGetFolio` (the lookup), `filemapCreateFolio`
 * (add + ->read_folio(): the new folio is locked until its read completes, so nothing else touches it in
 * between), `folioLock` (the lock and everything done under it), `copyFolioToIter` (read only). Context:
 * `gen` (which folio of the index it holds, the page cache's `pcGen`), `inv` (holds the lock shared), `seen`
 * (the content the read copies or the fault maps), `ret`. Simplification: the fault's
 * page_not_uptodate -> retry_find detour after a read is one step back to `folioLock`.
 */
import { assign, setup } from 'xstate';
import { assertShape, bool, enumOf, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import {
  PC_CONTENT_NAMES,
  pcFolioCached,
  pcFolioGen,
  pcFolioLock,
  pcFolioLocked,
  pcFolioMappingIs,
  pcFolioUnlock,
  pcFolioUptodate,
  readFolio,
  readFolioUnitResult,
} from '../pagecache/folio.js';
import { invalidateLockShared, invalidateLockSharedOk, invalidateUnlockShared, mapFolio, type Truncate, type TruncateWorld } from '../pagecache/truncate.js';

export type FilemapInvalidateLock = 'create' | 'whole' | 'none';

export interface FilemapReadOptions {
  /** Column name in traces. Default 'CPU0'. */
  readonly name?: string;
  readonly path: 'read' | 'fault';
  /** The folio index read or faulted. */
  readonly index: number;
  readonly invalidateLock: FilemapInvalidateLock;
  /** The lock's name in labels. Default 'invalidate_lock'. */
  readonly lockName?: string;
}

/** Every option of filemapReadMachine and filemapReadActor: a key not listed is a typo, refused rather than left at its default. */
const FILEMAP_READ_OPTIONS: Shape<FilemapReadOptions> = { name: 'string', path: 'checked', index: 'checked', invalidateLock: 'checked', lockName: 'string' };

export const FILEMAP_RET_NAMES = ['-', 'copied', '0 (EOF)', 'mapped', 'VM_FAULT_SIGBUS'] as const;
export const FILEMAP_RET_NONE = 0;
export const FILEMAP_RET_COPIED = 1;
export const FILEMAP_RET_EOF = 2;
export const FILEMAP_RET_MAPPED = 3;
export const FILEMAP_RET_SIGBUS = 4;

export interface FilemapReadContext {
  gen: number;
  inv: number;
  /** The first unit's content (PC_*) it copied or mapped; 0 (never) until then. */
  seen: number;
  ret: number;
}

type Event = StepEvent<'invalidateLockShared' | 'iSizeRead' | 'filemapGetFolio' | 'filemapCreateFolio' | 'folioLock' | 'copyFolioToIter', TruncateWorld>;

function check(t: Truncate, o: FilemapReadOptions): void {
  if (o.path !== 'read' && o.path !== 'fault') throw new RangeError(`filemap read: path '${String(o.path)}' is not read or fault`);
  if (!['create', 'whole', 'none'].includes(o.invalidateLock))
    throw new RangeError(`filemap read: invalidateLock '${String(o.invalidateLock)}' is not create, whole or none`);
  if (!Number.isInteger(o.index) || o.index < 0 || o.index >= t.pc.folios) throw new RangeError(`filemap read: index ${o.index} is not a folio of the file`);
}

/** The decisions shared by the machine and the labels. */
function decide(t: Truncate, o: FilemapReadOptions) {
  const pc = t.pc;
  const f = o.index;
  return {
    /** The lookup: absent, not uptodate or uptodate. */
    cached: (w: TruncateWorld) => pcFolioCached(w, pc, f),
    uptodate: (w: TruncateWorld) => pcFolioUptodate(w, f),
    /** folio->mapping == mapping for the folio looked up. */
    sameFolio: (w: TruncateWorld, ctx: FilemapReadContext) => pcFolioMappingIs(w, pc, f, ctx.gen),
    beyondEof: (w: TruncateWorld) => f >= w.iSize,
    /** The first unit's content once the folio is read in (pure: what it holds if uptodate). */
    content: (w: TruncateWorld) => readFolioUnitResult(w, pc, f, 0),
  };
}

export function filemapReadMachine(t: Truncate, o: FilemapReadOptions) {
  assertShape(o, FILEMAP_READ_OPTIONS, 'filemapReadMachine() options');
  check(t, o);
  const pc = t.pc;
  const f = o.index;
  const D = decide(t, o);
  const read = o.path === 'read';
  const create = o.invalidateLock === 'create';
  const whole = o.invalidateLock === 'whole';
  const waitsForLock = `${o.lockName ?? 'invalidate_lock'} (down_read): truncate holds it`;
  // The read drops a 'create' lock as soon as filemap_create_folio() / filemap_update_page() return.
  const dropRead = (w: TruncateWorld, ctx: FilemapReadContext): void => {
    if (read && create && ctx.inv === 1) invalidateUnlockShared(w);
  };
  const invAfterRead = ({ context }: { context: FilemapReadContext }) => (read && create ? 0 : context.inv);
  const genNow = ({ event }: { event: Event }) => pcFolioGen(event.world, pc, f);
  const seenNow = ({ event }: { event: Event }) => D.content(event.world);
  return setup({
    types: { context: {} as FilemapReadContext, events: {} as Event },
    guards: {
      sharedOk: ({ event }) => invalidateLockSharedOk(event.world),
      beyondEof: ({ event }) => D.beyondEof(event.world),
      absentNeedsLock: ({ context, event }) => create && context.inv === 0 && !D.cached(event.world),
      staleNeedsLock: ({ context, event }) => create && context.inv === 0 && !D.uptodate(event.world),
      absent: ({ event }) => !D.cached(event.world),
      uptodate: ({ event }) => D.uptodate(event.world),
      cachedNow: ({ event }) => D.cached(event.world),
      unlocked: ({ event }) => !pcFolioLocked(event.world, pc, f),
      truncated: ({ context, event }) => !pcFolioLocked(event.world, pc, f) && !D.sameFolio(event.world, context),
      truncatedNeedsLock: ({ context, event }) => !pcFolioLocked(event.world, pc, f) && !D.sameFolio(event.world, context) && create && context.inv === 0,
      retryForLock: ({ context, event }) => !pcFolioLocked(event.world, pc, f) && !D.uptodate(event.world) && create && context.inv === 0,
      notUptodate: ({ event }) => !pcFolioLocked(event.world, pc, f) && !D.uptodate(event.world),
      faultBeyondEof: ({ event }) => !pcFolioLocked(event.world, pc, f) && D.beyondEof(event.world),
    },
    actions: {
      lockShared: ({ event }) => invalidateLockShared(event.world),
      unlockWhole: ({ context, event }) => {
        if (whole && context.inv === 1) invalidateUnlockShared(event.world);
      },
      dropRead: ({ context, event }) => dropRead(event.world, context),
      createFolio: ({ context, event }) => {
        const w = event.world;
        pcFolioLock(w, pc, f); // filemap_add_folio() adds it locked
        readFolio(w, pc, f); // ->read_folio(); the read's completion unlocks it
        pcFolioUnlock(w, pc, f);
        dropRead(w, context);
      },
      readLocked: ({ context, event }) => {
        const w = event.world;
        pcFolioLock(w, pc, f);
        readFolio(w, pc, f);
        pcFolioUnlock(w, pc, f);
        dropRead(w, context);
      },
      faultFinish: ({ context, event }) => {
        const w = event.world;
        if (context.inv === 1) invalidateUnlockShared(w); // 'create': before the i_size recheck; 'whole': ext4_filemap_fault()'s up_read()
        if (!D.beyondEof(w)) mapFolio(w, t, f); // finish_fault() under the folio lock
      },
    },
  }).createMachine({
    id: o.name ?? 'CPU0',
    initial: whole ? 'start' : 'size',
    context: { gen: 0, inv: 0, seen: 0, ret: FILEMAP_RET_NONE },
    states: {
      start: {
        meta: { waitsFor: waitsForLock },
        on: { invalidateLockShared: { guard: 'sharedOk', target: 'size', actions: ['lockShared', assign({ inv: 1 })], description: 'down_read()' } },
      },
      size: {
        on: {
          iSizeRead: [
            {
              guard: 'beyondEof',
              target: 'done',
              actions: ['unlockWhole', assign({ ret: read ? FILEMAP_RET_EOF : FILEMAP_RET_SIGBUS, inv: 0 })],
              description: read ? 'ki_pos >= i_size: return 0' : 'index >= max_idx: VM_FAULT_SIGBUS',
            },
            { target: 'lookup', description: 'i_size_read()' },
          ],
        },
      },
      // filemap_get_read_batch() / filemap_get_folio(): the lookup without any lock.
      lookup: {
        on: {
          filemapGetFolio: read
            ? [
                { guard: 'absentNeedsLock', target: 'lockForCreate', description: 'absent: the invalidate lock first' },
                { guard: 'absent', target: 'create', description: 'absent: create one' },
                { guard: 'uptodate', target: 'copy', actions: assign({ gen: genNow, seen: seenNow }), description: 'uptodate: copy without the folio lock' },
                {
                  guard: 'staleNeedsLock',
                  target: 'lockForUpdate',
                  actions: assign({ gen: genNow }),
                  description: 'filemap_update_page(): the invalidate lock first',
                },
                { target: 'lock', actions: assign({ gen: genNow }), description: 'filemap_update_page(): lock it' },
              ]
            : [
                { guard: 'absentNeedsLock', target: 'lockForCreate', description: 'absent: the invalidate lock first' },
                { guard: 'absent', target: 'create', description: 'absent: create one' },
                { guard: 'staleNeedsLock', target: 'lockForUpdate', actions: assign({ gen: genNow }), description: 'not uptodate: the invalidate lock first' },
                { target: 'lock', actions: assign({ gen: genNow }), description: 'found: lock it' },
              ],
        },
      },
      lockForCreate: {
        meta: { waitsFor: waitsForLock },
        on: {
          invalidateLockShared: {
            guard: 'sharedOk',
            target: 'create',
            actions: ['lockShared', assign({ inv: 1 })],
            description: 'filemap_invalidate_lock_shared()',
          },
        },
      },
      lockForUpdate: {
        meta: { waitsFor: waitsForLock },
        on: {
          invalidateLockShared: {
            guard: 'sharedOk',
            target: 'lock',
            actions: ['lockShared', assign({ inv: 1 })],
            description: 'filemap_invalidate_lock_shared()',
          },
        },
      },
      // filemap_create_folio() (read) / retry_find: __filemap_get_folio(FGP_CREAT) (fault).
      create: {
        meta: { waitsFor: 'the folio of the index is locked' },
        on: {
          filemapCreateFolio: [
            read
              ? {
                  guard: 'cachedNow',
                  target: 'lookup',
                  actions: ['dropRead', assign({ inv: invAfterRead })],
                  description: 'filemap_add_folio() = -EEXIST: AOP_TRUNCATED_PAGE, retry',
                }
              : { guard: 'cachedNow', target: 'lock', actions: assign({ gen: genNow }), description: '__filemap_get_folio() finds one' },
            {
              guard: 'unlocked',
              target: read ? 'copy' : 'lock',
              actions: [assign({ gen: genNow, seen: seenNow }), 'createFolio', assign({ inv: invAfterRead })],
              description: read ? 'filemap_create_folio()' : '__filemap_get_folio(FGP_CREAT); filemap_read_folio()',
            },
          ],
        },
      },
      lock: {
        meta: { waitsFor: 'folio_lock(): the folio is locked' },
        on: {
          folioLock: read
            ? [
                {
                  guard: 'truncated',
                  target: 'lookup',
                  actions: ['dropRead', assign({ inv: invAfterRead })],
                  description: 'folio->mapping == NULL: AOP_TRUNCATED_PAGE, retry',
                },
                {
                  guard: 'notUptodate',
                  target: 'copy',
                  actions: [assign({ seen: seenNow }), 'readLocked', assign({ inv: invAfterRead })],
                  description: 'filemap_update_page(): ->read_folio()',
                },
                {
                  guard: 'unlocked',
                  target: 'copy',
                  actions: [assign({ seen: seenNow }), 'dropRead', assign({ inv: invAfterRead })],
                  description: 'filemap_update_page(): uptodate',
                },
              ]
            : [
                { guard: 'truncatedNeedsLock', target: 'lockForCreate', description: 'folio->mapping != mapping: truncated, retry_find' },
                { guard: 'truncated', target: 'create', description: 'folio->mapping != mapping: truncated, retry_find' },
                { guard: 'retryForLock', target: 'lockForCreate', description: 'not uptodate without the invalidate lock: retry_find' },
                { guard: 'notUptodate', target: 'lock', actions: 'readLocked', description: 'page_not_uptodate: filemap_read_folio(); retry_find' },
                {
                  guard: 'faultBeyondEof',
                  target: 'done',
                  actions: [assign({ ret: FILEMAP_RET_SIGBUS }), 'faultFinish', assign({ inv: 0 })],
                  description: 'i_size recheck under the folio lock: VM_FAULT_SIGBUS',
                },
                {
                  guard: 'unlocked',
                  target: 'done',
                  actions: [assign({ ret: FILEMAP_RET_MAPPED, seen: seenNow }), 'faultFinish', assign({ inv: 0 })],
                  description: 'finish_fault(); folio_unlock()',
                },
              ],
        },
      },
      copy: {
        on: {
          copyFolioToIter: [
            {
              guard: 'beyondEof',
              target: 'done',
              actions: ['unlockWhole', assign({ ret: FILEMAP_RET_EOF, inv: 0 })],
              description: 'ki_pos >= i_size: return 0',
            },
            { target: 'done', actions: ['unlockWhole', assign({ ret: FILEMAP_RET_COPIED, inv: 0 })], description: 'copy_folio_to_iter()' },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The reading or faulting thread (weakly fair). */
export function filemapReadActor(t: Truncate, o: FilemapReadOptions): ActorSpec<FilemapReadContext, TruncateWorld> {
  assertShape(o, FILEMAP_READ_OPTIONS, 'filemapReadActor() options');
  const D = decide(t, o);
  const f = o.index;
  const lock = o.lockName ?? 'invalidate_lock';
  const read = o.path === 'read';
  const content = (w: TruncateWorld) => PC_CONTENT_NAMES[D.content(w)];
  return {
    name: o.name ?? 'CPU0',
    machine: filemapReadMachine(t, o),
    fields: { gen: int(0, t.pc.generations), inv: bool(), seen: enumOf(PC_CONTENT_NAMES), ret: enumOf(FILEMAP_RET_NAMES) },
    label: ({ context, event }) => {
      const w = event.world as TruncateWorld;
      const c = context as FilemapReadContext;
      const fn = read ? 'filemap_read()' : 'filemap_fault()';
      switch (event.type) {
        case 'invalidateLockShared':
          return `${o.invalidateLock === 'whole' ? `${read ? 'read' : 'fault'}: ` : ''}down_read(${lock})`;
        case 'iSizeRead':
          return D.beyondEof(w)
            ? `${fn}: index ${f} >= i_size ${w.iSize}: ${read ? 'return 0' : 'VM_FAULT_SIGBUS'}`
            : `${fn}: i_size_read() = ${w.iSize} folios, index ${f} inside`;
        case 'filemapGetFolio': {
          const where = read ? 'filemap_get_read_batch()' : 'filemap_get_folio()';
          if (!D.cached(w)) return `${where}: no folio at index ${f}`;
          return `${where}: folio ${f} ${D.uptodate(w) ? 'uptodate' : 'not uptodate'}`;
        }
        case 'filemapCreateFolio':
          if (D.cached(w)) return `filemap_add_folio(): -EEXIST, retry`;
          return `${read ? 'filemap_create_folio()' : '__filemap_get_folio(FGP_CREAT)'}: filemap_add_folio(folio ${f}); ->read_folio() reads ${w.pcTruncated![f] === 1 ? 'zeroes (a hole)' : "the file's old data from its blocks"}`;
        case 'folioLock': {
          if (!D.sameFolio(w, c)) return `folio_lock(folio ${f}): folio->mapping == NULL (truncated): folio_unlock(); retry`;
          if (!D.uptodate(w)) {
            if (o.invalidateLock === 'create' && c.inv === 0) return `folio_lock(folio ${f}): not uptodate, no ${lock}: folio_unlock(); retry_find`;
            return `folio_lock(folio ${f}); ->read_folio() reads ${w.pcTruncated![f] === 1 ? 'zeroes' : 'old data'}`;
          }
          if (read) return `filemap_update_page(): folio_lock(folio ${f}): uptodate; folio_unlock()`;
          if (D.beyondEof(w)) return `folio_lock(folio ${f}); i_size recheck: index ${f} >= i_size ${w.iSize}: VM_FAULT_SIGBUS`;
          return `folio_lock(folio ${f}); mapping, uptodate, i_size rechecked; finish_fault(): the PTE maps folio ${f} (${content(w)} data); folio_unlock()`;
        }
        case 'copyFolioToIter':
          return D.beyondEof(w)
            ? `i_size recheck: index ${f} >= i_size ${w.iSize}: return 0`
            : `copy_folio_to_iter(): ${PC_CONTENT_NAMES[c.seen]} data copied to the user`;
        default:
          return event.type;
      }
    },
  };
}
