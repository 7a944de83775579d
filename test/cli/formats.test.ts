/**
 * The report formats: the Mermaid sequence diagram of a trace (exact, on a hand-made lasso), the ITF-like
 * JSON trace, JUnit XML (well-formed and escaped, checked by a real XML parser) and the Markdown report,
 * and `check --format markdown|junit|json` end to end on the Peterson examples.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Trace } from '../../checker/index.js';
import { formatTraceMermaid, mermaidText } from '../../checker/trace/traceMermaid.js';
import { toItf } from '../../cli/format/itf.js';
import { junitXml, xmlAttr, xmlText } from '../../cli/format/junit.js';
import { code, fenced } from '../../cli/format/markdown.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-formats-'));
symlinkSync(join(REPO_ROOT, 'examples'), join(scratch, 'examples'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

/** A lasso by hand: CPU0 faults in, reclaim evicts, then CPU0's copy fails and it retries forever. */
const lasso: Trace = {
  steps: [
    {
      actor: 'CPU0',
      transition: 'faultIn',
      choice: 0,
      label: 'fault_in_writeable(p0)',
      changes: [
        { field: 'present[0]', from: '0', to: '1' },
        { field: 'CPU0@state', from: 'FAULT', to: 'COPY' },
      ],
    },
    {
      actor: 'reclaim',
      transition: 'evict',
      choice: 0,
      label: 'evict(p0)',
      changes: [
        { field: 'present[0]', from: '1', to: '0' },
        { field: 'reclaim@budget', from: '1', to: '0' },
      ],
    },
    {
      actor: 'CPU0',
      transition: 'copy',
      choice: 0,
      label: 'copy_to_user_nofault() -> -EFAULT; retry',
      changes: [{ field: 'CPU0@state', from: 'COPY', to: 'FAULT' }],
    },
    { actor: 'CPU0', transition: 'faultIn', choice: 0, label: 'fault_in_writeable(p0)', changes: [{ field: 'CPU0@state', from: 'FAULT', to: 'COPY' }] },
  ],
  loop: 2,
  states: [
    { 'present[0]': '0', 'present[1]': '1', 'CPU0@state': 'FAULT', 'reclaim@state': 'RUN', 'reclaim@budget': '1', 'CPU0.pos': '0' },
    { 'present[0]': '1', 'present[1]': '1', 'CPU0@state': 'COPY', 'reclaim@state': 'RUN', 'reclaim@budget': '1', 'CPU0.pos': '0' },
    { 'present[0]': '0', 'present[1]': '1', 'CPU0@state': 'COPY', 'reclaim@state': 'RUN', 'reclaim@budget': '0', 'CPU0.pos': '0' },
    { 'present[0]': '0', 'present[1]': '1', 'CPU0@state': 'FAULT', 'reclaim@state': 'RUN', 'reclaim@budget': '0', 'CPU0.pos': '0' },
    { 'present[0]': '0', 'present[1]': '1', 'CPU0@state': 'COPY', 'reclaim@state': 'RUN', 'reclaim@budget': '0', 'CPU0.pos': '0' },
  ],
};

