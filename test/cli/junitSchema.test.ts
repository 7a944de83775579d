/**
 * JUnit XML that real consumers accept: every report faultline writes (check and gate; passes, expected
 * violations, failures, skipped properties, a scenario that does not build) is valid against the Jenkins
 * junit-10 XSD, checked with xmllint (libxml2-utils; .ci/run installs it). The schema in
 * test/cli/schemas/junit-10.xsd is written from that schema's published constraints.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gateJunit } from '../../cli/format/junit.js';
import { runCli } from '../../cli/program.js';
import { runGate } from '../../scenarios/gate.js';
import type { AnyScenario } from '../../scenarios/index.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';
import fixture from './gate-fixtures/counter.scenario.js';

const SCHEMA = join(REPO_ROOT, 'test/cli/schemas/junit-10.xsd');
const scratch = mkdtempSync(join(tmpdir(), 'faultline-junit-'));
symlinkSync(join(REPO_ROOT, 'test/cli/gate-fixtures'), join(scratch, 'fixtures'), 'dir');
symlinkSync(join(REPO_ROOT, 'examples'), join(scratch, 'examples'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

/** xmllint's verdict on one document: '' when valid, else its complaints. */
function schemaProblems(xml: string, name: string): string {
  const file = join(scratch, `${name}.xml`);
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--schema', SCHEMA, file], { stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('xmllint is not installed (apt-get install libxml2-utils)', { cause: e });
    return err.stderr?.toString() ?? String(e);
  }
}

async function junitOf(argv: readonly string[]): Promise<string> {
  const f = fakeIo(scratch);
  await runCli([...argv, '--format', 'junit'], f.io);
  assert.equal(f.err(), '');
  return f.out();
}

describe('JUnit against the Jenkins junit-10 schema', () => {
  it('the schema itself rejects what it should: `skipped` on <testsuites>', () => {
    const bad = '<?xml version="1.0"?>\n<testsuites tests="0" skipped="0"></testsuites>\n';
    assert.match(schemaProblems(bad, 'bad'), /skipped/);
  });

  const reports: [string, () => Promise<string>][] = [
    ['check, violated (a failure and skipped properties)', () => junitOf(['check', 'examples/peterson.scenario.ts:no-turn'])],
    ['check, holds', () => junitOf(['check', 'examples/peterson.scenario.ts:peterson'])],
    ['check, inconclusive', () => junitOf(['check', 'examples/peterson.scenario.ts:peterson', '--max-states', '2'])],
    ['gate, as expected and mismatched', () => junitOf(['gate', 'fixtures/counter.scenario.ts'])],
    ['gate, inconclusive', () => junitOf(['gate', 'fixtures/counter.scenario.ts', '--max-states', '1'])],
    [
      'gate, a scenario that does not build',
      () => {
        const broken = {
          ...(fixture as unknown as AnyScenario),
          id: 'broken',
          build: () => {
            throw new Error('no <such> & "thing"');
          },
        };
        return Promise.resolve(gateJunit(runGate([broken as AnyScenario])));
      },
    ],
  ];
  for (const [name, make] of reports) {
    it(name, async () => {
      const xml = await make();
      assert.equal(schemaProblems(xml, name.replace(/\W+/g, '-')), '');
    });
  }
});
