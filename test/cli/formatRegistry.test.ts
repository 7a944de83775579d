/**
 * The format registry (cli/format/registry.ts): every format registered for a command renders a known
 * result through that command, byte for byte (test/golden/formats/), on the tiny counter fixture; an
 * unknown format is one line naming the accepted ones, exit 2; the help lists them. A format added to
 * the registry without its golden file fails here (UPDATE_GOLDEN=1 writes it; review the diff).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadScenarioFile } from '../../cli/load.js';
import { chooseFormat, formatsFor, OUTPUT_FORMATS, type OutputKind } from '../../cli/format/registry.js';
import { runCli } from '../../cli/program.js';
import { typeChecking } from '../../cli/typecheck.js';
import { GOLDEN_DIR, assertGolden, updating } from '../golden/golden.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const scratch = mkdtempSync(join(tmpdir(), 'faultline-format-registry-'));
symlinkSync(join(REPO_ROOT, 'test/cli/gate-fixtures'), join(scratch, 'fx'), 'dir');
if (updating) mkdirSync(join(GOLDEN_DIR, 'formats'), { recursive: true });
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The fixture is the user's own file: type-checking it is tested elsewhere and costs a second a run. */
async function cli(argv: readonly string[]) {
  const f = fakeIo(scratch);
  const code = await runCli(['--no-typecheck', ...argv], f.io);
  return { code, out: f.out(), err: f.err() };
}

const COUNTER = 'fx/counter.scenario.ts';

/** Every command that prints a report, the output it prints, the command line, and its exit code. */
const CASES: readonly { name: string; output: OutputKind; argv: readonly string[]; exit: number }[] = [
  { name: 'check', output: 'check', argv: ['check', `${COUNTER}:small`, '--trace', 'cex.json'], exit: 1 },
  // Three variants of five mismatch on purpose: every gate status and a counterexample per mismatch.
  { name: 'gate', output: 'gate', argv: ['gate', 'fx'], exit: 1 },
  { name: 'sweep', output: 'sweep', argv: ['sweep', `${COUNTER}:small`, '--param', 'limit=0..3'], exit: 0 },
  { name: 'show', output: 'show', argv: ['show', `${COUNTER}:small`], exit: 0 },
  { name: 'merge-gate', output: 'gate', argv: ['merge', 'gate-1.json', 'gate-2.json'], exit: 1 },
  { name: 'merge-sweep', output: 'sweep', argv: ['merge', 'sweep-1.json', 'sweep-2.json'], exit: 0 },
  { name: 'merge-swarm', output: 'swarm', argv: ['merge', 'swarm-1.json', 'swarm-2.json'], exit: 1 },
];

/** The JSON results of the shards and swarm jobs that `merge` combines. */
before(async () => {
  for (const i of [1, 2]) {
    const jobs: [string, string[]][] = [
      [`gate-${i}.json`, ['gate', 'fx', '--shard', `${i}/2`]],
      [`sweep-${i}.json`, ['sweep', `${COUNTER}:small`, '--param', 'limit=0..3', '--shard', `${i}/2`]],
      [`swarm-${i}.json`, ['check', `${COUNTER}:small`, '--strategy', 'random', '--executions', '5', '--swarm', `${i}/2`, '--no-trace']],
    ];
    for (const [file, argv] of jobs) writeFileSync(join(scratch, file), (await cli([...argv, '--format', 'json'])).out);
  }
});

