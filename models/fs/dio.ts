/**
 * The file side of a direct-I/O read: the extent map iomap_iter() walks, the file
 * position `ki_pos`, and the `partial accounting` property.
 *
 * The file has `blocks` blocks of one unit each (use an MMU with `unitsPerPage: 1`: one block = one user
 * page), each one extent of its own type as ->iomap_begin() reports it:
 *   DATA   IOMAP_MAPPED: iomap_dio_bio_iter() - bio_iov_iter_get_pages() then a bio the device fills by DMA;
 *   HOLE   IOMAP_HOLE (or IOMAP_UNWRITTEN on a read): iomap_dio_hole_iter() - iov_iter_zero();
 *   INLINE IOMAP_INLINE (a gfs2 stuffed inode, erofs tail packing): iomap_dio_inline_iter() - copy_to_iter()
 *          from the inode's own block.
 * The read starts at file offset 0 into a user buffer that starts at unit 0, so file block b lands in user
 * unit b, and i_size is `blocks`. World field: `kiPos` (iocb->ki_pos, 0..blocks).
 */
import { assertShape, int, invariant, type FieldSpecs, type Property, type StateView } from '../../checker/index.js';
import { faultablePrefix } from '../mmu/access.js';
import type { Mmu } from '../mmu/config.js';
import type { MmuWorld } from '../mmu/world.js';
import type { IovIter } from '../iov-iter/iter.js';
import { ACTOR_PROPERTY_OPTIONS } from '../options.js';

export const BLOCK_DATA = 0;
export const BLOCK_HOLE = 1;
export const BLOCK_INLINE = 2;
export const BLOCK_NAMES = ['DATA', 'HOLE', 'INLINE'] as const;
export type BlockName = (typeof BLOCK_NAMES)[number];
/** The iomap type names the trace labels use. */
export const IOMAP_TYPE_NAMES = ['IOMAP_MAPPED', 'IOMAP_HOLE', 'IOMAP_INLINE'] as const;

export interface DioFile {
  /** Block -> BLOCK_*. */
  readonly blocks: Int32Array;
  /** i_size in units (= the number of blocks). */
  readonly iSize: number;
  /** `kiPos`. */
  readonly fields: FieldSpecs;
}

export interface DioFileWorld extends MmuWorld {
  /** iocb->ki_pos. */
  kiPos: number;
}

/** A file of the given block types, read from offset 0. */
export function defineDioFile(blocks: readonly BlockName[]): DioFile {
  if (blocks.length < 1 || blocks.length > 16) throw new RangeError(`dio file: ${blocks.length} blocks, must be 1..16`);
  const types = blocks.map((b) => {
    const i = BLOCK_NAMES.indexOf(b);
    if (i < 0) throw new RangeError(`dio file: block type '${b}' is not one of ${BLOCK_NAMES.join(', ')}`);
    return i;
  });
  return { blocks: Int32Array.from(types), iSize: blocks.length, fields: { kiPos: int(0, blocks.length) } };
}

/** The layout as a string for descriptions: `[DATA][HOLE][DATA]`. */
export function dioFileLayout(file: DioFile): string {
  return Array.from(file.blocks, (b) => `[${BLOCK_NAMES[b]}]`).join('');
}

/** The value -EFAULT takes in a reader's `ret` field (its domain starts at -1). */
export const RET_EFAULT = -1;

/** Names for a `ret` field of domain -1..n: '-EFAULT', '0', '1', ... */
export function retNames(n: number): string[] {
  return ['-EFAULT', ...Array.from({ length: n + 1 }, (_, i) => String(i))];
}

/**
 * Why a finished read breaks partial accounting, or null. `ret` is the syscall's return value (RET_EFAULT for -EFAULT),
 * `kiPos` the file position after it. A read from offset 0 of `want` units must:
 *  - on -EFAULT, leave ki_pos where it was (else the transferred bytes are lost: the data was consumed from
 *    the file and the caller cannot tell how much);
 *  - on success, return exactly the ki_pos advance;
 *  - return short (in particular 0, which reads as EOF) only at EOF or where the user buffer itself cannot
 *    be written (no VMA permission: a fault-in could not help).
 */
export function dioAccountingProblem(w: DioFileWorld, m: Mmu, file: DioFile, it: IovIter, ret: number): string | null {
  const k = w.kiPos;
  const want = Math.min(it.total, file.iSize);
  if (ret === RET_EFAULT) {
    return k === 0 ? null : `read() = -EFAULT but ki_pos advanced by ${k}: ${k} transferred ${k === 1 ? 'unit is' : 'units are'} lost`;
  }
  if (ret !== k) return `read() = ${ret} but ki_pos advanced by ${k}`;
  if (ret < want && k < file.iSize) {
    const addr = it.addrAt[ret]!;
    const fine = addr >= 0 && faultablePrefix(w, m, addr, 1, true) === 1;
    if (fine) {
      return ret === 0
        ? `read() = 0 (EOF) at ki_pos 0 < i_size ${file.iSize}, and the user buffer is writable`
        : `read() = ${ret} short of ${want} at ki_pos ${k} < i_size ${file.iSize}, and the user buffer at unit ${ret} is writable`;
    }
  }
  return null;
}

/**
 * Partial accounting, checked once the reader `actor` has returned: see `dioAccountingProblem`.
 * The actor's context must have a `ret` field holding the syscall's return value in its final state.
 */
export function dioPartialAccounting(m: Mmu, file: DioFile, it: IovIter, options: { readonly actor: string; readonly name?: string }): Property<DioFileWorld> {
  assertShape(options, ACTOR_PROPERTY_OPTIONS, 'dioPartialAccounting() options');
  let index = -1;
  let actors: unknown = null;
  const problem = (s: StateView<DioFileWorld>): string | null => {
    if (s.actors !== actors) {
      index = s.actor(options.actor).index;
      actors = s.actors;
    }
    const a = s.actors[index]!;
    return a.final ? dioAccountingProblem(s.world, m, file, it, a.context.ret as number) : null;
  };
  return invariant<DioFileWorld>(options.name ?? 'partial accounting', (s) => problem(s) === null, {
    description:
      'a direct read returns the bytes it transferred, ki_pos advances by exactly that, and it comes back short only at EOF or at an unwritable user address',
    explain: (s) => problem(s) ?? '',
  });
}
