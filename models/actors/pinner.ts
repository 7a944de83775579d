/**
 * A pinner (the pinning actor of the stable-pages protocol): something that pins a file folio mapped MAP_SHARED
 * at user page `page`, programs a device to write it (O_DIRECT read into the mapping, RDMA registration,
 * io_uring fixed buffer, an ITER_BVEC built from page references), then unpins it with
 * unpin_user_pages_dirty_lock(). How the pin is taken is the variant switch `pinFromRef` of section L:
 *
 *  - 'allowed' (the pin-from-reference hazard): the pinner already holds a plain page reference (`holdsRef`: get_page() from
 *    splice / an ITER_BVEC) and turns it into a pin with pin_user_page() - John Hubbard's never-merged
 *    "mm/gup: introduce pin_user_page()" (Feb 2022, again in "iov_iter: new iov_iter_pin_pages*()
 *    routines", Aug/Sep 2022). It adds a FOLL_PIN reference (folio_ref_add(GUP_PIN_COUNTING_BIAS) or +1 and
 *    _pincount++) and the caller's reference stays; no page-table walk, so no ->page_mkwrite() and no wait
 *    for writeback (`pinUserPageFromRef` of models/mmu/pins.ts). Al Viro's objection and Jan Kara's reply
 *    in that thread: "once suddenly ordinary page references can be used to create pins this does not work
 *    anymore".
 *  - 'forbidden': the pin is taken through the page tables, pin_user_pages_fast(FOLL_PIN | FOLL_WRITE)
 *    on the user address (mm/gup.c): GUP-fast takes it if the PTE is present and writable, else the slow
 *    path faults it writable - faultin_page() -> handle_mm_fault(FAULT_FLAG_WRITE) -> wp_page_shared() ->
 *    ->page_mkwrite(), which sleeps in folio_lock() and folio_wait_stable() while writeback holds the
 *    folio - and takes the pin (Jan Kara's "obtain the pins early when we still have the virtual address"
 *    / "'simulate' the page fault when pinning the page"; what v6.3's iov_iter_extract_pages() does for
 *    user-backed iterators, while ITER_BVEC gets no pin at all).
 *
 * GUP-fast is one atomic step (`gupFast: 'atomic'`, the whole pin_user_pages_fast() call) or, to expose
 * the Dekker pattern between GUP-fast's PTE re-check and folio_mkclean(), its real steps (`gupFast: 'steps'`, gup_fast_pte_range()):
 * `gupFastReadPte` (ptep_get_lockless(), pte_access_permitted(), else the slow path), `tryGetFolio`
 * (try_get_folio(): +1 speculative reference), `completePin` (+GUP_PIN_COUNTING_BIAS-1 or _pincount++ -
 * the fast pin is two atomic adds), `recheckPte` (after smp_mb__after_atomic():
 * `pte_val(pte) != pte_val(ptep_get(ptep))` -> gup_put_folio() and the slow path). `recheck: false` drops
 * the re-check: a hypothetical GUP-fast, to show what it is for.
 *
 * `longterm` adds FOLL_LONGTERM: GUP-fast falls back to the slow path for a file mapping
 * (gup_fast_folio_allowed(), a6e79df92e4a, v6.5 - it does not refuse) and the slow
 * path refuses a mapping that needs dirty tracking with -EFAULT (check_vma_flags(), 8ac268436e6d).
 *
 * Once pinned, the pinner maps the folio for the device (`dmaMapped`, models/block/dma.ts; the device is
 * models/actors/dma.ts), and later unmaps it and calls unpin_user_pages_dirty_lock() - set_page_dirty_lock()
 * under the folio lock, then unpin (`unpinUserPageDirtyLock`) - and finally drops its own reference.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { BACKING_FILE, BLOCKED, FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, GUP_BLOCKED, GUP_OK, GUP_RETRY, PTE_NAMES } from '../mmu/constants.js';
import {
  getUserPagesFast,
  getUserPagesFastResult,
  gupFastCompletePin,
  gupFastOutcome,
  gupFastPteUnchanged,
  gupFastTryGetFolio,
  gupSlow,
  gupSlowOutcome,
  unpinDirtyLockBlocked,
  unpinUserPageDirtyLock,
} from '../mmu/gup.js';
import { folioRefs, gupPutFolio, pinUserPageFromRef, putPage } from '../mmu/pins.js';
import { folioOf } from '../mmu/world.js';
import { dmaMap, dmaUnmap, type DmaWorld } from '../block/dma.js';

export interface PinnerOptions {
  /** Column name in traces. Default 'pinner'. */
  readonly name?: string;
  /** The user page it pins (a file page). Default 0. */
  readonly page?: number;
  /** Section L `pinFromRef`: 'allowed' = pin_user_page() on the held reference; 'forbidden' = pin through the page tables. */
  readonly pinFromRef: 'allowed' | 'forbidden';
  /** It starts holding one plain reference to the folio (the world's `folioRef` must start at 1). Required for 'allowed'. */
  readonly holdsRef: boolean;
  /** GUP-fast as one step ('atomic', default) or its four steps ('steps'). */
  readonly gupFast?: 'atomic' | 'steps';
  /** With 'steps': re-check the PTE after the pin (the kernel does; default true). */
  readonly recheck?: boolean;
  /** FOLL_LONGTERM. Default false. */
  readonly longterm?: boolean;
}

