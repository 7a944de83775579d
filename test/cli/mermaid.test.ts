/**
 * Every Mermaid block faultline emits goes through Mermaid's own parser (test/cli/mermaidParser.ts): the
 * state diagrams of `show` for every shipped scenario keep every transition (transitions that share source
 * and target are one edge with a label line each, since Mermaid's layout keeps one edge per pair), survive
 * state names that are Mermaid keywords, and the sequence diagrams of Markdown reports keep every step,
 * including a counterexample with no steps at all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setup } from 'xstate';
import { check, compileSystem, int, invariant } from '../../checker/index.js';
import { formatTraceMermaid } from '../../checker/trace/traceMermaid.js';
import { violationMarkdown } from '../../cli/format/markdown.js';
import { machineStateDiagram } from '../../cli/format/stateDiagram.js';
import { runCli } from '../../cli/program.js';
import { resolveScenario } from '../../cli/resolve.js';
import { allScenarios, REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';
import { mermaidBlocks, parseSequenceDiagram, parseStateDiagram } from './mermaidParser.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-mermaid-'));
symlinkSync(join(REPO_ROOT, 'examples'), join(scratch, 'examples'), 'dir');
symlinkSync(join(REPO_ROOT, 'test/cli/gate-fixtures'), join(scratch, 'fixtures'), 'dir');
after(() => rmSync(scratch, { recursive: true, force: true }));

async function markdownOf(argv: readonly string[]): Promise<string> {
  const f = fakeIo(scratch);
  await runCli([...argv, '--format', 'markdown'], f.io);
  assert.equal(f.err(), '');
  return f.out();
}

type Actor = ReturnType<typeof compileSystem>['actors'][number];

/** What the diagram must show of one actor: each (from, to) pair with its transitions' event names. */
function expectedEdges(actor: Actor): Map<string, string[]> {
  const m = actor.machine;
  const edges = new Map<string, string[]>();
  m.states.forEach((s, i) => {
    for (const e of s.events)
      for (const t of e.transitions) {
        const key = `${s.name} -> ${m.states[t.target < 0 ? i : t.target]!.name}`;
        edges.set(key, [...(edges.get(key) ?? []), e.type]);
      }
  });
  return edges;
}

/** The diagram as Mermaid read it, in the same shape, by state name (final and initial arrows left out). */
async function parsedEdges(diagram: string): Promise<Map<string, string[]>> {
  const d = await parseStateDiagram(diagram);
  const edges = new Map<string, string[]>();
  for (const r of d.relations) {
    if (r.from === 'root_start' || r.to === 'root_end') continue;
    const key = `${d.states.get(r.from)} -> ${d.states.get(r.to)}`;
    assert.ok(!edges.has(key), `two edges ${key}: Mermaid draws only one`);
    // Each line is `event` or `event [guard]`.
    edges.set(
      key,
      r.label.split('<br>').map((l) => l.replace(/ \[.*\]$/, '')),
    );
  }
  return edges;
}

describe('state diagrams through Mermaid', () => {
  it('every actor of every shipped scenario: parses, and every transition is on its edge', async () => {
    let machines = 0;
    for (const { scenario } of await allScenarios()) {
      const { system } = resolveScenario(scenario, undefined, {});
      for (const actor of system.actors) {
        const diagram = machineStateDiagram(actor);
        const got = await parsedEdges(diagram).catch((e: Error) => assert.fail(`${scenario.id} ${actor.name}: ${e.message}\n${diagram}`));
        assert.deepEqual(got, expectedEdges(actor), `${scenario.id} ${actor.name}`);
        machines++;
      }
    }
    assert.ok(machines > 20);
  });

  it('dio-short-read keeps its three self-loops on iter', async () => {
    const { system } = resolveScenario((await allScenarios()).find((s) => s.scenario.id === 'dio-short-read')!.scenario, undefined, {});
    const d = await parseStateDiagram(machineStateDiagram(system.actors[0]!));
    const loop = d.relations.find((r) => r.from === 'iter' && r.to === 'iter');
    assert.deepEqual(loop?.label.split('<br>'), ['bioIovIterGetPages [gupTakes]', 'iovIterZero [copies]', 'copyToIter [copies]']);
  });

  it('state names that are Mermaid keywords are aliased, and shown as they are', async () => {
    const names = ['default', 'click', 'scale', 'accTitle', 'accDescr', 'stateDiagram', 'state', 'note', 'end', 'Default', 'direction', 'clicked'];
    const states = Object.fromEntries(names.map((n, i) => [n, { on: { go: { target: names[(i + 1) % names.length]! } } }]));
    const machine = setup({}).createMachine({ id: 'keywords', initial: 'default', states });
    const system = compileSystem({ name: 'k', world: {}, actors: [{ name: 'A', machine, fields: {} }], properties: [] });
    const diagram = machineStateDiagram(system.actors[0]!);
    const d = await parseStateDiagram(diagram);
    assert.deepEqual(
      [...d.states.entries()].filter(([id]) => !id.startsWith('root_')).map(([, text]) => text),
      names,
    );
    assert.deepEqual(await parsedEdges(diagram), expectedEdges(system.actors[0]!));
    // A name that only starts with a keyword stays a plain id.
    assert.match(diagram, /^ {2}clicked --> s0 : go$/m);
  });

  it('show --format markdown: every block parses', async () => {
    const blocks = mermaidBlocks(await markdownOf(['show', 'dio-short-read']));
    assert.ok(blocks.length >= 1);
    for (const b of blocks) await parseStateDiagram(b);
  });
});

