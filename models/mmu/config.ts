/**
 * The MMU world fragment: options in, an `Mmu` descriptor out. The descriptor carries the world fields a
 * scenario spreads into its system (`world: { ...m.fields, ... }`) and the static facts every operation
 * needs (page -> folio, backings, pin encodings, which features exist). A scenario pays state bits only
 * for the features it asks for: a 3-page world with nothing but VMAs and PTEs costs 12 bits.
 *
 * Address unit: one unit is one MTE granule (16 bytes on arm64); a page has `unitsPerPage` units (default
 * 4). User addresses are unit numbers 0 .. pages*unitsPerPage-1; unit `a` lies in page a / unitsPerPage.
 */
import { array, assertShape, bool, enumOf, int, type FieldSpecs, type ScalarField, type Shape } from '../../checker/index.js';
import { BACKING_NAMES, PTE_NAMES, VMA_NAMES, pteResident, type BackingName, type PteName, type VmaName } from './constants.js';
import { Shadow } from './shadow.js';

/** Options of `defineMmu` / `mmuFields`. Every feature is off unless asked for; each default is stated. */
export interface MmuOptions {
  /** User pages in the model (P), 1..64. */
  readonly pages: number;
  /** Units per page (U), 1..64. Default 4 (a 64-byte "page" of four 16-byte MTE granules). */
  readonly unitsPerPage?: number;
  /** Initial VMA permission: one for all pages or one per page. Default 'RW'. */
  readonly vma?: VmaName | readonly VmaName[];
  /** Initial PTE state: one for all pages or one per page. Default 'ABSENT'. */
  readonly pte?: PteName | readonly PteName[];
  /**
   * The VMAs never change (no munmap / mprotect actor): the `vma` field's domain shrinks to the range of the
   * initial values, so a world whose pages share one permission pays 0 bits for it. Default false.
   */
  readonly staticVma?: boolean;
  /** Page backing: one for all pages or one per page (static). Default 'anon'. */
  readonly backing?: BackingName | readonly BackingName[];
  /**
   * Pages per folio, in page order (must sum to `pages`). Default: one small folio per page. A folio of
   * more than one page is large: it keeps an exact `_pincount`.
   */
  readonly folios?: readonly number[];
  /**
   * Pin accounting, as folio_has_pincount() (include/linux/mm.h) decides it: 'auto' (default, 64-bit) =
   * exact `_pincount` for every large folio, GUP_PIN_COUNTING_BIAS in the refcount for small ones;
   * 'auto-32bit' = exact only for folios of order > 1 (4 pages or more: a 32-bit order-1 folio has no room
   * for `_pincount` and uses the bias); 'bias' / 'exact' force one encoding for every folio.
   */
  readonly pinEncoding?: 'auto' | 'auto-32bit' | 'bias' | 'exact';
  /** PTE state SWAP exists (anon pages are evicted to swap entries). Default false: evicted anon pages become ABSENT. */
  readonly swap?: boolean;
  /** PTE states MIGRATION_RO / MIGRATION_RW exist. Default false. */
  readonly migration?: boolean;
  /**
   * Resident capacity C (1..pages): at most C pages resident, kept in an LRU list; making page C+1 resident
   * evicts the least recently used evictable page. Default: no limit and no LRU fields.
   */
  readonly capacity?: number;
  /** Maximum extra plain references (FOLL_GET, get_page) per folio. Default 0: no refcount field. */
  readonly refs?: number;
  /** Maximum pins (FOLL_PIN) per folio. Default 0: no pin field. */
  readonly pins?: number;
  /**
   * GUP_PIN_COUNTING_BIAS for the bias encoding. Default 1024, the kernel's. folio_maybe_dma_pinned() of a
   * small folio is `refcount >= pinBias` with refcount = 1 + refs + pinBias * pins; a scenario that wants
   * the encoding's false positives scales it down (e.g. pinBias 2 with refs 1).
   */
  readonly pinBias?: number;
  /** PG_locked per folio. Default false. */
  readonly pageLock?: boolean;
  /** PG_dirty per folio. Default false. */
  readonly dirty?: boolean;
  /** PG_writeback per folio (and, with `versions`, the writeback snapshot; with `pins`, the pin-check ghost). */
  readonly writeback?: boolean;
  /** Folio has buffers (PG_private: the fs was told about the page). Default false. */
  readonly buffers?: boolean;
  /** The mapping requires stable pages during writeback (mapping_stable_writes()). Static. Default false. */
  readonly stableWrites?: boolean;
  /** Data versions per folio, counted modulo this number (2..255). Default 0: no content tracking. */
  readonly versions?: number;
  /** MTE: a tag-OK bit per unit. Default false. */
  readonly mte?: boolean;
  /** Initial tag-OK bits: one for all units or one per unit. Default true. */
  readonly tagOK?: boolean | readonly boolean[];
  /** Poisoned units: true for the field with none poisoned, or the list of initially poisoned units. */
  readonly poison?: boolean | readonly number[];
  /** mmap_lock as a reader/writer semaphore shared by `owners` (1..8) actors, each with an owner index. */
  readonly mmapLock?: { readonly owners: number };
  /** Copies with faults disabled copy exactly the accessible prefix (one outcome). Default false: inexact. */
  readonly exactCopy?: boolean;
  /** A successful access moves its page to the LRU head (the young bit). Default false: faults alone order the LRU. */
  readonly touchOnAccess?: boolean;
  /**
   * fault_in_safe_writeable()'s return value: 'fixed' (default; 8c03ebd7cdc0, 2025) or 'v5.17-buggy', the
   * form shipped by fe673d3f5bf1 (v5.17) until the fix: `size` if the first page fails, else 0.
   */
  readonly faultInSafeWriteableReturn?: 'fixed' | 'v5.17-buggy';
}

