/**
 * Provenance on every variant: `list` (text and JSON), `show` (text, Markdown, JSON) and `gate` (text,
 * JSON, Markdown) say whether each variant shipped, is a proposal or is hypothetical; a scenario file
 * whose variant states none is bad input (exit 2, one line), never given a default.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../cli/program.js';
import { scenarios } from '../../scenarios/index.js';
import { REPO_ROOT } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

async function cli(argv: readonly string[]) {
  const f = fakeIo(REPO_ROOT);
  const code = await runCli(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe('provenance', () => {
  it('list --format json: every variant has its provenance with its kind', async () => {
    const { code, out } = await cli(['list', '--format', 'json']);
    assert.equal(code, 0);
    const rows = JSON.parse(out) as { id: string; variants: Record<string, { provenance: { kind: string } }> }[];
    assert.equal(rows.length, scenarios.length);
    for (const r of rows) {
      for (const [name, v] of Object.entries(r.variants)) assert.ok(['shipped', 'proposal', 'hypothetical'].includes(v.provenance.kind), `${r.id}:${name}`);
    }
    const kind = (id: string, v: string) => rows.find((r) => r.id === id)!.variants[v]!.provenance;
    // The review's caveats.
    assert.equal(kind('dio-short-read', 'zero-return').kind, 'hypothetical');
    assert.equal(kind('stable-pages', 'pin-from-ref').kind, 'proposal');
    assert.equal(kind('stable-pages', 'pin-via-fault').kind, 'proposal');
    assert.equal(kind('stable-pages', 'fast-recheck').kind, 'proposal');
    assert.equal(kind('stable-pages', 'fast-no-recheck').kind, 'hypothetical');
    assert.equal(kind('pipe-atomic', 'drop-lock-retry').kind, 'hypothetical');
    assert.equal(kind('fault-in-partial', 'all-or-nothing').kind, 'proposal');
    assert.deepEqual(kind('fault-in-window', 'fixed1'), { kind: 'shipped', versions: 'v5.16 - v5.17', commits: ['00bfe02f4796', 'bb7f5d96aaa8'] });
  });

  it('list, show and gate print it', async () => {
    const list = await cli(['list']);
    assert.match(list.out, /^ {4}:fixed1 .*\n {8}shipped v5\.16 - v5\.17; commits 00bfe02f4796, bb7f5d96aaa8$/m);
    assert.match(list.out, /^ {4}:drop-lock-retry .*\n {8}hypothetical: drop-lock-retry never shipped/m);
    const show = await cli(['show', 'fault-in-partial']);
    assert.match(show.out, /^ {2}all-or-nothing \(default\) .*\n {2}\s+proposal, never merged: Andreas Gruenbacher, "\[PATCH v4 0\/8\]/m);
    const md = await cli(['show', 'fault-in-partial', '--format', 'markdown']);
    assert.match(md.out, /^\| bytes-not-faulted \| holds \| .* \| shipped v5\.16\+ .*; commits bb523b406c84, /m);
    const json = JSON.parse((await cli(['show', 'pipe-atomic', '--format', 'json'])).out) as { variants: { name: string; provenance: { kind: string } }[] };
    assert.equal(json.variants.find((v) => v.name === 'mutex-held')!.provenance.kind, 'shipped');
    const gate = await cli(['gate', '--filter', 'fault-in-window:fixed1']);
    assert.equal(gate.code, 0);
    assert.match(gate.out, /^ok {11}fault-in-window:fixed1 {2}holds \(as expected\) {2}shipped {2}\[/m);
    const gateJson = JSON.parse((await cli(['gate', '--filter', 'pipe-atomic:drop-lock-retry', '--format', 'json'])).out) as {
      entries: { provenance: { kind: string } }[];
    };
    assert.equal(gateJson.entries[0]!.provenance.kind, 'hypothetical');
  });

  it('a scenario file whose variant states no provenance is bad input, not given a default', async () => {
    for (const command of ['check', 'show', 'gate']) {
      const { code, out, err } = await cli([command, 'test/cli/fixtures/no-provenance.scenario.mjs']);
      assert.equal(code, 2, command);
      assert.equal(out, '');
      assert.equal(
        err,
        "faultline: scenario file 'test/cli/fixtures/no-provenance.scenario.mjs': variant 'only': it has no provenance (add provenance: " +
          "{ kind: 'shipped', versions, commits: [...] }, { kind: 'proposal', thread } or { kind: 'hypothetical', why })\n",
      );
    }
  });
});
