/**
 * Page-cache reclaim: the environment agent that frees a file's folio from the page cache
 * (models/pagecache/folio.ts, built with `evict`) the way shrink_folio_list() (mm/vmscan.c) does for a
 * clean file folio: try_to_unmap() clears the user PTEs that map it (the `mapping` pages of an MMU), then
 * __remove_mapping() takes it out of the mapping once folio_ref_freeze() succeeds. A folio that is locked,
 * dirty (pageout() instead), referenced or pinned, or of an unevictable mapping (ramfs) is skipped:
 * `pcEvictOutcome`. The step is offered only when it frees something.
 *
 * Unlike `reclaim.ts` (which unmaps a user page and leaves a file folio cached), the folio itself goes: the
 * next ->write_begin() or fault creates a fresh one that is not uptodate. Its budget counts evictions.
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { zapPage } from '../mmu/env.js';
import type { MmuWorld } from '../mmu/world.js';
import { EVICT_OK, pcEvict, pcEvictOutcome, type PageCache, type PageCacheWorld } from '../pagecache/folio.js';

export interface PageCacheEvictOptions {
  /** Column name in traces. Default 'evict'. */
  readonly name?: string;
  /** Evictions it may make. */
  readonly budget: number;
  /** User pages of `mmu` that map a folio of the file: `{ page, folio }` (unmapped first). Default none. */
  readonly mapping?: readonly { readonly page: number; readonly folio: number }[];
  /** The MMU of the `mapping` pages (required with `mapping`). */
  readonly mmu?: Mmu;
}

/** Every option of pageCacheEvictMachine and pageCacheEvictActor: a key not listed is a typo, refused rather than left at its default. */
const EVICT_OPTIONS: Shape<PageCacheEvictOptions> = { name: 'string', budget: 'number', mapping: 'array', mmu: 'object' };

type Event = StepEvent<'shrinkFolioList', PageCacheWorld & MmuWorld>;

function checkOptions(pc: PageCache, o: PageCacheEvictOptions): void {
  if (!pc.evictable) throw new RangeError('page-cache evict: the page cache needs evict: true');
  if (o.mapping?.length && !o.mmu) throw new RangeError('page-cache evict: mapping needs mmu');
  for (const { page, folio } of o.mapping ?? []) {
    if (!Number.isInteger(folio) || folio < 0 || folio >= pc.folios) throw new RangeError(`page-cache evict: mapping folio ${folio} is not a page-cache folio`);
    if (!Number.isInteger(page) || page < 0 || page >= o.mmu!.pages) throw new RangeError(`page-cache evict: mapping page ${page} is not a page of the MMU`);
  }
}

export function pageCacheEvictMachine(pc: PageCache, o: PageCacheEvictOptions) {
  assertShape(o, EVICT_OPTIONS, 'pageCacheEvictMachine() options');
  checkOptions(pc, o);
  return setup({
    types: { context: {} as Record<string, never>, events: {} as Event },
    guards: { frees: ({ event }) => pcEvictOutcome(event.world, pc, event.choice) === EVICT_OK },
    actions: {
      evict: ({ event }) => {
        const w = event.world;
        for (const { page, folio } of o.mapping ?? []) if (folio === event.choice) zapPage(w, o.mmu!, page); // try_to_unmap()
        pcEvict(w, pc, event.choice);
      },
    },
  }).createMachine({
    id: o.name ?? 'evict',
    initial: 'idle',
    context: {},
    states: { idle: { on: { shrinkFolioList: { guard: 'frees', target: 'idle', actions: 'evict', description: 'shrink_folio_list(): __remove_mapping()' } } } },
  });
}

/** The page-cache evictor: an environment actor, one choice per folio of the file. */
export function pageCacheEvictActor(pc: PageCache, o: PageCacheEvictOptions): ActorSpec<Record<string, never>, PageCacheWorld & MmuWorld> {
  assertShape(o, EVICT_OPTIONS, 'pageCacheEvictActor() options');
  return {
    name: o.name ?? 'evict',
    kind: 'environment',
    budget: o.budget,
    machine: pageCacheEvictMachine(pc, o),
    fields: {},
    choices: { shrinkFolioList: pc.folios },
    label: ({ event }) => {
      const unmap = (o.mapping ?? []).filter((m) => m.folio === event.choice).map((m) => `try_to_unmap(p${m.page}); `);
      return `shrink_folio_list(): ${unmap.join('')}__remove_mapping(): page-cache folio ${event.choice} freed (clean, unlocked, no extra reference)`;
    },
  };
}
