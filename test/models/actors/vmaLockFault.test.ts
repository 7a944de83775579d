/**
 * The per-VMA-lock fault actor (models/actors/vmaLockFault.ts) alone, on one page, against a brute-force
 * reference written from the kernel's rule for who releases the VMA lock: handle_mm_fault() under
 * FAULT_FLAG_VMA_LOCK returns 0 (the arch code calls vma_end_read()), VM_FAULT_RETRY (the core has
 * dropped it from v6.6, 4089eef0e6ac; before, the arch code did) or VM_FAULT_COMPLETED (dropped by
 * fault_dirty_shared_page() -> maybe_unlock_mmap_for_io() -> release_fault_lock(), v6.7 shared faults);
 * the lock must be released exactly once. For every form of the fault path, arch rule, RETRY switch and
 * PTE state: which outcomes are reachable, whether the lock is released twice (VMA lock balance) or kept
 * (a reader left at the end), and whether the fault took the VMA lock at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../../checker/index.js';
import { VMA_FAULT_COMPLETED, VMA_FAULT_DONE, VMA_FAULT_RETRY, vmaLockFaultActor, type VmaLockFaultOptions } from '../../../models/actors/vmaLockFault.js';
import { defineVmaLock, vmaLockBalance, type VmaLockWorld } from '../../../models/mm/vmaLock.js';
import { defineMmu } from '../../../models/mmu/index.js';
import { assertConformance } from '../../checker/conformance.js';

type Form = 'anon' | NonNullable<VmaLockFaultOptions['fileFaults']>;
interface Case {
  form: Form;
  archEndRead: 'always' | 'unless-retry';
  retryDropsVmaLock: boolean;
  retry: boolean;
  present: boolean;
}

// --- the reference -------------------------------------------------------------------------------------
/** The outcomes handle_mm_fault(FAULT_FLAG_VMA_LOCK) can have for a write fault (none: the VMA lock is never taken). */
function refOutcomes(c: Case): readonly number[] {
  if (c.form === 'no-vma-lock') return []; // v6.4 - v6.5: !vma_is_anonymous() -> NULL
  if (c.form === 'anon') return c.retry ? [VMA_FAULT_DONE, VMA_FAULT_RETRY] : [VMA_FAULT_DONE];
  if (c.present) return [VMA_FAULT_DONE]; // spurious: the PTE is already writable
  if (c.form === 'retry') return [VMA_FAULT_RETRY]; // v6.6: do_shared_fault(): vma_end_read(); VM_FAULT_RETRY
  return c.retry ? [VMA_FAULT_DONE, VMA_FAULT_RETRY, VMA_FAULT_COMPLETED] : [VMA_FAULT_DONE, VMA_FAULT_COMPLETED];
}

/** vma_end_read() calls after outcome `f`: by the core or the fault handler, then by the arch code. */
function refReleases(c: Case, f: number): number {
  const core = f === VMA_FAULT_COMPLETED ? 1 : f === VMA_FAULT_RETRY && c.retryDropsVmaLock ? 1 : 0;
  const arch = f === VMA_FAULT_DONE || c.archEndRead === 'always' ? 1 : 0;
  return core + arch;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const form of ['anon', 'no-vma-lock', 'retry', 'vma-lock'] as const)
    for (const archEndRead of ['always', 'unless-retry'] as const)
      for (const retryDropsVmaLock of [false, true])
        for (const retry of [false, true])
          for (const present of [false, true]) {
            // 'retry' and 'vma-lock' are v6.6+, where the core drops the VMA lock on RETRY (the actor refuses the rest).
            if ((form === 'retry' || form === 'vma-lock') && !retryDropsVmaLock) continue;
            out.push({ form, archEndRead, retryDropsVmaLock, retry, present });
          }
  return out;
}