/** Every option of pinnerMachine and pinnerActor: a key not listed is a typo, refused rather than left at its default. */
const PINNER_OPTIONS: Shape<PinnerOptions> = {
  name: 'string',
  page: 'checked',
  pinFromRef: 'checked',
  holdsRef: 'boolean',
  gupFast: 'checked',
  recheck: 'boolean',
  longterm: 'boolean',
};

export interface PinnerContext {
  /** The PTE value GUP-fast read (PTE_*), for the re-check. */
  seen: number;
}

type PinnerEvent = StepEvent<
  'pinUserPage' | 'pinUserPagesFast' | 'gupFastReadPte' | 'tryGetFolio' | 'completePin' | 'recheckPte' | 'gupSlow' | 'unpinUserPagesDirtyLock' | 'putPage',
  DmaWorld
>;

interface Resolved {
  readonly p: number;
  readonly f: number;
  readonly flags: number;
  readonly steps: boolean;
  readonly recheck: boolean;
}

function resolve(m: Mmu, o: PinnerOptions): Resolved {
  const p = o.page ?? 0;
  if (!Number.isInteger(p) || p < 0 || p >= m.pages) throw new RangeError(`pinner: page ${p} is not a page of the MMU`);
  if (m.backing[p] !== BACKING_FILE) throw new RangeError('pinner: the page must be a file page (backing: file)');
  if (m.pins < 1) throw new RangeError('pinner: the MMU needs pins >= 1');
  if (o.pinFromRef !== 'allowed' && o.pinFromRef !== 'forbidden')
    throw new RangeError(`pinner: pinFromRef '${String(o.pinFromRef)}' is not 'allowed' or 'forbidden'`);
  if (o.pinFromRef === 'allowed' && !o.holdsRef) throw new RangeError('pinner: pin_user_page() needs a reference to pin from (holdsRef: true)');
  const steps = (o.gupFast ?? 'atomic') === 'steps';
  if (o.gupFast !== undefined && o.gupFast !== 'atomic' && o.gupFast !== 'steps')
    throw new RangeError(`pinner: gupFast '${String(o.gupFast)}' is not 'atomic' or 'steps'`);
  if (steps && o.pinFromRef === 'allowed') throw new RangeError("pinner: gupFast 'steps' is for pinFromRef 'forbidden'");
  if (o.holdsRef && m.refs < 1) throw new RangeError('pinner: holdsRef needs refs >= 1');
  if (steps && m.refs < (o.holdsRef ? 2 : 1)) throw new RangeError("pinner: gupFast 'steps' needs one spare reference (refs) for the speculative grab");
  return { p, f: folioOf(m, p), flags: FOLL_PIN | FOLL_WRITE | (o.longterm ? FOLL_LONGTERM : 0), steps, recheck: o.recheck ?? true };
}

