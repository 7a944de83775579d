/**
 * The three tasks of models/cow/forkPin.ts: fork() of the parent, a FOLL_PIN of the parent's page
 * (pin_user_pages_fast(): GUP-fast, then the slow path) and a parent store into the page.
 *
 * - fork (dup_mmap() -> copy_page_range() -> copy_present_pte()): mmap_write_lock() (+
 *   raw_write_seqcount_begin() with `seq` write-protect-seq, 57efa1fe5957 v5.13); the maybe-pinned test;
 *   the share (wrprotect + child mapping) a step later; seqcount end + unlock.
 * - gup: gup_fast(): raw_read_seqcount() (with `seqcount`), the PTE test and try_grab_folio_fast() (one
 *   step), the PTE re-check, read_seqcount_retry(); on any failure unpin and fall back:
 *   mmap_read_lock(), faultin_page() (a write fault, or FAULT_FLAG_UNSHARE for a R/O pin with `unshare`,
 *   a7f226604170 v5.19), follow_page_mask() + pin, mmap_read_unlock(). The pin is kept (a DMA in flight).
 * - parent: one store; a read-only PTE takes do_wp_page() under mmap_read_lock() (so not during fork()).
 *
 * On the shared zero page (forkPinFields({ start: 'zero-page' })): fork() copies the read-only PTE and
 * nothing else; GUP-fast refuses the special PTE; the slow path pins the zero page itself unless the pin
 * must unshare it, which it must only with `longterm` and `cowUnshare` (84209e87c696 + 8d6a0ac09a16, v6.2);
 * a write fault or the parent's store gets a fresh exclusive page from wp_page_copy().
 */
import { assign, setup } from 'xstate';
import { assertShape, bool, int, type ActorSpec, type Shape, type StepEvent } from '../../checker/index.js';
import { NAME_OPTIONS, oneOf } from '../options.js';
import {
  copyPresentPteShare,
  copyPresentPteShares,
  parentOnZeroPage,
  FP_PTE_RO,
  forkBegin,
  forkDoWpPage,
  forkEnd,
  gupFastPteOk,
  parentExclusive,
  pinParentFolio,
  unpin,
  type ForkPinWorld,
  type ForkSeq,
} from '../cow/forkPin.js';

type W = ForkPinWorld;

/** Every option of forkPinForkActor: a key not listed is a typo, refused rather than left at its default. */
const FORK_OPTIONS: Shape<{ readonly seq: ForkSeq; readonly name?: string }> = { seq: 'checked', name: 'string' };

/** fork(): lock (+ seqcount begin), decide, share, unlock. */
export function forkPinForkActor(o: { readonly seq: ForkSeq; readonly name?: string }): ActorSpec<{ share: number }, W> {
  assertShape(o, FORK_OPTIONS, 'forkPinForkActor() options');
  oneOf('forkPinForkActor', 'seq', o.seq, ['none', 'write-protect-seq']);
  const machine = setup({
    types: { context: {} as { share: number }, events: {} as StepEvent<'mmapWriteLock' | 'copyPresentPte' | 'ptepSetWrprotect' | 'mmapWriteUnlock', W> },
    guards: { noReaders: ({ event }) => !event.world.fpMmapRead, share: ({ context }) => context.share === 1 },
    actions: {
      begin: ({ event }) => forkBegin(event.world, o.seq),
      decide: assign({ share: ({ event }) => (copyPresentPteShares(event.world) ? 1 : 0) }),
      apply: ({ event }) => copyPresentPteShare(event.world),
      end: ({ event }) => forkEnd(event.world),
    },
  }).createMachine({
    id: 'fork',
    initial: 'start',
    context: { share: 0 },
    states: {
      start: {
        meta: { waitsFor: 'mmap_lock (a reader holds it)' },
        on: {
          mmapWriteLock: {
            guard: 'noReaders',
            target: 'locked',
            actions: 'begin',
            description: o.seq === 'write-protect-seq' ? 'mmap_write_lock(); raw_write_seqcount_begin(&mm->write_protect_seq)' : 'mmap_write_lock()',
          },
        },
      },
      locked: { on: { copyPresentPte: { target: 'decided', actions: 'decide' } } },
      decided: {
        on: {
          ptepSetWrprotect: { guard: 'share', target: 'copied', actions: 'apply', description: 'ptep_set_wrprotect(); the child maps A (no longer exclusive)' },
          mmapWriteUnlock: { target: 'done', actions: 'end', description: 'the child got its own copy; mmap_write_unlock()' },
        },
      },
      copied: {
        on: {
          mmapWriteUnlock: {
            target: 'done',
            actions: 'end',
            description: o.seq === 'write-protect-seq' ? 'raw_write_seqcount_end(); mmap_write_unlock()' : 'mmap_write_unlock()',
          },
        },
      },
      done: { type: 'final' },
    },
  });
  return {
    name: o.name ?? 'fork',
    machine,
    fields: { share: bool() },
    label: ({ event }, d) =>
      event.type === 'copyPresentPte'
        ? parentOnZeroPage(event.world)
          ? 'copy_present_pte(): the shared zero page (vm_normal_page() NULL): the child gets the read-only PTE'
          : copyPresentPteShares(event.world)
            ? 'copy_present_pte(): A not pinned: share it'
            : 'copy_present_pte(): A may be pinned: copy it for the child'
        : event.type === 'mmapWriteUnlock' && parentOnZeroPage(event.world)
          ? 'the child maps the zero page too; mmap_write_unlock()'
          : (d ?? event.type),
  };
}

