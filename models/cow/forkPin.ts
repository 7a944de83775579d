/**
 * fork() against FOLL_PIN on one anonymous page of the parent (mm/memory.c copy_present_pte(), do_wp_page();
 * mm/gup.c gup_fast(), __get_user_pages()): the page the parent wrote before (folio A, PageAnonExclusive),
 * its PTE, the folio the child maps, A's pin, `mm->write_protect_seq` and `mmap_lock` as fork() takes it.
 *
 * - fork(): dup_mmap() takes mmap_write_lock(); copy_page_range() brackets the copy of a COW mapping with
 *   raw_write_seqcount_begin/end(&src_mm->write_protect_seq) (57efa1fe5957 "mm/gup: prevent gup_fast from
 *   racing with COW during fork", v5.13); copy_present_pte() gives the child its own copy of a page that may
 *   be DMA-pinned (70e806e4e645, v5.11; since v5.19 folio_try_dup_anon_rmap_pte() fails for an exclusive,
 *   maybe-pinned page), else clears PageAnonExclusive, write-protects the parent's PTE and maps A in the child.
 * - GUP-fast with FOLL_PIN: `seq = raw_read_seqcount(&mm->write_protect_seq)`, give up if odd; walk the PTE
 *   (FOLL_WRITE needs it writable; a R/O pin of a not-exclusive anonymous page must unshare,
 *   gup_must_unshare(), v5.19 a7f226604170); pin; re-check the PTE; then read_seqcount_retry(): if fork()
 *   ran meanwhile, unpin and fall back to the slow path.
 * - slow GUP: mmap_read_lock() (waits for fork()), a write fault or a FAULT_FLAG_UNSHARE fault as needed,
 *   then the pin.
 * - a parent store: do_wp_page() on a read-only PTE reuses A only if it is exclusive and nobody else holds
 *   it (wp_can_reuse_anon_folio(): a pin raises the refcount), else copies (wp_page_copy()).
 *
 *
 * The shared zero page (`forkPinFields({ start: 'zero-page' })`: the parent only ever read its buffer, so
 * do_anonymous_page() mapped my_zero_pfn() read-only; the folio is ZERO):
 * - it is not an anonymous page: vm_normal_page() returns NULL for it, so copy_present_pte() just copies
 *   the read-only PTE to the child - no anon rmap, never PageAnonExclusive, never copied for DMA;
 * - GUP-fast refuses it (pte_special(), gup_fast_pte_range()) and the slow path's follow_page_pte()
 *   returns it (is_zero_pfn()); since c8070b787519 (v6.5) a FOLL_PIN of it is not even counted;
 * - a write fault (FOLL_WRITE, or the parent's store) runs do_wp_page() -> wp_page_copy(), which gives the
 *   parent a fresh exclusive anonymous page (named A here: it is the parent's first page of its own);
 * - a R/O pin of it unshares only from v6.2, and only for FOLL_LONGTERM: gup_must_unshare() answered
 *   false for every page that is not anonymous until 84209e87c696 ("mm/gup: reliable R/O long-term
 *   pinning in COW mappings") made it true for a R/O long-term pin of anything in a COW mapping, and
 *   8d6a0ac09a16 let FAULT_FLAG_UNSHARE break COW on the zero page (wp_page_copy(), PTE kept read-only).
 *   A short-term R/O pin still gets the zero page: "they have snapshot semantics" (84209e87c696).
 *
 * Fields (prefix `fp`): `fpPte` RO / RW; `fpParentFolio` A / COPY / ZERO; `fpChildMapsA`; `fpAExclusive`
 * (PageAnonExclusive of A); `fpPinned` - / A / COPY / ZERO (the folio a completed or in-flight pin holds);
 * `fpSeq` (write_protect_seq, 0..2: fork() runs once); `fpMmapWrite` / `fpMmapRead` (mmap_lock held by
 * fork() for write, by the slow GUP for read).
 * Not modelled: the child writing, swap, KSM, THP, more than one fork, the never-touched (absent) PTE
 * before the read fault that maps the zero page.
 */
import { assertShape, bool, enumOf, int, invariant, type FieldSpecs, type InvariantProperty, type Shape, type StateView } from '../../checker/index.js';

