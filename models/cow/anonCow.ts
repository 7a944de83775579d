/**
 * A copy-on-write anonymous page shared by fork(), and a bio whose device writes into the pages that
 * get_user_pages() returned - the world fragment of iov_iter direction misuse. The
 * MMU model has one address space (models/README.md: no fork / COW); this fragment adds the second one for
 * a single user page `page` of the MMU, the parent's buffer:
 *
 * - fork() (copy_present_pte() for an anon page) write-protects the parent's PTE and the child maps the
 *   same folio A (mapcount 2, not PageAnonExclusive): `forkCopyPresentPte`. The world starts before the
 *   fork, with the parent's page mapped writable.
 * - A write fault by the parent (do_wp_page() -> wp_page_copy()) gives the parent a private copy while A is
 *   still mapped by the child: `parentFolio` becomes COPY and the PTE writable. If the child no longer maps
 *   A, the parent reuses A (wp_can_reuse_anon_folio()).
 * - The child's exit (exit_mmap() -> zap_pte_range()) drops its mapping of A.
 * - get_user_pages() on the parent's range: with FOLL_WRITE, GUP-fast refuses the read-only PTE and the
 *   slow path takes the write fault above first, so it returns the parent's private page; without
 *   FOLL_WRITE the read-only PTE satisfies it and it returns A itself - a FOLL_GET reference does not unshare
 *   (gup_must_unshare() only applies to R/O FOLL_PIN, v5.19). `bioFolio` records which folio the bio got.
 * - The device's DMA writes into `bioFolio`. If that is A while the child maps A, the parent's data has
 *   landed in the child's memory: the ghost `childSawWrite` records it (COW isolation).
 *
 * - A buffer the process never touched (`touched: false`; no fork needed): its PTE is absent. A GUP
 *   without FOLL_WRITE read-faults it, and do_anonymous_page() maps the shared zero page read-only
 *   (my_zero_pfn(); unless mm_forbids_zeropage()); follow_page_pte() hands the zero page itself to a
 *   FOLL_GET caller, so the device writes into the page every zero-filled read in the system maps:
 *   `zeroPageWritten` (the worse real outcome). With FOLL_WRITE the write fault
 *   allocates a private zeroed page (parentFolio A, which no child maps).
 *
 * The leak needs a FOLL_GET user (iov_iter_get_pages2()): since v5.19 (a7f226604170) a read-only
 * FOLL_PIN of an anonymous page that is not PageAnonExclusive unshares it (gup_must_unshare()), so a pin
 * gets a private copy.
 *
 * Fields: parentFolio (A / COPY / ZERO / NONE), childMapsA, bio (NONE / SUBMITTED / COMPLETED), bioFolio
 * (- / A / COPY / ZERO), childSawWrite, zeroPageWritten. Not modelled: the fork itself racing with GUP (the
 * FOLL_GET-before-fork problem, fork's early copy of maybe-pinned pages 70e806e4e645), the parent writing
 * after the DMA (a FOLL_GET reference then makes the parent copy and lose the DMA data), KSM.
 */
import { assertShape, bool, enumOf, invariant, type FieldSpecs, type InvariantProperty, type Shape } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { PTE_ABSENT, PTE_PRESENT_RO, PTE_PRESENT_RW } from '../mmu/constants.js';
import type { MmuWorld } from '../mmu/world.js';
import { NAME_OPTIONS } from '../options.js';

export const COW_FOLIO_A = 0;
export const COW_FOLIO_COPY = 1;
/** The shared zero page (a never-touched page after a read fault). */
export const COW_FOLIO_ZERO = 2;
/** Nothing mapped yet (a never-touched page). */
export const COW_FOLIO_NONE = 3;
export const COW_FOLIO_NAMES = ['A', 'COPY', 'ZERO', 'NONE'] as const;
export const BIO_NONE = 0;
export const BIO_SUBMITTED = 1;
export const BIO_COMPLETED = 2;
export const BIO_NAMES = ['NONE', 'SUBMITTED', 'COMPLETED'] as const;
/** bioFolio: no folio yet, A, or the parent's copy (value - 1 is a COW_FOLIO_*). */
export const BIO_FOLIO_NAMES = ['-', 'A', 'COPY', 'ZERO', 'NONE'] as const;

export interface AnonCow {
  readonly mmu: Mmu;
  /** The parent's buffer page that fork() made COW-shared. */
  readonly page: number;
  /** The parent wrote the page before (it starts PRESENT_RW, folio A); false: never touched (ABSENT). */
  readonly touched: boolean;
  readonly fields: FieldSpecs;
}

export interface CowWorld extends MmuWorld {
  parentFolio: number;
  childMapsA: number;
  bio: number;
  bioFolio: number;
  childSawWrite: number;
  zeroPageWritten: number;
}

/** Every option of defineAnonCow: a key not listed is a typo, refused rather than left at its default. */
const ANON_COW_OPTIONS: Shape<{ readonly touched?: boolean }> = { touched: 'boolean' };

/**
 * The fragment for MMU page `page`, which must be anonymous and start PRESENT_RW (the parent wrote it
 * before fork()) - or, with `touched: false`, ABSENT (never touched).
 */
