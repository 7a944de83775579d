/**
 * Folio properties of the stable-pages protocol: stable pages, no pin
 * after a negative pin check, the ext4 rule that a dirty folio has buffers, and no false
 * negative from folio_maybe_dma_pinned().
 */
import { assertShape, invariant, transitionProperty, type Property } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { BACKING_FILE } from '../mmu/constants.js';
import { folioMaybeDmaPinned, folioPins } from '../mmu/pins.js';
import type { MmuWorld } from '../mmu/world.js';
import { NAME_OPTIONS } from '../options.js';

/** The first folio for which `bad(w, f)` holds, or -1 (no closure per call: properties run on every state). */
function firstFolio(m: Mmu, w: MmuWorld, bad: (w: MmuWorld, f: number) => boolean): number {
  for (let f = 0; f < m.folioCount; f++) if (bad(w, f)) return f;
  return -1;
}

/**
 * stable pages: while a folio of a mapping that needs stable writes is under writeback, its data version equals the
 * snapshot folio_start_writeback() took. Needs `writeback`, `versions` and `stableWrites`.
 */
export function stablePages(m: Mmu, options: { readonly name?: string } = {}): Property<MmuWorld> {
  assertShape(options, NAME_OPTIONS, 'stablePages() options');
  if (!m.wbSnapshot) throw new Error('stablePages: the MMU needs writeback: true and versions >= 2');
  if (!m.stableWrites) throw new Error('stablePages: the mapping does not require stable writes (set stableWrites: true)');
  const changed = (w: MmuWorld, f: number): boolean => w.folioWriteback![f] === 1 && w.folioVersion![f] !== w.folioWbSnapshot![f];
  return invariant(options.name ?? 'stable pages', (s) => firstFolio(m, s.world, changed) < 0, {
    description: 'a folio under writeback keeps the data its writeback snapshot saw',
    explain: (s) => {
      const f = firstFolio(m, s.world, changed);
      return `folio ${f} changed under writeback: version ${s.world.folioVersion![f]}, snapshot ${s.world.folioWbSnapshot![f]}`;
    },
  });
}

/**
 * no pin after a negative check: no pin appears on a folio whose writeback started after folio_maybe_dma_pinned() said no, until
 * that writeback ends. Needs `writeback` and `pins`. Read-only pins count too (the model does not tell
 * pin directions apart), and so does a GUP-fast pin that its own PTE re-check drops again before anyone
 * uses it: for GUP-fast races check `stablePages`, which judges what the pin is used for.
 */
export function noPinAfterNegativeCheck(m: Mmu, options: { readonly name?: string } = {}): Property<MmuWorld> {
  assertShape(options, NAME_OPTIONS, 'noPinAfterNegativeCheck() options');
  if (!m.wbChecked) throw new Error('noPinAfterNegativeCheck: the MMU needs writeback: true and pins >= 1');
  const first = (b: MmuWorld, a: MmuWorld): number => {
    for (let f = 0; f < m.folioCount; f++) if (b.folioWbChecked![f] === 1 && a.folioPins![f]! > b.folioPins![f]!) return f;
    return -1;
  };
  return transitionProperty(options.name ?? 'no pin after a negative pin check', (b, a) => first(b.world, a.world) < 0, {
    description: 'after writeback checked folio_maybe_dma_pinned() == false, no new pin until folio_end_writeback()',
    explain: (b, a) => `folio ${first(b.world, a.world)} was pinned while under writeback that found it unpinned`,
  });
}

/** dirty file folio has buffers (ext4): a dirty file folio has buffers - the fs was told through ->page_mkwrite(). Needs `dirty` and `buffers`. */
export function dirtyHasBuffers(m: Mmu, options: { readonly name?: string } = {}): Property<MmuWorld> {
  assertShape(options, NAME_OPTIONS, 'dirtyHasBuffers() options');
  if (!m.dirty || !m.buffers) throw new Error('dirtyHasBuffers: the MMU needs dirty: true and buffers: true');
  const bad = (w: MmuWorld, f: number): boolean => m.backing[m.folioFirstPage[f]!] === BACKING_FILE && w.folioDirty![f] === 1 && w.folioBuffers![f] === 0;
  return invariant(options.name ?? 'dirty folio has buffers', (s) => firstFolio(m, s.world, bad) < 0, {
    description: 'a dirty file folio has buffers: nobody dirtied it behind the filesystem',
    explain: (s) => `file folio ${firstFolio(m, s.world, bad)} is dirty without buffers (ext4 would BUG/WARN)`,
  });
}

/** no false negative from folio_maybe_dma_pinned(): a pinned folio always looks pinned to folio_maybe_dma_pinned() (false positives allowed). Needs `pins`. */
export function noDmaPinFalseNegative(m: Mmu, options: { readonly name?: string } = {}): Property<MmuWorld> {
  assertShape(options, NAME_OPTIONS, 'noDmaPinFalseNegative() options');
  if (m.pins === 0) throw new Error('noDmaPinFalseNegative: the MMU needs pins >= 1');
  const bad = (w: MmuWorld, f: number): boolean => folioPins(w, m, f) > 0 && !folioMaybeDmaPinned(w, m, f);
  return invariant(options.name ?? 'no false negative pin check', (s) => firstFolio(m, s.world, bad) < 0, {
    description: 'folio_maybe_dma_pinned() is true for every pinned folio',
    explain: (s) => `folio ${firstFolio(m, s.world, bad)} is pinned but folio_maybe_dma_pinned() says no`,
  });
}
