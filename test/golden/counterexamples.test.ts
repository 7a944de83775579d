/**
 * Golden counterexamples: the exact text trace (checker/trace/traceText.ts) of the shortest
 * counterexample of each broken Peterson lock, byte for byte. Rewrite after an intended change with
 * `UPDATE_GOLDEN=1 npm test -- test/golden` and review `git diff test/golden` (see golden.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../checker/index.js';
import { compileSystem } from '../../checker/system/system.js';
import { formatTraceText } from '../../checker/trace/traceText.js';
import { buildLock } from '../../examples/peterson.scenario.js';
import { assertGolden } from './golden.js';

function counterexample(variant: 'no-turn' | 'no-turn-flag-first') {
  const system = compileSystem(buildLock(variant));
  const r = check(system);
  assert.equal(r.verdict, 'violated');
  const v = r.violations[0]!;
  return { v, text: formatTraceText(v.trace, { actors: system.actors.map((a) => a.name) }) + '\n' };
}

describe('golden counterexamples (formatTraceText)', () => {
  it('peterson:no-turn, mutual exclusion: both check the other flag, then both raise theirs', () => {
    const { v, text } = counterexample('no-turn');
    assert.equal(v.property, 'mutual exclusion');
    assert.equal(v.message, 'P0 and P1 are both in the critical section');
    assertGolden('peterson-no-turn.trace.txt', text);
  });

  it('peterson:no-turn-flag-first, deadlock: both raise their flags, then each waits for the other', () => {
    const { v, text } = counterexample('no-turn-flag-first');
    assert.equal(v.property, 'deadlock');
    assert.equal(v.message, "P0 is stuck in 'waiting', waiting for the other flag down; P1 is stuck in 'waiting', waiting for the other flag down");
    assert.deepEqual(v.blocked, [
      { actor: 'P0', state: 'waiting', waitsFor: 'the other flag down' },
      { actor: 'P1', state: 'waiting', waitsFor: 'the other flag down' },
    ]);
    assertGolden('peterson-no-turn-flag-first.trace.txt', text);
  });
});
