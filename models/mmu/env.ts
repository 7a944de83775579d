/**
 * What the environment does to user memory (the environment agents): reclaim and
 * swap-out, migration, munmap / MADV_DONTNEED, mprotect, MTE retagging and memory poisoning. Each is a
 * plain function over the world; an environment actor guards it with the matching `...Ok` test and spends
 * its budget on it.
 */
import type { Mmu } from './config.js';
import {
  PTE_ABSENT,
  PTE_MIGRATION_RO,
  PTE_MIGRATION_RW,
  PTE_PRESENT_RO,
  PTE_PRESENT_RW,
  VMA_NONE,
  VMA_RW,
  pteMigration,
  ptePresent,
  pteResident,
} from './constants.js';
import { folioLocked, migrationEntryToPte } from './folio.js';
import { evictFolio, folioEvictable, lruRemove } from './lru.js';
import { folioPins, folioRefs } from './pins.js';
import type { MmuWorld } from './world.js';

/** Reclaim can take the folio now (see `folioEvictable`: unlocked, no writeback, no extra refs or pins, clean if file). */
export function reclaimFolioOk(w: MmuWorld, m: Mmu, f: number): boolean {
  return folioEvictable(w, m, f);
}

/**
 * Reclaim evicts the folio (shrink_folio_list()): anonymous pages go to swap entries (with `swap`), file
 * and shmem pages lose their PTEs; the pages leave the LRU. This is the adversarial `Reclaim` of 0.2;
 * the deterministic LRU eviction happens by itself when a fault needs room. Guard with `reclaimFolioOk`.
 */
export function reclaimFolio(w: MmuWorld, m: Mmu, f: number): void {
  if (!folioEvictable(w, m, f)) throw new Error(`reclaim: folio ${f} cannot be evicted now (guard with reclaimFolioOk)`);
  evictFolio(w, m, f);
}

/** Migration can start on the folio: some page mapped, none already under migration, folio unlocked. */
export function migrateFolioStartOk(w: MmuWorld, m: Mmu, f: number): boolean {
  if (folioLocked(w, m, f)) return false;
  const first = m.folioFirstPage[f]!;
  const end = first + m.folioNrPages[f]!;
  let mapped = false;
  for (let p = first; p < end; p++) {
    if (pteMigration(w.pte[p]!)) return false;
    if (ptePresent(w.pte[p]!)) mapped = true;
  }
  return mapped;
}

/**
 * migrate_pages(), first half: lock the folio and replace its present PTEs by migration entries
 * (try_to_migrate(); writable PTEs become writable entries). Faults on these pages now sleep in
 * migration_entry_wait() (FAULT_WAIT), GUP-fast falls back to the slow path. Needs `migration`.
 */
export function migrateFolioStart(w: MmuWorld, m: Mmu, f: number): void {
  if (!m.migration) throw new Error('migrate_pages: the world has no migration entries (set migration: true)');
  if (!migrateFolioStartOk(w, m, f)) throw new Error(`migrate_pages: folio ${f} cannot start migrating (guard with migrateFolioStartOk)`);
  if (m.pageLock) w.folioLocked![f] = 1;
  const first = m.folioFirstPage[f]!;
  const end = first + m.folioNrPages[f]!;
  for (let p = first; p < end; p++) {
    const pte = w.pte[p]!;
    if (pte === PTE_PRESENT_RW) w.pte[p] = PTE_MIGRATION_RW;
    else if (pte === PTE_PRESENT_RO) w.pte[p] = PTE_MIGRATION_RO;
  }
}

/**
 * migrate_pages(), second half, would succeed: no extra references and no pins. folio_migrate_mapping()
 * freezes the refcount at the expected value; anything more (a GUP reference taken between the two halves,
 * a pin) makes it fail with -EAGAIN.
 */
export function migrateFolioFinishOk(w: MmuWorld, m: Mmu, f: number): boolean {
  return folioRefs(w, m, f) === 0 && folioPins(w, m, f) === 0;
}

/**
 * migrate_pages(), second half: remove_migration_ptes() puts the PTEs back (same permissions; on success
 * they point at the new folio, which the model keeps in the same slot with the same data version and
 * tags) and unlocks. Returns whether the migration succeeded.
 */
export function migrateFolioFinish(w: MmuWorld, m: Mmu, f: number): boolean {
  const ok = migrateFolioFinishOk(w, m, f);
  const first = m.folioFirstPage[f]!;
  const end = first + m.folioNrPages[f]!;
  for (let p = first; p < end; p++) {
    const pte = w.pte[p]!;
    if (pteMigration(pte)) w.pte[p] = migrationEntryToPte(pte);
  }
  if (m.pageLock) w.folioLocked![f] = 0;
  return ok;
}

/** migrate_pages() as one atomic step (no window between unmapping and the refcount check). */
export function migrateFolio(w: MmuWorld, m: Mmu, f: number): boolean {
  migrateFolioStart(w, m, f);
  return migrateFolioFinish(w, m, f);
}

/**
 * zap_pte_range() for page p (MADV_DONTNEED, the unmap half of munmap): the PTE goes away (present, swap or
 * migration entry), the page leaves the LRU. References and pins stay on the folio: a pinned folio outlives
 * its mapping. (The model keeps one folio slot per page: a later fault maps the slot again, which is right
 * for page cache and a simplification for anonymous memory.)
 */
export function zapPage(w: MmuWorld, m: Mmu, p: number): void {
  w.pte[p] = PTE_ABSENT;
  lruRemove(w, m, p);
}

/** munmap() of page p (the caller holds mmap_lock for write): no VMA, no PTE. */
export function munmapPage(w: MmuWorld, m: Mmu, p: number): void {
  w.vma[p] = VMA_NONE;
  zapPage(w, m, p);
}

/**
 * mprotect() of page p to `vma` (VMA_*; the caller holds mmap_lock for write): change_protection() drops the
 * write bit of present PTEs and migration entries when write permission goes away. PROT_NONE keeps the
 * translation (the page stays resident) and the VMA check refuses every access.
 */
export function mprotectPage(w: MmuWorld, m: Mmu, p: number, vma: number): void {
  void m;
  w.vma[p] = vma;
  if (vma !== VMA_RW) {
    const pte = w.pte[p]!;
    if (pte === PTE_PRESENT_RW) w.pte[p] = PTE_PRESENT_RO;
    else if (pte === PTE_MIGRATION_RW) w.pte[p] = PTE_MIGRATION_RO;
  }
}

/** Another thread changes the MTE tag of unit u (mprotect(PROT_MTE) and retagging: the `Retag` agent). */
export function setTag(w: MmuWorld, m: Mmu, u: number, ok: boolean): void {
  if (!m.mte) throw new Error('setTag: the world has no MTE tags (set mte: true)');
  w.tagOK![u] = ok ? 1 : 0;
}

/** A hardware memory error hits unit u. */
export function poisonUnit(w: MmuWorld, m: Mmu, u: number): void {
  if (!m.poison) throw new Error('poisonUnit: the world has no poison field (set poison: true)');
  w.poison![u] = 1;
}

/** Page p is resident (present or under migration). */
export function pageResident(w: MmuWorld, p: number): boolean {
  return pteResident(w.pte[p]!);
}