// --- the model -----------------------------------------------------------------------------------------
function system(c: Case, extra: SystemSpec<VmaLockWorld>['properties'] = []): SystemSpec<VmaLockWorld> {
  const m = defineMmu({
    pages: 1,
    unitsPerPage: 1,
    backing: c.form === 'anon' ? 'anon' : 'file',
    pte: c.present ? 'PRESENT_RW' : 'ABSENT',
    mmapLock: { owners: 1 },
  });
  const v = defineVmaLock(m, { faults: 1, writes: 1 });
  const fault = vmaLockFaultActor(v, {
    mmapOwner: 0,
    anonVmaCheck: 'after-lock',
    retryDropsVmaLock: c.retryDropsVmaLock,
    archEndRead: c.archEndRead,
    retry: c.retry,
    ...(c.form === 'anon' ? {} : { fileFaults: c.form }),
  });
  return { name: `fault:${JSON.stringify(c)}`, world: { ...m.fields, ...v.fields }, actors: [fault], properties: extra };
}

const OUTCOMES = [VMA_FAULT_DONE, VMA_FAULT_RETRY, VMA_FAULT_COMPLETED] as const;

/** One exhaustive run per configuration, every property at once: the names of those violated. */
function violated(c: Case): Set<string> {
  const props = [
    ...OUTCOMES.map((f) => invariant<VmaLockWorld>(`reaches ${f}`, (s) => s.actor('CPU0').context.fault !== f)),
    vmaLockBalance(),
    invariant<VmaLockWorld>('leaks a reader', (s) => !s.actor('CPU0').final || s.world.vmaReaders === 0),
    invariant<VmaLockWorld>('takes the VMA lock', (s) => s.world.vmaReaders === 0),
  ];
  const r = check(system(c, props), { stopAtFirstViolation: false });
  return new Set(r.violations.map((v) => v.property));
}

describe('models/actors/vmaLockFault.ts against the VMA lock release rule', () => {
  const all = cases();

  it(`reaches exactly the outcomes the kernel code allows, and releases the VMA lock exactly once or reports the double release or the leaked reader (${all.length} configurations)`, () => {
    const seen = new Set<string>();
    for (const c of all) {
      const got = violated(c);
      for (const g of got) seen.add(g);
      const outcomes = refOutcomes(c);
      const releases = outcomes.map((f) => refReleases(c, f));
      const want = new Set<string>([
        ...outcomes.map((f) => `reaches ${f}`),
        ...(releases.some((n) => n > 1) ? ['VMA lock balance'] : []),
        ...(releases.some((n) => n === 0) ? ['leaks a reader'] : []),
        ...(outcomes.length > 0 ? ['takes the VMA lock'] : []),
      ]);
      assert.deepEqual([...got].sort(), [...want].sort(), JSON.stringify(c));
    }
    // The reference is not trivial: every verdict occurs somewhere.
    assert.deepEqual([...seen].sort(), ['VMA lock balance', 'leaks a reader', 'reaches 1', 'reaches 2', 'reaches 3', 'takes the VMA lock']);
  });

  it('refuses file forms on an anonymous page, a file page without a form, and v6.6+ file forms with the v6.5 RETRY rule', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'file', pte: 'ABSENT', mmapLock: { owners: 1 } });
    const a = defineMmu({ pages: 1, unitsPerPage: 1, backing: 'anon', pte: 'ABSENT', mmapLock: { owners: 1 } });
    const base = { mmapOwner: 0, anonVmaCheck: 'after-lock', retryDropsVmaLock: true, archEndRead: 'unless-retry' } as const;
    assert.throws(() => vmaLockFaultActor(defineVmaLock(m, { faults: 1, writes: 1 }), base), /file-backed, so fileFaults must be/);
    assert.throws(() => vmaLockFaultActor(defineVmaLock(a, { faults: 1, writes: 1 }), { ...base, fileFaults: 'retry' }), /only to a file-backed page 0/);
    assert.throws(() => vmaLockFaultActor(defineVmaLock(m, { faults: 1, writes: 1 }), { ...base, retryDropsVmaLock: false, fileFaults: 'vma-lock' }), /v6.6\+/);
  });

  it('conforms to xstate in the file forms', () => {
    for (const c of all.filter((x) => x.form !== 'anon' && !x.present)) assertConformance(system(c), { runs: 5, maxSteps: 10 });
  });
});
