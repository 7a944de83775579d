/**
 * kcore-read: the /proc/kcore KCORE_VMALLOC retry loop of read_kcore_iter() (v6.4 on) against the
 * pre-6.4 bounce buffer ("Bug: broken /proc/kcore in 6.13", Jan 2025). One reader
 * (models/actors/readKcoreIter.ts) reads `chunks` vmalloc pages of `pageUnits` units into a user buffer of
 * one unit per user page (the first page already touched, the rest not yet faulted in). With the execmem
 * ROX quirk the first `quirk` vmalloc pages are module text whose direct-map alias
 * execmem_cache_populate() removed when the module was loaded, before the read (the initial state; the
 * mid-read actor models/actors/archMappingQuirk.ts is not used here). Reclaim may evict user pages a
 * bounded number of times.
 */
import { reclaimActor } from '../models/actors/reclaim.js';
import { kcoreAccounting, kcoreNoSpuriousEfault, kcoreSourceMatches, readKcoreIterActor } from '../models/actors/readKcoreIter.js';
import { defineIovIter } from '../models/iov-iter/iter.js';
import { defineKcore } from '../models/kcore/vmalloc.js';
import { defineMmu } from '../models/mmu/config.js';
import { iterProgress } from '../models/properties/iterator.js';
import type { ActorSpec, SystemSpec } from '../checker/index.js';
import { defineScenario } from './scenario.js';

export type KcoreReadVariant = 'retry-forever' | 'bounce-buffer' | 'retry-forever-readv' | 'retry-forever-hole';
type Params = 'chunks' | 'pageUnits' | 'quirk' | 'reclaim';

export interface KcoreReadOptions {
  readonly kcoreLoop: 'shipped' | 'bounce';
  /** read() into one buffer (ITER_UBUF) or readv() of one-unit segments (ITER_IOVEC). */
  readonly iter: 'UBUF' | 'IOVEC';
  /** The execmem ROX quirk is present: the first `quirk` vmalloc pages have no direct-map alias from the start. */
  readonly rox: boolean;
  /** The last user page of the buffer is not mapped (a read() into a buffer that runs off its mapping). */
  readonly hole: boolean;
  /** fault_in_safe_writeable()'s return: 'v5.17-buggy' from fe673d3f5bf1 until 8c03ebd7cdc0 (so in mainline 6.4 - 6.14), or 'fixed'. */
  readonly faultInReturn: 'fixed' | 'v5.17-buggy';
  /**
   * Check only what the user sees (kcore content is left out too: the trace runs on through the wrong
   * bytes to the -EFAULT), not the loop's src/left bookkeeping. Default false: every property.
   */
  readonly userVisible?: boolean;
}

export const KCORE_READ_VARIANTS: Readonly<Record<KcoreReadVariant, KcoreReadOptions>> = {
  'retry-forever': { kcoreLoop: 'shipped', iter: 'UBUF', rox: true, hole: false, faultInReturn: 'v5.17-buggy' },
  'bounce-buffer': { kcoreLoop: 'bounce', iter: 'UBUF', rox: true, hole: false, faultInReturn: 'v5.17-buggy' },
  'retry-forever-readv': { kcoreLoop: 'shipped', iter: 'IOVEC', rox: false, hole: false, faultInReturn: 'v5.17-buggy', userVisible: true },
  'retry-forever-hole': { kcoreLoop: 'shipped', iter: 'UBUF', rox: false, hole: true, faultInReturn: 'v5.17-buggy' },
};

