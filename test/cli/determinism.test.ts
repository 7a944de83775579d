/**
 * Determinism (DESIGN.md "Enabled steps come in a fixed order ... same bytes of JSON output"): two runs
 * of the same check give byte-identical JSON once the two machine-dependent figures, stats.seconds and
 * stats.peakMemoryBytes, are deleted - in-process through runToJson (cli/format/json.ts) with real clock
 * and memory probes, and through the CLI's `--format json`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runToJson } from '../../cli/format/json.js';
import { runCli } from '../../cli/program.js';
import { findScenario, resolveParams, runScenario, type AnyScenario } from '../../scenarios/index.js';
import { REPO_ROOT, allScenarios } from '../scenarios/allScenarios.js';
import { fakeIo } from './fakeIo.js';

const peterson = (await allScenarios()).find((s) => s.target === 'examples/peterson.scenario.ts')!.scenario;
const retryRing = findScenario('retry-ring')!;

/** JSON text without the wall-clock and memory figures. */
function stable(json: unknown): string {
  const copy = structuredClone(json) as { stats: Record<string, unknown> };
  assert.ok('seconds' in copy.stats && 'peakMemoryBytes' in copy.stats);
  delete copy.stats.seconds;
  delete copy.stats.peakMemoryBytes;
  return JSON.stringify(copy, null, 2);
}

const probes = () => ({ now: () => performance.now(), memory: () => process.memoryUsage().rss });

const CASES: readonly (readonly [AnyScenario, string, Record<string, string>, 'bfs' | 'dfs'])[] = [
  [retryRing, 'ring', {}, 'bfs'],
  [retryRing, 'ring', { readers: '2', pages: '5', capacity: '3', budget: '2', retries: '2' }, 'dfs'],
  [peterson, 'no-turn', {}, 'bfs'],
  [peterson, 'no-turn-flag-first', {}, 'dfs'],
];

describe('determinism: same check, same bytes', () => {
  for (const [scenario, variant, params, strategy] of CASES) {
    it(`runToJson: ${scenario.id}:${variant} ${strategy} ${JSON.stringify(params)}`, () => {
      const p = resolveParams(scenario, params);
      const a = runToJson(runScenario(scenario, variant, p, { strategy, ...probes() }));
      const b = runToJson(runScenario(scenario, variant, p, { strategy, ...probes() }));
      assert.equal(stable(a), stable(b));
      // And with every property's first violation collected.
      const c = runToJson(runScenario(scenario, variant, p, { strategy, stopAtFirstViolation: false, ...probes() }));
      const d = runToJson(runScenario(scenario, variant, p, { strategy, stopAtFirstViolation: false, ...probes() }));
      assert.equal(stable(c), stable(d));
    });
  }

  for (const argv of [
    ['check', 'retry-ring', '--format', 'json'],
    ['check', 'examples/peterson.scenario.ts:no-turn', '--format', 'json', '--all'],
    ['check', 'examples/peterson.scenario.ts:no-turn-flag-first', '--format', 'json', '--strategy', 'dfs'],
  ]) {
    it(`the CLI: faultline ${argv.join(' ')}`, async () => {
      const outputs: string[] = [];
      for (let i = 0; i < 2; i++) {
        // A clock that ticks differently in each run, so the runs' seconds differ for sure.
        let t = 0;
        const f = fakeIo(REPO_ROOT, { now: () => (t += 7 + i), memory: () => process.memoryUsage().rss });
        const code = await runCli(argv, f.io);
        assert.ok(code === 0 || code === 1, f.err());
        outputs.push(f.out());
      }
      const [a, b] = outputs.map((o) => JSON.parse(o));
      assert.ok(a.stats.seconds > 0, 'the CLI passes its clock to the checker');
      assert.equal(stable(a), stable(b));
    });
  }

  it('the CLI prints the JSON of the in-process run', async () => {
    const f = fakeIo(REPO_ROOT, probes());
    assert.equal(await runCli(['check', 'examples/peterson.scenario.ts:no-turn', '--format', 'json'], f.io), 1);
    const inProcess = runToJson(runScenario(peterson, 'no-turn', {}, probes()));
    assert.equal(stable(JSON.parse(f.out())), stable(inProcess));
  });
});
