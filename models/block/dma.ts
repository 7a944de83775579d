/**
 * A device's DMA mapping of user folios (the `DMA` environment agent and the device of the stable-pages protocol): a pinner that has
 * programmed a transfer into a folio (an O_DIRECT read's bio, an RDMA registration, an io_uring fixed
 * buffer) sets `dmaMapped[f]`; from then until it unmaps and unpins, the device may write the folio at any
 * time (`dmaWrite` of models/mmu/folio.ts: new data, and nothing marks the folio dirty - the pinner does that
 * with set_page_dirty_lock() when it unpins).
 *
 * World field: `dmaMapped` (per folio, 0/1).
 */
import { array, bool, type FieldSpecs } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import type { MmuWorld } from '../mmu/world.js';

export interface DmaWorld extends MmuWorld {
  readonly dmaMapped: Int32Array | number[];
}

/** The world fields: `dmaMapped[F]`. */
export function dmaFields(m: Mmu): FieldSpecs {
  return { dmaMapped: array(m.folioCount, bool()) };
}

/** The device may write folio f now. */
export function dmaIsMapped(w: DmaWorld, f: number): boolean {
  return w.dmaMapped[f] === 1;
}

/** dma_map / submit: the device gets folio f as a transfer target. */
export function dmaMap(w: DmaWorld, f: number): void {
  w.dmaMapped[f] = 1;
}

/** The transfer is over (completion, dma_unmap): the device no longer writes folio f. */
export function dmaUnmap(w: DmaWorld, f: number): void {
  w.dmaMapped[f] = 0;
}
