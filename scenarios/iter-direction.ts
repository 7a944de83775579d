/**
 * iter-direction: iov_iter direction misannotations (Al Viro's work.iov_iter, v6.2:
 * eight "READ is 'data destination', not source" fixes, a41dad905e5a, de4eda9de2d9). A kernel path
 * (models/actors/iovIterUser.ts) builds an iterator over a user buffer it is going to fill and declares it
 * ITER_SOURCE (WRITE) instead of ITER_DEST (READ). Two uses, two failures:
 * - get-pages (`swapped` / `correct`): the process forks, then starts the I/O, so its buffer page is
 *   COW-shared with the child (models/cow/anonCow.ts). iov_iter_get_pages2() without FOLL_WRITE takes the
 *   shared folio and the device (models/actors/bioDevice.ts) writes into the child's memory.
 * - copy-retry (`swapped-copy` / `correct-copy`): from v6.2 the copy WARNs and returns 0, and inside a
 *   fault-in + retry loop that is an infinite loop.
 */
import { bioDeviceActor } from '../models/actors/bioDevice.js';
import { forkChildActor } from '../models/actors/forkChild.js';
import { iovIterUserActor, iovIterUserReturns } from '../models/actors/iovIterUser.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { cowIsolation, defineAnonCow, zeroPageIntact } from '../models/cow/anonCow.js';
import { defineIovIter } from '../models/iov-iter/iter.js';
import { defineMmu } from '../models/mmu/config.js';
import { iterDirection, iterProgress } from '../models/properties/iterator.js';
import type { ActorSpec, SystemSpec } from '../checker/index.js';
import { defineScenario } from './scenario.js';

export type IterDirectionVariant = 'swapped' | 'correct' | 'swapped-zero-page' | 'correct-zero-page' | 'swapped-copy' | 'correct-copy';
type Params = 'units' | 'reclaim';

export interface IterDirectionOptions {
  readonly use: 'get-pages' | 'copy-retry';
  /** The direction passed to iov_iter_init(): ITER_DEST is right for a buffer the kernel fills. */
  readonly dir: 'DEST' | 'SOURCE';
  /** get-pages: the buffer was written before fork() (default) or never touched (no fork, the zero page). */
  readonly touched?: boolean;
}

export const ITER_DIRECTION_VARIANTS: Readonly<Record<IterDirectionVariant, IterDirectionOptions>> = {
  swapped: { use: 'get-pages', dir: 'SOURCE' },
  correct: { use: 'get-pages', dir: 'DEST' },
  'swapped-zero-page': { use: 'get-pages', dir: 'SOURCE', touched: false },
  'correct-zero-page': { use: 'get-pages', dir: 'DEST', touched: false },
  'swapped-copy': { use: 'copy-retry', dir: 'SOURCE' },
  'correct-copy': { use: 'copy-retry', dir: 'DEST' },
};

/** The system for explicit options. */
export function buildIterUse(p: Readonly<Record<Params, number>>, o: IterDirectionOptions): SystemSpec {
  if (o.use === 'get-pages' && o.touched === false) {
    // One anonymous page of `units` units the process never touched (no fork): the PTE is absent.
    const m = defineMmu({ pages: 1, unitsPerPage: p.units, staticVma: true, refs: 1, pte: 'ABSENT' });
    const it = defineIovIter(m, 'iter', { type: 'UBUF', dir: o.dir, segments: [{ base: 0, len: p.units }] });
    const cow = defineAnonCow(m, 0, { touched: false });
    return {
      name: 'iter-direction',
      world: { ...m.fields, ...it.fields, ...cow.fields },
      actors: [iovIterUserActor(it, { use: 'get-pages', cow }), bioDeviceActor()],
      properties: [zeroPageIntact(), iterDirection(it), iovIterUserReturns('CPU0')],
    };
  }
  if (o.use === 'get-pages') {
    // One anonymous page of `units` units, already written by the parent; its buffer is all of it.
    const m = defineMmu({ pages: 1, unitsPerPage: p.units, staticVma: true, refs: 1, pte: 'PRESENT_RW' });
    const it = defineIovIter(m, 'iter', { type: 'UBUF', dir: o.dir, segments: [{ base: 0, len: p.units }] });
    const cow = defineAnonCow(m, 0);
    return {
      name: 'iter-direction',
      world: { ...m.fields, ...it.fields, ...cow.fields },
      actors: [iovIterUserActor(it, { use: 'get-pages', cow }), bioDeviceActor(), forkChildActor()],
      properties: [cowIsolation(), iterDirection(it), iovIterUserReturns('CPU0')],
    };
  }
  // `units` user pages of one unit, none faulted in yet; reclaim may evict them.
  const m = defineMmu({ pages: p.units, unitsPerPage: 1, staticVma: true, exactCopy: true });
  const it = defineIovIter(m, 'iter', { type: 'UBUF', dir: o.dir, segments: [{ base: 0, len: p.units }] });
  const actors: ActorSpec[] = [iovIterUserActor(it, { use: 'copy-retry' })];
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim }));
  return {
    name: 'iter-direction',
    world: { ...m.fields, ...it.fields },
    actors,
    properties: [iterDirection(it), iterProgress(it, { actor: 'CPU0' })],
  };
}

export function buildIterDirection(p: Readonly<Record<Params, number>>, variant: IterDirectionVariant): SystemSpec {
  return buildIterUse(p, ITER_DIRECTION_VARIANTS[variant]);
}