describe('sequence diagrams through Mermaid', () => {
  it('check --format markdown: a trace, a lasso and a spin keep every step as a message', async () => {
    for (const target of ['examples/peterson.scenario.ts:no-turn', 'examples/backoff.scenario.ts:polite', 'examples/retry.scenario.ts:adversary']) {
      const md = await markdownOf(['check', target]);
      const [block] = mermaidBlocks(md);
      const d = await parseSequenceDiagram(block!);
      const steps = d.messages.filter((m) => !m.note);
      const listed = [...md.matchAll(/^ *(\d+) /gm)].length;
      assert.ok(steps.length > 0 && steps.length === listed, `${target}: ${steps.length} messages, ${listed} steps in the text trace`);
      steps.forEach((m, i) => assert.match(m.text, new RegExp(`^${i + 1}\\. `)));
    }
  });

  it('gate --format markdown: every counterexample block parses', async () => {
    const blocks = mermaidBlocks(await markdownOf(['gate', 'fixtures/counter.scenario.ts']));
    assert.equal(blocks.length, 3);
    for (const b of blocks) await parseSequenceDiagram(b);
  });

  it('every counterexample of every shipped scenario: one message per step of its text trace', async () => {
    let diagrams = 0;
    for (const argv of [['gate'], ['gate', 'examples']]) {
      const md = await markdownOf([...argv, '--quiet']);
      // Each counterexample is a mermaid block followed by its text trace block.
      for (const m of md.matchAll(/^```mermaid\n([\s\S]*?)\n```\n\n```text\n([\s\S]*?)\n```$/gm)) {
        const d = await parseSequenceDiagram(m[1]!);
        const steps = d.messages.filter((x) => !x.note).length;
        const listed = [...m[2]!.matchAll(/^ {0,2}\d+ /gm)].length;
        assert.equal(steps, listed, m[1]);
        diagrams++;
      }
    }
    assert.ok(diagrams >= 20, `${diagrams} diagrams`);
  });

  it('awkward actor names and labels', async () => {
    const trace = {
      steps: [{ actor: 'end; #1 <b>', transition: 'x', choice: 0, label: 'lock: a --> b; end #2', changes: [{ field: 'f', from: '0', to: '1' }] }],
      states: [{ f: '0' }, { f: '1' }],
    };
    const d = await parseSequenceDiagram(formatTraceMermaid(trace, { actors: [] }));
    assert.deepEqual([...d.participants.values()], ['end; #1 <b>']);
    assert.deepEqual(
      d.messages.map((m) => m.text),
      ['1. lock: a --> b; end #2', 'f: 0 → 1'],
    );
  });

  it('a violation in the initial state: a note that says so and shows that state', async () => {
    const machine = setup({}).createMachine({ id: 'idle', initial: 'idle', states: { idle: {} } });
    const system = compileSystem({
      name: 'bad-start',
      world: { x: int(0, 3) },
      actors: [{ name: 'T', machine, fields: {} }],
      properties: [invariant<{ x: number }>('x positive', (s) => s.world.x > 0)],
    });
    const v = check(system).violations[0]!;
    assert.equal(v.trace.steps.length, 0);
    const [block] = mermaidBlocks(violationMarkdown(v, system));
    const d = await parseSequenceDiagram(block!);
    assert.deepEqual([...d.participants.values()], ['initial state']);
    assert.equal(d.messages.length, 1);
    assert.equal(d.messages[0]!.text, 'no steps: the initial state itself is the counterexample<br/>x = 0<br/>T@state = idle');
  });
});
