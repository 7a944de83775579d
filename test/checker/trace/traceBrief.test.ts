/**
 * The brief (commit-message) style of formatTraceText: golden traces of four scenarios, every line within
 * 72 characters, and the rules behind them - where a label may break, the continuation indent, the column
 * widths, and widening when three or more columns cannot fit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../../checker/index.js';
import { compileSystem } from '../../../checker/system/system.js';
import type { Trace, TraceStep } from '../../../checker/trace/trace.js';
import { BRIEF_WIDTH, breakPieces, briefWidths, formatTraceText, wrapLabel } from '../../../checker/trace/traceText.js';
import { findScenario, resolveParams } from '../../../scenarios/index.js';
import { assertGolden } from '../../golden/golden.js';

/** The brief trace of the first counterexample of ID:VARIANT at its default parameters. */
function brief(id: string, variant?: string): { text: string; trace: Trace } {
  const scenario = findScenario(id)!;
  const system = compileSystem(scenario.build(resolveParams(scenario, {}) as never, (variant ?? scenario.defaultVariant) as never));
  const r = check(system);
  assert.equal(r.verdict, 'violated');
  const trace = r.violations[0]!.trace;
  return { text: formatTraceText(trace, { actors: system.actors.map((a) => a.name), brief: true }) + '\n', trace };
}

function assertFits(text: string): void {
  for (const line of text.split('\n')) assert.ok(line.length <= BRIEF_WIDTH, `${line.length} > 72: '${line}'`);
  assert.ok(!/ $/m.test(text), 'no trailing spaces');
}

function step(actor: string, label: string): TraceStep {
  return { actor, transition: 'go', choice: 0, label, changes: [{ field: `${actor}@state`, from: 'a', to: 'b' }] };
}

describe('formatTraceText, brief style: golden traces', () => {
  it('stable-pages (default, pin-from-ref): three columns in 72', () => {
    const { text } = brief('stable-pages');
    assertFits(text);
    assert.deepEqual(text.split('\n').slice(0, 2), [
      '   writeback                  pinner                DMA',
      '   ---------                  ------                ---',
    ]);
    assertGolden('brief-stable-pages-pin-from-ref.txt', text);
  });

  it('fault-retry-signal:return: a lasso over three actors, the loop marked as in the full trace', () => {
    const { text, trace } = brief('fault-retry-signal', 'return');
    assertFits(text);
    assert.equal(trace.loop, 5);
    assert.match(text, /^ {4}-- loop: steps 6\.\.10 repeat forever --$/m);
    assert.match(text, /^ {4}-- back to step 6 --\n$/m);
    assertGolden('brief-fault-retry-signal-return.txt', text);
  });

  it('gfs2-mmap-deadlock:faults-enabled-abba: the ABBA deadlock of the commit message, in two columns', () => {
    const { text } = brief('gfs2-mmap-deadlock', 'faults-enabled-abba');
    assertFits(text);
    assert.match(text, /^1 {2}gfs2_glock_nq\(F, EX\): granted$/m);
    assertGolden('brief-gfs2-mmap-deadlock-faults-enabled-abba.txt', text);
  });

  it('pipe-atomic:drop-lock-retry: 13 steps (a two-digit gutter)', () => {
    const { text } = brief('pipe-atomic', 'drop-lock-retry');
    assertFits(text);
    assertGolden('brief-pipe-atomic-drop-lock-retry.txt', text);
  });

  it('prints no field changes and no control states, only numbers and labels', () => {
    const { text } = brief('gfs2-mmap-deadlock', 'faults-enabled-abba');
    assert.doesNotMatch(text, /state: |glockFHolders| -> CPU/);
    assert.doesNotMatch(text, /\|/);
  });
});

describe('formatTraceText, brief style: the rules', () => {
  it('actors that never step get no column; the initial-state case is the same as the full trace', () => {
    const trace: Trace = { steps: [step('A', 'a()'), step('C', 'c()')], states: [] };
    assert.equal(formatTraceText(trace, { actors: ['A', 'B', 'C'], brief: true }), '   A    C\n   -    -\n1  a()\n2       c()');
    assert.equal(formatTraceText({ steps: [], states: [] }, { actors: ['A'], brief: true }), '   (no steps: the initial state itself is the counterexample)');
  });

  it('breaks after a space, `; `, `, `, ` -> ` and `(` - not before `->`, not inside an identifier', () => {
    assert.deepEqual(
      breakPieces('a(b, c) -> d; e').map((p) => p.text),
      ['a(', 'b, ', 'c) -> ', 'd; ', 'e'],
    );
    assert.deepEqual(
      breakPieces('f() == 0').map((p) => p.text),
      ['f() ', '== ', '0'],
    );
  });

  it('continuation lines are indented two more spaces; no line passes the width unless one piece does', () => {
    const label = 'handle_mm_fault(p0) -> gfs2_fault(): gfs2_glock_nq(G, SH): queued';
    const lines = wrapLabel(label, 31);
    assert.deepEqual(lines, ['handle_mm_fault(p0) ->', '  gfs2_fault():', '  gfs2_glock_nq(G, SH): queued']);
    for (const l of lines) assert.ok(l.length <= 31);
    // Joined back (continuation indent dropped, a space where a space break was), the label is intact.
    assert.equal(lines.map((l, k) => (k === 0 ? l : l.slice(2))).join(' '), label);
    // A piece wider than the column stays whole.
    assert.deepEqual(wrapLabel('copy_page_from_iter_nofault_with_a_long_name() = 0', 20), ['copy_page_from_iter_nofault_with_a_long_name()', '  = 0']);
  });

  it('column widths: natural when they fit, capped to fit the budget otherwise, floors beat the budget', () => {
    const flat = (): number => 0;
    assert.deepEqual(briefWidths([10, 20], [0, 0], 40, flat), [10, 20]);
    // Capped: the knapsack gives the spare characters where they save lines (here: cost falls with width in column 1 only).
    assert.deepEqual(
      briefWidths([50, 50], [10, 10], 60, (c, w) => (c === 1 ? -w : 0)),
      [10, 50],
    );
    // Floors that do not fit: set at the floors, the line is wider than the budget.
    assert.deepEqual(briefWidths([30, 30, 30], [25, 25, 25], 60, flat), [25, 25, 25]);
  });

  it('three or more columns that cannot fit in 72 widen instead of wrapping a word a line', () => {
    const long = 'a_rather_long_kernel_function_name(page, folio): with some words after it';
    const trace: Trace = { steps: ['A', 'B', 'C', 'D'].map((a) => step(a, long)), states: [] };
    const text = formatTraceText(trace, { actors: ['A', 'B', 'C', 'D'], brief: true });
    const width = Math.max(...text.split('\n').map((l) => l.length));
    assert.ok(width > BRIEF_WIDTH, `wider than 72: ${width}`);
    // Every column is as wide as its longest unbreakable piece, `a_rather_long_kernel_function_name(` (35).
    assert.equal(text.split('\n')[0], `   ${['A', 'B', 'C'].map((a) => a.padEnd(35 + 2)).join('')}D`);
    // The identifier is never cut (a break after its `(` is allowed).
    assert.equal(text.match(/a_rather_long_kernel_function_name\(/g)?.length, 4);
  });
});
