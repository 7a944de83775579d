/**
 * pipe-atomic: pipe write atomicity (PIPE_BUF) under page faults. Two writers W0 and
 * W1 (up to four: W2, W3 like W1) each write `len` <= PIPE_BUF units into one pipe; W0's user buffer
 * straddles a page boundary and its second page is not present, W1's buffer is resident.
 *
 * drop-lock-retry is the design hazard raised in the seed thread (David Laight): pipe_write() copying
 * with page faults disabled, publishing what it copied, dropping pipe->mutex to fault the rest in and
 * retrying. W1's write fits in the gap, and W0's <= PIPE_BUF write comes out in two pieces around it.
 * mutex-held is the shipped kernel (v6.15+, ee5eda8ea595): the copy runs with faults enabled under
 * pipe->mutex, so nothing can land in the middle of a write <= PIPE_BUF. mutex-held-slot-first is the same
 * for the v5.5..v6.14 form that published the slot before the copy (a194dfe6e6f6). uffd-resolver-reads-pipe
 * is the price of holding the mutex across a fault - the userfaultfd handler that would resolve W0's
 * fault must first read from the same pipe, and blocks on pipe->mutex.
 */
import { deadlockFreedom, type SystemSpec } from '../checker/index.js';
import { munmapActor } from '../models/actors/munmap.js';
import { pipeReaderActor } from '../models/actors/pipeReader.js';
import { pipeWriterActor, type PipePublish, type PipeWriteDesign } from '../models/actors/pipeWriter.js';
import { defineMmu } from '../models/mmu/index.js';
import { definePipe, pipeWriteAtomicity } from '../models/pipe/index.js';
import { defineScenario } from './scenario.js';

export type PipeAtomicVariant = 'drop-lock-retry' | 'mutex-held' | 'mutex-held-slot-first' | 'uffd-resolver-reads-pipe';

export interface PipeAtomicParams {
  /** PIPE_BUF = PAGE_SIZE, in units. */
  readonly pipeBuf: number;
  /** Units each writer writes (<= PIPE_BUF). */
  readonly len: number;
  /** Units of W0's buffer on its first, resident page (the rest is on a page that is not present). */
  readonly split: number;
  /** munmap() calls on W0's second page (0 or 1): an environment actor, makes W0's fault fail. */
  readonly munmaps: number;
  /** A reader R doing one blocking read() of PIPE_BUF units at the same time (0 or 1; not in uffd-resolver-reads-pipe). */
  readonly reader: number;
  /** Writers: W0 and writers - 1 others like W1, each with its own resident buffer (not in uffd-resolver-reads-pipe). Default 2. */
  readonly writers?: number;
}

/** Ring slots: enough for W0 in two pieces and every other writer (no reader needed), a power of two like ring_size. */
const slotsFor = (writers: number): number => (writers + 1 <= 4 ? 4 : 8);