describe('every registered format of every command renders a known result', () => {
  for (const c of CASES) {
    for (const format of formatsFor(c.output)) {
      it(`${c.name} --format ${format}`, async () => {
        const r = await cli([...c.argv, '--format', format]);
        assert.equal(r.err, '');
        assert.equal(r.code, c.exit);
        assertGolden(`formats/${c.name}.${format}.txt`, r.out);
      });
    }
  }

  it('list (its renderers, on the fixture: the built-in scenarios change as models are added)', async () => {
    typeChecking.enabled = false;
    const counter = await loadScenarioFile(COUNTER, scratch);
    for (const format of formatsFor('list')) assertGolden(`formats/list.${format}.txt`, chooseFormat('list', format).render([counter]));
  });

  it('the cases above print every output every format renders', () => {
    const printed = new Set<string>([...CASES.map((c) => c.output), 'list', 'gateEntry']);
    for (const [name, f] of Object.entries(OUTPUT_FORMATS))
      for (const output of Object.keys(f.render)) assert.ok(printed.has(output), `${name} renders ${output}`);
    // gateEntry is text's streamed line per variant: in gate.text.txt, and nowhere else.
    assert.deepEqual(formatsFor('gateEntry'), ['text']);
  });
});

describe('the choices of --format come from the registry', () => {
  it('per command: check, gate and a merged gate take every format; sweep, swarm and list text and json; show no junit', () => {
    assert.deepEqual(formatsFor('check'), ['text', 'json', 'markdown', 'junit']);
    assert.deepEqual(formatsFor('gate'), ['text', 'json', 'markdown', 'junit']);
    assert.deepEqual(formatsFor('sweep'), ['text', 'json']);
    assert.deepEqual(formatsFor('swarm'), ['text', 'json']);
    assert.deepEqual(formatsFor('show'), ['text', 'json', 'markdown']);
    assert.deepEqual(formatsFor('list'), ['text', 'json']);
  });

  for (const c of CASES) {
    it(`${c.name}: an unknown format is one line naming the accepted ones, exit 2`, async () => {
      const r = await cli([...c.argv, '--format', 'yaml']);
      assert.deepEqual(r, { code: 2, out: '', err: `faultline: unknown format 'yaml' (formats: ${formatsFor(c.output).join(', ')})\n` });
    });
  }

  it("docs/cli.md's table of formats is the registry's", () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/cli.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z]+)` \| [^|]+ \|(.*)\|$/gm)].map((m) => [m[1]!, ...m[2]!.split('|').map((cell) => cell.trim())]);
    const cell = (format: string, outputs: readonly OutputKind[]): string => {
      const taking = outputs.filter((o) => formatsFor(o).includes(format as never));
      return taking.length === outputs.length ? 'yes' : taking.length === 0 ? '-' : taking.map((o) => `a ${o}`).join(' or ');
    };
    const expected = Object.keys(OUTPUT_FORMATS).map((f) => [
      f,
      ...(['check', 'gate', 'sweep', 'show', 'list'] as const).map((o) => cell(f, [o])),
      cell(f, ['gate', 'sweep', 'swarm']),
    ]);
    assert.deepEqual(rows, expected);
  });

  it('list: likewise', async () => {
    assert.deepEqual(await cli(['list', '--format', 'junit']), { code: 2, out: '', err: "faultline: unknown format 'junit' (formats: text, json)\n" });
  });

  it("help lists each accepted format with what it is for (merge's by what is merged)", async () => {
    // Commander wraps the options to 80 columns: compare them with their white space folded.
    const folded = (text: string): string => text.replace(/\s+/g, ' ');
    const check = (await cli(['help', 'check'])).out;
    assert.ok(folded(check).includes('-f, --format <format> output: text, json, markdown, junit (default: "text")'));
    for (const [name, f] of Object.entries(OUTPUT_FORMATS)) assert.ok(check.includes(`\n  ${name.padEnd(8)}  ${f.description}\n`), name);
    const sweep = (await cli(['help', 'sweep'])).out;
    assert.ok(sweep.includes(`Formats (--format):\n  text  ${OUTPUT_FORMATS.text.description}\n  json  ${OUTPUT_FORMATS.json.description}\n`));
    const merge = folded((await cli(['help', 'merge'])).out);
    assert.ok(merge.includes('output: text, json, markdown, junit (a gate); text, json (a sweep or a swarm)'));
  });
});
