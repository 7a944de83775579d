/**
 * A pipe writer: write(2) of `len` <= PIPE_BUF units from user memory into a pipe (fs/pipe.c
 * anon_pipe_write(), called pipe_write() before v6.15), in one of three forms:
 *
 * - design 'mutex-held', the shipped kernel: pipe->mutex is held across copy_page_from_iter(), which copies
 *   with page faults ENABLED, so a fault on the user buffer is handled (handle_mm_fault(), possibly sleeping
 *   in handle_userfault()) with the mutex held. A write <= PIPE_BUF merges into the last buffer (chars =
 *   total_len & (PAGE_SIZE-1), room left) or takes one fresh buffer, or waits for room before copying
 *   anything. Two sub-forms (variant switch `publish`):
 *   - 'afterCopy' (v6.15+, ee5eda8ea595 "pipe: change pipe_write() to never add a zero-sized buffer",
 *     Oleg Nesterov): copy into pipe->tmp_page first; on a short copy return -EFAULT and publish nothing;
 *     else `pipe->head = head + 1; buf->len = copied`.
 *   - 'beforeCopy' (v5.5..v6.14, a194dfe6e6f6 "pipe: Rearrange sequence in pipe_write() to preallocate
 *     slot"): publish the slot first (`pipe->head = head + 1`, buf->len = 0), copy, then `buf->len =
 *     copied`; a short copy leaves the empty buffer in the ring.
 *   On the merge path a short copy returns -EFAULT and leaves buf->len alone in both forms.
 * - design 'drop-lock-retry' (David Laight's hypothetical, never shipped): pagefault_disable(), copy
 *   what is resident, PUBLISH that part, drop pipe->mutex, fault_in_iov_iter_readable() the rest, retake
 *   the mutex and retry (merge test again, with the remaining length). A write <= PIPE_BUF can then be split
 *   around another writer's bytes.
 *
 * The fault inside copy_page_from_iter() is x86's do_user_addr_fault() reduced to what the pipe scenarios
 * need: no signals, no mmap_lock contention (handle_mm_fault() with FAULT_FLAG_DEFAULT, TRIED after a
 * retry); VM_FAULT_RETRY from handle_userfault() sleeps until UFFDIO_COPY; a fault error (an unmapped
 * buffer) ends the copy at the fixup. Copies are exact (the whole resident prefix; the inexact-copy rule
 * changes nothing here). Context `ret` is what write() returns once the actor is final: units written,
 * or -EFAULT (-14).
 */