export function defineAnonCow(m: Mmu, page: number, options: { readonly touched?: boolean } = {}): AnonCow {
  assertShape(options, ANON_COW_OPTIONS, 'defineAnonCow() options');
  const touched = options.touched ?? true;
  if (!(Number.isInteger(page) && page >= 0 && page < m.pages)) throw new RangeError(`anon COW: page ${page} is not a page of the MMU`);
  if (m.backing[page] !== 0) throw new RangeError(`anon COW: page ${page} must be anonymous`);
  const pte = m.fields.pte;
  const want = touched ? PTE_PRESENT_RW : PTE_ABSENT;
  if (!pte || pte.kind !== 'array' || pte.init[page] !== want) {
    throw new RangeError(`anon COW: page ${page} must start ${touched ? "PRESENT_RW (the parent's own page before fork())" : 'ABSENT (never touched)'}`);
  }
  return {
    mmu: m,
    page,
    touched,
    fields: {
      zeroPageWritten: bool(),
      parentFolio: enumOf(COW_FOLIO_NAMES, touched ? COW_FOLIO_A : COW_FOLIO_NONE),
      childMapsA: bool(),
      bio: enumOf(BIO_NAMES),
      bioFolio: enumOf(BIO_FOLIO_NAMES),
      childSawWrite: bool(),
    },
  };
}

/**
 * fork() -> copy_present_pte() for the parent's anonymous page: write-protect the parent's PTE and map the
 * same folio A in the child (folio_try_dup_anon_rmap(): no longer exclusive). A pinned page would be copied
 * for the child instead (page_needs_cow_for_dma(), 70e806e4e645); a FOLL_GET reference does not count.
 */
export function forkCopyPresentPte(w: CowWorld, c: AnonCow): void {
  w.pte[c.page] = PTE_PRESENT_RO;
  w.childMapsA = 1;
}

/** The parent's folio is still the one the child maps: a write must copy first. */
export function cowShared(w: CowWorld): boolean {
  return w.parentFolio === COW_FOLIO_A && w.childMapsA === 1;
}

/** do_wp_page() for the parent's page: copy if shared (wp_page_copy()), else reuse; the PTE becomes writable. */
export function doWpPage(w: CowWorld, c: AnonCow): void {
  if (cowShared(w)) w.parentFolio = COW_FOLIO_COPY;
  w.pte[c.page] = PTE_PRESENT_RW;
}

/** The parent's PTE is read-only, so a FOLL_WRITE GUP (or a CPU store) takes a write fault first. */
export function cowNeedsWriteFault(w: CowWorld, c: AnonCow): boolean {
  return w.pte[c.page] === PTE_PRESENT_RO;
}

/**
 * The fault a GUP takes on a never-touched page (do_anonymous_page()): a write fault allocates a private
 * zeroed page, a read fault maps the shared zero page read-only.
 */
export function doAnonymousPage(w: CowWorld, c: AnonCow, write: boolean): void {
  w.parentFolio = write ? COW_FOLIO_A : COW_FOLIO_ZERO;
  w.pte[c.page] = write ? PTE_PRESENT_RW : PTE_PRESENT_RO;
}

/** The page was never touched: a GUP faults it in first (doAnonymousPage()). */
export function anonUntouched(w: CowWorld): boolean {
  return w.parentFolio === COW_FOLIO_NONE;
}

/** Records the folio the bio got from get_user_pages() (the parent's current folio) and submits it. */
export function bioSubmit(w: CowWorld): void {
  w.bioFolio = w.parentFolio + 1;
  w.bio = BIO_SUBMITTED;
}

/** The device writes the data into the bio's folio and completes the bio. */
export function bioDmaWrite(w: CowWorld): void {
  if (w.bioFolio === COW_FOLIO_A + 1 && w.childMapsA === 1) w.childSawWrite = 1;
  if (w.bioFolio === COW_FOLIO_ZERO + 1) w.zeroPageWritten = 1;
  w.bio = BIO_COMPLETED;
}

/** exit_mmap() of the child: its mapping of A goes away. */
export function childExitMmap(w: CowWorld): void {
  w.childMapsA = 0;
}

/**
 * COW isolation: a write through a page obtained by GUP on the parent's
 * range is visible only through the parent's address space - no device write lands in a folio the fork
 * child still maps.
 */
export function cowIsolation(options: { readonly name?: string } = {}): InvariantProperty<CowWorld> {
  assertShape(options, NAME_OPTIONS, 'cowIsolation() options');
  return invariant<CowWorld>(options.name ?? 'COW isolation', (s) => s.world.childSawWrite === 0, {
    description: "a DMA into pages GUP'd from the parent's buffer never lands in a folio the fork child maps",
    explain: () => "the device wrote the parent's read data into folio A, which the fork child still maps: the child sees it",
  });
}

/** The shared zero page stays zero: no DMA through a GUP'd page lands in it. */
export function zeroPageIntact(options: { readonly name?: string } = {}): InvariantProperty<CowWorld> {
  assertShape(options, NAME_OPTIONS, 'zeroPageIntact() options');
  return invariant<CowWorld>(options.name ?? 'zero page intact', (s) => s.world.zeroPageWritten === 0, {
    description: "a DMA into pages GUP'd from a user buffer never lands in the shared zero page",
    explain: () => 'the device wrote the read data into the shared zero page: every zero-filled anonymous read in the system now sees it',
  });
}
