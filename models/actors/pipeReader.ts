/**
 * A pipe reader: one blocking read(2) of up to `units` units from a pipe (fs/pipe.c anon_pipe_read(),
 * pipe_read() before v6.15) into memory that does not fault (a resident buffer), optionally followed by
 * resolving a userfaultfd page (the uffd/FUSE resolver that must first read its
 * request from the same pipe).
 *
 *   mutex_lock(&pipe->mutex);                    // uninterruptible: a writer holding it blocks the reader
 *   for (;;) {
 *       if (!pipe_empty(head, tail)) { copy_page_to_iter(buf...); buf->len -= chars; if (!buf->len) tail++; ... }
 *       if (ret) break;                          // read something: return it
 *       mutex_unlock(&pipe->mutex);
 *       wait_event_interruptible_exclusive(pipe->rd_wait, pipe_readable(pipe));
 *       mutex_lock(&pipe->mutex);
 *   }
 *   mutex_unlock(&pipe->mutex);
 *
 * Simplification: the read takes whole buffers from the tail (models/pipe/ring.ts pipeConsume), which is
 * exact when `units` is PIPE_BUF or more. With `resolveUffd`, the thread then issues UFFDIO_COPY for that
 * page (it is the userfaultfd handler, models/mmu uffdioCopy). A weakly fair thread.
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { uffdioCopy, uffdioCopyOk, type Mmu, type MmuWorld } from '../mmu/index.js';
import { pipeConsume, pipeConsumeUnits, pipeEmpty, pipeMutexFree, pipeMutexLock, pipeMutexUnlock, type Pipe, type PipeWorld } from '../pipe/ring.js';

export interface PipeReaderOptions {
  readonly pipe: Pipe;
  /** Its pipe->mutex owner index. */
  readonly mutexOwner: number;
  /** read(fd, buf, units): at most this many units, 1..64 (PIPE_BUF or more reads whole buffers exactly). */
  readonly units: number;
  /** After the read, resolve this userfaultfd page with UFFDIO_COPY (the uffd/FUSE resolver). */
  readonly resolveUffd?: { readonly mmu: Mmu; readonly page: number };
}

/** Every option of pipeReaderMachine and pipeReaderActor: a key not listed is a typo, refused rather than left at its default. */
const PIPE_READER_OPTIONS: Shape<PipeReaderOptions & { readonly name: string }> = {
  name: 'string',
  pipe: 'object',
  mutexOwner: 'checked',
  units: 'checked',
  resolveUffd: 'object',
};

interface Ctx {
  /** Units read(2) returned (once it has). */
  got: number;
}

type World = PipeWorld & MmuWorld;
type Ev = StepEvent<'mutexLock' | 'copyPageToIter' | 'pipeWaitReadable' | 'mutexUnlock' | 'uffdioCopy', World>;

export function pipeReaderMachine(o: PipeReaderOptions) {
  assertShape(o, PIPE_READER_OPTIONS, 'pipeReaderMachine() options');
  const P = o.pipe;
  if (!(Number.isInteger(o.units) && o.units >= 1 && o.units <= 64)) throw new RangeError(`pipeReader: units ${o.units} must be 1..64`);
  if (!(o.mutexOwner >= 0 && o.mutexOwner < P.mutexOwners.length)) throw new RangeError(`pipeReader: no mutex owner ${o.mutexOwner}`);
  const r = o.resolveUffd;
  if (r && !(r.page >= 0 && r.page < r.mmu.pages)) throw new RangeError(`pipeReader: page ${r.page} is not a page of the MMU`);
  return setup({
    types: { context: {} as Ctx, events: {} as Ev },
    guards: {
      mutexFree: ({ event }) => pipeMutexFree(event.world),
      readableAndFree: ({ event }) => !pipeEmpty(event.world) && pipeMutexFree(event.world),
      empty: ({ event }) => pipeEmpty(event.world),
      notEmpty: ({ event }) => !pipeEmpty(event.world),
      uffdMissing: ({ event }) => uffdioCopyOk(event.world, r!.mmu, r!.page),
    },
    actions: {
      lock: ({ event }) => pipeMutexLock(event.world, P, o.mutexOwner),
      unlock: ({ event }) => pipeMutexUnlock(event.world, P, o.mutexOwner),
      record: assign({ got: ({ event }) => pipeConsumeUnits(event.world, P, o.units) }),
      consume: ({ event }) => {
        pipeConsume(event.world, P, o.units);
      },
      resolve: ({ event }) => uffdioCopy(event.world, r!.mmu, r!.page),
    },
  }).createMachine({
    id: r ? 'pipe-reader-uffd-resolver' : 'pipe-reader',
    initial: 'start',
    context: { got: 0 },
    states: {
      start: {
        meta: {
          waitsFor: ({ world }: { world: PipeWorld }) => (world.pipeMutex ? `pipe->mutex (held by ${P.mutexOwners[world.pipeMutex - 1]})` : 'pipe->mutex'),
        },
        on: { mutexLock: { guard: 'mutexFree', target: 'locked', actions: 'lock', description: 'mutex_lock(&pipe->mutex)' } },
      },
      locked: {
        on: {
          copyPageToIter: { guard: 'notEmpty', target: 'read', actions: ['record', 'consume'] },
          pipeWaitReadable: {
            guard: 'empty',
            target: 'waitData',
            actions: 'unlock',
            description: 'pipe empty: mutex_unlock(); wait_event(rd_wait, pipe_readable())',
          },
        },
      },
      waitData: {
        meta: { waitsFor: 'data in the pipe, then pipe->mutex' },
        on: { mutexLock: { guard: 'readableAndFree', target: 'locked', actions: 'lock', description: 'woken: mutex_lock(&pipe->mutex)' } },
      },
      read: { on: { mutexUnlock: { target: r ? 'resolving' : 'done', actions: 'unlock', description: 'mutex_unlock(&pipe->mutex); read() returns' } } },
      ...(r
        ? {
            resolving: {
              on: { uffdioCopy: { guard: 'uffdMissing', target: 'done', actions: 'resolve', description: `ioctl(UFFDIO_COPY, p${r.page})` } },
            },
          }
        : {}),
      done: { type: 'final' },
    },
  });
}

/** The reader as an actor spec; label `copy_page_to_iter(): 1 unit, tail++`. */
export function pipeReaderActor(o: PipeReaderOptions & { readonly name: string }): ActorSpec<Ctx, World> {
  assertShape(o, PIPE_READER_OPTIONS, 'pipeReaderActor() options');
  return {
    name: o.name,
    machine: pipeReaderMachine(o),
    fields: { got: int(0, o.units) },
    label: ({ event }, description) =>
      event.type === 'copyPageToIter'
        ? `anon_pipe_read(): copy_page_to_iter() of ${pipeConsumeUnits(event.world, o.pipe, o.units)} units, tail++`
        : (description ?? event.type),
  };
}