/** The pinner machine (see the file comment). */
export function pinnerMachine(m: Mmu, options: PinnerOptions) {
  assertShape(options, PINNER_OPTIONS, 'pinnerMachine() options');
  const { p, f, flags, steps, recheck } = resolve(m, options);
  const afterPin = options.holdsRef ? 'holding' : 'done';
  return setup({
    types: { context: {} as PinnerContext, events: {} as PinnerEvent },
    guards: {
      hasRef: ({ event }) => folioRefs(event.world, m, f) > 0,
      fastOk: ({ event }) => gupFastOutcome(event.world, m, p, flags) === GUP_OK,
      unchanged: ({ context, event }) => gupFastPteUnchanged(event.world, p, context.seen),
      gupPins: ({ event }) => getUserPagesFastResult(event.world, m, p, 1, flags) === 1,
      gupFails: ({ event }) => {
        const r = getUserPagesFastResult(event.world, m, p, 1, flags);
        return r !== BLOCKED && r < 0;
      },
      slowPins: ({ event }) => gupSlowOutcome(event.world, m, p, flags) === GUP_OK,
      slowFails: ({ event }) => {
        const o = gupSlowOutcome(event.world, m, p, flags);
        return o !== GUP_OK && o !== GUP_BLOCKED && o !== GUP_RETRY;
      },
      unpinnable: ({ event }) => !unpinDirtyLockBlocked(event.world, m, f),
    },
    actions: {
      pinFromRef: ({ event }) => pinUserPageFromRef(event.world, m, f),
      gup: ({ event }) => void getUserPagesFast(event.world, m, p, 1, flags),
      tryGet: ({ event }) => gupFastTryGetFolio(event.world, m, p),
      completePin: ({ event }) => gupFastCompletePin(event.world, m, p),
      dropPin: ({ event }) => gupPutFolio(event.world, m, f, FOLL_PIN),
      slow: ({ event }) => void gupSlow(event.world, m, p, flags, -1),
      map: ({ event }) => dmaMap(event.world, f),
      unpin: ({ event }) => {
        dmaUnmap(event.world, f);
        unpinUserPageDirtyLock(event.world, m, f);
      },
      put: ({ event }) => putPage(event.world, m, f),
    },
  }).createMachine({
    id: options.name ?? 'pinner',
    initial: 'start',
    context: { seen: 0 },
    states: {
      start: {
        meta: { waitsFor: 'pin_user_pages_fast(): ->page_mkwrite() waits for the folio lock or writeback' },
        on: {
          ...(options.pinFromRef === 'allowed'
            ? { pinUserPage: { guard: 'hasRef', target: 'pinned', actions: ['pinFromRef', 'map'], description: 'pin_user_page()' } }
            : steps
              ? {
                  gupFastReadPte: [
                    {
                      guard: 'fastOk',
                      target: 'grab',
                      actions: assign({ seen: ({ event }) => event.world.pte[p]! }),
                      description: 'GUP-fast: ptep_get_lockless()',
                    },
                    { target: 'slow', description: 'GUP-fast: PTE not writable, slow path' },
                  ],
                }
              : {
                  pinUserPagesFast: [
                    { guard: 'gupPins', target: 'pinned', actions: ['gup', 'map'], description: 'pin_user_pages_fast()' },
                    { guard: 'gupFails', target: afterPin, description: 'pin_user_pages_fast(): -EFAULT' },
                  ],
                }),
        },
      },
      grab: { on: { tryGetFolio: { target: 'completing', actions: 'tryGet', description: 'try_grab_folio_fast(): folio_ref_try_add()' } } },
      completing: {
        on: {
          completePin: recheck
            ? { target: 'recheck', actions: 'completePin', description: 'try_grab_folio_fast(): pin accounting; smp_mb__after_atomic()' }
            : { target: 'pinned', actions: ['completePin', 'map'], description: 'try_grab_folio_fast(): pin accounting (no PTE re-check)' },
        },
      },
      recheck: {
        on: {
          recheckPte: [
            { guard: 'unchanged', target: 'pinned', actions: 'map', description: 'GUP-fast: PTE unchanged' },
            { target: 'slow', actions: 'dropPin', description: 'GUP-fast: PTE changed, gup_put_folio(), slow path' },
          ],
        },
      },
      slow: {
        meta: { waitsFor: '__get_user_pages(): ->page_mkwrite() waits for the folio lock or writeback' },
        on: {
          gupSlow: [
            { guard: 'slowPins', target: 'pinned', actions: ['slow', 'map'], description: '__get_user_pages()' },
            { guard: 'slowFails', target: afterPin, description: '__get_user_pages(): -EFAULT' },
          ],
        },
      },
      pinned: {
        meta: { waitsFor: 'set_page_dirty_lock(): the folio lock' },
        on: { unpinUserPagesDirtyLock: { guard: 'unpinnable', target: afterPin, actions: 'unpin', description: 'unpin_user_pages_dirty_lock()' } },
      },
      holding: { on: { putPage: { target: 'done', actions: 'put', description: 'put_page()' } } },
      done: { type: 'final' },
    },
  });
}

