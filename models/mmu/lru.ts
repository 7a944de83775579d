/**
 * The resident set with a deterministic LRU (the fault-in window scenario's evictor: "an LRU evictor with capacity C
 * resident pages ... Faulting in page C+1 evicts the least recently used one. This is deterministic, not
 * adversarial."). An adversarial evictor is a separate environment actor calling `reclaimFolio`.
 *
 * Representation: `lru` is an array of C slots, most recently used first; slot value p + 1 is page p, 0 is
 * an empty slot, and occupied slots come first. That is canonical (one encoding per resident list) and
 * costs C * ceil(log2(P + 1)) bits. Invariant: page p is in the list iff its PTE is resident (present or a
 * migration entry).
 *
 * "Used" means faulted in (the page enters at the head); with `touchOnAccess` every successful access
 * also moves its page to the head (the young bit). The victim is the least recently used page whose folio
 * is evictable (`folioEvictable`) and is not the folio being faulted in; eviction takes the whole folio.
 * If no page can be evicted the fault fails with VM_FAULT_OOM.
 */
import type { Mmu } from './config.js';
import { BACKING_ANON, BACKING_FILE, BACKING_UFFD, PTE_ABSENT, PTE_SWAP, ptePresent, pteResident } from './constants.js';
import { folioDirty, folioLocked, folioWriteback } from './folio.js';
import { folioPins, folioRefs } from './pins.js';
import { folioOf, type MmuWorld } from './world.js';

/** Number of resident pages (occupied LRU slots; without a capacity, pages with a resident PTE). */
export function residentCount(w: MmuWorld, m: Mmu): number {
  if (m.capacity === 0) {
    let n = 0;
    for (let p = 0; p < m.pages; p++) if (pteResident(w.pte[p]!)) n++;
    return n;
  }
  const lru = w.lru!;
  let n = 0;
  while (n < m.capacity && lru[n] !== 0) n++;
  return n;
}

/** The page's LRU slot (0 = most recent), or -1. */
export function lruSlotOf(w: MmuWorld, m: Mmu, p: number): number {
  if (m.capacity === 0) return -1;
  const lru = w.lru!;
  for (let i = 0; i < m.capacity; i++) if (lru[i] === p + 1) return i;
  return -1;
}

/** Removes page p from the LRU if it is there. */
export function lruRemove(w: MmuWorld, m: Mmu, p: number): void {
  if (m.capacity === 0) return;
  const lru = w.lru!;
  const i = lruSlotOf(w, m, p);
  if (i < 0) return;
  for (let j = i; j < m.capacity - 1; j++) lru[j] = lru[j + 1]!;
  lru[m.capacity - 1] = 0;
}

/** Moves a resident page to the LRU head (an access, with `touchOnAccess`). */
export function lruTouch(w: MmuWorld, m: Mmu, p: number): void {
  if (m.capacity === 0) return;
  const lru = w.lru!;
  const i = lruSlotOf(w, m, p);
  if (i <= 0) return;
  for (let j = i; j > 0; j--) lru[j] = lru[j - 1]!;
  lru[0] = p + 1;
}

/**
 * The folio can be reclaimed: not locked, not under writeback, no extra references or pins (reclaim's
 * folio_ref_freeze() would fail), not a dirty file folio (it must be written back first), and every
 * resident page of it mapped by a present PTE (not under migration).
 */
export function folioEvictable(w: MmuWorld, m: Mmu, f: number): boolean {
  if (folioLocked(w, m, f) || folioWriteback(w, m, f) || folioRefs(w, m, f) > 0 || folioPins(w, m, f) > 0) return false;
  const first = m.folioFirstPage[f]!;
  if (m.backing[first] === BACKING_FILE && folioDirty(w, m, f)) return false;
  const end = first + m.folioNrPages[f]!;
  let resident = false;
  for (let p = first; p < end; p++) {
    const pte = w.pte[p]!;
    if (pteResident(pte) && !ptePresent(pte)) return false;
    if (ptePresent(pte)) resident = true;
  }
  return resident;
}

/** The PTE an evicted page is left with: a swap entry for anonymous memory (with swap), else none. */
export function evictedPte(m: Mmu, p: number): number {
  const b = m.backing[p]!;
  return (b === BACKING_ANON || b === BACKING_UFFD) && m.swap ? PTE_SWAP : PTE_ABSENT;
}

/**
 * Evicts the folio (shrink_folio_list(): try_to_unmap(), pageout, __remove_mapping()): every resident page
 * loses its PTE (to a swap entry or nothing) and leaves the LRU; the folio's dirty and buffer state is
 * dropped with it (its data is in swap or in the file). The data version is kept: content is preserved.
 * Guard with `folioEvictable`.
 */
export function evictFolio(w: MmuWorld, m: Mmu, f: number): void {
  const first = m.folioFirstPage[f]!;
  const end = first + m.folioNrPages[f]!;
  for (let p = first; p < end; p++) {
    if (!pteResident(w.pte[p]!)) continue;
    w.pte[p] = evictedPte(m, p);
    lruRemove(w, m, p);
  }
  if (m.dirty) w.folioDirty![f] = 0;
  if (m.buffers) w.folioBuffers![f] = 0;
}

/** The page LRU eviction would evict to make room for page p, or -1 if none can go. */
export function lruVictim(w: MmuWorld, m: Mmu, p: number): number {
  const lru = w.lru!;
  const fp = folioOf(m, p);
  for (let i = m.capacity - 1; i >= 0; i--) {
    const v = lru[i]!;
    if (v === 0) continue;
    const q = v - 1;
    const fq = folioOf(m, q);
    if (fq !== fp && folioEvictable(w, m, fq)) return q;
  }
  return -1;
}

/** Page p can become resident: it already is, there is room, or a victim exists. */
export function lruCanMakeResident(w: MmuWorld, m: Mmu, p: number): boolean {
  if (m.capacity === 0) return true;
  if (lruSlotOf(w, m, p) >= 0) return true;
  if (residentCount(w, m) < m.capacity) return true;
  return lruVictim(w, m, p) >= 0;
}

/**
 * Page p becomes resident (its PTE is being made present): enters the LRU head, evicting the least
 * recently used evictable folio if the list is full. Returns false (and changes nothing) when nothing can
 * be evicted: the caller reports VM_FAULT_OOM.
 */
export function lruMakeResident(w: MmuWorld, m: Mmu, p: number): boolean {
  if (m.capacity === 0) return true;
  if (lruSlotOf(w, m, p) >= 0) {
    lruTouch(w, m, p);
    return true;
  }
  if (residentCount(w, m) >= m.capacity) {
    const victim = lruVictim(w, m, p);
    if (victim < 0) return false;
    evictFolio(w, m, folioOf(m, victim));
  }
  const lru = w.lru!;
  for (let j = m.capacity - 1; j > 0; j--) lru[j] = lru[j - 1]!;
  lru[0] = p + 1;
  return true;
}
