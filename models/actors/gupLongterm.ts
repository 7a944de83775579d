/**
 * A FOLL_LONGTERM pinner (models/gup/longterm.ts): pin_user_pages(FOLL_LONGTERM) of one page through
 * __gup_longterm_locked() (mm/gup.c):
 *
 *   do {
 *       nr_pinned_pages = __get_user_pages_locked(..., gup_flags);      // FOLL_PIN
 *       rc = check_and_migrate_movable_pages(nr_pinned_pages, pages);
 *   } while (rc == -EAGAIN);
 *
 * check_and_migrate_movable_pages_or_folios():
 *   collected = collect_longterm_unpinnable_folios(&movable_folio_list, pofs);
 *       // per folio: skip if folio_is_longterm_pinnable(); collected++; if (!folio_test_lru(folio) &&
 *       // drain_allow) lru_add_drain_all(); if (!folio_isolate_lru(folio)) continue; list_add_tail(...)
 *   if (!collected) return 0;                                   // before 1aaf8c122918, and since 517f496e1e61
 *   [if (list_empty(&movable_folio_list)) return 0;]            // 1aaf8c122918 (option check 'list-empty')
 *   return migrate_longterm_unpinnable_folios(&movable_folio_list, pofs);
 *       // unpin_folio() every entry; migrate_pages(movable_folio_list, ..., MR_LONGTERM_PIN);
 *       // putback_movable_pages(); return -EAGAIN
 *
 * Option `check`: 'collected' (the code before 1aaf8c122918 and after its revert 517f496e1e61: a CMA folio
 * that could not be isolated is retried until it can) or 'list-empty' (1aaf8c122918 "mm: gup: fix
 * infinite loop within __get_longterm_locked": nothing isolated means success, with the pin left on the
 * CMA folio). The page is present; the pin step does not fault.
 *
 * Steps: `getUserPagesLocked`, `collectLongtermUnpinnableFolios` (the pinnable test and, for a folio
 * not on the LRU, lru_add_drain_all()), `folioIsolateLru` (its own step: another CPU may isolate the
 * folio between the drain and the isolation), `migrateLongtermUnpinnableFolios` (unpin, migrate what was
 * isolated, -EAGAIN).
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import {
  folioIsLongtermPinnable,
  folioIsolateLru,
  lruAddDrainAll,
  LT_BATCH,
  LT_LRU,
  LT_LRU_NAMES,
  LT_PINNER,
  migrateLongtermFolio,
  type LongtermWorld,
} from '../gup/longterm.js';

export interface GupLongtermOptions {
  /** Column name in traces. Default 'pinner'. */
  readonly name?: string;
  readonly check: 'collected' | 'list-empty';
}

/** Every option of gupLongtermMachine and gupLongtermActor: a key not listed is a typo, refused rather than left at its default. */
const GUP_LONGTERM_OPTIONS: Shape<GupLongtermOptions> = { name: 'string', check: 'checked' };

export interface GupLongtermContext {
  /** collect_longterm_unpinnable_folios()'s count on the last pass. */
  collected: number;
}

type Event = StepEvent<'getUserPagesLocked' | 'collectLongtermUnpinnableFolios' | 'folioIsolateLru' | 'migrateLongtermUnpinnableFolios', LongtermWorld>;

