/**
 * stable-pages: writeback of a folio of a mapping that needs stable writes, with
 * Jan Kara's protocol - lock, folio_mkclean(), folio_maybe_dma_pinned() check, start writeback, unlock,
 * end - against a pinner that programs a device to write the folio.
 *
 *   pin-from-ref     the pin-from-reference hazard: the pinner turns a plain reference it holds into a pin with the proposed
 *                    pin_user_page() - no page-table walk, so nothing stops it after writeback's check;
 *   pin-via-fault    the pin is taken through the page tables (pin_user_pages_fast(FOLL_PIN|FOLL_WRITE)):
 *                    a write-protected PTE sends it through ->page_mkwrite(), which waits for writeback;
 *   fast-no-recheck  the Dekker pattern, hypothetical: GUP-fast (its real steps) without the PTE re-check;
 *   fast-recheck     GUP-fast as mm/gup.c has it: two atomic adds, smp_mb__after_atomic(), PTE re-check;
 *   no-pin-check     the short-term pin problem: writeback without the pin check (mainline), a GUP pin taken before writeback.
 *
 * Actors: models/actors/writeback.ts, pinner.ts, dma.ts, releaseFolio.ts.
 */
import { array, bool, deadlockFreedom, int, type ActorSpec, type SystemSpec } from '../checker/index.js';
import { dmaActor } from '../models/actors/dma.js';
import { pinnerActor, type PinnerOptions } from '../models/actors/pinner.js';
import { releaseFolioActor } from '../models/actors/releaseFolio.js';
import { writebackActor } from '../models/actors/writeback.js';
import { dmaFields, type DmaWorld } from '../models/block/dma.js';
import { defineMmu } from '../models/mmu/index.js';
import { dirtyHasBuffers, noDmaPinFalseNegative, stablePages } from '../models/properties/index.js';
import { defineScenario } from './scenario.js';

export type StableVariant = 'pin-from-ref' | 'pin-via-fault' | 'fast-no-recheck' | 'fast-recheck' | 'no-pin-check';
type Params = 'dmaWrites' | 'passes' | 'releases' | 'longterm' | 'pinners';

/** The pinner and writeback switches of each variant. */
export function stableVariantSwitches(v: StableVariant, longterm: boolean): { pinner: PinnerOptions; pinCheck: 'redirty' | 'none' } {
  switch (v) {
    case 'pin-from-ref':
      return { pinner: { pinFromRef: 'allowed', holdsRef: true }, pinCheck: 'redirty' };
    case 'pin-via-fault':
      return { pinner: { pinFromRef: 'forbidden', holdsRef: true, longterm }, pinCheck: 'redirty' };
    case 'fast-no-recheck':
      return { pinner: { pinFromRef: 'forbidden', holdsRef: false, gupFast: 'steps', recheck: false, longterm }, pinCheck: 'redirty' };
    case 'fast-recheck':
      return { pinner: { pinFromRef: 'forbidden', holdsRef: false, gupFast: 'steps', recheck: true, longterm }, pinCheck: 'redirty' };
    case 'no-pin-check':
      return { pinner: { pinFromRef: 'forbidden', holdsRef: false, longterm }, pinCheck: 'none' };
  }
}

