/**
 * The property library (models/properties) on tiny systems built from the substrate:
 * - whole-buffer fault-in vs a one-page window: fault in the whole remaining buffer under a resident
 *   capacity of 2 with 3 pages is a livelock (iterProgress); a one-page window terminates (state counts by
 *   hand below);
 * - the pin-from-reference hazard: pin_user_page() on a BVEC reference after writeback's negative pin check (noPinAfterNegativeCheck,
 *   then stablePages);
 * - the GUP-fast / folio_mkclean() Dekker pattern with and without the PTE re-check (stablePages);
 * - mmap_lock released twice after VM_FAULT_RETRY (mmapLockDiscipline);
 * - the misannotated direction (iterDirection) and capacity (residentCapacity).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, setup } from 'xstate';
import { check, int, type StepEvent, type SystemSpec } from '../../../checker/index.js';
import { iovIterAdvance, iovIterRevert } from '../../../models/iov-iter/advance.js';
import {
  BLOCKED,
  FAULT_DONE,
  FAULT_FLAG_DEFAULT,
  FAULT_RETRY,
  FAULT_WAIT,
  FOLL_PIN,
  FOLL_WRITE,
  GUP_BLOCKED,
  GUP_OK,
  copyToIter,
  copyToIterResult,
  defineIovIter,
  defineMmu,
  dmaWrite,
  faultInIovIterWriteable,
  faultInIovIterWriteableResult,
  folioClearDirtyForIo,
  folioEndWriteback,
  folioLock,
  folioLocked,
  folioMaybeDmaPinned,
  folioStartWriteback,
  folioUnlock,
  getPage,
  gupFastCompletePin,
  gupFastOutcome,
  gupFastPteUnchanged,
  gupFastTryGetFolio,
  gupSlow,
  gupSlowOutcome,
  handleMmFault,
  handleMmFaultOutcome,
  iterCount,
  iterDirection,
  iterProgress,
  mmapLockDiscipline,
  mmapReadLock,
  mmapReadLockable,
  mmapReadUnlock,
  noDmaPinFalseNegative,
  noPinAfterNegativeCheck,
  pinUserPageFromRef,
  putPage,
  residentCapacity,
  stablePages,
  unpinUserPage,
  type MmuWorld,
} from '../../../models/index.js';

const counts = (r: ReturnType<typeof check>) => ({ states: r.stats.states, transitions: r.stats.transitions, terminalStates: r.stats.terminalStates });

// -------------------------------------------------------------------------------------------------------
// Whole-buffer fault-in and the one-page window.

function retryLoop(window: 'whole' | 'one'): SystemSpec<MmuWorld> {
  const m = defineMmu({ pages: 3, unitsPerPage: 1, capacity: 2, exactCopy: true });
  const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'DEST', segments: [{ base: 0, len: 3 }] });
  const count = (w: MmuWorld): number => iterCount(w, to);
  const win = (w: MmuWorld): number => (window === 'whole' ? count(w) : 1);
  const reader = setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'copy' | 'faultIn', MmuWorld> },
    guards: {
      all: ({ event }) => copyToIterResult(event.world, to, count(event.world), 0) === count(event.world),
      none: ({ event }) => copyToIterResult(event.world, to, count(event.world), 0) === 0,
      canFaultIn: ({ event }) => faultInIovIterWriteableResult(event.world, to, win(event.world)) !== BLOCKED,
    },
    actions: {
      copy: ({ event }) => void copyToIter(event.world, to, count(event.world), 0),
      faultIn: ({ event }) => void faultInIovIterWriteable(event.world, to, win(event.world)),
    },
  }).createMachine({
    id: `read-${window}`,
    initial: 'COPY',
    context: {},
    states: {
      COPY: { on: { copy: [{ guard: 'all', target: 'DONE', actions: 'copy' }, { guard: 'none', target: 'FAULT', actions: 'copy' }, { actions: 'copy' }] } },
      FAULT: { on: { faultIn: { guard: 'canFaultIn', target: 'COPY', actions: 'faultIn' } } },
      DONE: { type: 'final' },
    },
  });
  return {
    name: `retry-${window}`,
    world: { ...m.fields, ...to.fields },
    actors: [{ name: 'reader', machine: reader, fields: {} }],
    properties: [residentCapacity(m), iterProgress(to, { actor: 'reader' })],
  };
}

describe('models/properties: iterProgress and residentCapacity', () => {
  it('whole-buffer fault-in: faulting in all 3 pages with capacity 2 evicts p0 every time - a lasso of 2 steps (4 states, 4 transitions)', () => {
    // S0 COPY (nothing mapped) -> S1 FAULT -> fault in p0,p1,p2 (p2 evicts p0) -> S2 COPY [p2,p1]
    // -> copy fails at p0 -> S3 FAULT -> p0 evicts p1, p1 evicts p2, p2 evicts p0 -> S2 again.
    const r = check(retryLoop('whole'));
    assert.equal(r.verdict, 'violated');
    assert.deepEqual(counts(r), { states: 4, transitions: 4, terminalStates: 0 });
    const v = r.violations[0]!;
    assert.equal(v.property, 'reader progress');
    assert.equal(v.kind, 'progress');
    assert.deepEqual(
      v.trace.steps.map((s) => s.transition),
      ['copy', 'faultIn', 'copy', 'faultIn'],
    );
    assert.equal(v.trace.loop, 2);
  });

  it('a loop that copies and then reverts what it copied is a livelock too (iov_iter_revert() undoes the progress)', () => {
    // A write whose ->write_end() always rejects the short copy: copy one unit, iov_iter_revert(), again.
    const m = defineMmu({ pages: 1, unitsPerPage: 2, exactCopy: true });
    const from = defineIovIter(m, 'from', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 2 }] });
    const writer = setup({
      types: { context: {} as Record<string, never>, events: {} as StepEvent<'copy' | 'writeEnd', MmuWorld> },
    }).createMachine({
      id: 'copy-revert',
      initial: 'COPY',
      context: {},
      states: {
        COPY: { on: { copy: { target: 'END', actions: ({ event }) => iovIterAdvance(event.world, from, 1) } } },
        END: {
          on: { writeEnd: { target: 'COPY', actions: ({ event }) => iovIterRevert(event.world, from, 1), description: 'write_end() = 0; iov_iter_revert()' } },
        },
      },
    });
    const r = check({
      name: 'copy-revert',
      world: { ...m.fields, ...from.fields },
      actors: [{ name: 'writer', machine: writer, fields: {} }],
      properties: [iterProgress(from, { actor: 'writer' })],
    });
    assert.equal(r.verdict, 'violated');
    assert.deepEqual(counts(r), { states: 2, transitions: 2, terminalStates: 0 });
    assert.deepEqual(
      r.violations[0]!.trace.steps.map((s) => s.transition),
      ['copy', 'writeEnd'],
    );
    assert.equal(r.violations[0]!.trace.loop, 0);
  });

  it('a one-page window terminates (10 states, 9 transitions, 1 terminal)', () => {
    // copy 0 -> fault p0 -> copy 1 -> copy 0 -> fault p1 -> copy 1 -> copy 0 -> fault p2 (evicts p0) -> copy 1 -> DONE
    const r = check(retryLoop('one'));
    assert.equal(r.verdict, 'holds');
    assert.deepEqual(counts(r), { states: 10, transitions: 9, terminalStates: 1 });
  });
});

// -------------------------------------------------------------------------------------------------------
// Writeback against pinners.

const wbMmu = () =>
  defineMmu({
    pages: 1,
    unitsPerPage: 1,
    backing: 'file',
    pte: 'PRESENT_RW',
    dirty: true,
    writeback: true,
    versions: 2,
    refs: 1,
    pins: 1,
    pageLock: true,
    stableWrites: true,
  });

/** The writeback thread of the stable-pages protocol: lock, folio_clear_dirty_for_io, pin check + folio_start_writeback, unlock, folio_end_writeback. */
function writeback(m: ReturnType<typeof wbMmu>) {
  return setup({
    types: { context: {} as Record<string, never>, events: {} as StepEvent<'lock' | 'clean' | 'start' | 'unlock' | 'end', MmuWorld> },
    guards: {
      unlocked: ({ event }) => !folioLocked(event.world, m, 0),
      pinned: ({ event }) => folioMaybeDmaPinned(event.world, m, 0),
    },
    actions: {
      lock: ({ event }) => folioLock(event.world, m, 0),
      clean: ({ event }) => void folioClearDirtyForIo(event.world, m, 0),
      start: ({ event }) => folioStartWriteback(event.world, m, 0),
      unlock: ({ event }) => folioUnlock(event.world, m, 0),
      end: ({ event }) => folioEndWriteback(event.world, m, 0),
    },
  }).createMachine({
    id: 'writeback',
    initial: 'IDLE',
    context: {},
    states: {
      IDLE: { on: { lock: { guard: 'unlocked', target: 'LOCKED', actions: 'lock' } }, meta: { waitsFor: 'the folio lock' } },
      LOCKED: { on: { clean: { target: 'CLEANED', actions: 'clean' } } },
      CLEANED: {
        on: {
          start: [
            { guard: 'pinned', target: 'SKIP', description: 'folio_maybe_dma_pinned: skip' },
            { target: 'UNDER_WB', actions: 'start' },
          ],
        },
      },
      SKIP: { on: { unlock: { target: 'DONE', actions: 'unlock' } } },
      UNDER_WB: { on: { unlock: { target: 'IO', actions: 'unlock' } } },
      IO: { on: { end: { target: 'DONE', actions: 'end' } } },
      DONE: { type: 'final' },
    },
  });
}

