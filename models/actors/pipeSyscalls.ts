/**
 * A task making a fixed sequence of non-blocking system calls on one pipe with page-identity buffers
 * (models/pipe/buffers.ts): write(2), read(2) and splice(2) from a file, the pipe opened O_NONBLOCK and
 * splice given SPLICE_F_NONBLOCK, so a call that cannot proceed returns -EAGAIN instead of sleeping. Each call
 * is one step, whole under pipe->mutex (which serialises them in the kernel; none of these copies faults):
 *
 * - `write` of len <= PAGE_SIZE units, pipe_write() (fs/pipe.c): merge into the last buffer when
 *   pipeWriteMergeChars() allows it (the `merge` switch: `flag`, buf->flags & PIPE_BUF_FLAG_CAN_MERGE since
 *   f6dd975583bd "pipe: merge anon_pipe_buf*_ops" (v5.8); `ops`, buf->ops == &anon_pipe_buf_ops up to v5.7),
 *   else a new anonymous buffer with CAN_MERGE set, else -EAGAIN;
 * - `read` of up to n units, pipe_read(): whole buffers from the tail, each pipe_buf_confirm()ed and
 *   released (-EAGAIN when empty);
 * - `splice` of `len` units at `offset` of page-cache page `page`: generic_file_splice_read() ->
 *   filemap_read() -> copy_page_to_iter() -> copy_page_to_iter_pipe() (v4.9 .. v6.4; filemap_splice_read()
 *   since v6.5), which lends the page itself to the pipe. The `splice` switch: `stale` leaves buf->flags from
 *   the slot's previous buffer (241699cd72a8 v4.9 .. v5.16), `cleared` is 9d2231c5d74e "lib/iov_iter:
 *   initialize "flags" in new pipe_buffer" (v5.17-rc6; stable 5.16.11, 5.15.25, 5.10.102).
 *
 * A thread (weakly fair); final after its last call.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import {
  PIPE_BUF_FLAG_CAN_MERGE,
  pipeRead,
  pipeReadResult,
  pipeSplicePageCache,
  pipeWriteMerge,
  pipeWriteMergeChars,
  pipeWriteNewBuffer,
  type PipeBuffers,
  type PipeBuffersWorld,
  type PipeMergeTest,
  type SpliceFlagsInit,
} from '../pipe/buffers.js';
import { pipeEmpty, pipeFull, pipeHeadSlot, pipeLastSlot, pipeMutexFree, type Pipe } from '../pipe/ring.js';
import { oneOf } from '../options.js';

export type PipeSyscall =
  | { readonly op: 'write'; readonly len: number }
  | { readonly op: 'read'; readonly units: number }
  | { readonly op: 'splice'; readonly page: number; readonly offset: number; readonly len: number };

export interface PipeSyscallsOptions {
  readonly pipe: Pipe;
  readonly buffers: PipeBuffers;
  /** The calls, in order (1..8). */
  readonly calls: readonly PipeSyscall[];
  /** Its index in the pipe's tracked writers (definePipe `writers`), if it writes. */
  readonly writer?: number;
  /** pipe_write()'s merge test. */
  readonly merge: PipeMergeTest;
  /** How copy_page_to_iter_pipe() sets the new buffer's flags. */
  readonly splice: SpliceFlagsInit;
}

/** Every option of pipeSyscallsMachine and pipeSyscallsActor: a key not listed is a typo, refused rather than left at its default. */
const PIPE_SYSCALLS_OPTIONS: Shape<PipeSyscallsOptions & { readonly name: string }> = {
  name: 'string',
  pipe: 'object',
  buffers: 'object',
  calls: 'array',
  writer: 'checked',
  merge: 'checked',
  splice: 'checked',
};

type Ev = StepEvent<'pipeWrite' | 'pipeRead' | 'splice', PipeBuffersWorld>;

const EAGAIN = 11;

function check(o: PipeSyscallsOptions): void {
  oneOf('pipeSyscalls', 'merge', o.merge, ['flag', 'ops']);
  oneOf('pipeSyscalls', 'splice', o.splice, ['stale', 'cleared']);
  const P = o.pipe;
  if (o.calls.length < 1 || o.calls.length > 8) throw new RangeError(`pipeSyscalls: 1..8 calls, not ${o.calls.length}`);
  for (const c of o.calls) {
    if (c.op === 'write') {
      if (!(Number.isInteger(c.len) && c.len >= 1 && c.len <= P.pageUnits))
        throw new RangeError(`pipeSyscalls: write of ${c.len} units (1..PAGE_SIZE = ${P.pageUnits})`);
      if (o.writer === undefined || !(o.writer >= 0 && o.writer < P.writers.length)) throw new RangeError('pipeSyscalls: a task that writes needs `writer`');
    } else if (c.op === 'read') {
      if (!(Number.isInteger(c.units) && c.units >= 1 && c.units <= 64)) throw new RangeError(`pipeSyscalls: read of ${c.units} units (1..64)`);
    } else {
      if (!(c.page >= 0 && c.page < o.buffers.filePages)) throw new RangeError(`pipeSyscalls: splice of page-cache page ${c.page}, not a page of the file`);
      if (!(c.offset >= 0 && c.len >= 1 && c.offset + c.len <= P.pageUnits))
        throw new RangeError(`pipeSyscalls: splice of ${c.len} units at ${c.offset} crosses the page`);
    }
  }
}

