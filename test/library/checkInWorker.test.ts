/**
 * The library's watchdog (issue 14, item 3): `checkInWorker` runs a check in a worker thread and resolves
 * with the same CheckResult as `checkScenario()`; model code that never returns is ended by the
 * executable's own watchdog (cli/watchdog.ts), and the result is inconclusive with the bound named.
 * Nothing here times anything: the endless run's timeout is one second, and the test only asks that it ends.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkInWorker, checkScenario, findScenario, type CheckResult } from '../../index.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '../cli/fixtures');
const ENDLESS = join(FIXTURES, 'endless-guard.scenario.ts');
const untimed = (r: CheckResult) => ({ ...r, stats: { ...r.stats, seconds: 0, peakMemoryBytes: 0 } });

describe('checkInWorker', () => {
  it('resolves with what checkScenario() says: a built-in scenario, the same verdict, counts and trace', async () => {
    const inWorker = await checkInWorker('fault-in-partial:all-or-nothing');
    const here = checkScenario(findScenario('fault-in-partial')!, { variant: 'all-or-nothing' }).result;
    assert.equal(inWorker.verdict, 'violated');
    assert.deepEqual(untimed(inWorker), untimed(here));
  });

  it('a scenario file with parameters and a variant option: a violation with its trace', async () => {
    const r = await checkInWorker(join(FIXTURES, 'counter.scenario.ts'), { params: { n: 4 }, typecheck: false });
    assert.equal(r.verdict, 'violated');
    assert.deepEqual(
      r.violations.map((v) => [v.property, v.trace.steps.length]),
      [['below n', 4]],
    );
  });

  it('a guard in an endless loop: ended by the watchdog, inconclusive with the timeout named', async () => {
    const r = await checkInWorker(ENDLESS, { timeout: 1, typecheck: false });
    assert.equal(r.verdict, 'inconclusive');
    assert.deepEqual(r.inconclusive, {
      reason: 'timeout',
      message: 'timeout of 1 s reached and the run did not stop by itself, so it was ended (model code in an endless loop?)',
    });
    assert.deepEqual(
      { system: r.system, properties: r.properties, states: r.stats.states },
      { system: 'endless-guard', properties: [{ name: 'assertion', kind: 'assertion', status: 'unknown' }], states: 0 },
    );
  });

  it('an abort ends an endless run too, reason interrupted', async () => {
    const abort = new AbortController();
    const run = checkInWorker(ENDLESS, { signal: abort.signal, typecheck: false });
    setTimeout(() => abort.abort(), 200);
    const r = await run;
    assert.equal(r.verdict, 'inconclusive');
    assert.deepEqual(r.inconclusive, {
      reason: 'interrupted',
      message: 'interrupted (the signal was aborted) and the run did not stop by itself, so it was ended (model code in an endless loop?)',
    });
  });

  it('an abort ends a scenario file whose top level never returns, before any run started', async () => {
    const abort = new AbortController();
    const run = checkInWorker(join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures/loops-on-import.scenario.mjs'), {
      signal: abort.signal,
      timeout: 1,
    });
    setTimeout(() => abort.abort(), 200);
    const r = await run;
    assert.deepEqual([r.verdict, r.inconclusive?.reason, r.system], ['inconclusive', 'interrupted', '']);
  });

  it('a memory bound the process is already past: inconclusive, reason memory', async () => {
    const r = await checkInWorker(ENDLESS, { maxMemory: 1, typecheck: false });
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(r.inconclusive?.reason, 'memory');
    assert.match(r.inconclusive?.message ?? '', /^memory limit of 1 MiB (reached|passed)/);
  });

  it('a run that can stop stops by itself at an abort, with what it explored', async () => {
    const abort = new AbortController();
    abort.abort();
    const r = await checkInWorker('retry-ring:ring', { params: { readers: 3, pages: 6 }, signal: abort.signal });
    assert.equal(r.verdict, 'inconclusive');
    assert.deepEqual(r.inconclusive?.reason, 'interrupted');
    assert.match(r.inconclusive?.message ?? '', /^interrupted \(the signal was aborted\)/);
  });

  it('bad input rejects with one clear message', async () => {
    await assert.rejects(checkInWorker('no-such-scenario'), /^Error: unknown scenario 'no-such-scenario'/);
    await assert.rejects(checkInWorker('retry-ring', { variant: 'nope' }), /has no variant 'nope'/);
    await assert.rejects(checkInWorker(join(FIXTURES, 'exits-on-import.scenario.ts'), { typecheck: false }), /called process\.exit\(\d+\) while loading$/);
  });
});
