/**
 * FOLL_LONGTERM migration (mm/gup.c): one user page whose folio may sit in a CMA pageblock, its LRU state,
 * and its FOLL_PIN pins - the world of __gup_longterm_locked() -> check_and_migrate_movable_folios()
 * (check_and_migrate_movable_pages_or_folios() from v6.13) -> collect_longterm_unpinnable_folios() /
 * migrate_longterm_unpinnable_folios().
 *
 * A folio is longterm-pinnable unless it is in ZONE_MOVABLE or a MIGRATE_CMA pageblock
 * (folio_is_longterm_pinnable(): is_migrate_cma_page() / folio_is_zone_movable()); such a folio must be
 * migrated out before a FOLL_LONGTERM pin may stay. Migration needs the folio isolated from the LRU
 * (folio_isolate_lru() fails when the folio is not on an LRU list): it may be
 *   LRU      on an LRU list;
 *   BATCH    in a per-CPU lru_add batch, not yet on the list (lru_add_drain_all() puts it there);
 *   ISOLATED isolated by someone else - a racing __gup_longterm_locked(), compaction, migration - who
 *            puts it back later (folio_putback_lru());
 *   PINNER   isolated by the pinner itself, on its movable_folio_list;
 *   NONE     never on an LRU: a driver's page from cma_alloc() inserted by its vm_ops->fault
 *            (1aaf8c122918's motivating case, out of tree).
 * migrate_pages() replaces the folio with a copy outside CMA (the zone becomes NORMAL) and the new folio
 * goes onto the LRU.
 *
 * World fields: `ltZone` CMA / NORMAL, `ltLru` (above), `ltPins` (FOLL_PIN pins, 0..1).
 * Property: `noLongtermPinInCma` (a FOLL_LONGTERM pin that the call returns never stays on a CMA folio).
 */
import { assertShape, enumOf, int, invariant, type FieldSpecs, type Property, type Shape, type StateView } from '../../checker/index.js';
import { ACTOR_PROPERTY_OPTIONS } from '../options.js';

export const LT_ZONE_NAMES = ['CMA', 'NORMAL'] as const;
export const LT_CMA = 0;
export const LT_NORMAL = 1;

export const LT_LRU_NAMES = ['LRU', 'BATCH', 'ISOLATED', 'PINNER', 'NONE'] as const;
export type LtLruName = (typeof LT_LRU_NAMES)[number];
export const LT_LRU = 0;
export const LT_BATCH = 1;
export const LT_ISOLATED = 2;
export const LT_PINNER = 3;
export const LT_NONE = 4;

export interface LongtermWorld {
  ltZone: number;
  ltLru: number;
  ltPins: number;
}

export interface Longterm {
  readonly fields: FieldSpecs;
}

/** Every option of defineLongterm: a key not listed is a typo, refused rather than left at its default. */
const LONGTERM_OPTIONS: Shape<{ readonly lru: LtLruName }> = { lru: 'checked' };

/** A folio in CMA in the given LRU state (`NONE`: a driver page never on an LRU). */
export function defineLongterm(o: { readonly lru: LtLruName }): Longterm {
  assertShape(o, LONGTERM_OPTIONS, 'defineLongterm() options');
  if (o.lru === 'PINNER' || o.lru === 'ISOLATED') throw new RangeError(`longterm: the folio cannot start ${o.lru}`);
  if (!LT_LRU_NAMES.includes(o.lru)) throw new RangeError(`longterm: lru '${String(o.lru)}' is not one of ${LT_LRU_NAMES.join(', ')}`);
  return { fields: { ltZone: enumOf(LT_ZONE_NAMES, 'CMA'), ltLru: enumOf(LT_LRU_NAMES, o.lru), ltPins: int(0, 1) } };
}

/** folio_is_longterm_pinnable(): not CMA (and not ZONE_MOVABLE, which the model folds into CMA). */
export function folioIsLongtermPinnable(w: LongtermWorld): boolean {
  return w.ltZone !== LT_CMA;
}

/** lru_add_drain_all(): a folio in a per-CPU batch goes onto the LRU. */
export function lruAddDrainAll(w: LongtermWorld): void {
  if (w.ltLru === LT_BATCH) w.ltLru = LT_LRU;
}

/** folio_isolate_lru() by `who` (LT_PINNER or LT_ISOLATED): true iff the folio was on the LRU. */
export function folioIsolateLru(w: LongtermWorld, who: number): boolean {
  if (w.ltLru !== LT_LRU) return false;
  w.ltLru = who;
  return true;
}

/** folio_putback_lru() by whoever isolated it. */
export function folioPutbackLru(w: LongtermWorld): void {
  w.ltLru = LT_LRU;
}

/**
 * migrate_pages() of the pinner's isolated folio (MR_LONGTERM_PIN, a target outside CMA): the data moves
 * to a new folio in a normal zone, which putback_movable_pages() puts on the LRU.
 */
export function migrateLongtermFolio(w: LongtermWorld): void {
  w.ltZone = LT_NORMAL;
  w.ltLru = LT_LRU;
}

/**
 * "No long-term pin in CMA/movable" (Documentation/core-api/pin_user_pages.rst; folio_is_longterm_pinnable()):
 * once the pinner `actor` has returned, a pin it holds must not be on a CMA folio.
 */
export function noLongtermPinInCma(options: { readonly actor: string; readonly name?: string }): Property<LongtermWorld> {
  assertShape(options, ACTOR_PROPERTY_OPTIONS, 'noLongtermPinInCma() options');
  let index = -1;
  let actors: unknown = null;
  const bad = (s: StateView<LongtermWorld>): boolean => {
    if (s.actors !== actors) {
      index = s.actor(options.actor).index;
      actors = s.actors;
    }
    return s.actors[index]!.final && s.world.ltPins > 0 && s.world.ltZone === LT_CMA;
  };
  return invariant<LongtermWorld>(options.name ?? 'no longterm pin in CMA', (s) => !bad(s), {
    description: 'a FOLL_LONGTERM pin that pin_user_pages() returns is never on a folio in a CMA (or ZONE_MOVABLE) pageblock',
    explain: (s) =>
      bad(s)
        ? `pin_user_pages(FOLL_LONGTERM) returned with a pin on a CMA folio that is ${LT_LRU_NAMES[s.world.ltLru]}: cma_alloc() of this range now fails for as long as the pin lives`
        : '',
  });
}