import { assign, setup } from 'xstate';
import { assertShape, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import {
  accessiblePrefix,
  BACKING_UFFD,
  BLOCKED,
  EFAULT,
  FAULT_DONE,
  FAULT_FLAG_DEFAULT,
  FAULT_FLAG_TRIED,
  FAULT_NAMES,
  FAULT_RETRY,
  FAULT_WAIT,
  faultInReadable,
  faultInReadableResult,
  handleMmFault,
  handleMmFaultOutcome,
  pageOf,
  ptePresent,
  type Mmu,
  type MmuWorld,
} from '../mmu/index.js';
import {
  pipeFull,
  pipeHeadSlot,
  pipeLastSlot,
  pipeMergeChars,
  pipeMergeCommit,
  pipeMutexFree,
  pipeMutexLock,
  pipeMutexUnlock,
  pipePushBuffer,
  pipeReserveSlot,
  pipeSetLen,
  type Pipe,
  type PipeWorld,
} from '../pipe/ring.js';

export type PipeWriteDesign = 'mutex-held' | 'drop-lock-retry';
export type PipePublish = 'afterCopy' | 'beforeCopy';

export interface PipeWriterOptions {
  readonly pipe: Pipe;
  readonly mmu: Mmu;
  /** Its ghost index in the pipe (definePipe `writers`). */
  readonly writer: number;
  /** Its pipe->mutex owner index. */
  readonly mutexOwner: number;
  /** write(fd, buf, len): the user buffer, units [addr, addr + len), 1 <= len <= PIPE_BUF. */
  readonly addr: number;
  readonly len: number;
  readonly design: PipeWriteDesign;
  /** 'mutex-held' only: default 'afterCopy' (v6.15+). */
  readonly publish?: PipePublish;
}

/** Every option of pipeWriterMachine and pipeWriterActor: a key not listed is a typo, refused rather than left at its default. */
const PIPE_WRITER_OPTIONS: Shape<PipeWriterOptions & { readonly name: string }> = {
  name: 'string',
  pipe: 'object',
  mmu: 'object',
  writer: 'checked',
  mutexOwner: 'checked',
  addr: 'checked',
  len: 'checked',
  design: 'checked',
  publish: 'checked',
};

interface Ctx {
  /** Units published so far; once final, write()'s return value (-EFAULT on failure). */
  ret: number;
  /** Units of the current chunk copied and not yet published. */
  copied: number;
  /** The current chunk goes into the last buffer (the merge path). */
  merge: number;
  /** 'beforeCopy': the slot published before the copy. */
  slot: number;
  /** FAULT_FLAG_TRIED for the next handle_mm_fault(). */
  tried: number;
}

type World = MmuWorld & PipeWorld;
type Ev = StepEvent<
  | 'mutexLock'
  | 'pipeWaitWritable'
  | 'pipeReserveSlot'
  | 'copyPageFromIter'
  | 'copyPageFromIterNofault'
  | 'handleMmFault'
  | 'handleUserfault'
  | 'pipePublish'
  | 'mutexUnlock'
  | 'faultInIovIterReadable',
  World
>;

function facts(o: PipeWriterOptions) {
  const m = o.mmu;
  const P = o.pipe;
  /** Units not yet consumed from the user buffer. */
  const rest = (c: Ctx): number => o.len - Math.max(c.ret, 0) - c.copied;
  const pos = (c: Ctx): number => o.addr + o.len - rest(c);
  const prefix = (w: MmuWorld, c: Ctx): number => accessiblePrefix(w, m, pos(c), rest(c), false);
  const faultPage = (c: Ctx): number => pageOf(m, pos(c));
  const flags = (c: Ctx): number => FAULT_FLAG_DEFAULT | (c.tried ? FAULT_FLAG_TRIED : 0);
  const outcome = (w: MmuWorld, c: Ctx): number => handleMmFaultOutcome(w, m, faultPage(c), flags(c));
  /** Merge test with the length still to write (the whole write, or drop-lock-retry's remainder on a retry). */
  const mergeChars = (w: PipeWorld, c: Ctx): number => pipeMergeChars(w, P, rest(c));
  const faultInResult = (w: MmuWorld, c: Ctx): number => faultInReadableResult(w, m, pos(c), rest(c));
  return { m, P, rest, pos, prefix, faultPage, flags, outcome, mergeChars, faultInResult };
}

export function pipeWriterMachine(o: PipeWriterOptions) {
  assertShape(o, PIPE_WRITER_OPTIONS, 'pipeWriterMachine() options');
  const f = facts(o);
  const { m, P } = f;
  if (!(Number.isInteger(o.len) && o.len >= 1 && o.len <= P.pageUnits && o.len <= P.maxWrite)) {
    throw new RangeError(`pipeWriter: len ${o.len} must be 1..PIPE_BUF (${P.pageUnits}) and within the pipe's maxWrite`);
  }
  if (!(o.addr >= 0 && o.addr + o.len <= m.units)) throw new RangeError(`pipeWriter: [${o.addr}, ${o.addr + o.len}) is outside user memory`);
  if (!(o.writer >= 0 && o.writer < P.writers.length)) throw new RangeError(`pipeWriter: no tracked writer ${o.writer}`);
  if (!(o.mutexOwner >= 0 && o.mutexOwner < P.mutexOwners.length)) throw new RangeError(`pipeWriter: no mutex owner ${o.mutexOwner}`);
  const publish = o.publish ?? 'afterCopy';
  if (o.design !== 'mutex-held' && o.design !== 'drop-lock-retry') throw new RangeError(`pipeWriter: design '${String(o.design)}'`);
  if (publish !== 'afterCopy' && publish !== 'beforeCopy') throw new RangeError(`pipeWriter: publish '${String(publish)}'`);
  if (o.design === 'drop-lock-retry' && o.publish !== undefined) throw new RangeError("pipeWriter: 'publish' applies to the mutex-held design only");

  const s = setup({
    types: { context: {} as Ctx, events: {} as Ev },
    guards: {
      mutexFree: ({ event }) => pipeMutexFree(event.world),
      roomOrMutexBusy: ({ event }) => pipeMutexFree(event.world) && !pipeFull(event.world, P),
      mergeable: ({ context, event }) => f.mergeChars(event.world, context) > 0,
      full: ({ event }) => pipeFull(event.world, P),
      copiesAll: ({ context, event }) => f.prefix(event.world, context) === f.rest(context),
      copiesSome: ({ context, event }) => f.prefix(event.world, context) > 0,
      faultRetry: ({ context, event }) => f.outcome(event.world, context) === FAULT_RETRY,
      faultDone: ({ context, event }) => f.outcome(event.world, context) === FAULT_DONE,
      faultFails: ({ context, event }) => f.outcome(event.world, context) !== FAULT_WAIT,
      uffdResolved: ({ context, event }) => ptePresent(event.world.pte[f.faultPage(context)]!),
      writeComplete: ({ context }) => f.rest(context) === 0,
      faultInRuns: ({ context, event }) => f.faultInResult(event.world, context) !== BLOCKED,
      merging: ({ context }) => context.merge === 1,
      // Composites, named so that the transition objects built outside createMachine() type-check.
      fullNoMerge: ({ context, event }) => f.mergeChars(event.world, context) === 0 && pipeFull(event.world, P),
      room: ({ event }) => !pipeFull(event.world, P),
      roomNoMerge: ({ context, event }) => f.mergeChars(event.world, context) === 0 && !pipeFull(event.world, P),
      mergeCopiesAll: ({ context, event }) => f.mergeChars(event.world, context) > 0 && f.prefix(event.world, context) === f.rest(context),
      roomCopiesAll: ({ context, event }) => !pipeFull(event.world, P) && f.prefix(event.world, context) === f.rest(context),
      mergeCopiesSome: ({ context, event }) => f.mergeChars(event.world, context) > 0 && f.prefix(event.world, context) > 0,
      roomCopiesSome: ({ context, event }) => !pipeFull(event.world, P) && f.prefix(event.world, context) > 0,
      mergeOrRoom: ({ context, event }) => f.mergeChars(event.world, context) > 0 || !pipeFull(event.world, P),
      faultInGivesUp: ({ context, event }) => {
        const r = f.faultInResult(event.world, context);
        return r !== BLOCKED && r === f.rest(context);
      },
    },
    actions: {
      lock: ({ event }) => pipeMutexLock(event.world, P, o.mutexOwner),
      unlock: ({ event }) => pipeMutexUnlock(event.world, P, o.mutexOwner),
      takeMerge: assign({ merge: 1 }),
      takeFresh: assign({ merge: 0 }),
      copyPrefix: assign({ copied: ({ context, event }) => context.copied + f.prefix(event.world, context) }),
      reserve: ({ event }) => {
        pipeReserveSlot(event.world, P);
      },
      recordSlot: assign({ slot: ({ event }) => pipeHeadSlot(event.world, P) }),
      fault: ({ context, event }) => {
        handleMmFault(event.world, m, f.faultPage(context), f.flags(context), -1);
      },
      setTried: assign({ tried: 1 }),
      clearTried: assign({ tried: 0 }),
      commit: ({ context, event }) => {
        const w = event.world;
        if (context.merge) pipeMergeCommit(w, P, o.writer, context.copied);
        else if (o.design === 'mutex-held' && publish === 'beforeCopy') pipeSetLen(w, P, context.slot, o.writer, context.copied);
        else pipePushBuffer(w, P, o.writer, context.copied);
      },
      published: assign({ ret: ({ context }) => Math.max(context.ret, 0) + context.copied, copied: 0 }),
      efault: assign({ ret: -EFAULT, copied: 0 }),
      faultIn: ({ context, event }) => {
        faultInReadable(event.world, m, f.pos(context), f.rest(context));
      },
      giveUp: assign({ ret: ({ context }) => (context.ret > 0 ? context.ret : -EFAULT) }),
    },
  });

  const mutexWait = ({ world }: { world: PipeWorld }): string =>
    world.pipeMutex ? `pipe->mutex (held by ${P.mutexOwners[world.pipeMutex - 1]})` : 'pipe->mutex';
  const lockStep = (target: string) => ({ mutexLock: { guard: 'mutexFree', target, actions: 'lock', description: 'mutex_lock(&pipe->mutex)' } }) as const;
  const waitStep = {
    pipeWaitWritable: {
      guard: 'fullNoMerge',
      target: 'waitSpace',
      actions: 'unlock',
      description: 'pipe full: mutex_unlock(); wait_event(wr_wait, pipe_writable())',
    },
  } as const;
  const finals = {
    unlocking: { on: { mutexUnlock: { target: 'returned', actions: 'unlock', description: 'mutex_unlock(&pipe->mutex); return' } } },
    returned: { type: 'final' },
  } as const;

  if (o.design === 'drop-lock-retry') {
    return s.createMachine({
      id: 'pipe-writer-drop-lock-retry',
      initial: 'start',
      context: { ret: 0, copied: 0, merge: 0, slot: 0, tried: 0 },
      states: {
        start: { meta: { waitsFor: mutexWait }, on: lockStep('top') },
        top: {
          on: {
            copyPageFromIterNofault: [
              { guard: 'mergeCopiesSome', target: 'copied', actions: ['takeMerge', 'copyPrefix'] },
              { guard: 'roomCopiesSome', target: 'copied', actions: ['takeFresh', 'copyPrefix'] },
              { guard: 'mergeOrRoom', target: 'dropping' },
            ],
            ...waitStep,
          },
        },
        waitSpace: {
          meta: { waitsFor: 'room in the pipe, then pipe->mutex' },
          on: { mutexLock: { guard: 'roomOrMutexBusy', target: 'top', actions: 'lock', description: 'woken: mutex_lock(&pipe->mutex)' } },
        },
        copied: {
          on: {
            pipePublish: [
              { guard: 'writeComplete', target: 'unlocking', actions: ['commit', 'published'] },
              { target: 'dropping', actions: ['commit', 'published'] },
            ],
          },
        },
        dropping: { on: { mutexUnlock: { target: 'faultIn', actions: 'unlock', description: 'mutex_unlock(&pipe->mutex) to take the fault' } } },
        faultIn: {
          meta: { waitsFor: 'the fault-in (a sleep in handle_mm_fault())' },
          on: {
            faultInIovIterReadable: [
              { guard: 'faultInGivesUp', target: 'returned', actions: ['faultIn', 'giveUp'] },
              { guard: 'faultInRuns', target: 'start', actions: 'faultIn' },
            ],
          },
        },
        ...finals,
      },
    });
  }

  const copy = {
    copyPageFromIter: [
      { guard: 'copiesAll', target: 'copied', actions: 'copyPrefix' },
      { target: 'faulting', actions: 'copyPrefix' },
    ],
  } as const;
  const fresh =
    publish === 'afterCopy'
      ? ({
          copyPageFromIter: [
            { guard: 'mergeCopiesAll', target: 'copied', actions: ['takeMerge', 'copyPrefix'] },
            { guard: 'mergeable', target: 'faulting', actions: ['takeMerge', 'copyPrefix'] },
            { guard: 'roomCopiesAll', target: 'copied', actions: ['takeFresh', 'copyPrefix'] },
            { guard: 'room', target: 'faulting', actions: ['takeFresh', 'copyPrefix'] },
          ],
        } as const)
      : ({
          copyPageFromIter: [
            { guard: 'mergeCopiesAll', target: 'copied', actions: ['takeMerge', 'copyPrefix'] },
            { guard: 'mergeable', target: 'faulting', actions: ['takeMerge', 'copyPrefix'] },
          ],
          pipeReserveSlot: {
            guard: 'roomNoMerge',
            target: 'reserved',
            actions: ['takeFresh', 'recordSlot', 'reserve'],
            description: 'pipe->head = head + 1: an empty buffer, published before the copy',
          },
        } as const);
  return s.createMachine({
    id: `pipe-writer-mutex-held-${publish}`,
    initial: 'start',
    context: { ret: 0, copied: 0, merge: 0, slot: 0, tried: 0 },
    states: {
      start: { meta: { waitsFor: mutexWait }, on: lockStep('top') },
      top: { on: { ...fresh, ...waitStep } },
      // After a wait for room pipe_write() does not try the merge again.
      waitSpace: {
        meta: { waitsFor: 'room in the pipe, then pipe->mutex' },
        on: { mutexLock: { guard: 'roomOrMutexBusy', target: 'loop', actions: 'lock', description: 'woken: mutex_lock(&pipe->mutex)' } },
      },
      loop: {
        on:
          publish === 'afterCopy'
            ? {
                copyPageFromIter: [
                  { guard: 'roomCopiesAll', target: 'copied', actions: ['takeFresh', 'copyPrefix'] },
                  { guard: 'room', target: 'faulting', actions: ['takeFresh', 'copyPrefix'] },
                ],
                pipeWaitWritable: { guard: 'full', target: 'waitSpace', actions: 'unlock', description: waitStep.pipeWaitWritable.description },
              }
            : {
                pipeReserveSlot: {
                  guard: 'room',
                  target: 'reserved',
                  actions: ['takeFresh', 'recordSlot', 'reserve'],
                  description: 'pipe->head = head + 1: an empty buffer, published before the copy',
                },
                pipeWaitWritable: { guard: 'full', target: 'waitSpace', actions: 'unlock', description: waitStep.pipeWaitWritable.description },
              },
      },
      reserved: { on: copy },
      copying: { on: copy },
      faulting: {
        meta: { waitsFor: 'the fault (an uninterruptible sleep in handle_mm_fault())' },
        on: {
          handleMmFault: [
            { guard: 'faultDone', target: 'copying', actions: ['fault', 'clearTried'] },
            { guard: 'faultRetry', target: 'userfaultWait', actions: 'fault' },
            { guard: 'faultFails', target: 'failed', actions: ['fault', 'efault'] },
          ],
        },
      },
      userfaultWait: {
        meta: { waitsFor: ({ context }: { context: Ctx }) => `UFFDIO_COPY of p${f.faultPage(context)} (holding pipe->mutex)` },
        on: {
          handleUserfault: {
            guard: 'uffdResolved',
            target: 'faulting',
            actions: 'setTried',
            description: 'handle_userfault() woken by UFFDIO_COPY: VM_FAULT_RETRY; retry with FAULT_FLAG_TRIED',
          },
        },
      },
      copied: { on: { pipePublish: { target: 'unlocking', actions: ['commit', 'published'] } } },
      failed: { on: { mutexUnlock: { target: 'returned', actions: 'unlock', description: 'mutex_unlock(&pipe->mutex); return -EFAULT' } } },
      ...finals,
    },
  });
}

function units(n: number): string {
  return n === 1 ? '1 unit' : `${n} units`;
}

/** The pipe writer as an actor spec (a weakly fair thread); labels show units, slots and faults. */
export function pipeWriterActor(o: PipeWriterOptions & { readonly name: string }): ActorSpec<Ctx, World> {
  assertShape(o, PIPE_WRITER_OPTIONS, 'pipeWriterActor() options');
  const f = facts(o);
  const { m, P } = f;
  return {
    name: o.name,
    machine: pipeWriterMachine(o),
    fields: { ret: int(-EFAULT, o.len), copied: int(0, o.len), merge: int(0, 1), slot: int(0, P.slots - 1), tried: int(0, 1) },
    label: ({ context, event }, description) => {
      const w = event.world;
      const c = context;
      switch (event.type) {
        case 'copyPageFromIter':
        case 'copyPageFromIterNofault': {
          const k = f.prefix(w, c);
          const fn = event.type === 'copyPageFromIter' ? 'copy_page_from_iter()' : 'pagefault_disable(); copy_page_from_iter()';
          // (The context is a view: read its fields, do not spread it.)
          const stop = pageOf(m, f.pos(c) + k);
          if (k === f.rest(c)) return `${fn}: ${units(k)}`;
          if (event.type === 'copyPageFromIterNofault') return `${fn}: ${k} of ${units(f.rest(c))} (p${stop} not present)`;
          return `${fn}: ${units(k)}, #PF on p${stop}`;
        }
        case 'handleMmFault': {
          const out = f.outcome(w, c);
          const p = f.faultPage(c);
          if (out === FAULT_RETRY && m.backing[p] === BACKING_UFFD) return `handle_mm_fault(p${p}): handle_userfault(): sleep until UFFDIO_COPY`;
          return `handle_mm_fault(p${p}) == ${FAULT_NAMES[out]}${out === FAULT_DONE ? '' : ': copy short'}`;
        }
        case 'pipePublish': {
          if (c.merge) return `buf->len += ${c.copied} (slot ${pipeLastSlot(w, P)})`;
          if (o.design === 'mutex-held' && (o.publish ?? 'afterCopy') === 'beforeCopy') return `buf->len = ${c.copied} (slot ${c.slot})`;
          return `pipe->head++; buf->len = ${c.copied} (slot ${pipeHeadSlot(w, P)})`;
        }
        case 'faultInIovIterReadable': {
          const r = f.faultInResult(w, c);
          return `fault_in_iov_iter_readable(${f.rest(c)}) == ${r}`;
        }
        case 'mutexUnlock':
          if (description === 'mutex_unlock(&pipe->mutex); return') return `mutex_unlock(&pipe->mutex); return ${c.ret}`;
          return description ?? event.type;
        default:
          return description ?? event.type;
      }
    },
  };
}
