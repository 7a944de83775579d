/**
 * `faultline sweep`: the grid (order, ranges, lists, fixed values, domain checks, the cap), the table and
 * the JSON, skipped combinations, and the exit codes (0 even with violations, 3 inconclusive, 2 bad input).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { MAX_SWEEP_POINTS, parseSweepGrid } from '../../cli/sweepGrid.js';
import { findScenario } from '../../scenarios/index.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';
import { scenarios } from '../../scenarios/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-sweep-'));
symlinkSync(join(REPO_ROOT, 'test/cli/gate-fixtures'), join(scratch, 'fixtures'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

const COUNTER = 'fixtures/counter.scenario.ts';
const ring = findScenario('retry-ring')!;

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('sweep grid', () => {
  it('the first swept parameter varies slowest; lists are sorted and deduplicated; fixed values stay out', () => {
    const g = parseSweepGrid(ring, ['capacity=1..2', 'readers=1', 'pages=4,3,4']);
    assert.deepEqual(g.fixed, { readers: 1 });
    assert.deepEqual(g.axes, [
      { name: 'capacity', values: [1, 2] },
      { name: 'pages', values: [3, 4] },
    ]);
    assert.deepEqual(g.points, [
      { capacity: 1, pages: 3 },
      { capacity: 1, pages: 4 },
      { capacity: 2, pages: 3 },
      { capacity: 2, pages: 4 },
    ]);
  });

  it('rejects values outside the domain, empty ranges, unknown names, repeats and too many points', () => {
    const bad = (pairs: string[]): string => {
      try {
        parseSweepGrid(ring, pairs);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    assert.equal(bad(['pages=0..3']), "parameter 'pages' = 0 is outside its domain 1..16");
    assert.equal(bad(['pages=3..17']), "parameter 'pages' = 17 is outside its domain 1..16");
    assert.equal(bad(['pages=4..2']), "parameter 'pages': the range 4..2 is empty (write the low end first: 2..4)");
    assert.equal(bad(['pages=a..b']), "parameter 'pages': 'a' is not a whole number (domain 1..16; write pages=A..B, pages=A,B or pages=V)");
    assert.equal(bad(['colour=1..2']), "scenario 'retry-ring' has no parameter 'colour' (parameters: readers, pages, capacity, budget, retries)");
    assert.equal(bad(['pages=1', 'pages=2']), '--param pages is given twice');
    assert.equal(bad(['pages']), "--param expects NAME=A..B, NAME=A,B,C or NAME=VALUE, not 'pages'");
    assert.equal(
      bad(['pages=1..16', 'capacity=1..16']),
      `the sweep has 256 points (pages: 16 × capacity: 16); at most ${MAX_SWEEP_POINTS} are allowed: narrow the ranges or split the sweep`,
    );
  });
});

describe('faultline sweep', () => {
  it('a table of verdict, property, states and seconds per point; violations are results (exit 0)', async () => {
    const { code, out, err } = await cli(['sweep', `${COUNTER}:small`, '--param', 'limit=0..3', '--no-color']);
    assert.equal(code, 0);
    assert.equal(err, '');
    const table = out.replace(/\d+\.\d\d(?= *$)/gm, '#.##').replace(/\(\d+\.\d\d s\)/, '(# s)');
    assert.equal(
      table,
      [
        'counter:small  sweep limit=0..3',
        '',
        'limit  verdict   property  states  seconds',
        '    0  holds                    2     #.##',
        '    1  holds                    3     #.##',
        '    2  violated  x small        3     #.##',
        '    3  violated  x small        3     #.##',
        '',
        '4 points: 2 hold, 2 violated, 0 inconclusive (# s)',
        '',
      ].join('\n'),
    );
  });

  it('json: the axes and one object per point, in order', async () => {
    const { code, out } = await cli(['sweep', `${COUNTER}:small`, '--param', 'limit=1,2', '--format', 'json']);
    assert.equal(code, 0);
    const j = JSON.parse(out);
    assert.equal(j.schema, 'faultline/sweep@1');
    assert.deepEqual(j.axes, [{ name: 'limit', values: [1, 2] }]);
    assert.deepEqual(
      j.points.map((p: { point: object; verdict: string; property?: string; states: number }) => [p.point, p.verdict, p.property, p.states]),
      [
        [{ limit: 1 }, 'holds', undefined, 3],
        [{ limit: 2 }, 'violated', 'x small', 3],
      ],
    );
  });

  it('combinations the scenario rejects are listed as skipped, with its reason', async () => {
    const { code, out } = await cli(['sweep', 'retry-ring', '--param', 'readers=1', '--param', 'pages=2', '--param', 'capacity=1..3', '--no-color']);
    assert.equal(code, 0);
    assert.match(out, /^retry-ring:ring {2}sweep capacity=1\.\.3 {2}\(fixed: readers=1 pages=2 budget=2 retries=2\)$/m);
    assert.match(out, /^ {7}3 {2}skipped {29}capacity \(3\) cannot exceed pages \(2\)$/m);
    // The reason starts after the last column (where an inconclusive point's reason goes), not under 'property'.
    const lines = out.split('\n');
    const head = lines.find((l) => l.startsWith('capacity  verdict'))!;
    assert.equal(lines.find((l) => l.includes('skipped  '))!.indexOf('capacity ('), head.length + 2);
    assert.match(out, /^3 points: 2 hold, 0 violated, 0 inconclusive, 1 skipped/m);
  });

  it('exit 3 when a point is inconclusive (--max-states)', async () => {
    const { code, out } = await cli(['sweep', 'retry-ring', '--param', 'readers=1..2', '--max-states', '100', '--no-color']);
    assert.equal(code, 3);
    assert.match(out, /^ {6}2 {2}inconclusive  +\d[\d,]* +\d+\.\d\d {2}bound of 100 states reached/m);
  });

  it('bad input: one line, exit 2', async () => {
    const cases: [string[], string][] = [
      [['sweep', 'retry-ring', '--param', 'pages=5..3'], "faultline: parameter 'pages': the range 5..3 is empty (write the low end first: 3..5)\n"],
      [['sweep', 'retry-ring:nope', '--param', 'pages=1..2'], "faultline: scenario 'retry-ring' has no variant 'nope' (variants: ring, progress)\n"],
      [['sweep', 'nope'], `faultline: unknown scenario 'nope' (scenarios: ${scenarios.map((x) => x.id).join(', ')}; or a path to a .ts/.js scenario file)\n`],
      [['sweep', 'retry-ring', '--format', 'junit'], "faultline: unknown format 'junit' (formats: text, json)\n"],
      [
        ['sweep', 'retry-ring', '--param', 'pages=1', '--param', 'capacity=2..3'],
        'faultline: every point of the sweep is rejected by the scenario (capacity (2) cannot exceed pages (1))\n',
      ],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await cli(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(err, message);
    }
  });
});
