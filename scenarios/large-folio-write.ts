/**
 * large-folio-write: a buffered write() into one large page-cache folio (two pages), where the copy chunk
 * starts at the folio size and is halved after every copy that ->write_end() rejects - the chunk loop of
 * iomap_write_iter() (5d8edfb900d5, v6.6) and generic_perform_write() (9aac777aaf94, v6.11).
 *
 *   retry-copied      the shipped loop: prefault `bytes`, copy, and on a rejected short copy `chunk /= 2;
 *                     bytes = copied; goto retry` (3ac974796e5d, v6.6-rc7; generic v6.11 .. v6.13);
 *   recomputed-bytes  5d8edfb900d5 as merged (v6.6-rc1 .. rc6): the loop top recomputes
 *                     `bytes = min(chunk - offset, iov_iter_count(i))`, so once the chunk is one page a
 *                     short copy inside that page is retried at the same size forever (LTP writev07);
 *   fixed-chunk       hypothetical: the chunk never halves; under memory pressure the prefault of a chunk
 *                     larger than what stays resident evicts the chunk's own start, and the copy from it
 *                     makes no progress, again and again;
 *   fault-after-zero  665575cff098 (v6.14) with large folios: no prefault; fault in after a copy of 0.
 *
 * World: user pages of 2 units (PAGE_SIZE = 2 units); the source is writev07's shape, an IOVEC of
 * u0..u2 (p0 and half of p1) and u4 (p2, PROT_NONE with `bad`); resident capacity `capacity` pages
 * (a deterministic LRU: faulting one more page evicts the least recently used). The file is one
 * order-1 folio of 4 units in two page-sized blocks, not uptodate (block_write_end() rejects a short
 * copy). Actor: models/actors/bufferedWrite.ts over models/pagecache/folio.ts.
 */
import type { SystemSpec } from '../checker/index.js';
import { bufferedWriteActor, bufferedWriteProperties, type BufferedWriteOptions, type BufferedWriteWorld } from '../models/actors/bufferedWrite.js';
import { defineIovIter } from '../models/iov-iter/iter.js';
import { defineMmu } from '../models/mmu/index.js';
import { definePageCache } from '../models/pagecache/folio.js';
import { defineScenario } from './scenario.js';

export type LargeFolioWriteVariant = 'retry-copied' | 'recomputed-bytes' | 'fixed-chunk' | 'fault-after-zero';
type Params = 'bad' | 'capacity';

const FORMS: Record<LargeFolioWriteVariant, Omit<BufferedWriteOptions, 'name'>> = {
  'retry-copied': { loop: 'prefault-each', chunk: 'halve', retryBytes: 'copied' },
  'recomputed-bytes': { loop: 'prefault-each', chunk: 'halve', retryBytes: 'recomputed' },
  'fixed-chunk': { loop: 'prefault-each', chunk: 'fixed', retryBytes: 'copied' },
  'fault-after-zero': { loop: 'fault-after-zero', chunk: 'halve', retryBytes: 'copied' },
};

export function buildLargeFolioWrite(p: Readonly<Record<Params, number>>, variant: LargeFolioWriteVariant): SystemSpec<BufferedWriteWorld> {
  const m = defineMmu({
    pages: 3,
    unitsPerPage: 2,
    vma: ['RW', 'RW', p.bad === 1 ? 'NONE' : 'RW'],
    staticVma: true,
    capacity: p.capacity,
  });
  const pc = definePageCache({ folios: 1, folioUnits: 4, pageUnits: 2, blockUnits: 2, aops: 'block' });
  const from = defineIovIter(m, 'from', {
    type: 'IOVEC',
    dir: 'SOURCE',
    segments: [
      { base: 0, len: 3 },
      { base: 4, len: 1 },
    ],
    warn: false,
  });
  return {
    name: `large-folio-write:${variant}`,
    world: { ...m.fields, ...pc.fields, ...from.fields },
    actors: [bufferedWriteActor(from, pc, FORMS[variant])],
    properties: bufferedWriteProperties(from, pc),
  };
}