/** The system for explicit options (the variants are points of this space). */
export function buildReadKcore(p: Readonly<Record<Params, number>>, o: KcoreReadOptions): SystemSpec {
  const units = p.chunks * p.pageUnits;
  const m = defineMmu({
    pages: units,
    unitsPerPage: 1,
    staticVma: true,
    exactCopy: true,
    faultInSafeWriteableReturn: o.faultInReturn,
    vma: Array.from({ length: units }, (_, i) => (o.hole && i === units - 1 ? 'NONE' : 'RW')),
    pte: Array.from({ length: units }, (_, i) => (i === 0 && !(o.hole && units === 1) ? 'PRESENT_RW' : 'ABSENT')),
  });
  const segments = o.iter === 'UBUF' ? [{ base: 0, len: units }] : Array.from({ length: units }, (_, i) => ({ base: i, len: 1 }));
  const it = defineIovIter(m, 'iter', { type: o.iter, dir: 'DEST', segments, warn: false });
  // execmem_cache_populate() removed the module text's direct-map alias at module load, before the read.
  const invalid = o.rox ? Array.from({ length: p.quirk }, (_, i) => i) : [];
  const k = defineKcore(it, { pages: p.chunks, pageUnits: p.pageUnits, invalid });
  const actors: ActorSpec[] = [readKcoreIterActor(k, { kcoreLoop: o.kcoreLoop, chunks: p.chunks })];
  if (p.reclaim > 0) actors.push(reclaimActor(m, { budget: p.reclaim }));
  return {
    name: 'kcore-read',
    world: { ...m.fields, ...it.fields, ...k.fields },
    actors,
    properties: [
      ...(o.userVisible ? [] : [kcoreAccounting(k, 'CPU0'), kcoreSourceMatches('CPU0')]),
      kcoreNoSpuriousEfault(k, 'CPU0'),
      iterProgress(it, { actor: 'CPU0', name: 'read_kcore progress' }),
    ],
  };
}

export function buildKcoreRead(p: Readonly<Record<Params, number>>, variant: KcoreReadVariant): SystemSpec {
  return buildReadKcore(p, KCORE_READ_VARIANTS[variant]);
}

