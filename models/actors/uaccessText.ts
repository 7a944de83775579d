/**
 * Trace text for user accesses: why a copy with page faults disabled stopped, in the words a kernel
 * developer would use in a commit message ("MTE tag check fault at ubuf+16", "p1 not present"). Shared by
 * the actors' `label` functions; pure, never called on the engine's hot path except to print a trace.
 */
import type { Mmu } from '../mmu/config.js';
import { ACCESS_BAD_VMA, ACCESS_FAULT, ACCESS_OK, ACCESS_POISON, ACCESS_TAG, PTE_NAMES } from '../mmu/constants.js';
import { unitAccess } from '../mmu/access.js';
import { pageOf, type MmuWorld } from '../mmu/world.js';

/**
 * Why an access to [a, a + n) fails now: the first unit that does not allow it and the reason, with
 * addresses written relative to `base` under the name `baseName` (e.g. 'ubuf'). '' if every unit is fine.
 */
export function uaccessFailure(w: MmuWorld, m: Mmu, a: number, n: number, write: boolean, base = 0, baseName = 'ubuf'): string {
  for (let u = a; u < a + n; u++) {
    const acc = unitAccess(w, m, u, write);
    if (acc === ACCESS_OK) continue;
    const where = u === base ? baseName : `${baseName}+${u - base}`;
    const p = pageOf(m, u);
    if (acc === ACCESS_TAG) return `MTE tag check fault at ${where}`;
    if (acc === ACCESS_FAULT) return `page fault at ${where} (p${p} ${PTE_NAMES[w.pte[p]!]})`;
    if (acc === ACCESS_BAD_VMA) return `bad area at ${where} (p${p} has no VMA permission)`;
    if (acc === ACCESS_POISON) return `memory error at ${where}`;
  }
  return '';
}