export function buildStablePages(
  p: Readonly<Record<Exclude<Params, 'pinners'>, number>> & { readonly pinners?: number },
  variant: StableVariant,
): SystemSpec<DmaWorld> {
  const { pinner, pinCheck } = stableVariantSwitches(variant, p.longterm === 1);
  const pinners = p.pinners ?? 1;
  // Per pinner: its held reference, and GUP-fast's speculative one.
  const refs = pinners * ((pinner.holdsRef ? 1 : 0) + (pinner.gupFast === 'steps' ? 1 : 0));
  const m = defineMmu({
    pages: 1,
    unitsPerPage: 1,
    backing: 'file',
    pte: 'PRESENT_RW',
    staticVma: true,
    pageLock: true,
    dirty: true,
    writeback: true,
    buffers: true,
    versions: Math.max(2, p.dmaWrites + 1),
    refs: Math.max(1, refs),
    pins: pinners,
    stableWrites: true,
  });
  // The user has written the page through its writable PTE: the folio is dirty and ->page_mkwrite() gave
  // it buffers. Each ref-holding pinner starts with its plain reference.
  const world = {
    ...m.fields,
    ...dmaFields(m, pinners),
    folioDirty: array(1, bool(), [1]),
    folioBuffers: array(1, bool(), [1]),
    folioRef: array(1, int(0, m.refs), [pinner.holdsRef ? pinners : 0]),
  };
  // Several pinners run one machine (one actor spec, renamed) on the same page and touch only counts in
  // the world (refs, pins, DMA mappings), and no property reads an actor: they are interchangeable, and
  // `--reduce symmetry` explores one state per renaming of them (checker/reduce/symmetry.ts).
  const one = pinnerActor(m, pinner);
  const group = pinners === 1 ? [one] : Array.from({ length: pinners }, (_, i) => ({ ...one, name: `pinner${i}` }));
  const actors: ActorSpec<any, any>[] = [writebackActor(m, { pinCheck, passes: p.passes }), ...group];
  if (p.dmaWrites > 0) actors.push(dmaActor(m, { budget: p.dmaWrites }));
  if (p.releases > 0) actors.push(releaseFolioActor(m, { budget: p.releases }));
  return {
    name: `stable-pages:${variant}`,
    world,
    ...(pinners > 1 ? { symmetric: { pinners: group.map((a) => a.name) } } : {}),
    actors,
    properties: [stablePages(m), dirtyHasBuffers(m), noDmaPinFalseNegative(m), deadlockFreedom()],
  };
}