describe('Mermaid sequence diagram of a trace', () => {
  it('one participant per actor that steps, a note per step, the cycle in a loop box', () => {
    assert.equal(
      formatTraceMermaid(lasso, { actors: ['CPU0', 'CPU1', 'reclaim'] }),
      [
        'sequenceDiagram',
        '  participant a0 as CPU0',
        '  participant a1 as reclaim',
        '  a0->>a0: 1. fault_in_writeable(p0)',
        '  Note right of a0: present[0]: 0 → 1<br/>state: FAULT → COPY',
        '  a1->>a1: 2. evict(p0)',
        '  Note right of a1: present[0]: 1 → 0<br/>budget: 1 → 0',
        '  loop steps 3..4 repeat forever',
        '    a0->>a0: 3. copy_to_user_nofault() -#gt; -EFAULT#59; retry',
        '    Note right of a0: state: COPY → FAULT',
        '    a0->>a0: 4. fault_in_writeable(p0)',
        '    Note right of a0: state: FAULT → COPY',
        '  end',
      ].join('\n'),
    );
  });

  it('escapes what Mermaid would read as syntax: ; # < > and line breaks', () => {
    assert.equal(mermaidText('a;b #1 <x>\ny'), 'a#59;b #35;1 #lt;x#gt; y');
  });

  it('a safety trace has no loop box, and a model assertion shows in the note', () => {
    const t: Trace = { steps: [{ actor: 'P', transition: 'go', choice: 0, label: 'go', changes: [], error: 'boom' }], states: [{}, {}] };
    assert.equal(formatTraceMermaid(t, { actors: ['P'] }), 'sequenceDiagram\n  participant a0 as P\n  a0->>a0: 1. go\n  Note right of a0: !! boom');
  });
});

describe('ITF-like JSON trace', () => {
  it('vars, one state per distinct state with #meta, arrays grouped, numbers as numbers, and the loop index', () => {
    const itf = toItf(lasso);
    assert.deepEqual(itf.vars, ['present', 'CPU0@state', 'reclaim@state', 'reclaim@budget', 'CPU0.pos']);
    // A lasso's last state equals states[loop], so ITF lists it once: 4 states for 4 steps.
    assert.equal(itf.states.length, 4);
    assert.equal(itf.loop, 2);
    assert.deepEqual(itf.states[2], {
      '#meta': { index: 2 },
      present: [0, 1],
      'CPU0@state': 'COPY',
      'reclaim@state': 'RUN',
      'reclaim@budget': 0,
      'CPU0.pos': 0,
    });
  });

  it('a safety trace keeps every state, the one after the last step included', () => {
    const { loop: _loop, ...safety } = lasso;
    const itf = toItf(safety);
    assert.equal(itf.states.length, 5);
    assert.equal('loop' in itf, false);
  });
});

describe('JUnit XML', () => {
  const nasty = 'a<b>&"c\'\u0001\u0008\u000b\u001f ]]> \ud800 lone, 😀 pair\ttab\nline';

  it('escapes text and attributes and drops characters XML 1.0 cannot carry', () => {
    assert.equal(xmlText('<&>'), '&lt;&amp;&gt;');
    assert.equal(xmlAttr('"\'\n\t'), '&quot;&apos;&#10;&#9;');
    assert.equal(xmlText('x\u0000y\ud800z😀'), 'x\ufffdy\ufffdz😀');
  });

  it('is well-formed whatever the names, messages and traces hold, and parses back to the same text', () => {
    const xml = junitXml(nasty, [
      {
        name: nasty,
        seconds: 1.5,
        properties: { [nasty]: nasty },
        cases: [
          { classname: nasty, name: 'pass', outcome: { kind: 'pass' } },
          { classname: nasty, name: 'out', outcome: { kind: 'pass', output: nasty } },
          { classname: nasty, name: nasty, outcome: { kind: 'failure', type: nasty, message: nasty, body: nasty } },
          { classname: nasty, name: 'skip', outcome: { kind: 'skipped', message: nasty } },
          { classname: nasty, name: 'err', outcome: { kind: 'error', type: 'error', message: nasty } },
        ],
      },
    ]);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, htmlEntities: true, processEntities: true }).parse(xml);
    const suites = doc.testsuites;
    assert.equal(suites.tests, '5');
    assert.equal(suites.failures, '1');
    assert.equal(suites.errors, '1');
    // The junit-10 schema has no `skipped` on <testsuites>: the count is on the suite.
    assert.equal(suites.skipped, undefined);
    assert.equal(suites.testsuite.skipped, '1');
    const cleaned = nasty.replace(/[\u0001\u0008\u000b\u001f]|\ud800/g, '\ufffd');
    const failure = suites.testsuite.testcase[2].failure;
    assert.equal(failure['#text'], cleaned);
    assert.equal(failure.message, cleaned);
  });
});

