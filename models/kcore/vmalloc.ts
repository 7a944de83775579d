/**
 * The kernel side of a /proc/kcore read of a KCORE_VMALLOC range (fs/proc/kcore.c read_kcore_iter(),
 * mm/vmalloc.c vread_iter()): `pages` vmalloc pages of `pageUnits` units each (PAGE_SIZE in units; the
 * user side may use another unit-per-page count), read into the iterator `it`.
 *
 * World field: `directMap[p]` (VALID / INVALID) - whether the page's direct-map alias is mapped. vread_iter()
 * finds the page with vmalloc_to_page() and copies it with copy_page_to_iter_nofault(), which maps it with
 * kmap_local_page(), i.e. through the direct map on 64-bit. x86's execmem ROX cache (v6.13,
 * execmem_cache_populate() -> execmem_set_direct_map_valid(vm, false)) removes that alias for module text,
 * so the copy's *source* faults, the nofault copy fails, and copy_page_to_iter_nofault() returns 0 although
 * the user buffer is fine ("Bug: broken /proc/kcore in 6.13", Jan 2025). The
 * same shape covers any non-fault failure of the copy (page_copy_sane(), hardened usercopy, a direction
 * WARN): INVALID stands for "this kernel page cannot be copied by the nofault path, whatever the user does".
 *
 * vread_iter() (4c91c07c93bb, v6.4), per source page of [addr, addr + count): copied =
 * copy_page_to_iter_nofault(page, offset, n, iter); stop at the first page with copied != n; return
 * count - remains (bytes copied, may be 0). copy_page_to_iter_nofault() is all-or-nothing per user segment
 * chunk (models/iov-iter/copy.ts copyPageToIterNofault). A source address past
 * the modelled pages is a hole: zero_iter() zero-fills it, through the same nofault copy.
 * Not modelled: vmap_area lookup and the per-node busy lock, VM_IOREMAP / VM_SPARSE areas, the v6.7
 * regression f1982740f5e7 (copying `bytes` instead of `n`).
 */
import { array, assertShape, enumOf, type FieldSpecs, type Shape } from '../../checker/index.js';
import { copyPageToIterNofault } from '../iov-iter/copy.js';
import type { IovIter } from '../iov-iter/iter.js';
import { Shadow } from '../mmu/shadow.js';
import type { MmuWorld } from '../mmu/world.js';

export const DIRECT_MAP_VALID = 0;
export const DIRECT_MAP_INVALID = 1;
export const DIRECT_MAP_NAMES = ['VALID', 'INVALID'] as const;

export interface KcoreOptions {
  /** vmalloc pages of the range read. */
  readonly pages: number;
  /** PAGE_SIZE in units (tsz <= pageUnits). */
  readonly pageUnits: number;
  /** Pages whose direct-map alias is already gone at the start. Default none. */
  readonly invalid?: readonly number[];
}

/** Every option of defineKcore: a key not listed is a typo, refused rather than left at its default. */
const KCORE_OPTIONS: Shape<KcoreOptions> = { pages: 'checked', pageUnits: 'checked', invalid: 'array' };

export interface Kcore {
  readonly it: IovIter;
  readonly pages: number;
  readonly pageUnits: number;
  readonly fields: FieldSpecs;
  /** Dry-run scratch over the MMU's, the iterator's and these fields. */
  readonly shadow: Shadow<any>;
}

export interface KcoreWorld extends MmuWorld {
  readonly directMap: Int32Array | number[];
}

/** The kcore source range over the iterator `it`; throws a RangeError naming the bad option. */
export function defineKcore(it: IovIter, o: KcoreOptions): Kcore {
  assertShape(o, KCORE_OPTIONS, 'defineKcore() options');
  if (!Number.isInteger(o.pages) || o.pages < 1 || o.pages > 16) throw new RangeError(`kcore: pages ${o.pages} must be in 1..16`);
  if (!Number.isInteger(o.pageUnits) || o.pageUnits < 1 || o.pageUnits > 64) throw new RangeError(`kcore: pageUnits ${o.pageUnits} must be in 1..64`);
  const init = new Array<number>(o.pages).fill(DIRECT_MAP_VALID);
  for (const p of o.invalid ?? []) {
    if (!Number.isInteger(p) || p < 0 || p >= o.pages) throw new RangeError(`kcore: invalid page ${p} is not one of 0..${o.pages - 1}`);
    init[p] = DIRECT_MAP_INVALID;
  }
  const fields: FieldSpecs = { directMap: array(o.pages, enumOf(DIRECT_MAP_NAMES), init) };
  return { it, pages: o.pages, pageUnits: o.pageUnits, fields, shadow: new Shadow({ ...it.mmu.fields, ...it.fields, ...fields }) };
}

/** The source page can be copied by copy_page_to_iter_nofault() (its direct-map alias is there). */
export function kcorePageCopyable(w: KcoreWorld, k: Kcore, p: number): boolean {
  return p >= k.pages || w.directMap[p] === DIRECT_MAP_VALID;
}

/**
 * vread_iter(iter, start + src, count) applied: copies source units [src, src + count) of the range into the
 * iterator page by page and returns the units copied (see the file comment). `src` is a unit offset from the
 * start of the range.
 */
export function vreadIter(w: KcoreWorld, k: Kcore, src: number, count: number): number {
  let copied = 0;
  let a = src;
  while (copied < count) {
    const p = (a / k.pageUnits) | 0;
    const n = Math.min(count - copied, k.pageUnits - (a % k.pageUnits));
    const c = kcorePageCopyable(w, k, p) ? copyPageToIterNofault(w, k.it, n, 0) : 0;
    copied += c;
    a += c;
    if (c !== n) break;
  }
  return copied;
}

/** What vread_iter(iter, start + src, count) would return now. Dry run; changes nothing. */
export function vreadIterResult(w: KcoreWorld, k: Kcore, src: number, count: number): number {
  return vreadIter(k.shadow.load(w), k, src, count);
}

/** The first source page of [src, src + count) that the nofault copy cannot read, or -1. */
export function kcoreFirstUncopyable(w: KcoreWorld, k: Kcore, src: number, count: number): number {
  for (let a = src; a < src + count; a++) {
    const p = (a / k.pageUnits) | 0;
    if (!kcorePageCopyable(w, k, p)) return p;
  }
  return -1;
}

/** Sets the source page's direct-map alias (set_direct_map_valid_noflush()). */
export function setDirectMapValid(w: KcoreWorld, k: Kcore, p: number, valid: boolean): void {
  if (!(p >= 0 && p < k.pages)) throw new RangeError(`kcore: page ${p} is not one of 0..${k.pages - 1}`);
  w.directMap[p] = valid ? DIRECT_MAP_VALID : DIRECT_MAP_INVALID;
}