export const stablePagesScenario = defineScenario({
  id: 'stable-pages',
  title: "stable pages vs pins: writeback's pin check is bypassed by a pin made from a page reference (the pin-from-reference hazard)",
  source:
    'Jan Kara and Al Viro in "iov_iter: new iov_iter_pin_pages*() routines" (linux-fsdevel, Sep 2022); "mm/gup: introduce pin_user_page()" (never merged); mm/gup.c GUP-fast PTE re-check; 8ac268436e6d / a6e79df92e4a (v6.5)',
  description:
    'One MAP_SHARED page of a file whose mapping needs stable writes (the I/O checksums the data), dirty and writable. ' +
    "Writeback locks the folio, folio_clear_dirty_for_io() write-protects its PTE (folio_mkclean), checks folio_maybe_dma_pinned() (Jan Kara's proposal: a pinned folio is redirtied and skipped), " +
    'starts writeback (the checksum covers this data), unlocks, and ends when the I/O completes. A pinner pins the folio and maps it for a device that may DMA-write it until the unpin. ' +
    'Any pin through the page tables needs a writable PTE: after folio_mkclean() it faults into ->page_mkwrite(), which waits for the folio lock and, in folio_wait_stable(), for the end of writeback. ' +
    'Bug (pin-from-ref, the pin-from-reference hazard): pin_user_page() turns a plain reference (splice, ITER_BVEC) into a pin with no page-table walk after writeback found the folio unpinned; the device then writes a folio under writeback. ' +
    'Fix (pin-via-fault): pins only through the page tables (v6.3 gives ITER_BVEC no pin at all; user-backed iterators pin with pin_user_pages_fast()). ' +
    'fast-no-recheck / fast-recheck: GUP-fast reads a writable PTE, writeback write-protects and checks, then GUP-fast pins; without the PTE re-check the pin escapes (hypothetical), with it the pin is dropped and the slow path waits. ' +
    'no-pin-check: mainline writeback has no pin check, so a pin taken before writeback lets the device write under it (the short-term pin problem); longterm=1 (FOLL_LONGTERM) is refused on such a mapping since v6.5 and then it holds. ' +
    'Properties: stable pages, dirty file folio has buffers (releases=1 adds the buffer release that exposes the ext4 side of the short-term pin problem), no false negative from folio_maybe_dma_pinned(), deadlock. "No pin after a negative check" is not listed: ' +
    'it flags the speculative pin that the GUP-fast re-check drops again; tests check it on pin-from-ref, where it fires one step before stable pages. ' +
    'Safety only, no fairness needed. The fixed variants hold for every DMA budget up to 2, writeback passes up to 2, and buffer releases up to 1, ' +
    'and with two and three pinners of the page at the defaults (pinners >= 2 run one machine and are declared symmetric: --reduce symmetry ' +
    'explores one state per renaming of them).',
  params: {
    dmaWrites: { description: 'device DMA writes while the folio is mapped for it (DMA budget)', default: 1, min: 0, max: 4 },
    passes: { description: 'writeback passes over the folio', default: 1, min: 1, max: 4 },
    releases: { description: 'buffer releases by reclaim/truncate (filemap_release_folio budget)', default: 0, min: 0, max: 2 },
    longterm: { description: '1: the GUP pinners pass FOLL_LONGTERM (refused on this file mapping since v6.5)', default: 0, min: 0, max: 1 },
    pinners: { description: 'pinners of the page, each like the one pinner (from 2: pinner0, pinner1 ..., declared symmetric)', default: 1, min: 1, max: 3 },
  },
  variants: {
    'pin-from-ref': {
      description: 'the pin-from-reference hazard: pin_user_page() on a held reference after the negative pin check; the device writes under writeback',
      expected: { verdict: 'violated', property: 'stable pages' },
      provenance: {
        kind: 'proposal',
        thread:
          'Jan Kara and Al Viro in "iov_iter: new iov_iter_pin_pages*() routines" (linux-fsdevel, Sep 2022): "mm/gup: introduce pin_user_page()" and writeback\'s folio_maybe_dma_pinned() check, neither merged',
      },
    },
    'pin-via-fault': {
      description: 'pins only through the page tables (->page_mkwrite() waits for writeback); holds for DMA budgets <= 2, passes <= 2, releases <= 1',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'proposal',
        thread:
          'Jan Kara and Al Viro in "iov_iter: new iov_iter_pin_pages*() routines" (linux-fsdevel, Sep 2022): writeback\'s folio_maybe_dma_pinned() check is Jan Kara\'s proposal (mainline has none); pins only through the page tables as mainline since v6.3',
      },
    },
    'fast-no-recheck': {
      description: 'hypothetical GUP-fast without the PTE re-check: the pin slips in after folio_mkclean() and the check',
      expected: { verdict: 'violated', property: 'stable pages' },
      provenance: {
        kind: 'hypothetical',
        why: 'GUP-fast has always re-checked the PTE after taking its reference; without it, against the proposed writeback pin check (Jan Kara, Sep 2022), shows what the re-check is for',
      },
    },
    'fast-recheck': {
      description: 'GUP-fast with the PTE re-check: the late pin is dropped, the slow path waits; holds for the same budgets',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'proposal',
        thread:
          'Jan Kara and Al Viro in "iov_iter: new iov_iter_pin_pages*() routines" (linux-fsdevel, Sep 2022): writeback\'s folio_maybe_dma_pinned() check is Jan Kara\'s proposal; GUP-fast with its PTE re-check is mainline',
      },
    },
    'no-pin-check': {
      description: 'the short-term pin problem: mainline writeback without the pin check; a pin taken before writeback lets the device write under it',
      expected: { verdict: 'violated', property: 'stable pages' },
      provenance: {
        kind: 'shipped',
        versions: 'mainline writeback (no pin check); FOLL_LONGTERM on such mappings refused since v6.5',
        commits: ['8ac268436e6d', 'a6e79df92e4a'],
      },
    },
  },
  defaultVariant: 'pin-from-ref',
  build: (p, v) => buildStablePages(p, v),
});
