/**
 * One page of a file mapping whose page-cache folio is not uptodate and whose read may fail with -EIO:
 * the world of MADV_POPULATE_(READ|WRITE) (mm/madvise.c madvise_populate(), mm/gup.c faultin_page_range())
 * against filemap_fault() (mm/filemap.c).
 *
 * filemap_fault() on a folio that is not uptodate goes to `page_not_uptodate:`: maybe_unlock_mmap_for_io()
 * drops mmap_lock on the first try (FAULT_FLAG_ALLOW_RETRY without FAULT_FLAG_TRIED), the folio is read
 * with filemap_read_folio(), and then
 *   - the lock was dropped: `goto out_retry` -> VM_FAULT_RETRY, whatever the read returned;
 *   - the lock was held (FAULT_FLAG_TRIED): a successful read maps the page (retry_find), a failed one
 *     returns VM_FAULT_SIGBUS (GUP's faultin_page() turns it into -EFAULT).
 * An uptodate folio is mapped directly.
 *
 * World fields: `popPte` ABSENT / PRESENT, `popUptodate` (the folio), `popReads` (1 once filemap_read_folio()
 * has been called). Static option `readFails`: 'never', 'once' (the first read fails, a
 * later one succeeds) or 'always' (a bad block: every read fails with -EIO).
 */
import { assertShape, bool, enumOf, int, type FieldSpecs, type Shape } from '../../checker/index.js';

export const POP_ABSENT = 0;
export const POP_PRESENT = 1;

export const POP_FAULT_DONE = 0;
export const POP_FAULT_RETRY = 1;
export const POP_FAULT_SIGBUS = 2;
export const POP_FAULT_NAMES = ['0', 'VM_FAULT_RETRY', 'VM_FAULT_SIGBUS'] as const;

export type ReadFails = 'never' | 'once' | 'always';

export interface PopulateWorld {
  popPte: number;
  popUptodate: number;
  popReads: number;
}

export interface PopulateFile {
  readonly readFails: ReadFails;
  readonly fields: FieldSpecs;
}

/** Every option of definePopulateFile: a key not listed is a typo, refused rather than left at its default. */
const POPULATE_FILE_OPTIONS: Shape<{ readonly readFails: ReadFails }> = { readFails: 'checked' };

export function definePopulateFile(o: { readonly readFails: ReadFails }): PopulateFile {
  assertShape(o, POPULATE_FILE_OPTIONS, 'definePopulateFile() options');
  if (o.readFails !== 'never' && o.readFails !== 'once' && o.readFails !== 'always')
    throw new RangeError(`populate file: readFails '${String(o.readFails)}' is not never, once or always`);
  return { readFails: o.readFails, fields: { popPte: enumOf(['ABSENT', 'PRESENT']), popUptodate: bool(), popReads: int(0, 1) } };
}

/** The next filemap_read_folio() succeeds. */
export function readSucceeds(w: PopulateWorld, f: PopulateFile): boolean {
  return f.readFails === 'never' || (f.readFails === 'once' && w.popReads >= 1);
}

/** What handle_mm_fault() -> filemap_fault() returns now (pure); `tried` = FAULT_FLAG_TRIED. */
export function filemapFaultOutcome(w: PopulateWorld, f: PopulateFile, tried: boolean): number {
  if (w.popUptodate) return POP_FAULT_DONE;
  if (!tried) return POP_FAULT_RETRY; // maybe_unlock_mmap_for_io(); ... goto out_retry
  return readSucceeds(w, f) ? POP_FAULT_DONE : POP_FAULT_SIGBUS;
}

/** handle_mm_fault() -> filemap_fault(): reads the folio if needed, maps it when it is uptodate; returns the outcome. */
export function filemapFault(w: PopulateWorld, f: PopulateFile, tried: boolean): number {
  const outcome = filemapFaultOutcome(w, f, tried);
  if (!w.popUptodate) {
    const ok = readSucceeds(w, f);
    w.popReads = 1;
    if (ok) w.popUptodate = 1;
  }
  if (outcome === POP_FAULT_DONE) w.popPte = POP_PRESENT;
  return outcome;
}