/** The resolved MMU: static facts plus the world fields. Build it once per system; it is immutable. */
export interface Mmu {
  readonly pages: number;
  readonly unitsPerPage: number;
  /** pages * unitsPerPage. */
  readonly units: number;
  readonly folioCount: number;
  /** Page -> folio index. */
  readonly folioOfPage: Int32Array;
  /** Folio -> first page and number of pages. */
  readonly folioFirstPage: Int32Array;
  readonly folioNrPages: Int32Array;
  /** Folio -> 1 if it keeps an exact _pincount, 0 for the bias encoding. */
  readonly exactPins: Uint8Array;
  /** Page -> BACKING_*. */
  readonly backing: Int32Array;
  readonly pinBias: number;
  readonly swap: boolean;
  readonly migration: boolean;
  /** Resident capacity, 0 when unlimited (no LRU fields). */
  readonly capacity: number;
  readonly refs: number;
  readonly pins: number;
  readonly pageLock: boolean;
  readonly dirty: boolean;
  readonly writeback: boolean;
  readonly buffers: boolean;
  readonly stableWrites: boolean;
  /** Version modulus, 0 when content is not tracked. */
  readonly versions: number;
  /** The writeback snapshot field exists (writeback && versions). */
  readonly wbSnapshot: boolean;
  /** The "writeback started after a negative pin check" ghost exists (writeback && pins). */
  readonly wbChecked: boolean;
  readonly mte: boolean;
  readonly poison: boolean;
  /** mmap_lock owners, 0 when mmap_lock is not modelled. */
  readonly mmapOwners: number;
  readonly exactCopy: boolean;
  readonly touchOnAccess: boolean;
  readonly faultInSafeWriteableBuggy: boolean;
  /** The world fields, to spread into a system's `world`. */
  readonly fields: FieldSpecs;
  /** Dry-run scratch over exactly these fields. */
  readonly shadow: Shadow<any>;
}

function perPage<T>(value: T | readonly T[] | undefined, fallback: T, n: number, what: string): T[] {
  if (value === undefined) return new Array<T>(n).fill(fallback);
  if (Array.isArray(value)) {
    if (value.length !== n) throw new RangeError(`defineMmu: ${what} lists ${value.length} values for ${n} pages`);
    return [...(value as readonly T[])];
  }
  return new Array<T>(n).fill(value as T);
}

function indexOf(names: readonly string[], v: string, what: string): number {
  const i = names.indexOf(v);
  if (i < 0) throw new RangeError(`defineMmu: ${what} '${v}' is not one of ${names.join(', ')}`);
  return i;
}

function checkInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`defineMmu: ${what} must be a whole number in ${min}..${max}, not ${v}`);
}

/** The tightest VMA domain covering the initial values, with the matching names. */
function narrowVma(init: readonly number[]): ScalarField {
  const lo = Math.min(...init);
  const hi = Math.max(...init);
  return { ...int(lo, hi), names: VMA_NAMES.slice(lo, hi + 1) };
}

/** The domain of the PTE field: a prefix of PTE_NAMES, as long as the features need. */
function pteDomainSize(o: MmuOptions): number {
  return o.migration ? 6 : o.swap ? 4 : 3;
}

