/**
 * `faultline show`: parameters, variants, properties and each actor's machine as a Mermaid state
 * diagram, generated from the compiled machine with guard names from xstate (named, combinators; none for an inline guard).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { and, not, setup } from 'xstate';
import { compileSystem, int } from '../../checker/index.js';
import { guardName, machineStateDiagram, stateText } from '../../cli/format/stateDiagram.js';
import { runCli } from '../../cli/program.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';
import { scenarios } from '../../scenarios/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-show-'));
symlinkSync(join(REPO_ROOT, 'examples'), join(scratch, 'examples'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('machine state diagrams', () => {
  it('states, the initial arrow, guarded and self transitions, final states, and aliases for awkward names', () => {
    const machine = setup({
      guards: { ready: () => true, busy: () => false },
    }).createMachine({
      id: 'm',
      initial: 'in-flight',
      context: { n: 0 },
      states: {
        'in-flight': {
          on: {
            poll: [{ guard: and(['ready', not('busy')]), target: 'end' }, { guard: ({ context }) => context.n === 0 }, { target: 'in-flight' }],
          },
          meta: { waitsFor: 'the page lock; really' },
        },
        end: { type: 'final' },
      },
    });
    const system = compileSystem({ name: 's', world: {}, actors: [{ name: 'A', machine, fields: { n: int(0, 1) } }], properties: [] });
    assert.equal(
      machineStateDiagram(system.actors[0]!),
      [
        'stateDiagram-v2',
        '  state "in-flight" as s0',
        '  state "end" as s1',
        '  [*] --> s0',
        '  s0 --> s1 : poll [(ready and not busy)]',
        '  s0 --> s0 : poll<br/>poll',
        '  s1 --> [*]',
        '  note right of s0 : waits for the page lock#59; really',
      ].join('\n'),
    );
  });

  it('state diagram text escapes what breaks Mermaid 11 there: ; # < > and also : and --', () => {
    assert.equal(stateText('lock: a --> b; #1'), 'lock#58; a -#45;#gt; b#59; #35;1');
  });

  it('guard names: strings, objects with params, named functions', () => {
    assert.equal(guardName('pagePresent'), 'pagePresent');
    assert.equal(guardName({ type: 'atMost', params: { n: 2 } }), 'atMost');
    assert.equal(
      guardName(function hasRoom() {
        return true;
      }),
      'hasRoom',
    );
  });
});

describe('faultline show', () => {
  it('text: parameters with domains and defaults, variants with expectations, properties, diagrams', async () => {
    const { code, out, err } = await cli(['show', 'retry-ring']);
    assert.equal(code, 0);
    assert.equal(err, '');
    assert.match(out, /^Parameters \(name, default, domain\):\n {2}readers {5}2 {2}1\.\.8 {5}readers \(N\)\n/m);
    assert.match(out, /^ {2}ring \(default\) {2}holds: the model as specified$/m);
    assert.match(out, /^Properties \(ring, default parameters\):\n {2}capacity {3}invariant {2}at most 2 pages present\n/m);
    // The implicit property, as check lists it.
    assert.match(out, /^ {2}assertion {2}assertion {2}no action throws and every field stays inside its domain$/m);
    assert.match(out, /^ {2}reader0, reader1: thread, weak fairness, machine 'retry-ring-reader'; context pos 0\.\.4, retries 0\.\.3, win 1\.\.4$/m);
    assert.ok(
      out.includes(
        [
          '```mermaid',
          'stateDiagram-v2',
          '  [*] --> COPY',
          '  COPY --> DONE : copy [lastPagePresent]',
          '  COPY --> COPY : copy [pagePresent]',
          '  COPY --> FAULT : copy',
          '  FAULT --> ERR : faultIn [outOfRetries]',
          '  FAULT --> COPY : faultIn',
          '  DONE --> [*]',
          '  ERR --> [*]',
          '```',
        ].join('\n'),
      ),
    );
  });

  it('a variant and parameters change the properties shown', async () => {
    const { out } = await cli(['show', 'retry-ring', '--param', 'capacity=3']);
    assert.match(out, /^Properties \(ring, capacity=3\):\n {2}capacity {3}invariant {2}at most 3 pages present$/m);
  });

  it('markdown and json', async () => {
    const md = await cli(['show', 'examples/peterson.scenario.ts', '--format', 'markdown']);
    assert.equal(md.code, 0);
    assert.match(md.out, /^## `peterson`: Peterson's two-process lock/);
    assert.match(md.out, /\| peterson \(default\) \| holds \|/);
    assert.match(md.out, /\*\*P0, P1: thread, weak fairness, machine 'peterson'; context me 0\.\.0\*\*/);
    const js = await cli(['show', 'retry-ring', '--format', 'json']);
    const d = JSON.parse(js.out);
    assert.deepEqual(d.params[0], { name: 'readers', description: 'readers (N)', default: 2, min: 1, max: 8, value: 2 });
    assert.deepEqual(
      d.machines.map((m: { actors: string[] }) => m.actors),
      [['reader0', 'reader1'], ['reclaim']],
    );
  });

  it('bad input: unknown scenario, variant, format', async () => {
    assert.equal(
      (await cli(['show', 'nope'])).err,
      `faultline: unknown scenario 'nope' (scenarios: ${scenarios.map((x) => x.id).join(', ')}; or a path to a .ts/.js scenario file)\n`,
    );
    assert.equal((await cli(['show', 'retry-ring:x'])).err, "faultline: scenario 'retry-ring' has no variant 'x' (variants: ring, progress)\n");
    const f = await cli(['show', 'retry-ring', '--format', 'junit']);
    assert.equal(f.code, 2);
    assert.equal(f.err, "faultline: unknown format 'junit' (formats: text, json, markdown)\n");
  });

  it("--code prints the variant's generated expand() at the parameters given, and nothing else", async () => {
    const r = await cli(['show', 'retry-ring:ring', '--param', 'readers=3', '--code']);
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    assert.match(r.out, /^function anonymous\(S,K,coerce,applyPartial,truth,R,W\n\) \{\n\/\/ The expand function of system 'retry-ring'/);
    assert.ok(r.out.includes("  // actor 2: reader2 (thread, machine 'retry-ring-reader')\n"));
    assert.ok(r.out.includes("  // actor 3: reclaim (environment, machine 'retry-ring-reclaim', budget in S[17] /* reclaim@budget */)\n"));
    assert.ok(r.out.endsWith('//# sourceURL=faultline://retry-ring/expand.js\n}\n'));
    const bad = await cli(['show', 'retry-ring', '--code', '--format', 'json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.err, 'faultline: --code prints JavaScript; it takes no --format json\n');
  });
});
