/**
 * The actors of fault-retry-signal alone on tiny worlds (models/actors/signal.ts, folioLockHolder.ts,
 * uffdHandler.ts, archPageFault.ts): hand-counted state spaces, the kernel's signal predicates, labels,
 * and conformance with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, deadlockFreedom, type SystemSpec } from '../../../checker/index.js';
import {
  archPageFaultActor,
  faultSignalPending,
  fatalSignalPending,
  folioLockHolderActor,
  SIG_FATAL,
  SIG_NONE,
  SIG_NONFATAL,
  sigpendingField,
  signalActor,
  signalPending,
  uffdHandlerActor,
} from '../../../models/actors/index.js';
import { defineMmu } from '../../../models/index.js';
import { assertConformance } from '../../checker/conformance.js';

const counts = (spec: SystemSpec) => {
  const r = check(spec);
  return [r.verdict, r.stats.states, r.stats.transitions];
};

describe('models/actors/signal.ts', () => {
  it('signal_pending(), fatal_signal_pending() and fault_signal_pending() as include/linux/sched/signal.h has them', () => {
    assert.deepEqual([SIG_NONE, SIG_NONFATAL, SIG_FATAL].map(signalPending), [false, true, true]);
    assert.deepEqual([SIG_NONE, SIG_NONFATAL, SIG_FATAL].map(fatalSignalPending), [false, false, true]);
    // Only VM_FAULT_RETRY counts; in kernel mode only a fatal signal; in user mode any signal.
    assert.equal(faultSignalPending(false, SIG_FATAL, false), false);
    assert.equal(faultSignalPending(true, SIG_NONFATAL, false), false);
    assert.equal(faultSignalPending(true, SIG_FATAL, false), true);
    assert.equal(faultSignalPending(true, SIG_NONFATAL, true), true);
  });

  it('alone: one kill() per budget unit, a second SIGKILL is never enabled: 2 states, 1 transition for budgets 1 and 2', () => {
    for (const budget of [1, 2]) {
      const spec: SystemSpec = {
        name: 's',
        world: { T0sig: sigpendingField() },
        actors: [signalActor({ field: 'T0sig', target: 'T0', signal: 'SIGKILL', budget })],
        properties: [],
      };
      assert.deepEqual(counts(spec), ['holds', 2, 1]);
    }
    // SIGUSR1 then SIGKILL upgrades the pending signal; SIGUSR1 after SIGKILL is not enabled: 4 states
    // (none; SIGUSR1; SIGKILL with usr1's budget left; SIGKILL with none left), 3 transitions.
    const two: SystemSpec = {
      name: 's2',
      world: { T0sig: sigpendingField() },
      actors: [
        signalActor({ field: 'T0sig', target: 'T0', signal: 'SIGUSR1', name: 'usr1' }),
        signalActor({ field: 'T0sig', target: 'T0', signal: 'SIGKILL', name: 'kill' }),
      ],
      properties: [],
    };
    assert.deepEqual(counts(two), ['holds', 4, 3]);
    assertConformance(two, { runs: 20, maxSteps: 4 });
  });
});

describe('models/actors/folioLockHolder.ts', () => {
  const m1 = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', pageLock: true });
  const m2 = defineMmu({ pages: 2, unitsPerPage: 1, backing: 'file', pageLock: true });
  const alone = (m: typeof m1, holds: number): SystemSpec => ({
    name: 'h',
    world: m.fields,
    actors: [folioLockHolderActor({ mmu: m, holds })],
    properties: [deadlockFreedom()],
  });

  it('one folio: holds 1 -> idle, holding, done (3 states, 2 transitions); holds 2 -> 5 states, 4 transitions', () => {
    assert.deepEqual(counts(alone(m1, 1)), ['holds', 3, 2]);
    assert.deepEqual(counts(alone(m1, 2)), ['holds', 5, 4]);
  });

  it('two folios, holds 1: it locks either (a choice each), both rounds end in the same state: 4 states, 4 transitions', () => {
    assert.deepEqual(counts(alone(m2, 1)), ['holds', 4, 4]);
    assertConformance(alone(m2, 2), { runs: 30, maxSteps: 8 });
  });

  it('has no fairness unless asked, labels its steps, and rejects a world without folio locks', () => {
    const a = folioLockHolderActor({ mmu: m1 });
    assert.equal(a.fairness, 'none');
    assert.equal(
      a.label!({ context: { held: 0, rounds: 0 }, event: { type: 'folioLock', choice: 0, world: {} } }, undefined),
      'folio_lock(F0): read I/O in flight',
    );
    assert.equal(a.label!({ context: { held: 1, rounds: 1 }, event: { type: 'folioUnlock', choice: 0, world: {} } }, undefined), 'folio_unlock(F0): I/O done');
    assert.throws(() => folioLockHolderActor({ mmu: defineMmu({ pages: 1 }) }), /no folio locks/);
    assert.throws(() => folioLockHolderActor({ mmu: m1, holds: 0 }), /holds must be 1..8/);
  });
});

describe('models/actors/uffdHandler.ts', () => {
  it('two missing uffd pages: resolves them in either order, then finishes: 4 states, 4 transitions; rejects non-uffd pages', () => {
    const m = defineMmu({ pages: 2, unitsPerPage: 1, backing: 'uffd' });
    const spec: SystemSpec = { name: 'u', world: m.fields, actors: [uffdHandlerActor({ mmu: m })], properties: [deadlockFreedom()] };
    assert.deepEqual(counts(spec), ['holds', 4, 4]);
    assertConformance(spec, { runs: 20, maxSteps: 4 });
    assert.throws(() => uffdHandlerActor({ mmu: defineMmu({ pages: 1 }) }), /no userfaultfd pages/);
  });
});

describe('models/actors/archPageFault.ts', () => {
  const alone = (pte: 'ABSENT' | 'PRESENT_RO', fixup: 'return' | 'fixup' = 'fixup', vma: 'RW' | 'NONE' = 'RW'): SystemSpec => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', pageLock: true, pte, vma, staticVma: true, mmapLock: { owners: 1 } });
    return {
      name: 'pf',
      world: { ...m.fields, T0sig: sigpendingField() },
      actors: [archPageFaultActor({ mmu: m, kernelModeSignalFixup: fixup, addr: 0, len: 1, sigField: 'T0sig', mmapOwner: 0 })],
      properties: [deadlockFreedom()],
    };
  };

  it('a present page: copy_from_user() succeeds at once: 2 states, 1 transition', () => {
    assert.deepEqual(counts(alone('PRESENT_RO')), ['holds', 2, 1]);
  });

  it('an absent page, nobody else: #PF, mmap_read_lock, handle_mm_fault() == done, mmap_read_unlock, re-execute: 6 states, 5 transitions', () => {
    for (const fixup of ['return', 'fixup'] as const) assert.deepEqual(counts(alone('ABSENT', fixup)), ['holds', 6, 5]);
  });

  it('no VMA: the VMA check fails (SIGSEGV), mmap_read_unlock(), no_context(), fixup -EFAULT: 6 states, 5 transitions', () => {
    const spec = alone('ABSENT', 'return', 'NONE');
    const r = check(spec);
    assert.deepEqual([r.verdict, r.stats.states, r.stats.transitions], ['holds', 6, 5]);
    assert.equal(r.stats.terminalStates, 1);
    assertConformance(spec, { runs: 10, maxSteps: 10 });
  });

  it('rejects a world without mmap_lock and an empty range', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1 });
    assert.throws(() => archPageFaultActor({ mmu: m, kernelModeSignalFixup: 'fixup', addr: 0, len: 1, sigField: 's', mmapOwner: 0 }), /no mmap_lock/);
    const m2 = defineMmu({ pages: 1, unitsPerPage: 1, mmapLock: { owners: 1 } });
    assert.throws(() => archPageFaultActor({ mmu: m2, kernelModeSignalFixup: 'fixup', addr: 0, len: 0, sigField: 's', mmapOwner: 0 }), /non-empty range/);
  });
});
