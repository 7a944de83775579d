/**
 * `--reduce none|por|symmetry|all` on check, sweep and gate: the reduction reaches the checker, the
 * report says which one was used and why one was switched off (text line, Markdown, JUnit properties,
 * JSON `reduction`), the default `none` leaves the reports as they were, and a bad value is bad input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

async function cli(argv: readonly string[]) {
  const f = fakeIo(REPO_ROOT);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

const RING = ['retry-ring', '--param', 'readers=3', '--param', 'pages=3'];

describe('--reduce', () => {
  it('check: symmetry stores fewer states, the same verdict, and says so in a line', async () => {
    const none = await cli(['check', ...RING, '--no-color']);
    const sym = await cli(['check', ...RING, '--reduce', 'symmetry', '--no-color']);
    assert.equal(none.code, 0);
    assert.equal(sym.code, 0);
    assert.match(none.out, /^92,370 states, /m);
    assert.doesNotMatch(none.out, /reduction/, 'the default report is unchanged');
    assert.match(sym.out, /^17,146 states, /m);
    assert.match(sym.out, /^reduction: symmetry$/m);
  });

  it('check: a reduction switched off is said with its reason, in text, Markdown, JUnit and JSON', async () => {
    const note = "symmetry off: progress property 'reader0 returns' is judged under per-actor fairness, which the search over representatives does not keep";
    const target = ['check', 'retry-ring:progress', '--param', 'pages=2', '--param', 'capacity=1', '--reduce', 'symmetry', '--no-color'];
    const text = await cli(target);
    assert.equal(text.code, 0);
    assert.ok(text.out.includes(`reduction: none (asked for symmetry); ${note}\n`), text.out);
    const md = await cli([...target, '--format', 'markdown']);
    assert.ok(md.out.includes(`_reduction: none (asked for symmetry); ${note}_`), md.out);
    const junit = await cli([...target, '--format', 'junit']);
    assert.match(junit.out, /<property name="reduction" value="none"\/>/);
    assert.ok(junit.out.includes(`<property name="reduction-note" value="${note.replace(/'/g, '&apos;')}"/>`), junit.out);
    const json = JSON.parse((await cli([...target, '--format', 'json'])).out) as { reduction: unknown };
    assert.deepEqual(json.reduction, { requested: 'symmetry', applied: 'none', notes: [note] });
  });

  it('check: JSON always carries the reduction, none by default; por reaches the checker', async () => {
    const none = JSON.parse((await cli(['check', ...RING, '--format', 'json'])).out) as { reduction: unknown };
    assert.deepEqual(none.reduction, { requested: 'none', applied: 'none', notes: [] });
    // Every retry-ring step touches the shared pages: partial-order reduction finds nothing to reduce and stands down.
    const por = JSON.parse((await cli(['check', ...RING, '--format', 'json', '--reduce', 'por'])).out) as {
      reduction: { requested: string; applied: string; notes: string[] };
    };
    assert.deepEqual([por.reduction.requested, por.reduction.applied], ['por', 'none']);
    assert.match(por.reduction.notes.join('\n'), /^partial-order reduction stood down for this run/);
  });

  it('sweep: each distinct reduction line once under the table, and in every JSON point', async () => {
    const r = await cli([
      'sweep',
      'retry-ring',
      '--param',
      'readers=2..3',
      '--param',
      'pages=2',
      '--param',
      'capacity=1',
      '--reduce',
      'symmetry',
      '--no-color',
    ]);
    assert.equal(r.code, 0);
    assert.equal(r.out.match(/^reduction: symmetry$/gm)?.length, 1, r.out);
    const json = JSON.parse(
      (await cli(['sweep', 'retry-ring', '--param', 'readers=1..2', '--param', 'pages=2', '--param', 'capacity=1', '--reduce', 'symmetry', '--format', 'json']))
        .out,
    ) as { points: { reduction: { applied: string } }[] };
    assert.deepEqual(
      json.points.map((p) => p.reduction.applied),
      ['none', 'symmetry'],
    );
  });

  it('gate: the runs it reduced, and how many of them', async () => {
    const r = await cli(['gate', '--filter', 'retry-ring', '--reduce', 'symmetry', '--no-color']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^ok +retry-ring:ring .*\[[\d,]+ states, \d+\.\d\d s, symmetry\]$/m);
    assert.match(r.out, /^reduction: symmetry asked for, applied in full in 1 of 2 runs \(the notes in --format json say why not in the other 1\)$/m);
  });

  it('a reduction that does not exist is bad input', async () => {
    const r = await cli(['check', 'retry-ring', '--reduce', 'symetry']);
    assert.equal(r.code, 2);
    assert.equal(r.err, "faultline: unknown reduction 'symetry' (reductions: none, por, symmetry, all)\n");
  });
});
