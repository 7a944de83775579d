/**
 * pipe-atomic (scenarios/pipe-atomic.ts, pipe write atomicity): the verdict of each variant, exact state and
 * transition counts at the defaults, the golden counterexamples of drop-lock-retry and uffd-resolver-reads-pipe, the shipped forms holding
 * for every parameter in their domains, and conformance of the pipe writer and reader with xstate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, invariant, type SystemSpec } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildPipeAtomic, type PipeAtomicParams, type PipeAtomicVariant } from '../../scenarios/pipe-atomic.js';
import { findScenario, resolveParams } from '../../scenarios/index.js';
import { assertConformance } from '../checker/conformance.js';
import { assertGolden } from '../golden/golden.js';

const scenario = findScenario('pipe-atomic')!;
const DEFAULTS: PipeAtomicParams = { pipeBuf: 2, len: 2, split: 1, munmaps: 0, reader: 0 };
const VARIANTS = ['drop-lock-retry', 'mutex-held', 'mutex-held-slot-first', 'uffd-resolver-reads-pipe'] as const;

function run(spec: SystemSpec) {
  const system = compileSystem(spec);
  return { r: check(system), actors: system.actors.map((a) => a.name) };
}

/** Every parameter combination the domains and `validate` allow. */
function allParams(): PipeAtomicParams[] {
  const out: PipeAtomicParams[] = [];
  for (let pipeBuf = 2; pipeBuf <= 4; pipeBuf++)
    for (let len = 2; len <= pipeBuf; len++)
      for (let split = 1; split < len; split++)
        for (let munmaps = 0; munmaps <= 1; munmaps++) for (let reader = 0; reader <= 1; reader++) out.push({ pipeBuf, len, split, munmaps, reader });
  return out;
}