export const iterDirectionScenario = defineScenario({
  id: 'iter-direction',
  title: 'iov_iter direction misuse: WRITE (ITER_SOURCE) on a buffer the kernel fills leaks into a COW-shared page, or WARNs and spins',
  source:
    "Al Viro, work.iov_iter (v6.2): \"[infiniband] READ is 'data destination', not source...\", \"[vhost] fix 'direction' argument of " +
    'iov_iter_{init,bvec}()" and six more; a41dad905e5a "iov_iter: saner checks for attempt to copy to/from iterator"; de4eda9de2d9',
  description:
    'WRITE means "as for write(2)": the iterator is the data SOURCE. A kernel path that fills a user buffer must declare ITER_DEST ' +
    '(READ). Declared ITER_SOURCE:\n' +
    '- swapped: the path hands the buffer to a device through iov_iter_get_pages2(), which asks for FOLL_WRITE only when ' +
    'iov_iter_rw(i) != WRITE. The process forked just before, so its buffer page is COW-shared and write-protected. Without ' +
    'FOLL_WRITE the read-only PTE satisfies GUP, no write fault breaks COW, and the device writes into the folio the child still ' +
    'maps (COW isolation; the shape of CVE-2020-29374). a41dad905e5a added checks to the copy primitives only: the iterator-direction WARN never ' +
    'fires here, before or after v6.2. correct (ITER_DEST): FOLL_WRITE, the write fault copies the page for the parent, the device ' +
    'writes the copy. The leak needs a FOLL_GET user such as iov_iter_get_pages2(): since v5.19 (a7f226604170) a read-only FOLL_PIN ' +
    '(pin_user_pages(), iov_iter_extract_pages()) of an anonymous page that is not PageAnonExclusive unshares it first ' +
    '(gup_must_unshare()), so a pin gets a private copy.\n' +
    '- swapped-zero-page: the same get-pages path on a buffer the process never touched (no fork). Without FOLL_WRITE the GUP ' +
    'read-faults it and do_anonymous_page() maps the shared zero page; the device writes into the page every zero-filled read in ' +
    'the system maps (property zero page intact) - the worse real outcome. correct-zero-page (ITER_DEST): the ' +
    'write fault allocates a private zeroed page.\n' +
    '- swapped-copy: the same misannotation in a fault-in + retry loop (pagefault_disable(); copy_to_iter(); on a short copy ' +
    'fault_in_iov_iter_writeable() and retry). From v6.2 copy_to_iter() WARNs and returns 0 (direction); the fault-in does not look at ' +
    'the direction and succeeds, so the loop also never ends (a progress violation, pinned in the tests). correct-copy (ITER_DEST) ' +
    'returns for every reclaim budget up to 3.\n' +
    'Assumptions: safety properties need no fairness; the device and the child are weakly fair threads; the fork returns before ' +
    'the I/O starts (a single-threaded parent; a fork racing with a FOLL_GET reference is a different bug, fixed for pins by ' +
    '70e806e4e645); reclaim acts only in the copy variants, finitely often.',
  params: {
    units: { description: 'units of the user buffer', default: 1, min: 1, max: 8 },
    reclaim: { description: 'reclaim budget: evictions of buffer pages (copy variants)', default: 1, min: 0, max: 6 },
  },
  variants: {
    swapped: {
      description: 'ITER_SOURCE on a buffer a device fills via iov_iter_get_pages2(): no FOLL_WRITE, the DMA lands in the COW-shared page',
      expected: { verdict: 'violated', property: 'COW isolation' },
      provenance: {
        kind: 'hypothetical',
        why: 'the misannotation Al Viro fixed in eight callers for v6.2 (work.iov_iter), put on a FOLL_GET get-pages path after fork: the consequence of the bug class, not a reported incident',
      },
    },
    correct: {
      description: 'ITER_DEST: FOLL_WRITE breaks COW before the DMA; holds (no fairness needed for the safety properties)',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'every version: iov_iter_get_pages*() asks FOLL_WRITE for an ITER_DEST iterator', commits: ['de4eda9de2d9'] },
    },
    'swapped-zero-page': {
      description: 'ITER_SOURCE on a never-touched buffer: the GUP read fault maps the shared zero page and the device DMAs into it (FOLL_GET)',
      expected: { verdict: 'violated', property: 'zero page intact' },
      provenance: {
        kind: 'hypothetical',
        why: 'the misannotation Al Viro fixed for v6.2 on a FOLL_GET get-pages path over a never-touched buffer: the zero-page consequence the kernel review pointed out, not a reported incident',
      },
    },
    'correct-zero-page': {
      description: 'ITER_DEST on a never-touched buffer: the FOLL_WRITE fault allocates a private page; holds',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'every version: iov_iter_get_pages*() asks FOLL_WRITE for an ITER_DEST iterator', commits: ['de4eda9de2d9'] },
    },
    'swapped-copy': {
      description: 'ITER_SOURCE in a copy_to_iter() + fault-in retry loop (v6.2+): WARN_ON_ONCE, copy returns 0, the loop spins',
      expected: { verdict: 'violated', property: 'iter direction' },
      provenance: {
        kind: 'hypothetical',
        why: "the same misannotation in a fault-in + retry loop on v6.2+, where a41dad905e5a's check makes copy_to_iter() WARN and return 0",
      },
    },
    'correct-copy': {
      description: 'ITER_DEST in the same loop: returns for every reclaim budget up to 3 (FO(reclaim))',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.16+ (fault_in_iov_iter_writeable())', commits: ['cdd591fc86e3'] },
    },
  },
  defaultVariant: 'swapped',
  build: (p, v) => buildIterDirection(p, v),
});