export const kcoreRead = defineScenario({
  id: 'kcore-read',
  title: '/proc/kcore read_kcore_iter() retries vread_iter() forever when the copy fails for a non-fault reason',
  source:
    '"Bug: broken /proc/kcore in 6.13" (Jan 2025); Lorenzo Stoakes, "fs/proc/kcore: convert read_kcore() to read_kcore_iter()" ' +
    '46c0d6d0904a and 4c91c07c93bb (v6.4); review by Baoquan He and David Laight',
  description:
    'Since v6.4 read_kcore_iter() reads a KCORE_VMALLOC chunk with vread_iter(), which copies straight into the user iterator with ' +
    'page faults disabled (it holds the vmap spinlock): copy_page_to_iter_nofault() per vmalloc page. If it comes back short, the loop ' +
    'assumes a user page was not faulted in: fault_in_iov_iter_writeable(iter, left), and try again - "until we are done". When the ' +
    'copy fails for a reason no fault-in can cure, the fault-in succeeds, the copy fails again, forever: in 6.13-rc the x86 execmem ROX ' +
    "cache took the direct-map alias of module text away (set_direct_map_valid_noflush(page, false)), the nofault copy's source " +
    'faulted, and gdb hung on /proc/kcore ("vread_iter() keeps returning 0"); x86 EXECMEM_ROX was disabled (a9bbe3413331) before ' +
    'v6.13 final, so released kernels never met this quirk - the loop that spins on it is unchanged. The alias is removed when the ' +
    'module is loaded (execmem_alloc() -> execmem_cache_populate()), before anyone reads it: the model starts with the first `quirk` ' +
    'vmalloc pages of the range already without their alias, and the trace starts at the read. No fairness assumption helps.\n\n' +
    'bounce-buffer is the pre-6.4 design: read the kernel side into a bounce page, then copy_to_iter()/copy_to_user() with page faults ' +
    'enabled; a fault the handler cannot resolve makes the copy short and the read returns -EFAULT. No loop, nothing to spin on. The ' +
    'kernel-side read is modelled fault-safe (copy_from_kernel_nofault() and zero-fill, as v6.5 reinstated the bounce buffer for ' +
    "KCORE_TEXT): pre-6.4's own aligned_vread() copies with kmap_atomic() + memcpy() and no fixup, and would oops on a page whose " +
    'direct-map alias is gone - it never met that quirk, which came later. It needs no ' +
    'fairness: it holds for every quirk up to 2 and every reclaim budget up to 3 (test/scenarios/kcore-read.test.ts).\n\n' +
    "retry-forever-readv shows the shipped loop's accounting: `read` is cumulative but is added to `src` and " +
    'subtracted from `left` on every pass. In a readv() the nofault copy is all-or-nothing per iovec, so a pass can deliver part of a ' +
    'chunk; if a later pass of the same chunk is short too (one eviction between fault-in and copy is enough), `src` counts the first ' +
    'part twice: the next vread_iter() copies kernel bytes from the wrong offset into the buffer, and `left` wraps, so the read ' +
    'ends in -EFAULT on a valid buffer. The variant checks what the user sees (no spurious -EFAULT, progress), so its trace runs ' +
    'through the wrong bytes to the -EFAULT (it needs pageUnits >= 3; the bookkeeping invariants kcore accounting and kcore content, ' +
    'which fail earlier on the same run, are checked by the other variants and the tests). read() (ITER_UBUF) is all-or-nothing ' +
    'per chunk and never makes a partial pass. This variant has no ROX quirk.\n\n' +
    'retry-forever-hole needs no ROX: in mainline v6.4 - v6.14 (and stable trees before the backport) fault_in_safe_writeable() returned 0 ("all faulted in") as soon as its first page ' +
    'succeeded (fe673d3f5bf1, v5.17-rc8; fixed by 8c03ebd7cdc0 in the 6.15-rc cycle). A chunk whose user range runs into an unmapped page then fails ' +
    'the all-or-nothing copy every time while the fault-in reports success: the read spins (until SIGKILL, as in the 6.13 report: ' +
    'fixup_user_fault() gives up on a fatal signal). With the fixed return value the fault-in reports the shortfall and the read returns -EFAULT. ' +
    'Not modelled: vmap_area lookup and holes, the per-node vmap locks, KCORE_TEXT/KCORE_RAM, the v6.7 copy regression f1982740f5e7.',
  params: {
    chunks: { description: 'vmalloc pages read (one tsz chunk each)', default: 1, min: 1, max: 6 },
    pageUnits: { description: 'PAGE_SIZE in units (tsz of a chunk); the user buffer has one unit per user page', default: 3, min: 1, max: 8 },
    quirk: {
      description: 'vmalloc pages (the first of the range, at most chunks) that are module text whose direct map execmem ROX removed at module load',
      default: 1,
      min: 0,
      max: 2,
    },
    reclaim: { description: 'reclaim budget: evictions of user pages', default: 1, min: 0, max: 6 },
  },
  variants: {
    'retry-forever': {
      description: 'v6.4+: vread_iter() + fault_in_iov_iter_writeable() until done: spins when the copy fails for a non-fault reason',
      expected: { verdict: 'violated', property: 'read_kcore progress' },
      provenance: {
        kind: 'shipped',
        versions: 'the loop v6.4+; the x86 execmem ROX quirk only in v6.13-rc (disabled before v6.13)',
        commits: ['46c0d6d0904a', '4c91c07c93bb', 'a9bbe3413331', '925f42645118'],
      },
    },
    'bounce-buffer': {
      description: 'the pre-6.4 design with a fault-safe kernel-side read: bounce page, copy_to_iter() with faults enabled: returns; no fairness needed',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'hypothetical',
        why: 'the pre-6.4 bounce-buffer design with a fault-safe kernel-side read (copy_from_kernel_nofault(), as v6.5 reinstated for KCORE_TEXT): pre-6.4 aligned_vread() had no fixup and never met the ROX quirk',
      },
    },
    'retry-forever-readv': {
      description: 'v6.4+ readv(): a second short pass in one chunk breaks the src/left bookkeeping: wrong bytes, then -EFAULT',
      expected: { verdict: 'violated', property: 'no spurious -EFAULT' },
      provenance: { kind: 'shipped', versions: 'v6.4+ (no upstream fix found)', commits: ['46c0d6d0904a'] },
      params: ['chunks', 'pageUnits', 'reclaim'],
    },
    'retry-forever-hole': {
      description: 'v6.4 - v6.14, no ROX: a read() whose buffer runs into an unmapped page spins (fault_in_safe_writeable() claims success)',
      expected: { verdict: 'violated', property: 'read_kcore progress' },
      provenance: {
        kind: 'shipped',
        versions: 'v6.4 - v6.14 (stable trees until the backport of 8c03ebd7cdc0)',
        commits: ['46c0d6d0904a', 'fe673d3f5bf1', '8c03ebd7cdc0'],
      },
      params: ['chunks', 'pageUnits', 'reclaim'],
    },
  },
  defaultVariant: 'retry-forever',
  validate: (p) => (p.quirk > p.chunks ? `quirk (${p.quirk}) cannot exceed chunks (${p.chunks}): it counts vmalloc pages of the range` : null),
  build: (p, v) => buildKcoreRead(p, v),
});