/** The pinner machine (see the file comment). */
export function gupLongtermMachine(o: GupLongtermOptions) {
  assertShape(o, GUP_LONGTERM_OPTIONS, 'gupLongtermMachine() options');
  if (o.check !== 'collected' && o.check !== 'list-empty') throw new RangeError(`gup longterm: check '${String(o.check)}' is not 'collected' or 'list-empty'`);
  const listEmptyReturns = o.check === 'list-empty';
  return setup({
    types: { context: {} as GupLongtermContext, events: {} as Event },
    guards: {
      pinnable: ({ event }) => folioIsLongtermPinnable(event.world),
      isolates: ({ event }) => event.world.ltLru === LT_LRU,
      // 1aaf8c122918: nothing on movable_folio_list -> return 0 with the pin in place.
      pinsAnyway: () => listEmptyReturns,
    },
    actions: {
      pin: ({ event }) => void (event.world.ltPins = 1),
      drain: ({ event }) => {
        if (event.world.ltLru !== LT_LRU) lruAddDrainAll(event.world); // !folio_test_lru() && drain_allow
      },
      isolate: ({ event }) => void folioIsolateLru(event.world, LT_PINNER),
      migrate: ({ event }) => {
        const w = event.world;
        w.ltPins = 0; // unpin_folio()
        if (w.ltLru === LT_PINNER) migrateLongtermFolio(w); // migrate_pages(); putback_movable_pages()
      },
    },
  }).createMachine({
    id: o.name ?? 'pinner',
    initial: 'start',
    context: { collected: 0 },
    states: {
      start: {
        on: { getUserPagesLocked: { target: 'pinned', actions: 'pin', description: '__get_user_pages_locked(FOLL_PIN | FOLL_LONGTERM)' } },
      },
      pinned: {
        on: {
          collectLongtermUnpinnableFolios: [
            { guard: 'pinnable', target: 'done', actions: assign({ collected: 0 }), description: 'collect_longterm_unpinnable_folios() = 0: return 0' },
            { target: 'isolating', actions: [assign({ collected: 1 }), 'drain'], description: 'collect_longterm_unpinnable_folios(): collected++' },
          ],
        },
      },
      isolating: {
        on: {
          folioIsolateLru: [
            { guard: 'isolates', target: 'migrate', actions: 'isolate', description: 'folio_isolate_lru(): on movable_folio_list' },
            { guard: 'pinsAnyway', target: 'done', description: 'folio_isolate_lru() fails; movable_folio_list empty: return 0' },
            { target: 'migrate', description: 'folio_isolate_lru() fails' },
          ],
        },
      },
      migrate: {
        on: {
          migrateLongtermUnpinnableFolios: { target: 'start', actions: 'migrate', description: 'migrate_longterm_unpinnable_folios(): -EAGAIN' },
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The pinner actor (a thread). */
export function gupLongtermActor(o: GupLongtermOptions): ActorSpec<GupLongtermContext, LongtermWorld> {
  assertShape(o, GUP_LONGTERM_OPTIONS, 'gupLongtermActor() options');
  const listEmptyReturns = o.check === 'list-empty';
  return {
    name: o.name ?? 'pinner',
    machine: gupLongtermMachine(o),
    fields: { collected: int(0, 1) },
    label: ({ event }) => {
      const w = event.world as LongtermWorld;
      const zone = folioIsLongtermPinnable(w) ? 'a normal' : 'a CMA';
      switch (event.type) {
        case 'getUserPagesLocked':
          return `__get_user_pages_locked(FOLL_PIN | FOLL_LONGTERM): pins ${zone} folio (${LT_LRU_NAMES[w.ltLru]})`;
        case 'collectLongtermUnpinnableFolios': {
          if (folioIsLongtermPinnable(w)) return 'collect_longterm_unpinnable_folios(): folio_is_longterm_pinnable(): collected 0; pin_user_pages() returns 1';
          const drain =
            w.ltLru === LT_BATCH
              ? '; not on the LRU: lru_add_drain_all() puts it there'
              : w.ltLru !== LT_LRU
                ? `; not on the LRU (${LT_LRU_NAMES[w.ltLru]}): lru_add_drain_all() does not help`
                : '';
          return `collect_longterm_unpinnable_folios(): a CMA folio, collected 1${drain}`;
        }
        case 'folioIsolateLru':
          if (w.ltLru === LT_LRU) return 'folio_isolate_lru() succeeds: the folio goes on movable_folio_list';
          return listEmptyReturns
            ? `folio_isolate_lru() fails (${LT_LRU_NAMES[w.ltLru]}); movable_folio_list is empty: return 0, pin_user_pages() returns 1`
            : `folio_isolate_lru() fails (${LT_LRU_NAMES[w.ltLru]}); collected 1: migrate_longterm_unpinnable_folios()`;
        case 'migrateLongtermUnpinnableFolios':
          return w.ltLru === LT_PINNER
            ? 'migrate_longterm_unpinnable_folios(): unpin_folio(); migrate_pages() out of CMA; putback_movable_pages(); -EAGAIN: retry'
            : 'migrate_longterm_unpinnable_folios(): unpin_folio(); nothing isolated to migrate; -EAGAIN: retry';
        default:
          return event.type;
      }
    },
  };
}
