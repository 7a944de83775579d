/**
 * Writeback with the stable-pages protocol (actor W): one folio of a file
 * mapping that needs stable writes, written back the way write_cache_pages() / writeback_iter()
 * (mm/page-writeback.c) and a ->writepages() do it, plus Jan Kara's pin check (linux-fsdevel, 15 and 22 Sep
 * 2022, "iov_iter: new iov_iter_pin_pages*() routines"): "we lock the page, unmap (or writeprotect) the
 * page, and then check pincount == 0 and that is a reliable method for making sure page data is stable".
 *
 * One pass, each step atomic:
 *  - `folioLock` - the folio is tagged dirty: folio_lock() (sleeps while someone holds it);
 *    `writeCachePages` - nothing tagged dirty: the pass has nothing to do;
 *  - `folioClearDirtyForIo` - folio_clear_dirty_for_io(): folio_mkclean() write-protects every PTE (rmap
 *    walk, ptep_clear_flush(), pte_wrprotect(pte_mkclean())) and PG_dirty is cleared; a folio somebody
 *    else cleaned meanwhile is unlocked and skipped;
 *  - `folioMaybeDmaPinned` (pinCheck 'redirty') - the proposed check: folio_maybe_dma_pinned() ->
 *    folio_redirty_for_writepage() and skip (the bounce-buffer alternative would write a copy; either way
 *    the device's writes never reach the checksummed I/O); with pinCheck 'none' (mainline: no such check)
 *    this step is absent;
 *  - `folioStartWriteback` - folio_start_writeback() (the I/O's data is the folio's data now: the world
 *    records its version, `folioWbSnapshot`), submit the bio, folio_unlock();
 *  - `folioEndWriteback` - I/O completion (the checksum / RAID parity / T10-PI was computed over the
 *    snapshot) and folio_end_writeback().
 * With `passes` > 1 the flusher comes back and does it again.
 *
 * A CPU store or a GUP pin through the page tables needs a writable PTE; folio_mkclean() took it away, so
 * it faults into ->page_mkwrite(), which waits for the folio lock and then in folio_wait_stable() for the
 * end of writeback (models/mmu/folio.ts pageMkwriteOutcome). That is the whole protocol; a pin made
 * without a page-table walk (pin_user_page() on a page reference, the pin-from-reference hazard) bypasses it.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { BACKING_FILE } from '../mmu/constants.js';
import { folioClearDirtyForIo, folioDirty, folioEndWriteback, folioLock, folioLocked, folioMarkDirty, folioStartWriteback, folioUnlock } from '../mmu/folio.js';
import { folioMaybeDmaPinned } from '../mmu/pins.js';
import type { MmuWorld } from '../mmu/world.js';

export interface WritebackOptions {
  /** Column name in traces. Default 'writeback'. */
  readonly name?: string;
  /** The folio it writes back. Default 0. */
  readonly folio?: number;
  /** 'redirty' (default): Jan Kara's folio_maybe_dma_pinned() check; 'none': mainline, no check. */
  readonly pinCheck?: 'redirty' | 'none';
  /** Writeback passes over the folio. Default 1. */
  readonly passes?: number;
}

/** Every option of writebackMachine and writebackActor: a key not listed is a typo, refused rather than left at its default. */
const WRITEBACK_OPTIONS: Shape<WritebackOptions> = { name: 'string', folio: 'checked', pinCheck: 'checked', passes: 'checked' };

export interface WritebackContext {
  /** Passes finished. */
  pass: number;
}

type WritebackEvent = StepEvent<
  'writeCachePages' | 'folioLock' | 'folioClearDirtyForIo' | 'folioMaybeDmaPinned' | 'folioStartWriteback' | 'folioEndWriteback',
  MmuWorld
>;

function resolve(m: Mmu, options: WritebackOptions): { f: number; passes: number; check: boolean } {
  const f = options.folio ?? 0;
  const passes = options.passes ?? 1;
  const pinCheck = options.pinCheck ?? 'redirty';
  if (!Number.isInteger(f) || f < 0 || f >= m.folioCount) throw new RangeError(`writeback: folio ${f} is not a folio of the MMU`);
  if (m.backing[m.folioFirstPage[f]!] !== BACKING_FILE) throw new RangeError('writeback: the folio must be a file folio (backing: file)');
  if (!m.pageLock || !m.dirty || !m.writeback) throw new RangeError('writeback: the MMU needs pageLock, dirty and writeback');
  if (!Number.isInteger(passes) || passes < 1 || passes > 8) throw new RangeError(`writeback: passes ${passes} must be 1..8`);
  if (pinCheck !== 'redirty' && pinCheck !== 'none') throw new RangeError(`writeback: pinCheck '${String(pinCheck)}' is not 'redirty' or 'none'`);
  return { f, passes, check: pinCheck === 'redirty' };
}

