/** Memory-wide properties: the resident capacity, and mmap_lock discipline. */
import { assertShape, invariant, type Property, type StateView } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { pteResident } from '../mmu/constants.js';
import { mmapHeld } from '../mmu/mmapLock.js';
import type { MmuWorld } from '../mmu/world.js';
import { NAME_OPTIONS } from '../options.js';

function residentPtes(w: MmuWorld, m: Mmu): number {
  let n = 0;
  for (let p = 0; p < m.pages; p++) if (pteResident(w.pte[p]!)) n++;
  return n;
}

/** At most `capacity` pages are resident (counted from the PTEs, independently of the LRU list). */
export function residentCapacity(m: Mmu, options: { readonly name?: string } = {}): Property<MmuWorld> {
  assertShape(options, NAME_OPTIONS, 'residentCapacity() options');
  if (m.capacity === 0) throw new Error('residentCapacity: the MMU has no capacity');
  return invariant(options.name ?? 'capacity', (s) => residentPtes(s.world, m) <= m.capacity, {
    description: `at most ${m.capacity} of the ${m.pages} user pages are resident`,
    explain: (s) => `${residentPtes(s.world, m)} pages are resident, capacity ${m.capacity}`,
  });
}

/**
 * mmap_lock is released exactly once per acquisition: no unlock without the lock and no second acquisition
 * (the sticky `mmapMisuse` flag stays 0), and an owner whose actor has finished holds nothing. `owners[i]`
 * names the actor with owner index i.
 */
export function mmapLockDiscipline(m: Mmu, owners: readonly string[], options: { readonly name?: string } = {}): Property<MmuWorld> {
  assertShape(options, NAME_OPTIONS, 'mmapLockDiscipline() options');
  if (m.mmapOwners === 0) throw new Error('mmapLockDiscipline: the MMU has no mmap_lock');
  if (owners.length > m.mmapOwners) throw new Error(`mmapLockDiscipline: ${owners.length} owners named, the MMU has ${m.mmapOwners}`);
  const leaked = (s: StateView<MmuWorld>): number => {
    for (let i = 0; i < owners.length; i++) if (s.actor(owners[i]!).final && mmapHeld(s.world, m, i)) return i;
    return -1;
  };
  return invariant(options.name ?? 'mmap_lock discipline', (s) => s.world.mmapMisuse === 0 && leaked(s) < 0, {
    description: 'mmap_lock is released exactly once per acquisition',
    explain: (s) =>
      s.world.mmapMisuse !== 0
        ? 'mmap_lock was unlocked by an owner that did not hold it, or taken twice by the same owner'
        : `${owners[leaked(s)]} finished while holding mmap_lock`,
  });
}