export const FP_PTE_RO = 0;
export const FP_PTE_RW = 1;
export const FP_FOLIO_A = 0;
export const FP_FOLIO_COPY = 1;
export const FP_FOLIO_ZERO = 2;
export const FP_FOLIO_NAMES = ['A', 'COPY', 'ZERO'] as const;
export const FP_PIN_NONE = 0;

export interface ForkPinWorld {
  fpPte: number;
  fpParentFolio: number;
  fpChildMapsA: number;
  fpAExclusive: number;
  /** 0 none, folio + 1. */
  fpPinned: number;
  fpSeq: number;
  fpMmapWrite: number;
  fpMmapRead: number;
}

/** Where the parent's page starts: 'written' (A, writable, exclusive) or 'zero-page' (only read: the shared zero page, read-only). */
export type ForkPinStart = 'written' | 'zero-page';

/** Every option of forkPinFields: a key not listed is a typo, refused rather than left at its default. */
const FORK_PIN_OPTIONS: Shape<{ readonly start?: ForkPinStart }> = { start: 'checked' };

/** The fragment's fields: by default the parent maps A writable and exclusive, nothing pinned, no fork yet. */
export function forkPinFields(o: { readonly start?: ForkPinStart } = {}): FieldSpecs {
  assertShape(o, FORK_PIN_OPTIONS, 'forkPinFields() options');
  const zero = o.start === 'zero-page';
  if (o.start !== undefined && o.start !== 'written' && !zero) throw new RangeError(`forkPinFields: start '${String(o.start)}' is not written or zero-page`);
  return {
    fpPte: enumOf(['RO', 'RW'], zero ? 'RO' : 'RW'),
    fpParentFolio: enumOf(FP_FOLIO_NAMES, zero ? 'ZERO' : 'A'),
    fpChildMapsA: bool(),
    fpAExclusive: bool(!zero),
    fpPinned: enumOf(['-', ...FP_FOLIO_NAMES]),
    fpSeq: int(0, 2),
    fpMmapWrite: bool(),
    fpMmapRead: bool(),
  };
}

/** How fork() guards against a concurrent GUP-fast pin. */
export type ForkSeq = 'none' | 'write-protect-seq';

/** fork()'s first step: mmap_write_lock(); with `write-protect-seq`, raw_write_seqcount_begin(). */
export function forkBegin(w: ForkPinWorld, seq: ForkSeq): void {
  w.fpMmapWrite = 1;
  if (seq === 'write-protect-seq') w.fpSeq = 1;
}

/** The parent maps the shared zero page (its PTE is a read-only special PTE). */
export function parentOnZeroPage(w: ForkPinWorld): boolean {
  return w.fpParentFolio === FP_FOLIO_ZERO;
}

/**
 * copy_present_pte()'s decision (pure): the child gets its own copy of A when A may be DMA-pinned and is
 * exclusive (page_needs_cow_for_dma() / folio_try_dup_anon_rmap_pte() failing); nothing to do when the
 * parent already maps a private copy, or the shared zero page (vm_normal_page() is NULL: the child gets the
 * same read-only PTE, with no anon rmap to share and nothing to write-protect); otherwise A is shared.
 */
export function copyPresentPteShares(w: ForkPinWorld): boolean {
  if (w.fpParentFolio === FP_FOLIO_COPY || w.fpParentFolio === FP_FOLIO_ZERO) return false;
  return !(w.fpPinned === FP_FOLIO_A + 1 && w.fpAExclusive === 1);
}

/**
 * The sharing half of copy_present_pte(), a later step than the decision: ClearPageAnonExclusive,
 * ptep_set_wrprotect() on the parent's PTE, the child maps A read-only.
 */
export function copyPresentPteShare(w: ForkPinWorld): void {
  w.fpAExclusive = 0;
  w.fpPte = FP_PTE_RO;
  w.fpChildMapsA = 1;
}

/** fork()'s last step: raw_write_seqcount_end() (when begun) and mmap_write_unlock(). */
export function forkEnd(w: ForkPinWorld): void {
  if (w.fpSeq === 1) w.fpSeq = 2;
  w.fpMmapWrite = 0;
}