export function buildPipeAtomic(p: PipeAtomicParams, variant: PipeAtomicVariant): SystemSpec {
  const U = p.pipeBuf;
  const j3 = variant === 'uffd-resolver-reads-pipe';
  const writers = j3 ? 1 : (p.writers ?? 2);
  // W1, W2 ...: the writers with a resident buffer, each on its own page p2, p3 ...
  const others = Array.from({ length: writers - 1 }, (_, k) => ({ name: `W${k + 1}`, index: k + 1, page: 2 + k }));
  // p0: W0's first `split` units (resident); p1: the rest of W0's buffer (not present; userfaultfd in uffd-resolver-reads-pipe);
  // p2: W1's buffer (resident), and so on for each other writer (uffd-resolver-reads-pipe keeps p2 unused).
  const pages = Math.max(3, 2 + others.length);
  const m = defineMmu({
    pages,
    unitsPerPage: U,
    staticVma: p.munmaps === 0,
    backing: ['anon', j3 ? 'uffd' : 'anon', ...new Array<'anon'>(pages - 2).fill('anon')],
    pte: ['PRESENT_RW', 'ABSENT', ...new Array<'PRESENT_RW'>(pages - 2).fill('PRESENT_RW')],
  });
  const w0 = { addr: U - p.split, len: p.len };
  const design: PipeWriteDesign = variant === 'drop-lock-retry' ? 'drop-lock-retry' : 'mutex-held';
  const publish: PipePublish | undefined = variant === 'drop-lock-retry' ? undefined : variant === 'mutex-held-slot-first' ? 'beforeCopy' : 'afterCopy';
  const writerOptions = (name: string, index: number, buf: { addr: number; len: number }) => ({
    name,
    pipe: P,
    mmu: m,
    writer: index,
    mutexOwner: index,
    ...buf,
    design,
    ...(publish ? { publish } : {}),
  });
  const names = ['W0', ...others.map((w) => w.name)];
  const P = j3
    ? definePipe({ slots: slotsFor(1), pageUnits: U, mutexOwners: ['W0', 'R'], writers: ['W0'], maxWrite: p.len, initial: [1] })
    : definePipe({ slots: slotsFor(writers), pageUnits: U, mutexOwners: p.reader ? [...names, 'R'] : names, writers: names, maxWrite: p.len });
  const actors = j3
    ? [pipeWriterActor(writerOptions('W0', 0, w0)), pipeReaderActor({ name: 'R', pipe: P, mutexOwner: 1, units: U, resolveUffd: { mmu: m, page: 1 } })]
    : [pipeWriterActor(writerOptions('W0', 0, w0)), ...others.map((w) => pipeWriterActor(writerOptions(w.name, w.index, { addr: w.page * U, len: p.len })))];
  if (p.reader && !j3) actors.push(pipeReaderActor({ name: 'R', pipe: P, mutexOwner: writers, units: U }));
  if (p.munmaps > 0) actors.push(munmapActor(m, { budget: p.munmaps, pages: [1] }) as never);
  const writes = names.map((actor, writer) => ({ actor, writer, len: p.len }));
  return {
    name: `pipe-atomic-${variant}`,
    world: { ...m.fields, ...P.fields },
    actors,
    properties: [pipeWriteAtomicity(P, writes), deadlockFreedom()],
  };
}