/** The writeback machine (see the file comment). */
export function writebackMachine(m: Mmu, options: WritebackOptions = {}) {
  assertShape(options, WRITEBACK_OPTIONS, 'writebackMachine() options');
  const { f, passes, check } = resolve(m, options);
  type Args = { context: WritebackContext; event: WritebackEvent };
  type Act = 'nextPass' | 'unlock' | 'redirty' | 'end';
  const more = (a: Args): boolean => a.context.pass + 1 < passes;
  const dirty = (a: Args): boolean => folioDirty(a.event.world, m, f);
  const pinned = (a: Args): boolean => folioMaybeDmaPinned(a.event.world, m, f);
  // The end of a pass, under `when` (or always): back to `idle` for the next one, or `done`.
  const endPass = (when: ((a: Args) => boolean) | null, actions: readonly Act[], description: string) => [
    { guard: (a: Args) => (when === null || when(a)) && more(a), target: 'idle', actions: [...actions, 'nextPass' as const], description },
    { guard: (a: Args) => when === null || when(a), target: 'done', actions: [...actions, 'nextPass' as const], description },
  ];
  return setup({
    types: { context: {} as WritebackContext, events: {} as WritebackEvent },
    guards: {
      dirty,
      lockable: ({ event }) => folioDirty(event.world, m, f) && !folioLocked(event.world, m, f),
    },
    actions: {
      nextPass: assign({ pass: ({ context }) => context.pass + 1 }),
      lock: ({ event }) => folioLock(event.world, m, f),
      unlock: ({ event }) => folioUnlock(event.world, m, f),
      clean: ({ event }) => void folioClearDirtyForIo(event.world, m, f),
      redirty: ({ event }) => folioMarkDirty(event.world, m, f),
      start: ({ event }) => folioStartWriteback(event.world, m, f),
      end: ({ event }) => folioEndWriteback(event.world, m, f),
    },
  }).createMachine({
    id: options.name ?? 'writeback',
    initial: 'idle',
    context: { pass: 0 },
    states: {
      idle: {
        meta: { waitsFor: 'folio_lock()' },
        on: {
          folioLock: { guard: 'lockable', target: 'locked', actions: 'lock', description: 'folio_lock()' },
          writeCachePages: endPass((a) => !dirty(a), [], 'write_cache_pages(): no dirty folio'),
        },
      },
      locked: {
        on: {
          folioClearDirtyForIo: [
            { guard: 'dirty', target: check ? 'cleaned' : 'checked', actions: 'clean', description: 'folio_clear_dirty_for_io()' },
            ...endPass(null, ['unlock'], 'folio_clear_dirty_for_io(): already clean, folio_unlock()'),
          ],
        },
      },
      cleaned: {
        on: {
          folioMaybeDmaPinned: [
            ...endPass(pinned, ['redirty', 'unlock'], 'folio_maybe_dma_pinned(): folio_redirty_for_writepage(), folio_unlock()'),
            { target: 'checked', description: 'folio_maybe_dma_pinned() == false' },
          ],
        },
      },
      checked: {
        on: { folioStartWriteback: { target: 'io', actions: ['start', 'unlock'], description: 'folio_start_writeback(); folio_unlock()' } },
      },
      io: {
        on: { folioEndWriteback: endPass(null, ['end'], 'folio_end_writeback()') },
      },
      done: { type: 'final' },
    },
  });
}

/** The writeback actor (a thread). */
export function writebackActor(m: Mmu, options: WritebackOptions = {}): ActorSpec<WritebackContext, MmuWorld> {
  assertShape(options, WRITEBACK_OPTIONS, 'writebackActor() options');
  const { f, passes } = resolve(m, options);
  const pages = (): string => {
    const first = m.folioFirstPage[f]!;
    const n = m.folioNrPages[f]!;
    return n === 1 ? `p${first}` : `p${first}..p${first + n - 1}`;
  };
  return {
    name: options.name ?? 'writeback',
    machine: writebackMachine(m, options),
    fields: { pass: int(0, passes) },
    label: ({ event }, description) => {
      const w = event.world as MmuWorld;
      switch (event.type) {
        case 'folioClearDirtyForIo':
          return folioDirty(w, m, f) ? `folio_clear_dirty_for_io(${pages()}): folio_mkclean() write-protects the PTE` : (description ?? event.type);
        case 'folioMaybeDmaPinned':
          return folioMaybeDmaPinned(w, m, f) ? 'folio_maybe_dma_pinned() == true: folio_redirty_for_writepage(), skip' : 'folio_maybe_dma_pinned() == false';
        case 'folioStartWriteback':
          return 'folio_start_writeback() (checksum over this data); submit_bio(); folio_unlock()';
        case 'folioEndWriteback':
          return 'I/O completes, folio_end_writeback()';
        default:
          return description ?? event.type;
      }
    },
  };
}
