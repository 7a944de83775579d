/**
 * struct iov_iter (include/linux/uio.h) over the simulated MMU: its type and segments are static, its
 * count and position live in world fields named after a prefix, so several iterators coexist in one world
 * (`defineIovIter(m, 'to', ...)` and `defineIovIter(m, 'from', ...)`).
 *
 * World fields of an iterator with prefix `to`:
 *   toCount     iov_iter_count(): 0..total
 *   toConsumed  units consumed from the start of the segment array: 0..total (absent for ITER_DISCARD)
 *   toWarn      a direction WARN_ON_ONCE fired (a41dad905e5a); present unless `warn: false`
 *   toNofault   i->nofault (3337ab08d08b); present with `nofault: true`
 * The segment index (nr_segs consumed) and iov_offset are functions of the consumed count and the static
 * segment table: iov_iter_advance() and iov_iter_revert() always leave the canonical position - the
 * segment that holds the next unit, empty segments skipped (lib/iov_iter.c iov_iter_iovec_advance(): a
 * segment is left once `size >= iov_len`; iov_iter_revert(): `unroll <= n` stops at the segment holding
 * the unit). The copy loop (iterate_iovec()) may leave the iterator at the start of an empty segment
 * instead; nothing the model does can tell the two apart, so it keeps one canonical position.
 *
 * `count` is separate from the position: a caller may truncate and re-expand it (iov_iter_truncate(),
 * iov_iter_reexpand(), gfs2's `from->count = ...`), so count <= total - consumed, not equal.
 */
import { assertShape, bool, int, type FieldSpecs, type Shape } from '../../checker/index.js';
import type { Mmu } from '../mmu/config.js';
import { Shadow } from '../mmu/shadow.js';

export const ITER_UBUF = 0;
export const ITER_IOVEC = 1;
export const ITER_BVEC = 2;
export const ITER_KVEC = 3;
export const ITER_DISCARD = 4;
export const ITER_TYPE_NAMES = ['UBUF', 'IOVEC', 'BVEC', 'KVEC', 'DISCARD'] as const;
export type IterTypeName = (typeof ITER_TYPE_NAMES)[number];

/** i->data_source: ITER_DEST (== READ, data goes INTO the iterator) and ITER_SOURCE (== WRITE). */
export const ITER_DEST = 0;
export const ITER_SOURCE = 1;
export type IterDirName = 'DEST' | 'SOURCE';

/**
 * One segment. UBUF/IOVEC: `base` is a user unit address (iov_base), `len` units (iov_len; 0 allowed for
 * IOVEC). BVEC: `len` units in the page-cache or user folio `folio` of the MMU (bv_page; one page per
 * segment), or no folio for a kernel page the model does not track. KVEC: `len` units of kernel memory.
 */
export interface IterSegment {
  readonly len: number;
  readonly base?: number;
  readonly folio?: number;
}

export interface IterOptions {
  readonly type: IterTypeName;
  /** The declared direction (iov_iter_init(&i, ITER_DEST/ITER_SOURCE, ...)). A misannotation is just the other value. */
  readonly dir: IterDirName;
  /** The segments (UBUF: exactly one). DISCARD takes none. */
  readonly segments?: readonly IterSegment[];
  /** Initial count. Default: the sum of the segment lengths (DISCARD: required). */
  readonly count?: number;
  /** Give the iterator the dynamic i->nofault flag (field `<prefix>Nofault`). Default false. */
  readonly nofault?: boolean;
  /** Record direction WARNs in `<prefix>Warn`. Default true. */
  readonly warn?: boolean;
}

/** Every option of defineIovIter: a key not listed (`nofualt`) is a typo, refused rather than left at its default. */
const ITER_OPTIONS: Shape<IterOptions> = { type: 'checked', dir: 'checked', segments: 'array', count: 'checked', nofault: 'boolean', warn: 'boolean' };