/** The parent's current folio is exclusive to it (A with PageAnonExclusive, or its private copy; never the zero page). */
export function parentExclusive(w: ForkPinWorld): boolean {
  return w.fpParentFolio === FP_FOLIO_COPY || (w.fpParentFolio === FP_FOLIO_A && w.fpAExclusive === 1);
}

/**
 * GUP-fast's PTE test for a FOLL_PIN (pure): never the zero page (pte_special()); `write` needs a writable
 * PTE; a R/O pin with `unshare` (v5.19) refuses a not-exclusive anonymous page (gup_must_unshare()).
 */
export function gupFastPteOk(w: ForkPinWorld, write: boolean, unshare: boolean): boolean {
  if (parentOnZeroPage(w)) return false;
  if (write) return w.fpPte === FP_PTE_RW;
  return !unshare || parentExclusive(w);
}

/** try_grab_folio_fast(): pin the parent's current folio. */
export function pinParentFolio(w: ForkPinWorld): void {
  if (w.fpPinned !== FP_PIN_NONE) throw new Error('forkPin: the page is already pinned');
  w.fpPinned = w.fpParentFolio + 1;
}

/** gup_fast_unpin_user_pages() / unpin_user_page(). */
export function unpin(w: ForkPinWorld): void {
  w.fpPinned = FP_PIN_NONE;
}

/**
 * do_wp_page() for the parent (a write fault, or with `unshareOnly` a FAULT_FLAG_UNSHARE fault): the zero
 * page is replaced by a fresh exclusive page A (wp_page_copy()); a
 * PageAnonExclusive page (or the parent's private copy) is reused; a shared one is reused only if nobody
 * else holds it (wp_can_reuse_anon_folio(): not mapped by the child, no pin raising the refcount), which
 * makes it exclusive again; otherwise wp_page_copy() gives the parent an exclusive copy. A write fault makes
 * the PTE writable; an unshare fault leaves it read-only.
 */
export function forkDoWpPage(w: ForkPinWorld, unshareOnly: boolean): void {
  if (parentOnZeroPage(w)) {
    // wp_page_copy() from the zero page: a fresh zeroed anonymous page, exclusive (folio_add_new_anon_rmap())
    w.fpParentFolio = FP_FOLIO_A;
    w.fpAExclusive = 1;
  } else if (!parentExclusive(w)) {
    if (!w.fpChildMapsA && w.fpPinned !== FP_FOLIO_A + 1) w.fpAExclusive = 1;
    else w.fpParentFolio = FP_FOLIO_COPY;
  }
  if (!unshareOnly) w.fpPte = FP_PTE_RW;
}

/** The options of pinCoherent. */
const PIN_COHERENT_OPTIONS: Shape<Parameters<typeof pinCoherent>[0]> = { name: 'string', holder: 'string' };

/**
 * Pin coherence: a pin on the parent's page holds the folio the parent maps, so the device and the parent
 * see each other's writes (the pin is not left on a folio COW gave away).
 */
export function pinCoherent(options: { readonly name?: string; readonly holder: string } = { holder: 'gup' }): InvariantProperty<ForkPinWorld> {
  assertShape(options, PIN_COHERENT_OPTIONS, 'pinCoherent() options');
  const bad = (s: StateView<ForkPinWorld>): boolean =>
    s.actor(options.holder).final && s.world.fpPinned !== FP_PIN_NONE && s.world.fpPinned !== s.world.fpParentFolio + 1;
  return invariant<ForkPinWorld>(options.name ?? 'pin coherence', (s) => !bad(s), {
    description: "a completed FOLL_PIN on the parent's page holds the folio the parent maps (COW never moves the parent away from its pinned page)",
    explain: (s) =>
      `the pin holds folio ${FP_FOLIO_NAMES[s.world.fpPinned - 1]} but the parent now maps ${FP_FOLIO_NAMES[s.world.fpParentFolio]}: DMA and the parent's writes no longer meet${s.world.fpChildMapsA && s.world.fpPinned === FP_FOLIO_A + 1 ? ', and the child maps the pinned page' : ''}`,
  });
}