describe('models/properties: stable pages', () => {
  it('the pin-from-reference hazard: pin_user_page() on a held reference after the negative check breaks no pin after a negative check (5 steps), then stable pages (6 steps)', () => {
    const m = wbMmu();
    const holder = setup({
      types: { context: {} as Record<string, never>, events: {} as StepEvent<'get' | 'pin' | 'dma' | 'unpin' | 'put', MmuWorld> },
      actions: {
        get: ({ event }) => getPage(event.world, m, 0),
        pin: ({ event }) => pinUserPageFromRef(event.world, m, 0),
        dma: ({ event }) => dmaWrite(event.world, m, 0),
        unpin: ({ event }) => unpinUserPage(event.world, m, 0),
        put: ({ event }) => putPage(event.world, m, 0),
      },
    }).createMachine({
      id: 'bvec-holder',
      initial: 'A',
      context: {},
      states: {
        A: { on: { get: { target: 'B', actions: 'get' } } },
        B: { on: { pin: { target: 'C', actions: 'pin' } } },
        C: { on: { dma: { target: 'D', actions: 'dma' } } },
        D: { on: { unpin: { target: 'E', actions: 'unpin' } } },
        E: { on: { put: { target: 'F', actions: 'put' } } },
        F: { type: 'final' },
      },
    });
    const sys: SystemSpec<MmuWorld> = {
      name: 'h-b',
      world: m.fields,
      actors: [
        { name: 'W', machine: writeback(m), fields: {} },
        { name: 'B', machine: holder, fields: {} },
      ],
      properties: [stablePages(m), noPinAfterNegativeCheck(m), noDmaPinFalseNegative(m)],
    };
    const r = check(sys, { stopAtFirstViolation: false });
    assert.equal(r.verdict, 'violated');
    const byName = new Map(r.violations.map((v) => [v.property, v]));
    assert.equal(byName.get('no pin after a negative pin check')!.trace.steps.length, 5);
    assert.equal(byName.get('stable pages')!.trace.steps.length, 6);
    assert.equal(byName.has('no false negative pin check'), false);
  });

  for (const recheck of [false, true]) {
    it(`GUP-fast against folio_mkclean(): ${recheck ? 'with the PTE re-check stable pages hold' : 'without the re-check a DMA write lands under writeback (7 steps)'}`, () => {
      const m = wbMmu();
      const FLAGS = FOLL_PIN | FOLL_WRITE;
      const pinner = setup({
        types: {
          context: {} as { seen: number },
          events: {} as StepEvent<'readPte' | 'tryGet' | 'completePin' | 'recheck' | 'slow' | 'dma' | 'unpin', MmuWorld>,
        },
        guards: {
          fastOk: ({ event }) => gupFastOutcome(event.world, m, 0, FLAGS) === GUP_OK,
          unchanged: ({ context, event }) => gupFastPteUnchanged(event.world, 0, context.seen),
          slowReady: ({ event }) => gupSlowOutcome(event.world, m, 0, FLAGS) !== GUP_BLOCKED,
        },
        actions: {
          tryGet: ({ event }) => gupFastTryGetFolio(event.world, m, 0),
          completePin: ({ event }) => gupFastCompletePin(event.world, m, 0),
          drop: ({ event }) => unpinUserPage(event.world, m, 0),
          slow: ({ event }) => void gupSlow(event.world, m, 0, FLAGS, -1),
          dma: ({ event }) => dmaWrite(event.world, m, 0),
          unpin: ({ event }) => unpinUserPage(event.world, m, 0),
        },
      }).createMachine({
        id: 'gup-fast-pinner',
        initial: 'READ',
        context: { seen: 0 },
        states: {
          READ: { on: { readPte: [{ guard: 'fastOk', target: 'GRAB', actions: assign({ seen: ({ event }) => event.world.pte[0]! }) }, { target: 'SLOW' }] } },
          GRAB: { on: { tryGet: { target: 'PIN', actions: 'tryGet' } } },
          PIN: { on: { completePin: { target: recheck ? 'RECHECK' : 'PINNED', actions: 'completePin' } } },
          RECHECK: {
            on: {
              recheck: [
                { guard: 'unchanged', target: 'PINNED' },
                { target: 'SLOW', actions: 'drop' },
              ],
            },
          },
          SLOW: { on: { slow: { guard: 'slowReady', target: 'PINNED', actions: 'slow' } }, meta: { waitsFor: 'page_mkwrite: folio lock / stable writeback' } },
          PINNED: { on: { dma: { target: 'UNPIN', actions: 'dma' } } },
          UNPIN: { on: { unpin: { target: 'DONE', actions: 'unpin' } } },
          DONE: { type: 'final' },
        },
      });
      const sys: SystemSpec<MmuWorld> = {
        name: `gup-fast-${recheck ? 'recheck' : 'no-recheck'}`,
        world: m.fields,
        actors: [
          { name: 'W', machine: writeback(m), fields: {} },
          { name: 'P', machine: pinner, fields: { seen: int(0, 2) } },
        ],
        properties: [stablePages(m), noDmaPinFalseNegative(m)],
      };
      const r = check(sys);
      if (recheck) {
        assert.equal(r.verdict, 'holds');
      } else {
        assert.equal(r.verdict, 'violated');
        assert.equal(r.violations[0]!.property, 'stable pages');
        assert.deepEqual(
          r.violations[0]!.trace.steps.map((s) => `${s.actor}:${s.transition}`),
          // The shortest trace with the fewest context switches (2): the pinner reads the PTE and takes its
          // reference before writeback starts, and completes the pin after it.
          ['P:readPte', 'P:tryGet', 'W:lock', 'W:clean', 'W:start', 'P:completePin', 'P:dma'],
        );
      }
    });
  }
});