export interface ForkPinGupOptions {
  readonly name?: string;
  /** FOLL_WRITE. */
  readonly write: boolean;
  /** GUP-fast checks mm->write_protect_seq (v5.13+). */
  readonly seqcount: boolean;
  /** A R/O pin of a not-exclusive anonymous page unshares it (v5.19+). */
  readonly unshare: boolean;
  /** FOLL_LONGTERM (an RDMA / vfio registration). Default false. */
  readonly longterm?: boolean;
  /**
   * A R/O FOLL_LONGTERM pin unshares anything in a COW mapping that is not an exclusive anonymous page,
   * the shared zero page included (84209e87c696 + 8d6a0ac09a16, v6.2+). Default false.
   */
  readonly cowUnshare?: boolean;
}

/** Every option of forkPinGupActor: a key not listed is a typo, refused rather than left at its default. */
const GUP_OPTIONS: Shape<ForkPinGupOptions> = {
  name: 'string',
  write: 'boolean',
  seqcount: 'boolean',
  unshare: 'boolean',
  longterm: 'boolean',
  cowUnshare: 'boolean',
};

/** gup_must_unshare() for a R/O FOLL_PIN of the parent's page (pure). */
export function forkPinMustUnshare(w: W, o: ForkPinGupOptions): boolean {
  if (o.write) return false;
  if (parentOnZeroPage(w)) return Boolean(o.longterm && o.cowUnshare);
  return o.unshare && !parentExclusive(w);
}

interface GupCtx {
  seq: number;
  pte: number;
  folio: number;
}

type GupEv = StepEvent<
  'rawReadSeqcount' | 'gupFastPte' | 'gupFastRecheck' | 'readSeqcountRetry' | 'mmapReadLock' | 'faultinPage' | 'followPage' | 'mmapReadUnlock',
  W
>;