export const pipeAtomic = defineScenario({
  id: 'pipe-atomic',
  title: 'pipe write atomicity (PIPE_BUF) when the user buffer faults: drop the mutex and retry vs copy under pipe->mutex',
  source:
    'David Laight (seed thread); fs/pipe.c anon_pipe_write(): ee5eda8ea595 "pipe: change pipe_write() to never add ' +
    'a zero-sized buffer" (Oleg Nesterov, v6.15), a194dfe6e6f6 "pipe: Rearrange sequence in pipe_write() to preallocate slot" (v5.5)',
  description: [
    "Writers W0 and W1 each write `len` <= PIPE_BUF units to one pipe (ring of 4 slots, no reader needed). W0's buffer has `split` " +
      "units on a resident page and the rest on a page that is not present; W1's buffer is resident. With writers = 3 or 4, W2 and W3 " +
      'write like W1, each from its own resident page (a ring of 8 slots from four writers on). Pipe write atomicity: a write of <= PIPE_BUF ' +
      'units that returns r puts exactly max(r, 0) units into the pipe, contiguously.',
    'drop-lock-retry (hypothetical, never shipped): pagefault_disable(); copy what is resident; publish it; mutex_unlock(); ' +
      "fault_in_iov_iter_readable(); mutex_lock(); retry. W1 takes pipe->mutex while W0 faults: W0's bytes end up on both sides of " +
      "W1's. Pipe write atomicity is violated.",
    'mutex-held (the shipped kernel as of v6.15, ee5eda8ea595): copy_page_from_iter() with faults enabled under pipe->mutex, into ' +
      'the last buffer (merge) or pipe->tmp_page, then publish; a short copy returns -EFAULT and publishes nothing. A write ' +
      '<= PIPE_BUF never waits half-way, so pipe write atomicity holds - safety, no fairness needed - for every pipeBuf <= 4, len <= pipeBuf, split ' +
      "< len, munmaps <= 1 (munmap of W0's second page makes the fault fail: -EFAULT, 0 units) and reader <= 1, and with 3 and 4 writers at the " +
      'default sizes (test/scenarios/pipe-atomic.test.ts; the largest configurations checked within 60 s are in BENCHMARKS.md, "Bounds").',
    'mutex-held-slot-first (v5.5..v6.14, a194dfe6e6f6): the slot is published with buf->len = 0 before the copy; a failed copy leaves ' +
      'the empty buffer (repeated faulting writes could fill the ring with them; not checked here). Pipe write atomicity holds ' +
      'for the same bounds.',
    "uffd-resolver-reads-pipe: mutex-held, W0's second page is a missing userfaultfd page, and its handler R must first read its " +
      'request (already in the pipe) before UFFDIO_COPY. W0 faults holding pipe->mutex and sleeps in handle_userfault(); R blocks in ' +
      'mutex_lock(): a deadlock, broken only by killing W0. It needs the environment assumption "resolvers do not depend on the pipe".',
  ].join('\n\n'),
  params: {
    pipeBuf: { description: 'PIPE_BUF = PAGE_SIZE, in units', default: 2, min: 2, max: 8 },
    len: { description: 'units each writer writes (<= pipeBuf)', default: 2, min: 2, max: 8 },
    split: { description: "units of W0's buffer on its resident first page (< len)", default: 1, min: 1, max: 7 },
    munmaps: { description: "munmap() calls on W0's second page (environment budget)", default: 0, min: 0, max: 1 },
    reader: { description: 'a reader doing one read() of PIPE_BUF units meanwhile (0 or 1; uffd-resolver-reads-pipe has its own)', default: 0, min: 0, max: 1 },
    writers: {
      description: 'writers: W0 and the others, each like W1 with its own resident buffer (uffd-resolver-reads-pipe: W0 only)',
      default: 2,
      min: 2,
      max: 4,
    },
  },
  variants: {
    'drop-lock-retry': {
      description: 'nofault copy, publish the part, drop pipe->mutex, fault in, retry: a write <= PIPE_BUF is split around another',
      expected: { verdict: 'violated', property: 'pipe write atomicity' },
      provenance: {
        kind: 'hypothetical',
        why: 'drop-lock-retry never shipped: pipe_write() has always copied with page faults enabled under pipe->mutex; modelled to show why it must',
      },
    },
    'mutex-held': {
      description: 'v6.15+: copy with faults enabled under pipe->mutex, publish after the copy; pipe write atomicity holds (safety, no fairness)',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v6.15+', commits: ['ee5eda8ea595'] },
    },
    'mutex-held-slot-first': {
      description: 'v5.5..v6.14: the same, with the slot published empty before the copy; pipe write atomicity holds',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.5 - v6.14', commits: ['a194dfe6e6f6', 'ee5eda8ea595'] },
    },
    'uffd-resolver-reads-pipe': {
      description: 'W0 faults on a uffd page holding pipe->mutex; the resolver must read the pipe first: deadlock',
      expected: { verdict: 'violated', property: 'deadlock' },
      params: ['pipeBuf', 'len', 'split', 'munmaps', 'reader'],
      provenance: {
        kind: 'shipped',
        versions: 'v6.15+ as modelled (every pipe_write() since userfaultfd, v4.3, faults under pipe->mutex)',
        commits: ['ee5eda8ea595'],
      },
    },
  },
  defaultVariant: 'drop-lock-retry',
  validate: (p) => {
    if (p.len > p.pipeBuf) return `len (${p.len}) cannot exceed PIPE_BUF (pipeBuf = ${p.pipeBuf}): pipe write atomicity is about writes <= PIPE_BUF`;
    if (p.split >= p.len) return `split (${p.split}) must be below len (${p.len}): W0's buffer must reach its second page`;
    return null;
  },
  build: (p, v) => buildPipeAtomic(p, v),
});
