/**
 * dio-short-read (the nofault direct read before its fix -> fixed): gfs2's direct read with page faults
 * disabled over iomap_dio_rw(), and what iomap's hole and inline helpers return when their user copy
 * copies nothing.
 *
 *   zero-return     before 42c498c18a94: iomap_dio_hole_iter() / iomap_dio_inline_iter() `return length;`
 *                   - 0, which iomap_iter() takes for the end of the request;
 *   efault-partial  42c498c18a94 + 97308f8b0d86 + 4fdccaa0d184 (v5.16): they return -EFAULT, iomap_dio_rw()
 *                   with IOMAP_DIO_PARTIAL reports the bytes done so far, and gfs2 faults the page in and
 *                   resumes with done_before.
 *
 * The caller is gfs2_file_direct_read() as b01b2d72da25 wrote it (models/actors/dioReader.ts). Environment:
 * migration (models/actors/migration.ts), reclaim and munmap (models/actors/reclaim.ts, munmap.ts), each
 * with a budget.
 */
import { deadlockFreedom, terminates, type ActorSpec, type SystemSpec } from '../checker/index.js';
import { dioReaderActor } from '../models/actors/dioReader.js';
import { migrationActor } from '../models/actors/migration.js';
import { munmapActor } from '../models/actors/munmap.js';
import { reclaimActor } from '../models/actors/reclaim.js';
import { defineDioFile, dioFileLayout, dioPartialAccounting, type BlockName, type DioFileWorld } from '../models/fs/dio.js';
import { defineIovIter } from '../models/iov-iter/iter.js';
import { defineMmu, type PteName } from '../models/mmu/index.js';
import { defineScenario } from './scenario.js';

/** The file layouts the `layout` parameter selects. */
export const DIO_LAYOUTS: readonly (readonly BlockName[])[] = [['HOLE', 'DATA'], ['DATA', 'HOLE', 'DATA'], ['INLINE'], ['DATA', 'INLINE']];

export type DioVariant = 'zero-return' | 'efault-partial';
type Params = 'layout' | 'prefault' | 'migrations' | 'reclaims' | 'munmaps';

export function buildDioShortRead(p: Readonly<Record<Params, number>>, variant: DioVariant): SystemSpec<DioFileWorld> {
  const layout = DIO_LAYOUTS[p.layout]!;
  const B = layout.length;
  const file = defineDioFile(layout);
  // The user buffer: one page per file block. With prefault, the program has touched every page but the
  // ones the hole / inline blocks land in; otherwise no page is present (a fresh buffer).
  const pte: PteName[] = layout.map((b) => (p.prefault && b === 'DATA' ? 'PRESENT_RW' : 'ABSENT'));
  const m = defineMmu({ pages: B, unitsPerPage: 1, pte, staticVma: p.munmaps === 0, refs: 1, migration: p.migrations > 0 });
  const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: B }], nofault: true, warn: false });
  const actors: ActorSpec<any, any>[] = [dioReaderActor(m, file, to, { holeReturn: variant === 'zero-return' ? 'zero' : 'efault' })];
  if (p.migrations > 0) actors.push(migrationActor(m, { budget: p.migrations }));
  if (p.reclaims > 0) actors.push(reclaimActor(m, { budget: p.reclaims }));
  if (p.munmaps > 0) actors.push(munmapActor(m, { budget: p.munmaps }));
  return {
    name: `dio-short-read:${variant}`,
    world: { ...m.fields, ...to.fields, ...file.fields },
    actors,
    properties: [dioPartialAccounting(m, file, to, { actor: 'reader' }), deadlockFreedom(), terminates<DioFileWorld>('reader', { name: 'read returns' })],
  };
}

const layouts = DIO_LAYOUTS.map((l, i) => `${i} = ${dioFileLayout(defineDioFile(l))}`).join(', ');