/** pin_user_pages_fast() of the parent's page. */
export function forkPinGupActor(o: ForkPinGupOptions): ActorSpec<GupCtx, W> {
  assertShape(o, GUP_OPTIONS, 'forkPinGupActor() options');
  if (o.cowUnshare && !o.longterm) throw new RangeError('forkPinGupActor: cowUnshare applies to FOLL_LONGTERM pins: set longterm');
  const needsFault = (w: W): boolean => (o.write ? w.fpPte === FP_PTE_RO : forkPinMustUnshare(w, o));
  const machine = setup({
    types: { context: {} as GupCtx, events: {} as GupEv },
    guards: {
      seqOdd: ({ event }) => (event.world.fpSeq & 1) === 1,
      pteOk: ({ event }) => gupFastPteOk(event.world, o.write, o.unshare),
      unchanged: ({ context, event }) => event.world.fpPte === context.pte && event.world.fpParentFolio === context.folio,
      seqSame: ({ context, event }) => event.world.fpSeq === context.seq,
      noWriter: ({ event }) => !event.world.fpMmapWrite,
      needsFault: ({ event }) => needsFault(event.world),
      noFault: ({ event }) => !needsFault(event.world),
    },
    actions: {
      readSeq: assign({ seq: ({ event }) => event.world.fpSeq }),
      snap: assign({ pte: ({ event }) => event.world.fpPte, folio: ({ event }) => event.world.fpParentFolio }),
      pin: ({ event }) => pinParentFolio(event.world),
      unpin: ({ event }) => unpin(event.world),
      readLock: ({ event }) => {
        event.world.fpMmapRead = 1;
      },
      readUnlock: ({ event }) => {
        event.world.fpMmapRead = 0;
      },
      fault: ({ event }) => forkDoWpPage(event.world, !o.write),
    },
  }).createMachine({
    id: 'gup',
    initial: o.seqcount ? 'start' : 'walk',
    context: { seq: 0, pte: 0, folio: 0 },
    states: {
      start: {
        on: {
          rawReadSeqcount: [
            { guard: 'seqOdd', target: 'slow', description: 'raw_read_seqcount(&mm->write_protect_seq) is odd: fork() running, slow path' },
            { target: 'walk', actions: 'readSeq', description: 'raw_read_seqcount(&mm->write_protect_seq)' },
          ],
        },
      },
      walk: {
        on: {
          gupFastPte: [
            { guard: 'pteOk', target: 'recheck', actions: ['snap', 'pin'], description: 'gup_fast_pte_range(): try_grab_folio_fast() pins it' },
            { target: 'slow', description: 'gup_fast_pte_range(): PTE refused, slow path' },
          ],
        },
      },
      recheck: {
        on: {
          gupFastRecheck: [
            { guard: 'unchanged', target: o.seqcount ? 'seqcheck' : 'done', description: 'PTE unchanged' },
            { target: 'slow', actions: 'unpin', description: 'PTE changed: unpin, slow path' },
          ],
        },
      },
      seqcheck: {
        on: {
          readSeqcountRetry: [
            { guard: 'seqSame', target: 'done', description: 'read_seqcount_retry() == 0: pinned' },
            { target: 'slow', actions: 'unpin', description: 'read_seqcount_retry(): fork() ran: unpin, slow path' },
          ],
        },
      },
      slow: {
        meta: { waitsFor: 'mmap_lock (fork() holds it for write)' },
        on: { mmapReadLock: { guard: 'noWriter', target: 'follow', actions: 'readLock', description: 'mmap_read_lock()' } },
      },
      follow: {
        on: {
          faultinPage: {
            guard: 'needsFault',
            target: 'follow',
            actions: 'fault',
            description: o.write ? 'faultin_page(): write fault' : 'faultin_page(): FAULT_FLAG_UNSHARE',
          },
          followPage: { guard: 'noFault', target: 'unlocking', actions: 'pin', description: 'follow_page_mask(): pin it' },
        },
      },
      unlocking: { on: { mmapReadUnlock: { target: 'done', actions: 'readUnlock', description: 'mmap_read_unlock(): pinned' } } },
      done: { type: 'final' },
    },
  });
  return {
    name: o.name ?? 'gup',
    machine,
    fields: { seq: int(0, 2), pte: bool(), folio: int(0, 2) },
    label: ({ event }, d) => {
      const w = event.world;
      if (!parentOnZeroPage(w)) return d ?? event.type;
      if (event.type === 'gupFastPte') return 'gup_fast_pte_range(): pte_special() (the shared zero page): slow path';
      if (event.type === 'faultinPage')
        return o.write
          ? 'faultin_page(): write fault on the zero page: wp_page_copy() maps a fresh page A'
          : 'faultin_page(): FAULT_FLAG_UNSHARE on the zero page: wp_page_copy() maps a fresh page A, still read-only';
      if (event.type === 'followPage') return 'follow_page_mask(): the shared zero page (is_zero_pfn()): pin it';
      return d ?? event.type;
    },
  };
}

/** The parent's store into its page: do_wp_page() when the PTE is read-only. */
export function forkPinParentActor(o: { readonly name?: string } = {}): ActorSpec<Record<string, never>, W> {
  assertShape(o, NAME_OPTIONS, 'forkPinParentActor() options');
  const machine = setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'store', W> },
    guards: { noWriter: ({ event }) => !event.world.fpMmapWrite },
    actions: {
      store: ({ event }) => {
        if (event.world.fpPte === FP_PTE_RO) forkDoWpPage(event.world, false);
      },
    },
  }).createMachine({
    id: 'parent',
    initial: 'start',
    context: {},
    states: {
      start: { meta: { waitsFor: 'mmap_lock (fork() holds it)' }, on: { store: { guard: 'noWriter', target: 'done', actions: 'store' } } },
      done: { type: 'final' },
    },
  });
  return {
    name: o.name ?? 'parent',
    machine,
    fields: {},
    label: ({ event }) => {
      const w = event.world;
      if (w.fpPte !== FP_PTE_RO) return 'store to the page (PTE writable)';
      if (parentOnZeroPage(w)) return 'store: do_wp_page() on the shared zero page -> wp_page_copy(): the parent moves to a fresh page A';
      return parentExclusive(w) || (!w.fpChildMapsA && w.fpPinned !== 1)
        ? 'store: do_wp_page() reuses the page'
        : 'store: do_wp_page() -> wp_page_copy(): the parent moves to COPY';
    },
  };
}
