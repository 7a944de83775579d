/**
 * `faultline gate`: the mechanism on a fixture scenario whose variants are right and wrong on purpose
 * (test/cli/gate-fixtures/counter.scenario.ts), every format, the exit codes (0 / 1 / 3 / 2), and the real
 * registry once (it must pass as it stands).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { runCli } from '../../cli/program.js';
import { compareExpectation, runGate } from '../../scenarios/gate.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';
import fixture from './gate-fixtures/counter.scenario.js';
import type { AnyScenario } from '../../scenarios/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-gate-'));
symlinkSync(join(REPO_ROOT, 'test/cli/gate-fixtures'), join(scratch, 'fixtures'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

const FIXTURE = 'fixtures/counter.scenario.ts';
const counter = fixture as unknown as AnyScenario;

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('gate as data (scenarios/gate.ts)', () => {
  it('every variant in declaration order, with its status', () => {
    const report = runGate([counter]);
    assert.deepEqual(
      report.entries.map((e) => [e.variant, e.status]),
      [
        ['holds', 'as-expected'],
        ['small', 'as-expected'],
        ['wrong-holds', 'mismatch'],
        ['wrong-property', 'mismatch'],
        ['missing', 'mismatch'],
      ],
    );
    assert.deepEqual(report.counts, { 'as-expected': 2, mismatch: 3, inconclusive: 0, error: 0 });
    assert.equal(report.interrupted, false);
    assert.equal(report.entries[3]!.message, "expected: violates 'deadlock'; found: invariant 'x small' violated: x = 2");
    assert.equal(report.entries[4]!.message, "expected: violates 'x small'; found: every property holds");
  });

  it('a bound reached is inconclusive, never a pass', () => {
    const report = runGate([counter], { include: (_s, v) => v === 'holds', options: () => ({ maxStates: 1 }) });
    assert.equal(report.entries[0]!.status, 'inconclusive');
  });

  it('a scenario that does not build is an error entry, not a crash', () => {
    const broken = {
      ...counter,
      id: 'broken',
      build: () => {
        throw new Error('no such actor');
      },
    };
    const report = runGate([broken], { include: (_s, v) => v === 'holds' });
    assert.equal(report.entries[0]!.status, 'error');
    assert.equal(report.entries[0]!.message, 'failed to build: no such actor');
  });

  it('compareExpectation: a violation with no property named matches any property', () => {
    const r = runGate([counter], { include: (_s, v) => v === 'small' }).entries[0]!.run!.result;
    assert.equal(compareExpectation({ verdict: 'violated' }, r).status, 'as-expected');
  });
});

describe('faultline gate', () => {
  it('a folder stands for the scenario files under it; a folder without any is bad input', async () => {
    const byFolder = await cli(['gate', 'fixtures', '--format', 'json']);
    const byFile = await cli(['gate', FIXTURE, '--format', 'json']);
    assert.equal(byFolder.code, 1);
    const runs = (out: string): string[] => JSON.parse(out).entries.map((e: { scenario: string; variant: string }) => `${e.scenario}:${e.variant}`);
    assert.equal(runs(byFolder.out).length, 5);
    assert.deepEqual(runs(byFolder.out), runs(byFile.out));
    mkdirSync(join(scratch, 'empty'), { recursive: true });
    const empty = await cli(['gate', 'empty']);
    assert.equal(empty.code, 2);
    assert.equal(empty.err, "faultline: no scenario files (*.scenario.ts) in the folder 'empty'\n");
  });

  it('exit 1 on any mismatch; text names each run and shows the unexpected trace', async () => {
    const { code, out, err } = await cli(['gate', FIXTURE, '--no-color']);
    assert.equal(code, 1);
    assert.equal(err, '');
    assert.match(out, /^ok {11}counter:holds {2}holds \(as expected\)/m);
    assert.match(out, /^MISMATCH {5}counter:wrong-holds {2}expected: holds; found: invariant 'x small' violated: x = 2/m);
    assert.match(out, /Reproduce: faultline check fixtures\/counter\.scenario\.ts:wrong-holds/);
    assert.match(out, /^gate: 2 as expected, 3 mismatched, 0 inconclusive \(5 runs, /m);
  });

  it('exit 0 when every selected run is as expected (--filter, repeatable and comma-separated)', async () => {
    const { code } = await cli(['gate', FIXTURE, '--filter', 'counter:holds,counter:small']);
    assert.equal(code, 0);
    const again = await cli(['gate', FIXTURE, '--filter', 'counter:holds', '--filter', 'counter:small', '--format', 'json']);
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.out).counts, { 'as-expected': 2, mismatch: 0, inconclusive: 0, error: 0 });
  });

  it('exit 3 when a run is inconclusive and nothing mismatched (--max-states, --timeout)', async () => {
    assert.equal((await cli(['gate', FIXTURE, '--filter', 'counter:holds', '--max-states', '1'])).code, 3);
    // The engine polls the clock every 4,096 states, so the timeout needs a run that long (retry-ring has
    // 6,526 states) and a clock that moves (5 s per reading here).
    let t = 0;
    const f = fakeIo(scratch, { now: () => (t += 5000) });
    assert.equal(await runCli(['gate', '--filter', 'retry-ring:ring', '--timeout', '1'], f.io), 3);
    assert.match(f.out(), /^INCONCLUSIVE retry-ring:ring {2}expected: holds; inconclusive: timeout of 1 s reached/m);
    const m = fakeIo(scratch, { memory: () => 2 ** 30 });
    assert.equal(await runCli(['gate', '--filter', 'retry-ring:ring', '--max-memory', '512'], m.io), 3);
    // A mismatch outranks an inconclusive run.
    assert.equal((await cli(['gate', FIXTURE, '--max-states', '3'])).code, 1);
  });

  it('bad input: an unknown filter names the valid scenarios or variants', async () => {
    const a = await cli(['gate', FIXTURE, '--filter', 'nope']);
    assert.equal(a.code, 2);
    assert.equal(a.err, "faultline: --filter: unknown scenario 'nope' (scenarios: counter)\n");
    const b = await cli(['gate', FIXTURE, '--filter', 'counter:nope']);
    assert.equal(b.err, "faultline: --filter: scenario 'counter' has no variant 'nope' (variants: holds, small, wrong-holds, wrong-property, missing)\n");
    const c = await cli(['gate', '--format', 'yaml']);
    assert.equal(c.err, "faultline: unknown format 'yaml' (formats: text, json, markdown, junit)\n");
  });

  it('junit: one case per scenario × variant × property; expected violations pass, mismatches fail with the trace', async () => {
    const { code, out } = await cli(['gate', FIXTURE, '--format', 'junit']);
    assert.equal(code, 1);
    assert.equal(XMLValidator.validate(out), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'testsuite' }).parse(out);
    const suites = doc.testsuites.testsuite as {
      name: string;
      testcase: { name: string; failure?: { type: string; '#text': string }; skipped?: unknown; 'system-out'?: string }[];
    }[];
    assert.equal(doc.testsuites.tests, '15');
    const outcome = (c: (typeof suites)[number]['testcase'][number]): string =>
      c.failure ? `fail:${c.failure.type}` : c.skipped !== undefined ? 'skip' : 'pass';
    assert.deepEqual(
      suites.map((s) => [s.name, s.testcase.map((c) => `${c.name}=${outcome(c)}`)]),
      [
        ['counter:holds (limit=2)', ['x small=pass', 'deadlock=pass', 'assertion=pass']],
        ['counter:small (limit=2)', ['x small=pass', 'deadlock=skip', 'assertion=skip']],
        ['counter:wrong-holds (limit=2)', ['x small=fail:unexpected-violation', 'deadlock=skip', 'assertion=skip']],
        ['counter:wrong-property (limit=2)', ['x small=fail:unexpected-violation', 'deadlock=fail:missing-violation', 'assertion=skip']],
        ['counter:missing (limit=2)', ['x small=fail:missing-violation', 'deadlock=pass', 'assertion=pass']],
      ],
    );
    assert.match(suites[1]!.testcase[0]!['system-out']!, /expected violation found/);
    assert.match(suites[2]!.testcase[0]!.failure!['#text'], /1 {2}inc\n {5}x: 0 -> 1\n2 {2}inc\n {5}x: 1 -> 2/);
  });

  it('markdown: a summary table, then every counterexample as a diagram and a text trace', async () => {
    const { out } = await cli(['gate', FIXTURE, '--format', 'markdown']);
    assert.match(out, /^## ❌ faultline gate: 2 as expected, 3 mismatched, 0 inconclusive\n/);
    assert.match(out, /\| ✅ \| counter \| holds \| holds \| holds \| 4 \| 0\.00 \|/);
    assert.match(out, /\| ❌ \| counter \| wrong-property \| violates deadlock \| violates x small \| 3 \| 0\.00 \|/);
    assert.equal(out.match(/```mermaid\nsequenceDiagram\n/g)?.length, 3);
    assert.equal(out.match(/<details open>/g)?.length, 2);
    assert.equal(out.match(/<details>/g)?.length, 1);
    assert.match(out, /```text\n {3}T\n-+\n1 {2}inc\n/);
  });

  it('--junit and --summary write the reports beside the stdout format', async () => {
    writeFileSync(join(scratch, 'summary.md'), 'before\n');
    const { code } = await cli(['gate', FIXTURE, '--filter', 'counter:holds', '--junit', 'gate.xml', '--summary', 'summary.md']);
    assert.equal(code, 0);
    assert.equal(XMLValidator.validate(readFileSync(join(scratch, 'gate.xml'), 'utf8')), true);
    assert.match(readFileSync(join(scratch, 'summary.md'), 'utf8'), /^before\n## ✅ faultline gate: 1 as expected/);
  });

  it('the built-in scenarios are all as expected', async () => {
    const { code, out } = await cli(['gate', '--no-color']);
    assert.equal(code, 0, out);
  });
});
