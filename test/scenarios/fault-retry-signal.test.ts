/**
 * fault-retry-signal (scenarios/fault-retry-signal.ts): the verdict of each variant,
 * the exact state and transition counts at the defaults, the golden lassos of the two violated variants,
 * the fixed handler over every parameter up to the declared bound, why the lock holder has no fairness,
 * the userfaultfd form of the lock holder, and conformance of every actor with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { defineMmu } from '../../models/mmu/index.js';
import { archPageFaultActor, killability, sigpendingField, signalActor, uffdHandlerActor } from '../../models/actors/index.js';
import { mmapLockDiscipline } from '../../models/properties/index.js';
import { buildFaultRetrySignal, type FaultRetrySignalVariant } from '../../scenarios/fault-retry-signal.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('fault-retry-signal')!;
const DEFAULTS = { pages: 1, holds: 1 };

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  const r = check(system);
  return { r, actors: system.actors.map((a) => a.name) };
}

describe('scenarios/fault-retry-signal.ts', () => {
  it('is registered with the defaults pages=1 holds=1 and rejects values outside the domains', () => {
    assert.ok(scenario);
    assert.deepEqual(resolveParams(scenario, {}), DEFAULTS);
    assert.throws(() => resolveParams(scenario, { pages: '9' }), /outside its domain 1..8/);
    assert.throws(() => resolveParams(scenario, { holds: '0' }), /outside its domain 1..6/);
  });

  const expected: Record<FaultRetrySignalVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    return: { verdict: 'violated', property: 'killability', states: 55, transitions: 102 },
    fixup: { verdict: 'holds', states: 53, transitions: 97 },
    'uffd-nonfatal': { verdict: 'violated', property: 'no busy retry', states: 35, transitions: 59 },
  };
  for (const [variant, e] of Object.entries(expected) as [FaultRetrySignalVariant, (typeof expected)[FaultRetrySignalVariant]][]) {
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildFaultRetrySignal(DEFAULTS, variant));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.equal(scenario.variants[variant]!.expected.verdict, e.verdict);
      assert.equal(scenario.variants[variant]!.expected.property, e.property);
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('return: the killability lasso - T1 locks F0, SIGKILL is posted, then #PF, mmap_read_lock, killable sleep, -EINTR / return / #PF forever', () => {
    const { r, actors } = run(buildFaultRetrySignal(DEFAULTS, 'return'));
    const v = r.violations[0]!;
    assert.equal(v.kind, 'progress');
    assert.equal(v.trace.loop, 5);
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      [
        'T1.folioLock',
        'signal.sendSignal',
        'T0.rawCopyFromUser',
        'T0.mmapReadLock',
        'T0.handleMmFault',
        'T0.folioLockKillable',
        'T0.faultSignalPending',
        'T0.rawCopyFromUser',
        'T0.mmapReadLock',
        'T0.handleMmFault',
      ],
    );
    assertGolden('fault-retry-signal-return.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('uffd-nonfatal: the lasso - SIGUSR1 makes the interruptible uffd sleep a no-op, RETRY -> TRIED -> retry forever', () => {
    const { r, actors } = run(buildFaultRetrySignal(DEFAULTS, 'uffd-nonfatal'));
    const v = r.violations[0]!;
    assert.deepEqual(
      v.trace.steps.slice(v.trace.loop).map((s) => s.transition),
      ['mmapReadLock', 'handleMmFault', 'handleUserfault', 'retryFault'],
    );
    assertGolden('fault-retry-signal-uffd-nonfatal.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('fixup holds, and the mmap_lock discipline with it, for every pages <= 3 and holds <= 3 (T1 never fair)', () => {
    for (let pages = 1; pages <= 3; pages++) {
      for (let holds = 1; holds <= 3; holds++) {
        const { r } = run(buildFaultRetrySignal({ pages, holds }, 'fixup'));
        assert.equal(r.verdict, 'holds', `pages=${pages} holds=${holds}`);
      }
    }
  });

  it('return is violated for every pages <= 3 and holds <= 3, and never breaks the mmap_lock discipline', () => {
    for (let pages = 1; pages <= 3; pages++) {
      for (let holds = 1; holds <= 3; holds++) {
        const system = compileSystem(buildFaultRetrySignal({ pages, holds }, 'return'));
        const r = check(system, { stopAtFirstViolation: false });
        assert.equal(r.verdict, 'violated', `pages=${pages} holds=${holds}`);
        assert.deepEqual([...new Set(r.violations.map((v) => v.property))], ['killability'], `pages=${pages} holds=${holds}`);
      }
    }
  });

  it('uffd-nonfatal breaks nothing but "no busy retry" for every pages <= 3 (mmap_lock discipline, no deadlock)', () => {
    for (let pages = 1; pages <= 3; pages++) {
      const r = check(compileSystem(buildFaultRetrySignal({ pages, holds: 1 }, 'uffd-nonfatal')), { stopAtFirstViolation: false });
      assert.deepEqual([...new Set(r.violations.map((v) => v.property))], ['no busy retry'], `pages=${pages}`);
    }
  });

  it('with weak fairness on the lock holder the buggy handler does get out: killability needs T1 to have no fairness', () => {
    const spec = buildFaultRetrySignal(DEFAULTS, 'return');
    const fair = { ...spec, actors: spec.actors.map((a) => (a.name === 'T1' ? { ...a, fairness: 'weak' as const } : a)) };
    assert.equal(check(fair).verdict, 'holds');
  });

  it('the other lock holder, a userfaultfd handler that never responds: SIGKILL escapes with fixup, not with return', () => {
    const m = defineMmu({ pages: 1, unitsPerPage: 1, staticVma: true, backing: 'uffd', mmapLock: { owners: 1 } });
    const build = (fixup: 'return' | 'fixup'): SystemSpec => ({
      name: `uffd-sigkill-${fixup}`,
      world: { ...m.fields, T0sig: sigpendingField() },
      actors: [
        archPageFaultActor({ mmu: m, kernelModeSignalFixup: fixup, addr: 0, len: 1, sigField: 'T0sig', mmapOwner: 0 }),
        uffdHandlerActor({ mmu: m, name: 'T1' }),
        signalActor({ field: 'T0sig', target: 'T0', signal: 'SIGKILL' }),
      ],
      properties: [killability({ actor: 'T0', field: 'T0sig' }), mmapLockDiscipline(m, ['T0'])],
    });
    const bad = check(build('return'));
    assert.equal(bad.verdict, 'violated');
    assert.equal(bad.violations[0]!.property, 'killability');
    assert.equal(check(build('fixup')).verdict, 'holds');
  });

  for (const variant of ['return', 'fixup', 'uffd-nonfatal'] as const) {
    it(`${variant}: every actor conforms to xstate (pages=2, holds=2)`, () => {
      assertConformance(buildFaultRetrySignal({ pages: 2, holds: 2 }, variant), { runs: 60, maxSteps: 30 });
    });
  }
});