describe('Markdown helpers', () => {
  it('fences longer than any backtick run inside, inline code that survives backticks', () => {
    assert.equal(fenced('text', 'a ``` b'), '````text\na ``` b\n````');
    assert.equal(fenced('mermaid', 'x\n'), '```mermaid\nx\n```');
    assert.equal(code('a`b'), '`` a`b ``');
  });
});

describe('check --format', () => {
  it('markdown: verdict, property table, the diagram and the text trace', async () => {
    const { code, out, err } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--format', 'markdown']);
    assert.equal(code, 1);
    assert.equal(err, '');
    assert.match(out, /^## `peterson:no-turn`: ❌ violated\n/);
    assert.match(out, /\| mutual exclusion \| invariant \| ❌ violated \|/);
    assert.match(
      out,
      /### invariant `mutual exclusion` violated\n\nP0 and P1 are both in the critical section\n\n```mermaid\nsequenceDiagram\n {2}participant a0 as P0\n {2}participant a1 as P1\n {2}a0->>a0: 1\. await \(!flag\[other\]\)\n/,
    );
    assert.match(out, /```text\n {3}P0 +\| P1\n/);
    assert.doesNotMatch(out, /\bloop\b/);
  });

  it('markdown: a lasso (peterson-unfair) gets its loop box', async () => {
    const { code, out } = await cli(['check', 'examples/peterson.scenario.ts:peterson-unfair', '--format', 'markdown']);
    assert.equal(code, 1);
    assert.match(out, / {2}loop steps \d+\.\.\d+ repeat forever\n/);
    assert.match(out, /\n {2}end\n```/);
  });

  it('junit: one case per property, the trace in the failure, the rest skipped; well-formed', async () => {
    const { code, out } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--format', 'junit']);
    assert.equal(code, 1);
    assert.equal(XMLValidator.validate(out), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(out);
    const cases = doc.testsuites.testsuite.testcase as { name: string; failure?: { '#text': string }; skipped?: unknown }[];
    assert.deepEqual(
      cases.map((c) => c.name),
      ['mutual exclusion', 'deadlock', 'P0 not starved', 'assertion'],
    );
    assert.match(cases[0]!.failure!['#text'], /1 {2}await \(!flag\[other\]\)/);
    assert.match(cases[0]!.failure!['#text'], /Reproduce: faultline check examples\/peterson\.scenario\.ts:no-turn$/);
    assert.ok(cases[1]!.skipped !== undefined && cases[2]!.skipped !== undefined && cases[3]!.skipped !== undefined);
  });

  it('junit: a run that holds passes every property', async () => {
    const { code, out } = await cli(['check', 'examples/peterson.scenario.ts:peterson', '--format', 'junit']);
    assert.equal(code, 0);
    assert.match(out, /<testsuites name="faultline check" tests="4" failures="0" errors="0" time="/);
  });

  it('json: the step list and the ITF-shaped trace side by side', async () => {
    const { code, out } = await cli(['check', 'examples/peterson.scenario.ts:no-turn', '--format', 'json']);
    assert.equal(code, 1);
    const trace = JSON.parse(out).violations[0].trace;
    assert.equal(trace.steps.length, 4);
    assert.deepEqual(trace.itf.vars, ['flag', 'turn', 'P0@state', 'P0.me', 'P1@state', 'P1.me']);
    assert.equal(trace.itf.states.length, 5);
    assert.deepEqual(trace.itf.states[4], {
      '#meta': { index: 4 },
      flag: [1, 1],
      turn: 0,
      'P0@state': 'critical',
      'P0.me': 0,
      'P1@state': 'critical',
      'P1.me': 1,
    });
  });

  it('an unknown format names the valid ones', async () => {
    const { code, err } = await cli(['check', 'examples/peterson.scenario.ts', '--format', 'xml']);
    assert.equal(code, 2);
    assert.equal(err, "faultline: unknown format 'xml' (formats: text, json, markdown, junit)\n");
  });
});