// -------------------------------------------------------------------------------------------------------

describe('models/properties: mmap_lock discipline and direction', () => {
  for (const buggy of [true, false]) {
    it(`${buggy ? 'unlocking mmap_lock again after VM_FAULT_RETRY is caught' : 'leaving it to the core mm holds'}`, () => {
      const m = defineMmu({ pages: 1, backing: 'file', pageLock: true, mmapLock: { owners: 1 } });
      const fault = setup({
        types: { context: {} as Record<string, never>, events: {} as StepEvent<'lockMm' | 'fault' | 'unlockMm' | 'waitPage', MmuWorld> },
        guards: {
          lockable: ({ event }) => mmapReadLockable(event.world, m),
          done: ({ event }) => handleMmFaultOutcome(event.world, m, 0, FAULT_FLAG_DEFAULT) === FAULT_DONE,
          retry: ({ event }) => handleMmFaultOutcome(event.world, m, 0, FAULT_FLAG_DEFAULT) === FAULT_RETRY,
          notWait: ({ event }) => handleMmFaultOutcome(event.world, m, 0, FAULT_FLAG_DEFAULT) !== FAULT_WAIT,
          unlocked: ({ event }) => !folioLocked(event.world, m, 0),
        },
        actions: {
          lockMm: ({ event }) => mmapReadLock(event.world, m, 0),
          fault: ({ event }) => void handleMmFault(event.world, m, 0, FAULT_FLAG_DEFAULT, 0),
          unlockMm: ({ event }) => mmapReadUnlock(event.world, m, 0),
        },
      }).createMachine({
        id: 'arch-fault',
        initial: 'START',
        context: {},
        states: {
          START: { on: { lockMm: { guard: 'lockable', target: 'FAULT', actions: 'lockMm' } } },
          FAULT: {
            on: {
              fault: [
                { guard: 'done', target: 'UNLOCK', actions: 'fault' },
                { guard: 'retry', target: buggy ? 'UNLOCK' : 'WAITPAGE', actions: 'fault' },
                { guard: 'notWait', target: 'UNLOCK', actions: 'fault' },
              ],
            },
          },
          WAITPAGE: { on: { waitPage: { guard: 'unlocked', target: 'START' } }, meta: { waitsFor: 'the folio lock' } },
          UNLOCK: { on: { unlockMm: { target: 'DONE', actions: 'unlockMm' } } },
          DONE: { type: 'final' },
        },
      });
      const holder = setup({
        types: { context: {} as Record<string, never>, events: {} as StepEvent<'lock' | 'unlock', MmuWorld> },
        guards: { unlocked: ({ event }) => !folioLocked(event.world, m, 0) },
        actions: { lock: ({ event }) => folioLock(event.world, m, 0), unlock: ({ event }) => folioUnlock(event.world, m, 0) },
      }).createMachine({
        id: 'lock-holder',
        initial: 'IDLE',
        context: {},
        states: {
          IDLE: { on: { lock: { guard: 'unlocked', target: 'HELD', actions: 'lock' } } },
          HELD: { on: { unlock: { target: 'DONE', actions: 'unlock' } } },
          DONE: { type: 'final' },
        },
      });
      const r = check({
        name: 'mmap-retry',
        world: m.fields,
        actors: [
          { name: 'T0', machine: fault, fields: {} },
          { name: 'T1', machine: holder, fields: {} },
        ],
        properties: [mmapLockDiscipline(m, ['T0'])],
      } as SystemSpec<MmuWorld>);
      if (buggy) {
        assert.equal(r.verdict, 'violated');
        assert.equal(r.violations[0]!.property, 'mmap_lock discipline');
        assert.deepEqual(
          r.violations[0]!.trace.steps.map((s) => `${s.actor}:${s.transition}`),
          ['T1:lock', 'T0:lockMm', 'T0:fault', 'T0:unlockMm'], // fewest switches: T1 takes its lock first
        );
      } else {
        assert.equal(r.verdict, 'holds');
      }
    });
  }

  it('a misannotated iterator (WRITE used as the destination) trips iterDirection on the first copy', () => {
    const m = defineMmu({ pages: 1, pte: 'PRESENT_RW' });
    const to = defineIovIter(m, 'to', { type: 'UBUF', dir: 'SOURCE', segments: [{ base: 0, len: 2 }] });
    const reader = setup({
      types: { context: {} as Record<string, never>, events: {} as StepEvent<'copy', MmuWorld> },
      actions: { copy: ({ event }) => void copyToIter(event.world, to, 2, 0) },
    }).createMachine({ id: 'reader', initial: 'A', context: {}, states: { A: { on: { copy: { target: 'B', actions: 'copy' } } }, B: { type: 'final' } } });
    const r = check({
      name: 'dir',
      world: { ...m.fields, ...to.fields },
      actors: [{ name: 'T0', machine: reader, fields: {} }],
      properties: [iterDirection(to)],
    } as SystemSpec<MmuWorld>);
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations[0]!.property, 'to direction');
    assert.equal(r.violations[0]!.trace.steps.length, 1);
  });
});