/** What write(2) returns (pure): chars merged, len in a new buffer, or -EAGAIN. */
function writeResult(w: PipeBuffersWorld, o: PipeSyscallsOptions, len: number): number {
  if (pipeWriteMergeChars(w, o.pipe, len, o.merge) > 0) return len;
  return pipeFull(w, o.pipe) ? -EAGAIN : len;
}

interface Ctx {
  /** The call it makes next (= calls made). */
  pc: number;
}

export function pipeSyscallsMachine(o: PipeSyscallsOptions) {
  assertShape(o, PIPE_SYSCALLS_OPTIONS, 'pipeSyscallsMachine() options');
  check(o);
  const P = o.pipe;
  const state = (i: number): string => (i < o.calls.length ? `call${i}` : 'done');
  const run = (w: PipeBuffersWorld, c: PipeSyscall): void => {
    if (c.op === 'write') {
      if (pipeWriteMergeChars(w, P, c.len, o.merge) > 0) pipeWriteMerge(w, P, o.writer!, c.len);
      else if (!pipeFull(w, P)) pipeWriteNewBuffer(w, P, o.writer!, c.len);
    } else if (c.op === 'read') {
      if (!pipeEmpty(w)) pipeRead(w, P, c.units);
    } else if (!pipeFull(w, P)) pipeSplicePageCache(w, P, o.buffers, c.page, c.offset, c.len, o.splice);
  };
  const actions: Record<string, (args: { event: Ev }) => void> = {};
  const states: Record<string, object> = {};
  o.calls.forEach((c, i) => {
    const event = c.op === 'write' ? 'pipeWrite' : c.op === 'read' ? 'pipeRead' : 'splice';
    actions[`call${i}`] = ({ event: e }) => run(e.world, c);
    states[state(i)] = {
      meta: { waitsFor: 'pipe->mutex' },
      on: { [event]: { guard: 'mutexFree', target: state(i + 1), actions: [`call${i}`, 'advance'] } },
    };
  });
  states.done = { type: 'final' };
  return setup({
    types: { context: {} as Ctx, events: {} as Ev },
    guards: { mutexFree: ({ event }) => pipeMutexFree(event.world) },
    actions: { ...actions, advance: assign({ pc: ({ context }) => context.pc + 1 }) },
  }).createMachine({ id: 'pipe-syscalls', initial: state(0), context: { pc: 0 }, states: states as Record<string, Record<string, unknown>> });
}

function slotFlags(w: PipeBuffersWorld, s: number): string {
  return (w.pipeBufFlags[s]! & PIPE_BUF_FLAG_CAN_MERGE) !== 0 ? 'CAN_MERGE' : '0';
}

/** The task as an actor spec; labels give each call's return and the buffer it touched. */
export function pipeSyscallsActor(o: PipeSyscallsOptions & { readonly name: string }): ActorSpec<Ctx, PipeBuffersWorld> {
  assertShape(o, PIPE_SYSCALLS_OPTIONS, 'pipeSyscallsActor() options');
  const P = o.pipe;
  return {
    name: o.name,
    machine: pipeSyscallsMachine(o),
    fields: { pc: int(0, o.calls.length) },
    label: ({ context, event }) => {
      const w = event.world;
      const c = o.calls[context.pc]!;
      if (c.op === 'write') {
        const ret = writeResult(w, o, c.len);
        if (ret < 0) return `write(pipe, ${c.len}) == -EAGAIN (full)`;
        if (pipeWriteMergeChars(w, P, c.len, o.merge) > 0) {
          const s = pipeLastSlot(w, P);
          const pg = w.pipeBufPage[s]!;
          const page = pg >= 2 ? `page-cache page f${pg - 2}` : 'its anonymous page';
          return `write(pipe, ${c.len}) == ${ret}: merged into slot ${s} (flags ${slotFlags(w, s)}), ${page} at ${w.pipeBufOffset[s]! + w.pipeLen[s]!}`;
        }
        return `write(pipe, ${c.len}) == ${ret}: new anon buffer in slot ${pipeHeadSlot(w, P)}, flags = CAN_MERGE`;
      }
      if (c.op === 'read') {
        if (pipeEmpty(w)) return `read(pipe, ${c.units}) == -EAGAIN (empty)`;
        return `read(pipe, ${c.units}) == ${pipeReadResult(w, P, c.units)}: buffers released, flags left`;
      }
      if (pipeFull(w, P)) return `splice(file -> pipe) == -EAGAIN (full)`;
      const s = pipeHeadSlot(w, P);
      const flags = o.splice === 'cleared' ? 'flags = 0' : `flags left ${slotFlags(w, s)}`;
      return `splice(f${c.page}@${c.offset}, ${c.len}) == ${c.len}: copy_page_to_iter_pipe() lends f${c.page} as slot ${s}, ${flags}`;
    },
  };
}