export const largeFolioWrite = defineScenario({
  id: 'large-folio-write',
  title: 'buffered write into a large folio: the copy chunk starts at the folio size and halves after a rejected copy (5d8edfb900d5, 3ac974796e5d)',
  source:
    '5d8edfb900d5 "iomap: Copy larger chunks from userspace" (Matthew Wilcox, v6.6); 3ac974796e5d "iomap: fix short copy in iomap_write_iter()" ' +
    '(Jan Stancek, v6.6-rc7, LTP writev07); 9aac777aaf94 "filemap: Convert generic_perform_write() to support large folios" (v6.11); 665575cff098 (v6.14)',
  description:
    'With large folios the buffered write copies up to a folio at a time: `offset = pos & (chunk - 1); bytes = min(chunk - offset, bytes)`, the chunk starting at ' +
    'the folio size. When ->write_end() rejects a short copy into a folio that is not uptodate, the loop halves the chunk (down to one page) and retries with ' +
    "`bytes = copied`. Both halves matter. The halving: the prefault of a chunk larger than what memory pressure leaves resident evicts the chunk's own start, so " +
    'the copy from it makes no progress; a smaller chunk fits (fixed-chunk, hypothetical, spins). The retry size: a copy that stops short inside the first page ' +
    'of the chunk is retried with exactly what it copied; 5d8edfb900d5 as merged recomputed bytes at the loop top and retried the same short copy forever once the ' +
    'chunk was one page (recomputed-bytes, the LTP writev07 hang: an iovec with a bad address in the middle). ' +
    'World: pages of 2 units, a 4-unit order-1 folio that is not uptodate, the source u0..u2 then u4 (p2 PROT_NONE with bad=1), capacity resident pages. ' +
    'Parameters: bad 1 = p2 is PROT_NONE (the write ends short after 3 units), 0 = every page readable; capacity = resident user pages (1: the prefault of two ' +
    'pages evicts the first, 3: no pressure). The halving stops at one page, so progress needs the capacity to hold the user pages one page of the file is copied ' +
    'from: with bad=0 the second page of the file comes from u2 and u4, two user pages, and at capacity 1 every form spins. Not modelled: the chunk starting above the folio size (v6.6 .. v6.9 iomap: PAGE_SIZE << MAX_PAGECACHE_ORDER), ' +
    'folios of different sizes in one file, reclaim other than the LRU.',
  params: {
    bad: { description: 'p2 (the second iovec) is PROT_NONE: 1, or readable: 0', default: 1, min: 0, max: 1 },
    capacity: { description: 'resident user pages (1 = the prefault of a two-page chunk evicts its first page)', default: 1, min: 1, max: 3 },
  },
  variants: {
    'retry-copied': {
      description: 'the shipped loop: chunk /= 2 and bytes = copied after a rejected copy; prefault before each copy',
      expected: { verdict: 'holds' },
      provenance: {
        kind: 'shipped',
        versions: 'iomap_write_iter() from v6.6 (with 3ac974796e5d); generic_perform_write() v6.11 .. v6.13',
        commits: ['5d8edfb900d5', '3ac974796e5d', '9aac777aaf94'],
      },
    },
    'recomputed-bytes': {
      description: '5d8edfb900d5 as merged: bytes recomputed at the loop top; a short copy inside the one-page chunk is retried at the same size forever',
      expected: { verdict: 'violated', property: 'write returns' },
      provenance: { kind: 'shipped', versions: 'v6.6-rc1 .. v6.6-rc6 (iomap only; fixed before v6.6)', commits: ['5d8edfb900d5', '3ac974796e5d'] },
    },
    'fixed-chunk': {
      description:
        'hypothetical: the chunk never halves; the prefault of the two-page chunk evicts its first page, the copy from it makes no progress, forever',
      expected: { verdict: 'violated', property: 'write returns' },
      provenance: {
        kind: 'hypothetical',
        why: 'shows what the halving is for ("shrink by half every time we hit the \'we are short on memory\' problem", 5d8edfb900d5): without it a chunk larger than the resident capacity never makes progress',
      },
    },
    'fault-after-zero': {
      description: '665575cff098 (v6.14) with large folios: no prefault; chunk /= 2 and a fault-in after a copy of 0',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'generic_perform_write() v6.14+', commits: ['9aac777aaf94', '665575cff098'] },
    },
  },
  defaultVariant: 'recomputed-bytes',
  build: (p, v) => buildLargeFolioWrite(p, v),
});