export const dioShortRead = defineScenario({
  id: 'dio-short-read',
  title: 'direct read with faults disabled: iomap hole/inline helpers returning 0 end the request early (42c498c18a94)',
  source:
    '42c498c18a94 "iomap: Fix iomap_dio_rw return value for user copies", 97308f8b0d86, 4fdccaa0d184, b01b2d72da25 (v5.16); gfs2/iomap mmap-fault threads, Oct 2021',
  description:
    'gfs2_file_direct_read() (b01b2d72da25) calls iomap_dio_rw(IOMAP_DIO_PARTIAL, done_before = written) with page faults disabled and to->nofault set. ' +
    'iomap walks the extents from ki_pos: a mapped block takes the user page with get_user_pages_fast(FOLL_NOFAULT) into a bio, a hole is zeroed with iov_iter_zero(), ' +
    'an inline block copied with copy_to_iter(), each failing on a user page that is not present. gfs2 then faults in one page (the v5.16 window) and retries while that makes progress. ' +
    'Bug (zero-return, before 42c498c18a94): a hole or inline helper whose copy copied nothing returns 0, iomap_iter() takes 0 for "done", and iomap_dio_rw() returns what it had - ' +
    'which is 0 when the hole is where the call starts, and gfs2 does not retry on 0: read() returns 0 (EOF) in the middle of the file, or, on a retry, the short count of the earlier calls. ' +
    "The described [DATA][HOLE][DATA] trace needs the page to go away between gfs2's fault-in and the retry (layout=1 migrations=1): with the page absent from the start gfs2 gets a positive short count, faults the page in and finishes. " +
    'Fix (efault-partial): the helpers return -EFAULT; IOMAP_DIO_PARTIAL keeps a partial result, gfs2 faults in and resumes. ' +
    'Assumptions of the fix: the user buffer stays mapped (munmaps=0); migration and reclaim act finitely often (budgets; a migration in progress always finishes); ' +
    'it holds for every layout and every migration and reclaim budget up to 2. With munmaps=1 it does not: gfs2 returns -EFAULT after a partial transfer (its "User space doesn\'t expect partial success"), ' +
    'so partial accounting as the literature states it ("a short count only at EOF or at a bad address") is not what gfs2 implements. ' +
    `Layouts: ${layouts}.`,
  params: {
    layout: { description: `file layout: ${layouts}`, default: 0, min: 0, max: DIO_LAYOUTS.length - 1 },
    prefault: { description: '1: the user pages under DATA blocks start present (the others absent); 0: no user page present', default: 1, min: 0, max: 1 },
    migrations: { description: 'migrate_pages() calls on the user buffer (migration budget)', default: 0, min: 0, max: 4 },
    reclaims: { description: 'reclaim evictions of user pages (reclaim budget)', default: 0, min: 0, max: 4 },
    munmaps: { description: 'munmap() calls on user pages by another thread', default: 0, min: 0, max: 2 },
  },
  variants: {
    'zero-return': {
      description: 'before 42c498c18a94: a hole/inline copy of nothing returns 0 and iomap_iter() ends the request',
      expected: { verdict: 'violated', property: 'partial accounting' },
      provenance: {
        kind: 'hypothetical',
        why: 'combines pieces that never shipped together: the 0-returning iomap hole/inline helpers predate 42c498c18a94, but the nofault gfs2 direct read (b01b2d72da25) and IOMAP_DIO_PARTIAL (97308f8b0d86) that expose them landed with it in v5.16',
      },
    },
    'efault-partial': {
      description: 'v5.16: -EFAULT, IOMAP_DIO_PARTIAL and done_before; holds while the buffer stays mapped, for migration/reclaim budgets up to 2',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.16+', commits: ['42c498c18a94', '97308f8b0d86', '4fdccaa0d184', 'b01b2d72da25'] },
    },
  },
  defaultVariant: 'zero-return',
  build: (p, v) => buildDioShortRead(p, v),
});
