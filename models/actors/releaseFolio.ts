/**
 * Buffer release: the optional truncate/reclaim agent of the stable-pages protocol - memory reclaim
 * (shrink_folio_list() -> filemap_release_folio()) or the filesystem dropping the buffer heads of a clean
 * folio that is not under writeback (try_to_release_folio() -> ->release_folio(), e.g.
 * try_to_free_buffers()). A folio with extra references or pins cannot be freed afterwards, but it loses
 * its buffers all the same: the setup of the ext4 side of the short-term pin problem, where a pinner's set_page_dirty_lock()
 * later dirties a folio the filesystem knows nothing about (dirty file folio has buffers; cc5095747edf "ext4: don't BUG if
 * someone dirty pages without asking ext4 first").
 *
 * An environment actor whose budget counts releases; one step `filemapReleaseFolio` (folio_trylock(),
 * release, folio_unlock()), one outcome per folio among `folios` (`folioReleaseBuffers` of
 * models/mmu/folio.ts).
 */
import { setup } from 'xstate';
import { assertShape, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { folioLocked, folioReleaseBuffers, folioReleaseBuffersOk } from '../mmu/folio.js';
import type { MmuWorld } from '../mmu/world.js';

export interface ReleaseFolioOptions {
  /** Column name in traces. Default 'release'. */
  readonly name?: string;
  /** Releases it may make in one run. */
  readonly budget: number;
  /** Folios it may act on (default: every folio). */
  readonly folios?: readonly number[];
}

/** Every option of releaseFolioMachine and releaseFolioActor: a key not listed is a typo, refused rather than left at its default. */
const RELEASE_OPTIONS: Shape<ReleaseFolioOptions> = { name: 'string', budget: 'number', folios: 'array' };

function folioList(m: Mmu, folios?: readonly number[]): Int32Array {
  if (!m.buffers) throw new RangeError('release: the MMU needs buffers: true');
  const list = folios ?? Array.from({ length: m.folioCount }, (_, f) => f);
  if (list.length === 0) throw new RangeError('release: no folios');
  for (const f of list) if (!Number.isInteger(f) || f < 0 || f >= m.folioCount) throw new RangeError(`release: folio ${f} is not a folio of the MMU`);
  return Int32Array.from(list);
}

/**
 * The release can run now: buffers, clean, not under writeback - and the folio lock is free, since
 * filemap_release_folio() is called with the folio locked (shrink_folio_list()'s folio_trylock(), truncate's
 * folio_lock()); lock, release and unlock are one step here.
 */
export function releasable(w: MmuWorld, m: Mmu, f: number): boolean {
  return !folioLocked(w, m, f) && folioReleaseBuffersOk(w, m, f);
}

/** The buffer-release machine: one state, one step `filemapReleaseFolio` (choice = folio). */
export function releaseFolioMachine(m: Mmu, options: ReleaseFolioOptions) {
  assertShape(options, RELEASE_OPTIONS, 'releaseFolioMachine() options');
  const folios = folioList(m, options.folios);
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'filemapReleaseFolio', MmuWorld> },
    guards: { releasable: ({ event }) => releasable(event.world, m, folios[event.choice]!) },
    actions: { release: ({ event }) => void folioReleaseBuffers(event.world, m, folios[event.choice]!) },
  }).createMachine({
    id: options.name ?? 'release',
    initial: 'running',
    context: {},
    states: { running: { on: { filemapReleaseFolio: { guard: 'releasable', actions: 'release', description: 'filemap_release_folio()' } } } },
  });
}

/** The buffer-release actor: an environment with `budget` releases. */
export function releaseFolioActor(m: Mmu, options: ReleaseFolioOptions): ActorSpec<Record<string, never>, MmuWorld> {
  assertShape(options, RELEASE_OPTIONS, 'releaseFolioActor() options');
  const folios = folioList(m, options.folios);
  return {
    name: options.name ?? 'release',
    kind: 'environment',
    budget: options.budget,
    machine: releaseFolioMachine(m, options),
    fields: {},
    choices: { filemapReleaseFolio: folios.length },
    label: ({ event }) => `folio_trylock(); filemap_release_folio(p${m.folioFirstPage[folios[event.choice]!]}): clean, no writeback: buffers freed`,
  };
}