describe('scenarios/pipe-atomic.ts', () => {
  it('is registered with its defaults, and rejects len > PIPE_BUF, split >= len and values outside the domains', () => {
    assert.deepEqual(resolveParams(scenario, {}), { ...DEFAULTS, writers: 2 });
    assert.throws(() => resolveParams(scenario, { len: '3' }), /len \(3\) cannot exceed PIPE_BUF \(pipeBuf = 2\)/);
    assert.throws(() => resolveParams(scenario, { pipeBuf: '3', len: '3', split: '3' }), /split \(3\) must be below len \(3\)/);
    assert.throws(() => resolveParams(scenario, { munmaps: '2' }), /outside its domain 0..1/);
    assert.throws(() => resolveParams(scenario, { writers: '5' }), /outside its domain 2..4/);
    assert.throws(
      () => resolveParams(scenario, { writers: '3' }, 'uffd-resolver-reads-pipe'),
      /'writers' does not apply to pipe-atomic:uffd-resolver-reads-pipe/,
    );
    assert.equal(allParams().length, 40);
    for (const p of allParams()) assert.doesNotThrow(() => resolveParams(scenario, { ...p }));
  });

  const expected: Record<PipeAtomicVariant, { verdict: string; property?: string; states: number; transitions: number }> = {
    'drop-lock-retry': { verdict: 'violated', property: 'pipe write atomicity', states: 38, transitions: 41 },
    'mutex-held': { verdict: 'holds', states: 21, transitions: 20 },
    'mutex-held-slot-first': { verdict: 'holds', states: 25, transitions: 24 },
    'uffd-resolver-reads-pipe': { verdict: 'violated', property: 'deadlock', states: 7, transitions: 6 },
  };
  for (const variant of VARIANTS) {
    const e = expected[variant];
    it(`${variant}: ${e.verdict}${e.property ? ` (${e.property})` : ''}, ${e.states} states, ${e.transitions} transitions at the defaults`, () => {
      const { r } = run(buildPipeAtomic(DEFAULTS, variant));
      assert.equal(r.verdict, e.verdict);
      assert.equal(r.violations[0]?.property, e.property);
      assert.deepEqual(scenario.variants[variant]!.expected, e.property ? { verdict: e.verdict, property: e.property } : { verdict: e.verdict });
      assert.deepEqual({ states: r.stats.states, transitions: r.stats.transitions }, { states: e.states, transitions: e.transitions });
    });
  }

  it('drop-lock-retry: W0 publishes its resident unit and drops the mutex, W1 writes, W0 publishes the rest after it', () => {
    const { r, actors } = run(buildPipeAtomic(DEFAULTS, 'drop-lock-retry'));
    const v = r.violations[0]!;
    assert.equal(v.message, "W0's write of 2 units (<= PIPE_BUF = 2) returned 2, but another writer's bytes lie between its bytes in the pipe");
    assert.deepEqual(
      v.trace.steps.map((s) => `${s.actor}.${s.transition}`),
      [
        'W0.mutexLock',
        'W0.copyPageFromIterNofault',
        'W0.pipePublish',
        'W0.mutexUnlock',
        'W0.faultInIovIterReadable',
        'W1.mutexLock',
        'W1.copyPageFromIterNofault',
        'W1.pipePublish',
        'W1.mutexUnlock',
        'W0.mutexLock',
        'W0.copyPageFromIterNofault',
        'W0.pipePublish',
        'W0.mutexUnlock',
      ],
    );
    assertGolden('pipe-atomic-drop-lock-retry.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('uffd-resolver-reads-pipe: W0 sleeps in handle_userfault() holding pipe->mutex, R blocks on it', () => {
    const { r, actors } = run(buildPipeAtomic(DEFAULTS, 'uffd-resolver-reads-pipe'));
    const v = r.violations[0]!;
    assert.deepEqual(v.blocked, [
      { actor: 'W0', state: 'userfaultWait', waitsFor: 'UFFDIO_COPY of p1 (holding pipe->mutex)' },
      { actor: 'R', state: 'start', waitsFor: 'pipe->mutex (held by W0)' },
    ]);
    assertGolden('pipe-atomic-uffd-resolver-reads-pipe.txt', formatTraceText(v.trace, { actors }) + '\n');
  });

  it('the shipped forms hold for every budget (munmaps <= 1, reader <= 1) at the defaults, with merges, and at the largest sizes; drop-lock-retry and uffd-resolver-reads-pipe fail there', () => {
    // All 40 combinations hold too (checked by hand with a loop); the test keeps to the budgets' bound
    // at the smallest and the largest PIPE_BUF, every split of the largest write.
    // pipeBuf 4 with len 2 is the size where writes merge into the last buffer (chars = len & (PAGE_SIZE-1)).
    const sizes = [DEFAULTS, { ...DEFAULTS, pipeBuf: 4 }, ...[1, 2, 3].map((split) => ({ ...DEFAULTS, pipeBuf: 4, len: 4, split }))];
    for (const size of sizes) {
      for (let munmaps = 0; munmaps <= 1; munmaps++) {
        for (let reader = 0; reader <= 1; reader++) {
          const p = { ...size, munmaps, reader };
          const tag = JSON.stringify(p);
          assert.equal(run(buildPipeAtomic(p, 'mutex-held')).r.verdict, 'holds', `mutex-held ${tag}`);
          assert.equal(run(buildPipeAtomic(p, 'mutex-held-slot-first')).r.verdict, 'holds', `mutex-held-slot-first ${tag}`);
        }
      }
      const worst = { ...size, munmaps: 1, reader: 1 };
      assert.equal(run(buildPipeAtomic(worst, 'drop-lock-retry')).r.violations[0]?.property, 'pipe write atomicity', JSON.stringify(worst));
      assert.equal(run(buildPipeAtomic(worst, 'uffd-resolver-reads-pipe')).r.violations[0]?.property, 'deadlock', JSON.stringify(worst));
    }
  });

  it('three and four writers (each like W1): the shipped forms hold, drop-lock-retry is violated; two is the default system', () => {
    const counts = (writers: number, variant: PipeAtomicVariant) => {
      const { r } = run(buildPipeAtomic({ ...DEFAULTS, writers }, variant));
      return [r.verdict, r.violations[0]?.property, r.stats.states, r.stats.transitions];
    };
    assert.deepEqual(counts(2, 'mutex-held'), ['holds', undefined, 21, 20]);
    assert.deepEqual(counts(3, 'mutex-held'), ['holds', undefined, 65, 67]);
    assert.deepEqual(counts(3, 'mutex-held-slot-first'), ['holds', undefined, 86, 85]);
    assert.deepEqual(counts(3, 'drop-lock-retry'), ['violated', 'pipe write atomicity', 107, 127]);
    assert.deepEqual(counts(4, 'mutex-held'), ['holds', undefined, 195, 214]);
    assert.deepEqual(counts(4, 'drop-lock-retry'), ['violated', 'pipe write atomicity', 236, 289]);
  });

  it('drop-lock-retry can also return a short count for a write <= PIPE_BUF (munmap after the first piece), which pipe write atomicity accepts', () => {
    const spec = buildPipeAtomic({ ...DEFAULTS, munmaps: 1 }, 'drop-lock-retry');
    const short = invariant('W0 never returns 1', (s) => !(s.actor('W0').final && s.actor('W0').context.ret === 1));
    const r = check({ ...spec, properties: [short] });
    assert.equal(r.verdict, 'violated');
    const held = check({ ...buildPipeAtomic({ ...DEFAULTS, munmaps: 1 }, 'mutex-held'), properties: [short] });
    assert.equal(held.verdict, 'holds', 'the shipped form returns 2 or -EFAULT');
  });

  for (const variant of VARIANTS) {
    it(`${variant}: the writers, the reader and munmap conform to xstate (merging writes and whole-page writes)`, () => {
      assertConformance(buildPipeAtomic({ pipeBuf: 4, len: 2, split: 1, munmaps: 1, reader: 1 }, variant), { runs: 40, maxSteps: 40 });
      assertConformance(buildPipeAtomic({ pipeBuf: 3, len: 3, split: 1, munmaps: 1, reader: 1 }, variant), { runs: 30, maxSteps: 40 });
    });
  }
});
