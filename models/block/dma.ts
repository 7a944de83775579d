/**
 * A device's DMA mapping of user folios (the `DMA` environment agent and the device of the stable-pages protocol): a pinner that has
 * programmed a transfer into a folio (an O_DIRECT read's bio, an RDMA registration, an io_uring fixed
 * buffer) counts itself in `dmaMapped[f]`; from then until it unmaps and unpins, the device may write the folio at any
 * time (`dmaWrite` of models/mmu/folio.ts: new data, and nothing marks the folio dirty - the pinner does that
 * with set_page_dirty_lock() when it unpins).
 *
 * World field: `dmaMapped` (per folio: how many pinners have it mapped for the device, 0..mappers; 0/1 with one).
 */
import { array, bool, int, type FieldSpecs } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import type { MmuWorld } from '../mmu/world.js';

export interface DmaWorld extends MmuWorld {
  readonly dmaMapped: Int32Array | number[];
}

/** The world fields: `dmaMapped[F]`, for up to `mappers` pinners mapping one folio at once (default 1). */
export function dmaFields(m: Mmu, mappers = 1): FieldSpecs {
  return { dmaMapped: array(m.folioCount, mappers === 1 ? bool() : int(0, mappers)) };
}

/** The device may write folio f now: some pinner has it mapped. */
export function dmaIsMapped(w: DmaWorld, f: number): boolean {
  return w.dmaMapped[f]! > 0;
}

/** dma_map / submit: the device gets folio f as a transfer target (one more mapping of it). */
export function dmaMap(w: DmaWorld, f: number): void {
  w.dmaMapped[f] = w.dmaMapped[f]! + 1;
}

/** This transfer is over (completion, dma_unmap): the device writes folio f only through the other mappings. */
export function dmaUnmap(w: DmaWorld, f: number): void {
  w.dmaMapped[f] = w.dmaMapped[f]! - 1;
}