function flagNames(flags: number): string {
  return ['FOLL_PIN', ...(flags & FOLL_WRITE ? ['FOLL_WRITE'] : []), ...(flags & FOLL_LONGTERM ? ['FOLL_LONGTERM'] : [])].join('|');
}

/** The pinner actor (a thread). */
export function pinnerActor(m: Mmu, options: PinnerOptions): ActorSpec<PinnerContext, DmaWorld> {
  assertShape(options, PINNER_OPTIONS, 'pinnerActor() options');
  const { p, flags } = resolve(m, options);
  const machine = pinnerMachine(m, options);
  return {
    name: options.name ?? 'pinner',
    machine,
    fields: { seen: { ...int(0, PTE_NAMES.length - 1), names: [...PTE_NAMES] } },
    label: ({ context, event }, description) => {
      const w = event.world as DmaWorld;
      const call = `pin_user_pages_fast(p${p}, ${flagNames(flags)})`;
      switch (event.type) {
        case 'pinUserPage':
          return `pin_user_page(p${p}): the held reference becomes a pin, no page-table walk; device I/O submitted`;
        case 'pinUserPagesFast': {
          const r = getUserPagesFastResult(w, m, p, 1, flags);
          if (r < 0) return `${call} = -EFAULT`;
          return gupFastOutcome(w, m, p, flags) === GUP_OK
            ? `${call}: GUP-fast pins (PTE ${PTE_NAMES[w.pte[p]!]}); device I/O submitted`
            : `${call}: slow path, write fault, ->page_mkwrite(), pin; device I/O submitted`;
        }
        case 'gupFastReadPte':
          return gupFastOutcome(w, m, p, flags) === GUP_OK
            ? `${call}: GUP-fast reads PTE ${PTE_NAMES[w.pte[p]!]}`
            : `${call}: GUP-fast reads PTE ${PTE_NAMES[w.pte[p]!]}, not writable: slow path`;
        case 'tryGetFolio':
          return 'try_grab_folio_fast(): folio_ref_try_add(+1)';
        case 'completePin':
          return options.recheck === false
            ? 'try_grab_folio_fast(): pin accounted; no PTE re-check; device I/O submitted'
            : 'try_grab_folio_fast(): pin accounted; smp_mb__after_atomic()';
        case 'recheckPte':
          return gupFastPteUnchanged(w, p, context.seen)
            ? `GUP-fast re-check: PTE still ${PTE_NAMES[context.seen]}; device I/O submitted`
            : `GUP-fast re-check: PTE ${PTE_NAMES[context.seen]} -> ${PTE_NAMES[w.pte[p]!]}: gup_put_folio(), slow path`;
        case 'gupSlow': {
          const o = gupSlowOutcome(w, m, p, flags);
          return o === GUP_OK ? '__get_user_pages(): write fault, ->page_mkwrite(), pin; device I/O submitted' : '__get_user_pages() = -EFAULT';
        }
        case 'unpinUserPagesDirtyLock':
          return `I/O done; unpin_user_pages_dirty_lock(p${p}): set_page_dirty_lock(), unpin`;
        case 'putPage':
          return `put_page(p${p}): drop the plain reference`;
        default:
          return description ?? event.type;
      }
    },
  };
}
