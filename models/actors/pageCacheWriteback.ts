/**
 * Writeback of a file's dirty page-cache folios (models/pagecache/truncate.ts built with `writeback`), as
 * write_cache_pages() / writeback_iter() (mm/page-writeback.c) drive ->writepages():
 *
 *   folio_lock(folio);
 *   if (unlikely(folio->mapping != mapping)) goto continue_unlock;   // truncated meanwhile: skip
 *   if (!folio_test_dirty(folio)) goto continue_unlock;
 *   folio_clear_dirty_for_io(folio); folio_start_writeback(folio); submit the bio; folio_unlock(folio);
 *   ... I/O completion: folio_end_writeback(folio);
 *
 * Steps: `writeFolio` (one choice per folio: the lock, the rechecks, the start of writeback and the unlock
 * in one step - truncate cannot run in between, it needs the folio lock), `endWriteback` (the I/O completes),
 * `done` (no more passes). A thread (the flusher finishes its I/O), at most `passes` folios written. Unlike
 * `writeback.ts` (MMU folios of user pages, for stable pages), this one writes page-cache folios of a file.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { pcFolioLock, pcFolioUnlock } from '../pagecache/folio.js';
import { pcEndWriteback, pcStartWriteback, pcWritebackStartOk, type Truncate, type TruncateWorld } from '../pagecache/truncate.js';

export interface PageCacheWritebackOptions {
  /** Column name in traces. Default 'writeback'. */
  readonly name?: string;
  /** Folios it writes at most (1..4). Default 1. */
  readonly passes?: number;
}

/** Every option of pageCacheWritebackMachine and pageCacheWritebackActor: a key not listed is a typo, refused rather than left at its default. */
const PC_WRITEBACK_OPTIONS: Shape<PageCacheWritebackOptions> = { name: 'string', passes: 'checked' };

interface Ctx {
  /** The folio under writeback: 0 none, f + 1 folio f. */
  folio: number;
  passes: number;
}

type Event = StepEvent<'writeFolio' | 'endWriteback' | 'done', TruncateWorld>;

function resolve(t: Truncate, o: PageCacheWritebackOptions): number {
  if (!t.writeback) throw new RangeError('page-cache writeback: the truncate fragment needs writeback: true');
  const passes = o.passes ?? 1;
  if (!Number.isInteger(passes) || passes < 1 || passes > 4) throw new RangeError(`page-cache writeback: passes ${passes} is not 1..4`);
  return passes;
}

export function pageCacheWritebackMachine(t: Truncate, o: PageCacheWritebackOptions) {
  assertShape(o, PC_WRITEBACK_OPTIONS, 'pageCacheWritebackMachine() options');
  const passes = resolve(t, o);
  const pc = t.pc;
  return setup({
    types: { context: {} as Ctx, events: {} as Event },
    guards: {
      writable: ({ event }) => pcWritebackStartOk(event.world, t, event.choice),
      lastPass: ({ context }) => context.passes === passes,
    },
    actions: {
      start: ({ event }) => {
        const w = event.world;
        pcFolioLock(w, pc, event.choice);
        pcStartWriteback(w, t, event.choice);
        pcFolioUnlock(w, pc, event.choice);
      },
      end: ({ context, event }) => pcEndWriteback(event.world, t, context.folio - 1),
    },
  }).createMachine({
    id: o.name ?? 'writeback',
    initial: 'idle',
    context: { folio: 0, passes: 0 },
    states: {
      idle: {
        on: {
          writeFolio: {
            guard: 'writable',
            target: 'inFlight',
            actions: [assign({ folio: ({ event }) => event.choice + 1, passes: ({ context }) => context.passes + 1 }), 'start'],
            description: 'write_cache_pages(): folio_lock(), folio_start_writeback(), folio_unlock()',
          },
          done: { target: 'done', description: 'no more dirty folios to write' },
        },
      },
      inFlight: {
        on: {
          endWriteback: [
            { guard: 'lastPass', target: 'done', actions: ['end', assign({ folio: 0 })], description: 'folio_end_writeback()' },
            { target: 'idle', actions: ['end', assign({ folio: 0 })], description: 'folio_end_writeback()' },
          ],
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The flusher as a thread: one `writeFolio` choice per folio of the file. */
export function pageCacheWritebackActor(t: Truncate, o: PageCacheWritebackOptions = {}): ActorSpec<Ctx, TruncateWorld> {
  assertShape(o, PC_WRITEBACK_OPTIONS, 'pageCacheWritebackActor() options');
  const passes = resolve(t, o);
  return {
    name: o.name ?? 'writeback',
    machine: pageCacheWritebackMachine(t, o),
    fields: { folio: int(0, t.pc.folios), passes: int(0, passes) },
    choices: { writeFolio: t.pc.folios },
    label: ({ context, event }) => {
      const c = context as Ctx;
      if (event.type === 'writeFolio')
        return `write_cache_pages(): folio_lock(folio ${event.choice}); folio_clear_dirty_for_io(); folio_start_writeback(); folio_unlock()`;
      if (event.type === 'endWriteback') return `I/O done: folio_end_writeback(folio ${c.folio - 1})`;
      return 'writeback: no more dirty folios';
    },
  };
}
