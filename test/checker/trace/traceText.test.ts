import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bool, check, invariant } from '../../../checker/index.js';
import { formatTraceText } from '../../../checker/trace/traceText.js';
import { setup } from 'xstate';

describe('formatTraceText', () => {
  it('says so when the initial state itself violates the property (no steps)', () => {
    const machine = setup({}).createMachine({ id: 'idle', initial: 'done', context: {}, states: { done: { type: 'final' } } });
    const r = check({
      name: 'bad-start',
      world: { x: bool(true) },
      actors: [{ name: 'T', machine, fields: {} }],
      properties: [invariant('x clear', (s) => s.world.x === 0)],
    });
    assert.equal(r.verdict, 'violated');
    assert.equal(r.violations[0]!.trace.steps.length, 0);
    assert.equal(formatTraceText(r.violations[0]!.trace, { actors: ['T'] }), '   (no steps: the initial state itself is the counterexample)');
  });
});