export interface IovIter {
  readonly prefix: string;
  readonly mmu: Mmu;
  /** ITER_*. */
  readonly type: number;
  /** ITER_DEST or ITER_SOURCE. */
  readonly dataSource: number;
  /** user_backed_iter(): UBUF or IOVEC. */
  readonly userBacked: boolean;
  /** Sum of the segment lengths (DISCARD: the initial count). */
  readonly total: number;
  readonly nrSegs: number;
  readonly segBase: Int32Array;
  readonly segLen: Int32Array;
  readonly segFolio: Int32Array;
  /** Per consumed position 0..total: the canonical segment index (nrSegs at the end) and iov_offset. */
  readonly segAt: Int32Array;
  readonly offAt: Int32Array;
  /** Per consumed position: the user address of the next unit (-1 at the end or when not user-backed). */
  readonly addrAt: Int32Array;
  /** World field names ('' when the field does not exist). */
  readonly kCount: string;
  readonly kConsumed: string;
  readonly kWarn: string;
  readonly kNofault: string;
  readonly fields: FieldSpecs;
  /** Dry-run scratch over the MMU's fields and this iterator's. */
  readonly shadow: Shadow<any>;
}

function resolveSegments(o: IterOptions): IterSegment[] {
  const type = ITER_TYPE_NAMES.indexOf(o.type);
  if (type < 0) throw new RangeError(`iov_iter: type '${o.type}' is not one of ${ITER_TYPE_NAMES.join(', ')}`);
  if (o.dir !== 'DEST' && o.dir !== 'SOURCE') throw new RangeError(`iov_iter: dir '${String(o.dir)}' is not DEST or SOURCE`);
  const segs = [...(o.segments ?? [])];
  if (type === ITER_DISCARD) {
    if (segs.length) throw new RangeError('iov_iter: ITER_DISCARD takes no segments, only a count');
    if (o.count === undefined) throw new RangeError('iov_iter: ITER_DISCARD needs a count');
    if (o.dir !== 'DEST') throw new RangeError('iov_iter: ITER_DISCARD is always ITER_DEST (iov_iter_discard())');
  } else if (segs.length === 0) {
    throw new RangeError(`iov_iter: ITER_${o.type} needs at least one segment`);
  }
  if (type === ITER_UBUF && segs.length !== 1) throw new RangeError('iov_iter: ITER_UBUF has exactly one segment');
  for (const s of segs) {
    if (!Number.isInteger(s.len) || s.len < 0 || s.len > 4096) throw new RangeError(`iov_iter: segment length ${s.len} must be a whole number in 0..4096`);
    if ((type === ITER_UBUF || type === ITER_IOVEC) && s.base === undefined) throw new RangeError('iov_iter: a user-backed segment needs a base address');
  }
  return segs;
}

function totalOf(o: IterOptions, segs: readonly IterSegment[]): number {
  return o.type === 'DISCARD' ? o.count! : segs.reduce((a, s) => a + s.len, 0);
}

/** The world fields of an iterator (shorthand for `defineIovIter(m, prefix, o).fields`; needs no MMU). */
export function iterFields(prefix: string, o: IterOptions): FieldSpecs {
  assertShape(o, ITER_OPTIONS, 'iterFields() options');
  const segs = resolveSegments(o);
  const total = totalOf(o, segs);
  const count = o.count ?? total;
  if (!Number.isInteger(count) || count < 0 || count > total) throw new RangeError(`iov_iter '${prefix}': count ${count} must be in 0..${total}`);
  if (total > 4096) throw new RangeError(`iov_iter '${prefix}': ${total} units is more than 4096`);
  const fields: Record<string, ReturnType<typeof int>> = { [`${prefix}Count`]: int(0, total, count) };
  if (o.type !== 'DISCARD') fields[`${prefix}Consumed`] = int(0, total, 0);
  if (o.warn ?? true) fields[`${prefix}Warn`] = bool();
  if (o.nofault) fields[`${prefix}Nofault`] = bool();
  return fields;
}

/**
 * An iterator over the MMU `m`: its static segment table, position tables and world fields. User
 * addresses must lie inside the MMU's memory and BVEC folios must exist.
 */
