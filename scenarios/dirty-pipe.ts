/**
 * dirty-pipe: Dirty Pipe, CVE-2022-0847 (Max Kellermann). splice() from a file lends page-cache pages to a
 * pipe (copy_page_to_iter_pipe(), lib/iov_iter.c) without initialising the new pipe_buffer's flags, so a
 * PIPE_BUF_FLAG_CAN_MERGE left in the ring slot by an earlier anonymous buffer survives, and the next
 * write(2) to the pipe merges into the page-cache page: the file's cached data changes with no write to the
 * file (even a read-only file; the change reaches disk only if something else dirties the page).
 *
 * The flag went unset from 241699cd72a8 "new iov_iter flavour: pipe-backed" (v4.9) but was harmless until
 * f6dd975583bd "pipe: merge anon_pipe_buf*_ops" (v5.8) made pipe_write() test buf->flags & CAN_MERGE
 * instead of buf->ops == &anon_pipe_buf_ops. Fixed by 9d2231c5d74e "lib/iov_iter: initialize "flags" in
 * new pipe_buffer" (v5.17-rc6; 5.16.11, 5.15.25, 5.10.102), which also clears them in push_pipe().
 */
import type { SystemSpec } from '../checker/index.js';
import { pipeSyscallsActor, type PipeSyscall } from '../models/actors/pipeSyscalls.js';
import { definePipe, definePipeBuffers, pageCacheIntact, type PipeMergeTest, type SpliceFlagsInit } from '../models/pipe/index.js';
import { defineScenario } from './scenario.js';

export type DirtyPipeVariant = 'stale-flags' | 'flags-initialised' | 'merge-by-ops';

export interface DirtyPipeParams {
  /** Ring slots (pipe->ring_size); the writer fills them all once. */
  readonly slots: number;
  /** PAGE_SIZE in units. */
  readonly pageUnits: number;
}

const FORMS: Record<DirtyPipeVariant, { merge: PipeMergeTest; splice: SpliceFlagsInit }> = {
  'stale-flags': { merge: 'flag', splice: 'stale' },
  'flags-initialised': { merge: 'flag', splice: 'cleared' },
  'merge-by-ops': { merge: 'ops', splice: 'stale' },
};

export function buildDirtyPipe(p: DirtyPipeParams, variant: DirtyPipeVariant): SystemSpec {
  const U = p.pageUnits;
  const P = definePipe({ slots: p.slots, pageUnits: U, mutexOwners: ['W', 'R', 'S'], writers: ['W'], maxWrite: p.slots * U + 1 });
  const B = definePipeBuffers(P, { filePages: 1 });
  const form = FORMS[variant];
  const fill: PipeSyscall[] = Array.from({ length: p.slots }, () => ({ op: 'write', len: U }));
  const common = { pipe: P, buffers: B, ...form };
  return {
    name: `dirty-pipe-${variant}`,
    world: { ...P.fields, ...B.fields },
    actors: [
      pipeSyscallsActor({ ...common, name: 'W', writer: 0, calls: [...fill, { op: 'write', len: 1 }] }),
      pipeSyscallsActor({ ...common, name: 'R', calls: [{ op: 'read', units: p.slots * U }] }),
      pipeSyscallsActor({ ...common, name: 'S', calls: [{ op: 'splice', page: 0, offset: 0, len: 1 }] }),
    ],
    properties: [pageCacheIntact(B)],
  };
}

export const dirtyPipe = defineScenario({
  id: 'dirty-pipe',
  title: 'Dirty Pipe (CVE-2022-0847): a spliced page-cache page inherits a stale PIPE_BUF_FLAG_CAN_MERGE and a pipe write lands in it',
  source:
    'CVE-2022-0847 (Max Kellermann, dirtypipe.cm4all.com); lib/iov_iter.c copy_page_to_iter_pipe(), fs/pipe.c pipe_write(): 9d2231c5d74e ' +
    '"lib/iov_iter: initialize "flags" in new pipe_buffer" (v5.17-rc6), Fixes: 241699cd72a8 (v4.9), f6dd975583bd (v5.8)',
  description: [
    'Three tasks on one pipe of `slots` buffers, all non-blocking (O_NONBLOCK, SPLICE_F_NONBLOCK: a call that cannot proceed returns ' +
      '-EAGAIN): W writes one whole page per slot and then 1 unit; R reads once, up to the whole ring; S splices 1 unit at offset 0 of ' +
      "page-cache page f0 into the pipe. Property: a pipe write never changes a page-cache page's content.",
    'stale-flags (v5.8 - v5.16): pipe_write() gives each new anonymous buffer PIPE_BUF_FLAG_CAN_MERGE; pipe_read() releases the buffers ' +
      "but leaves buf->flags; copy_page_to_iter_pipe() lends f0 to the pipe in a used slot without touching buf->flags; W's 1-unit write " +
      "finds the last buffer mergeable (CAN_MERGE, offset + len + 1 <= PAGE_SIZE) and copies into f0. Violated: 'page cache intact'.",
    'flags-initialised (v5.17+, 9d2231c5d74e): copy_page_to_iter_pipe() sets buf->flags = 0; the write takes a new buffer (or gets ' +
      '-EAGAIN). Holds for every slots <= 4 and pageUnits <= 4.',
    'merge-by-ops (v4.9 - v5.7): the flags are just as stale, but pipe_write() merges only into buffers whose ops are ' +
      'anon_pipe_buf_ops (pipe_buf_can_merge()), and a spliced page has page_cache_pipe_buf_ops. Holds: the latent bug needed ' +
      "f6dd975583bd's switch to the flag to become a hole.",
  ].join('\n\n'),
  params: {
    slots: { description: 'pipe ring slots (the writer fills each once)', default: 1, min: 1, max: 7 },
    pageUnits: { description: 'PAGE_SIZE in units', default: 2, min: 2, max: 8 },
  },
  variants: {
    'stale-flags': {
      description: 'copy_page_to_iter_pipe() leaves buf->flags; pipe_write() merges on CAN_MERGE: the write lands in the page cache',
      expected: { verdict: 'violated', property: 'page cache intact' },
      provenance: {
        kind: 'shipped',
        versions: 'v5.8 - v5.16 (fixed in 5.16.11, 5.15.25, 5.10.102)',
        commits: ['f6dd975583bd', '241699cd72a8', '9d2231c5d74e'],
      },
    },
    'flags-initialised': {
      description: 'the fix: copy_page_to_iter_pipe() and push_pipe() set buf->flags = 0; the page cache stays intact',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v5.17+', commits: ['9d2231c5d74e'] },
    },
    'merge-by-ops': {
      description: 'before v5.8: the same stale flags, but pipe_write() merges only into anon_pipe_buf_ops buffers; holds',
      expected: { verdict: 'holds' },
      provenance: { kind: 'shipped', versions: 'v4.9 - v5.7', commits: ['241699cd72a8', 'f6dd975583bd'] },
    },
  },
  defaultVariant: 'stale-flags',
  build: (p, v) => buildDirtyPipe(p, v),
});