/** Builds the MMU descriptor. Throws a RangeError naming the bad option. */
/** Every option of defineMmu: a key not listed (`capacty`, `swaps`) is a typo, refused rather than left at its default. */
const MMU_OPTIONS: Shape<MmuOptions> = {
  pages: 'checked',
  unitsPerPage: 'checked',
  vma: 'checked',
  pte: 'checked',
  staticVma: 'checked',
  backing: 'checked',
  folios: 'checked',
  pinEncoding: 'checked',
  swap: 'checked',
  migration: 'checked',
  capacity: 'checked',
  refs: 'checked',
  pins: 'checked',
  pinBias: 'checked',
  pageLock: 'checked',
  dirty: 'checked',
  writeback: 'checked',
  buffers: 'checked',
  stableWrites: 'checked',
  versions: 'checked',
  mte: 'checked',
  tagOK: 'checked',
  poison: 'checked',
  mmapLock: 'checked',
  exactCopy: 'checked',
  touchOnAccess: 'checked',
  faultInSafeWriteableReturn: 'checked',
};

export function defineMmu(o: MmuOptions): Mmu {
  assertShape(o, MMU_OPTIONS, 'defineMmu() options');
  checkInt(o.pages, 1, 64, 'pages');
  const P = o.pages;
  const U = o.unitsPerPage ?? 4;
  checkInt(U, 1, 64, 'unitsPerPage');
  const units = P * U;
  const vmaInit = perPage(o.vma, 'RW', P, 'vma').map((v) => indexOf(VMA_NAMES, v, 'vma'));
  const pteNames = PTE_NAMES.slice(0, pteDomainSize(o));
  const pteInit = perPage(o.pte, 'ABSENT', P, 'pte').map((v) => indexOf(pteNames, v, 'pte (given the swap/migration options)'));
  for (let p = 0; p < P; p++) {
    if ((pteInit[p] === 2 || pteInit[p] === 5) && vmaInit[p] !== 2) {
      throw new RangeError(`defineMmu: page ${p} has a writable PTE under a ${VMA_NAMES[vmaInit[p]!]} VMA (mprotect() write-protects PTEs)`);
    }
  }
  const backing = Int32Array.from(perPage(o.backing, 'anon', P, 'backing').map((v) => indexOf(BACKING_NAMES, v, 'backing')));

  const sizes = o.folios ?? new Array<number>(P).fill(1);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1) || sizes.reduce((a, b) => a + b, 0) !== P) {
    throw new RangeError(`defineMmu: folios [${sizes.join(', ')}] must be positive page counts summing to pages (${P})`);
  }
  const F = sizes.length;
  const folioOfPage = new Int32Array(P);
  const folioFirstPage = new Int32Array(F);
  const folioNrPages = new Int32Array(F);
  let first = 0;
  for (let f = 0; f < F; f++) {
    folioFirstPage[f] = first;
    folioNrPages[f] = sizes[f]!;
    for (let k = 0; k < sizes[f]!; k++) folioOfPage[first + k] = f;
    first += sizes[f]!;
  }
  for (let f = 0; f < F; f++) {
    const b = backing[folioFirstPage[f]!]!;
    for (let k = 1; k < folioNrPages[f]!; k++) {
      if (backing[folioFirstPage[f]! + k] !== b) throw new RangeError(`defineMmu: the pages of folio ${f} have different backings`);
    }
  }
  const encoding = o.pinEncoding ?? 'auto';
  if (!['auto', 'auto-32bit', 'bias', 'exact'].includes(encoding))
    throw new RangeError(`defineMmu: pinEncoding '${encoding}' is not one of auto, auto-32bit, bias, exact`);
  // folio_has_pincount(): 64-bit folio_test_large(), 32-bit folio_order() > 1 (folios are 2^order pages)
  const minExact = encoding === 'auto' ? 2 : encoding === 'auto-32bit' ? 4 : encoding === 'exact' ? 1 : Infinity;
  const exactPins = Uint8Array.from(sizes, (s) => (s >= minExact ? 1 : 0));

  const refs = o.refs ?? 0;
  const pins = o.pins ?? 0;
  checkInt(refs, 0, 1000, 'refs');
  checkInt(pins, 0, 1000, 'pins');
  const pinBias = o.pinBias ?? 1024;
  checkInt(pinBias, 1, 1 << 20, 'pinBias');
  const capacity = o.capacity ?? 0;
  if (o.capacity !== undefined) checkInt(capacity, 1, P, 'capacity');
  const versions = o.versions ?? 0;
  if (versions !== 0) checkInt(versions, 2, 255, 'versions');
  const owners = o.mmapLock?.owners ?? 0;
  if (o.mmapLock) checkInt(owners, 1, 8, 'mmapLock.owners');

  const fields: Record<string, ReturnType<typeof array> | ScalarField> = {
    vma: array(P, o.staticVma ? narrowVma(vmaInit) : enumOf(VMA_NAMES), vmaInit),
    pte: array(P, enumOf(pteNames), pteInit),
  };
  if (capacity > 0) {
    // lru[0] is the most recently used page; slot value 0 = empty, p + 1 = page p; occupied slots first.
    const resident: number[] = [];
    for (let p = 0; p < P; p++) if (pteResident(pteInit[p]!)) resident.push(p);
    if (resident.length > capacity) {
      throw new RangeError(`defineMmu: ${resident.length} pages start resident, more than the capacity ${capacity}`);
    }
    // Initially resident pages: the highest page index is the most recently used.
    const init = new Array<number>(capacity).fill(0);
    resident.reverse().forEach((p, i) => (init[i] = p + 1));
    fields.lru = array(capacity, enumOf(['-', ...Array.from({ length: P }, (_, p) => `p${p}`)]), init);
  }
  if (refs > 0) fields.folioRef = array(F, int(0, refs));
  if (pins > 0) fields.folioPins = array(F, int(0, pins));
  if (o.pageLock) fields.folioLocked = array(F, bool());
  if (o.dirty) fields.folioDirty = array(F, bool());
  if (o.writeback) fields.folioWriteback = array(F, bool());
  if (o.buffers) fields.folioBuffers = array(F, bool());
  if (versions > 0) fields.folioVersion = array(F, int(0, versions - 1));
  const wbSnapshot = Boolean(o.writeback) && versions > 0;
  const wbChecked = Boolean(o.writeback) && pins > 0;
  if (wbSnapshot) fields.folioWbSnapshot = array(F, int(0, versions - 1));
  if (wbChecked) fields.folioWbChecked = array(F, bool());
  if (o.mte) {
    const t = o.tagOK;
    const init = t === undefined ? 1 : typeof t === 'boolean' ? (t ? 1 : 0) : t.map((x) => (x ? 1 : 0));
    if (Array.isArray(init) && init.length !== units) throw new RangeError(`defineMmu: tagOK lists ${init.length} values for ${units} units`);
    fields.tagOK = array(units, bool(), init);
  } else if (o.tagOK !== undefined) {
    throw new RangeError('defineMmu: tagOK needs mte: true');
  }
  if (o.poison) {
    const init = new Array<number>(units).fill(0);
    if (Array.isArray(o.poison)) {
      for (const u of o.poison as readonly number[]) {
        checkInt(u, 0, units - 1, 'a poisoned unit');
        init[u] = 1;
      }
    }
    fields.poison = array(units, bool(), init);
  }
  if (owners > 0) {
    // Read holders and the write holder as one bitmask of owners; mmapWriter says which mode it is.
    fields.mmapHolders = int(0, (1 << owners) - 1);
    fields.mmapWriter = bool();
    fields.mmapWritersWaiting = int(0, owners);
    fields.mmapMisuse = bool();
  }
  return {
    pages: P,
    unitsPerPage: U,
    units,
    folioCount: F,
    folioOfPage,
    folioFirstPage,
    folioNrPages,
    exactPins,
    backing,
    pinBias,
    swap: Boolean(o.swap),
    migration: Boolean(o.migration),
    capacity,
    refs,
    pins,
    pageLock: Boolean(o.pageLock),
    dirty: Boolean(o.dirty),
    writeback: Boolean(o.writeback),
    buffers: Boolean(o.buffers),
    stableWrites: Boolean(o.stableWrites),
    versions,
    wbSnapshot,
    wbChecked,
    mte: Boolean(o.mte),
    poison: Boolean(o.poison),
    mmapOwners: owners,
    exactCopy: Boolean(o.exactCopy),
    touchOnAccess: Boolean(o.touchOnAccess),
    faultInSafeWriteableBuggy: o.faultInSafeWriteableReturn === 'v5.17-buggy',
    fields,
    shadow: new Shadow(fields),
  };
}

/** The world fields of an MMU with these options (shorthand for `defineMmu(o).fields`). */
export function mmuFields(o: MmuOptions): FieldSpecs {
  assertShape(o, MMU_OPTIONS, 'mmuFields() options');
  return defineMmu(o).fields;
}
