/**
 * longterm-pin-cma: pin_user_pages(FOLL_LONGTERM) on a folio in a CMA pageblock that is not on the LRU
 * when __gup_longterm_locked() tries to isolate it for migration.
 *
 *   retry              before 1aaf8c122918 and since its revert 517f496e1e61: collected > 0, nothing
 *                      isolated -> unpin, -EAGAIN, pin again: it waits for the folio to come back to the LRU;
 *   pin-anyway         1aaf8c122918: an empty movable_folio_list returns success with the pin on the CMA
 *                      folio (517f496e1e61: "we are able to longterm pin folios that are not supposed to get
 *                      longterm pinned, simply because they temporarily have the LRU flag cleared");
 *   retry-driver-page  the retry against 1aaf8c122918's own case, a driver's cma_alloc() page inserted by
 *                      vm_ops->fault that is never on an LRU: the loop never ends.
 *
 * Actors: models/actors/gupLongterm.ts, models/actors/lruIsolator.ts over models/gup/longterm.ts.
 */
import { deadlockFreedom, terminates, type ActorSpec, type SystemSpec } from '../checker/index.js';
import { gupLongtermActor } from '../models/actors/gupLongterm.js';
import { lruIsolatorActor } from '../models/actors/lruIsolator.js';
import { defineLongterm, noLongtermPinInCma, type LongtermWorld } from '../models/gup/longterm.js';
import { defineScenario } from './scenario.js';

export type LongtermPinCmaVariant = 'retry' | 'pin-anyway' | 'retry-driver-page';
type Params = 'isolations' | 'batched';

export function buildLongtermPinCma(p: Readonly<Record<Params, number>>, variant: LongtermPinCmaVariant): SystemSpec<LongtermWorld> {
  const driver = variant === 'retry-driver-page';
  const lt = defineLongterm({ lru: driver ? 'NONE' : p.batched ? 'BATCH' : 'LRU' });
  const actors: ActorSpec<any, any>[] = [gupLongtermActor({ check: variant === 'pin-anyway' ? 'list-empty' : 'collected' })];
  if (!driver && p.isolations > 0) actors.push(lruIsolatorActor({ isolations: p.isolations }));
  return {
    name: `longterm-pin-cma:${variant}`,
    world: { ...lt.fields },
    actors,
    properties: [noLongtermPinInCma({ actor: 'pinner' }), deadlockFreedom(), terminates<LongtermWorld>('pinner', { name: 'pin returns' })],
  };
}

export const longtermPinCma = defineScenario({
  id: 'longterm-pin-cma',
  title: 'FOLL_LONGTERM on a CMA folio off the LRU: pin it anyway (1aaf8c122918) or retry forever (517f496e1e61)',
  source:
    '1aaf8c122918 "mm: gup: fix infinite loop within __get_longterm_locked" (Zhaoyang Huang, Jan 2025) and its revert 517f496e1e61 (David Hildenbrand, Jun 2025; reported by Hyesoo Yu)',
  description:
    'A FOLL_LONGTERM pin must not stay on a folio in ZONE_MOVABLE or a CMA pageblock: __gup_longterm_locked() pins, and check_and_migrate_movable_folios() ' +
    'collects the unpinnable folios, isolates them from the LRU (after lru_add_drain_all() for a folio still in a per-CPU batch), unpins everything, migrates the isolated ones ' +
    'out and returns -EAGAIN, so the pin is retried on the new folio. A folio that cannot be isolated - someone else has it off the LRU - is simply retried. ' +
    'Bug (pin-anyway, 1aaf8c122918): to stop the retry for a driver page that is never on an LRU, an empty movable_folio_list returned success, which also pins a CMA folio ' +
    'that a racing longterm pin, compaction or migration has momentarily isolated (517f496e1e61). The revert (retry) holds while whoever isolated the folio puts it back ' +
    "(the isolator is weakly fair and isolates at most `isolations` times); against 1aaf8c122918's driver page, never on an LRU, it retries forever (retry-driver-page): " +
    'the progress problem 1aaf8c122918 fixed is still there, and 517f496e1e61 leaves it to a future "CMA area owner" mechanism. ' +
    'Not modelled: hugetlb and device-coherent folios, migration failure (-ENOMEM), ZONE_MOVABLE (folded into CMA), the pin step faulting.',
  params: {
    isolations: { description: 'times a racing path isolates the folio from the LRU (0: nobody races)', default: 1, min: 0, max: 3 },
    batched: { description: '1: the folio starts in a per-CPU lru_add batch, not yet on the LRU list', default: 0, min: 0, max: 1 },
  },
  variants: {
    retry: {
      description: 'before 1aaf8c122918 and since 517f496e1e61: a CMA folio that cannot be isolated is retried; holds while the isolator puts it back',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'up to v6.13, and from 517f496e1e61 (2025-06)', commits: ['517f496e1e61'] },
    },
    'pin-anyway': {
      description: '1aaf8c122918: nothing isolated means success - the pin stays on a CMA folio a racing path has off the LRU',
      expected: { verdict: 'violated', property: 'no longterm pin in CMA' },
      provenance: { kind: 'shipped', versions: '1aaf8c122918 (2025-01, stable) until 517f496e1e61 (2025-06)', commits: ['1aaf8c122918'] },
    },
    'retry-driver-page': {
      description: "the retry against 1aaf8c122918's driver page from cma_alloc(), never on an LRU: pin_user_pages() never returns",
      expected: { verdict: 'violated', property: 'pin returns' },
      params: [],
      provenance: { kind: 'shipped', versions: 'up to v6.13, and from 517f496e1e61 (2025-06); the driver is out of tree', commits: ['517f496e1e61'] },
    },
  },
  defaultVariant: 'pin-anyway',
  build: (p, v) => buildLongtermPinCma(p, v),
});
