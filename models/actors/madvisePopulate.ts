/**
 * madvise(MADV_POPULATE_READ) of one page of a file mapping (models/mm/populate.ts): madvise_populate()
 * (mm/madvise.c) over faultin_vma_page_range() / faultin_page_range() (mm/gup.c).
 *
 * Option `gup`:
 *   'get-user-pages'        4ca9b3859dac (v5.14) .. v6.8: faultin_vma_page_range() calls
 *                           __get_user_pages(), which returns 0 with *locked = 0 on VM_FAULT_RETRY; the
 *                           madvise_populate() loop relocks and calls it again - never with FOLL_TRIED;
 *   'get-user-pages-locked' 631426ba1d45 (v6.9, "mm/madvise: make MADV_POPULATE_(READ|WRITE) handle
 *                           VM_FAULT_RETRY properly"): faultin_page_range() calls __get_user_pages_locked(),
 *                           which relocks and retries the page with FOLL_TRIED -> FAULT_FLAG_TRIED, so a
 *                           failing read becomes VM_FAULT_SIGBUS -> -EFAULT.
 *
 * Steps: `mmapReadLock` (madvise's own lock, madvise_populate()'s relock, or __get_user_pages_locked()'s
 * relock with FOLL_TRIED), `faultinPage` (__get_user_pages() -> faultin_page() -> handle_mm_fault(), one
 * atomic step), `mmapReadUnlock` (madvise returns). Context `ret` is madvise()'s return value at the end.
 */
import { assign, setup } from 'xstate';
import { assertShape, bool, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import {
  POP_FAULT_NAMES,
  filemapFault,
  filemapFaultOutcome,
  readSucceeds,
  POP_FAULT_DONE,
  POP_FAULT_RETRY,
  POP_FAULT_SIGBUS,
  type PopulateFile,
  type PopulateWorld,
} from '../mm/populate.js';

export const POP_RET_EFAULT = -1;

export interface MadvisePopulateOptions {
  /** Column name in traces. Default 'madvise'. */
  readonly name?: string;
  readonly gup: 'get-user-pages' | 'get-user-pages-locked';
}

/** Every option of madvisePopulateMachine and madvisePopulateActor: a key not listed is a typo, refused rather than left at its default. */
const POPULATE_OPTIONS: Shape<MadvisePopulateOptions> = { name: 'string', gup: 'checked' };

export interface MadvisePopulateContext {
  /** FOLL_TRIED on the next fault. */
  tried: number;
  /** madvise()'s return value (0 or -EFAULT) once it returns. */
  ret: number;
}

type Event = StepEvent<'mmapReadLock' | 'faultinPage' | 'mmapReadUnlock', PopulateWorld>;

export function madvisePopulateMachine(f: PopulateFile, o: MadvisePopulateOptions) {
  assertShape(o, POPULATE_OPTIONS, 'madvisePopulateMachine() options');
  if (o.gup !== 'get-user-pages' && o.gup !== 'get-user-pages-locked')
    throw new RangeError(`madvise populate: gup '${String(o.gup)}' is not get-user-pages or get-user-pages-locked`);
  const locked = o.gup === 'get-user-pages-locked';
  const outcome = (w: PopulateWorld, c: MadvisePopulateContext): number => filemapFaultOutcome(w, f, c.tried === 1);
  return setup({
    types: { context: {} as MadvisePopulateContext, events: {} as Event },
    guards: {
      done: ({ context, event }) => outcome(event.world, context) === POP_FAULT_DONE,
      retry: ({ context, event }) => outcome(event.world, context) === POP_FAULT_RETRY,
    },
    actions: {
      fault: ({ context, event }) => void filemapFault(event.world, f, context.tried === 1),
    },
  }).createMachine({
    id: o.name ?? 'madvise',
    initial: 'start',
    context: { tried: 0, ret: 0 },
    states: {
      start: { on: { mmapReadLock: { target: 'locked', description: 'mmap_read_lock()' } } },
      locked: {
        on: {
          faultinPage: [
            { guard: 'done', target: 'populated', actions: 'fault', description: 'handle_mm_fault() = 0' },
            { guard: 'retry', target: 'unlocked', actions: 'fault', description: 'handle_mm_fault() = VM_FAULT_RETRY' },
            { target: 'populated', actions: [assign({ ret: POP_RET_EFAULT }), 'fault'], description: 'handle_mm_fault() = VM_FAULT_SIGBUS: -EFAULT' },
          ],
        },
      },
      unlocked: {
        on: {
          // madvise_populate(): "if (!locked) { mmap_read_lock(mm); locked = 1; }" and call again, or
          // __get_user_pages_locked(): relock and retry the page with FOLL_TRIED.
          mmapReadLock: {
            target: 'locked',
            actions: assign({ tried: locked ? 1 : 0 }),
            description: locked ? 'mmap_read_lock(); FOLL_TRIED' : 'mmap_read_lock(); again',
          },
        },
      },
      populated: { on: { mmapReadUnlock: { target: 'done', description: 'mmap_read_unlock(); madvise() returns' } } },
      done: { type: 'final' },
    },
  });
}

export function madvisePopulateActor(f: PopulateFile, o: MadvisePopulateOptions): ActorSpec<MadvisePopulateContext, PopulateWorld> {
  assertShape(o, POPULATE_OPTIONS, 'madvisePopulateActor() options');
  const locked = o.gup === 'get-user-pages-locked';
  return {
    name: o.name ?? 'madvise',
    machine: madvisePopulateMachine(f, o),
    fields: { tried: bool(), ret: { ...int(POP_RET_EFAULT, 0), names: ['-EFAULT', '0'] } },
    label: ({ context, event }) => {
      const w = event.world as PopulateWorld;
      switch (event.type) {
        case 'mmapReadLock':
          if (w.popReads === 0 && !context.tried) return 'madvise(MADV_POPULATE_READ): mmap_read_lock()';
          return locked
            ? '__get_user_pages_locked(): mmap_read_lock(); retry the page with FOLL_TRIED'
            : 'madvise_populate(): !locked: mmap_read_lock(); faultin_vma_page_range() again (no FOLL_TRIED)';
        case 'faultinPage': {
          const tried = context.tried === 1;
          const r = filemapFaultOutcome(w, f, tried);
          const fn = locked ? 'faultin_page_range() -> __get_user_pages_locked()' : 'faultin_vma_page_range() -> __get_user_pages()';
          const head = `${fn} -> handle_mm_fault(${tried ? 'FAULT_FLAG_TRIED' : 'FAULT_FLAG_ALLOW_RETRY'}) -> filemap_fault()`;
          if (w.popUptodate) return `${head}: folio uptodate, mapped = 0`;
          const read = `filemap_read_folio() = ${readSucceeds(w, f) ? '0' : '-EIO'}`;
          if (r === POP_FAULT_RETRY)
            return `${head}: not uptodate; maybe_unlock_mmap_for_io(); ${read}; out_retry: ${POP_FAULT_NAMES[r]}, mmap_lock dropped, 0 pages`;
          if (r === POP_FAULT_SIGBUS) return `${head}: not uptodate; ${read} under mmap_lock: ${POP_FAULT_NAMES[r]} -> -EFAULT`;
          return `${head}: not uptodate; ${read}; mapped = 0`;
        }
        case 'mmapReadUnlock':
          return `mmap_read_unlock(); madvise() returns ${context.ret === POP_RET_EFAULT ? '-EFAULT' : '0'}`;
        default:
          return event.type;
      }
    },
  };
}