export function defineIovIter(m: Mmu, prefix: string, o: IterOptions): IovIter {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new TypeError(`iov_iter prefix '${prefix}' is not a plain identifier`);
  assertShape(o, ITER_OPTIONS, 'defineIovIter() options');
  const fields = iterFields(prefix, o);
  const segs = resolveSegments(o);
  const type = ITER_TYPE_NAMES.indexOf(o.type);
  const total = totalOf(o, segs);
  const n = segs.length;
  const segBase = Int32Array.from(segs, (s) => s.base ?? -1);
  const segLen = Int32Array.from(segs, (s) => s.len);
  const segFolio = Int32Array.from(segs, (s) => s.folio ?? -1);
  const userBacked = type === ITER_UBUF || type === ITER_IOVEC;
  for (const s of segs) {
    if (userBacked && (s.base! < 0 || s.base! + s.len > m.units)) {
      throw new RangeError(`iov_iter '${prefix}': segment [${s.base}, ${s.base! + s.len}) is outside the user memory [0, ${m.units})`);
    }
    if (s.folio !== undefined && (type !== ITER_BVEC || s.folio < 0 || s.folio >= m.folioCount)) {
      throw new RangeError(`iov_iter '${prefix}': folio ${s.folio} must be a folio of the MMU (0..${m.folioCount - 1}) on an ITER_BVEC segment`);
    }
  }
  const segAt = new Int32Array(total + 1);
  const offAt = new Int32Array(total + 1);
  const addrAt = new Int32Array(total + 1).fill(-1);
  if (type !== ITER_DISCARD) {
    let pos = 0;
    for (let s = 0; s < n; s++) {
      for (let k = 0; k < segLen[s]!; k++, pos++) {
        segAt[pos] = s;
        offAt[pos] = k;
        if (userBacked) addrAt[pos] = segBase[s]! + k;
      }
    }
    segAt[total] = n;
  }
  const has = (k: string): string => (k in fields ? k : '');
  return {
    prefix,
    mmu: m,
    type,
    dataSource: o.dir === 'SOURCE' ? ITER_SOURCE : ITER_DEST,
    userBacked,
    total,
    nrSegs: n,
    segBase,
    segLen,
    segFolio,
    segAt,
    offAt,
    addrAt,
    kCount: `${prefix}Count`,
    kConsumed: has(`${prefix}Consumed`),
    kWarn: has(`${prefix}Warn`),
    kNofault: has(`${prefix}Nofault`),
    fields,
    shadow: new Shadow({ ...m.fields, ...fields }),
  };
}

type Slots = Record<string, number>;

/** iov_iter_count(). */
export function iterCount(w: object, it: IovIter): number {
  return (w as Slots)[it.kCount]!;
}

/** Units consumed from the start (0 for ITER_DISCARD, which has no position). */
export function iterConsumed(w: object, it: IovIter): number {
  return it.kConsumed ? (w as Slots)[it.kConsumed]! : 0;
}

/** The current segment index (nrSegs when everything is consumed). */
export function iterSegment(w: object, it: IovIter): number {
  return it.segAt[iterConsumed(w, it)]!;
}

/** i->iov_offset within the current segment. */
export function iterIovOffset(w: object, it: IovIter): number {
  return it.offAt[iterConsumed(w, it)]!;
}

/** The user address of the next unit (user-backed iterators), or -1. */
export function iterAddr(w: object, it: IovIter): number {
  return it.addrAt[iterConsumed(w, it)]!;
}

/** user_backed_iter(). */
export function userBackedIter(it: IovIter): boolean {
  return it.userBacked;
}

/** The iterator's direction WARN fired. */
export function iterWarned(w: object, it: IovIter): boolean {
  return it.kWarn !== '' && (w as Slots)[it.kWarn] === 1;
}

/** i->nofault. */
export function iterNofault(w: object, it: IovIter): boolean {
  return it.kNofault !== '' && (w as Slots)[it.kNofault] === 1;
}

/** Sets i->nofault (gfs2's `to->nofault = true` around iomap_dio_rw()). */
export function setIterNofault(w: object, it: IovIter, on: boolean): void {
  if (!it.kNofault) throw new Error(`iov_iter '${it.prefix}' has no nofault field (set nofault: true)`);
  (w as Slots)[it.kNofault] = on ? 1 : 0;
}

/** Records a WARN_ON_ONCE of the direction checks. */
export function iterWarn(w: object, it: IovIter): void {
  if (it.kWarn) (w as Slots)[it.kWarn] = 1;
}

/** Low-level setters for the iterator's count and position (advance/revert use these). */
export function setIterCount(w: object, it: IovIter, count: number): void {
  (w as Slots)[it.kCount] = count;
}

export function setIterConsumed(w: object, it: IovIter, consumed: number): void {
  if (it.kConsumed) (w as Slots)[it.kConsumed] = consumed;
}
