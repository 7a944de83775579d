/**
 * `workers` > 1 (checker/search/parallel/): the parallel search gives the sequential search's result for
 * any number of threads - every built-in variant the same verdict, counts and report, byte for byte apart
 * from the timing and store figures - and refuses what it cannot do with one clear error.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, compileSystem, type CheckOptions, type CheckResult } from '../../checker/index.js';
import { bfs } from '../../checker/search/bfs.js';
import { explore } from '../../checker/search/explore.js';
import { exploreParallel, WorkerError } from '../../checker/search/parallel/coordinator.js';
import { buildSystem, workerSource } from '../../cli/workerSystem.js';
import { resolveScenario } from '../../cli/resolve.js';
import { resolveParams, scenarios } from '../../scenarios/index.js';

const cwd = process.cwd();

/** The JSON of a result without what may differ between runs and stores: timing, memory, the store's bytes, the threads. */
function comparable(r: CheckResult): string {
  const { seconds: _s, peakMemoryBytes: _p, storeBytes: _b, workers: _w, ...stats } = r.stats;
  return JSON.stringify({ ...r, stats });
}

function checkBoth(target: string, params: Record<string, number>, workers: number, options: CheckOptions = {}): [CheckResult, CheckResult] {
  const [id, variant] = target.split(':');
  const scenario = scenarios.find((s) => s.id === id)!;
  const system = resolveScenario(scenario, variant, params).system;
  const sequential = check(system, options);
  const parallel = check(system, { ...options, workers, source: workerSource({ target, params, cwd }) });
  return [sequential, parallel];
}

describe('parallel search', () => {
  for (const s of scenarios) {
    for (const variant of Object.keys(s.variants)) {
      // retry-ring:ring at its defaults is the largest variant (4 CPU s); the tests below check it on 1, 2 and 3 threads.
      if (`${s.id}:${variant}` === 'retry-ring:ring') continue;
      it(`${s.id}:${variant} gives the same result on 2 threads as on one`, () => {
        const [one, two] = checkBoth(`${s.id}:${variant}`, resolveParams(s, {}, variant), 2);
        assert.equal(two.verdict, one.verdict);
        assert.deepEqual(
          [two.stats.states, two.stats.transitions, two.stats.terminalStates, two.stats.depth],
          [one.stats.states, one.stats.transitions, one.stats.terminalStates, one.stats.depth],
        );
        assert.equal(comparable(two), comparable(one));
        assert.ok(two.stats.workers, 'the result says how many threads searched');
      });
    }
  }

  it('retry-ring gives byte-identical JSON on 1, 2 and 3 threads (holds, with a bound measured)', () => {
    const params = { readers: 2, pages: 5, capacity: 2, budget: 2, retries: 2 };
    const [one, two] = checkBoth('retry-ring:ring', params, 2);
    const [, three] = checkBoth('retry-ring:ring', params, 3);
    assert.equal(one.verdict, 'holds');
    assert.equal(comparable(two), comparable(one));
    assert.equal(comparable(three), comparable(one));
    assert.deepEqual(two.stats.workers, { threads: 2 });
    assert.deepEqual(three.stats.workers, { threads: 3 });
  });

  it('a violation found on 3 threads is the sequential counterexample, byte for byte', () => {
    const [one, three] = checkBoth('fork-pin', {}, 3);
    assert.equal(one.verdict, 'violated');
    assert.equal(comparable(three), comparable(one));
    assert.equal(three.stats.workers!.threads, 3);
    assert.match(three.stats.workers!.note!, /something was found .*: the one-thread search ran again to it/);
    const [oneAll, threeAll] = checkBoth('fork-pin', {}, 3, { stopAtFirstViolation: false });
    assert.equal(comparable(threeAll), comparable(oneAll));
  });

  it('a --max-states bound stops where the sequential search stops', () => {
    const params = { readers: 2, pages: 4, capacity: 2, budget: 2, retries: 2 };
    const [one, two] = checkBoth('retry-ring:ring', params, 2, { maxStates: 1000 });
    assert.equal(one.verdict, 'inconclusive');
    assert.equal(comparable(two), comparable(one));
  });

  it('a bound polled during the search stops every thread, inconclusive, with the levels stored', () => {
    // Stopped once 20,000 states are stored, whenever that is: a count of polls depended on the one-thread run
    // before it (77 polls) and on how many the wait for the workers took (none when the pool's are warm).
    let stored = 0;
    const onProgress = (p: { states: number }) => void (stored = p.states);
    const shouldStop = () => (stored > 20_000 ? { reason: 'interrupted' as const, message: 'interrupted (Ctrl-C)' } : null);
    const params = { readers: 3, pages: 4, capacity: 2, budget: 2, retries: 2 };
    const target = 'retry-ring:ring';
    const system = resolveScenario(
      scenarios.find((s) => s.id === 'retry-ring')!,
      'ring',
      params,
    ).system;
    const two = check(system, { shouldStop, onProgress, workers: 2, source: workerSource({ target, params, cwd }) });
    assert.equal(two.verdict, 'inconclusive');
    assert.equal(two.inconclusive!.reason, 'interrupted');
    assert.ok(two.stats.states > 1 && two.stats.states < 317_241, `${two.stats.states} states`);
  });

  /** retry-ring 2,4,2,2,2 searched by explore() on one thread and by exploreParallel() with `parallel`. */
  function searchBoth(parallel: { tableBits?: number; outboxBytes?: number; eager?: boolean; workers?: number }) {
    const target = 'retry-ring:ring';
    const params = { readers: 2, pages: 4, capacity: 2, budget: 2, retries: 2 };
    const system = resolveScenario(
      scenarios.find((s) => s.id === 'retry-ring')!,
      'ring',
      params,
    ).system;
    const options = { strategy: bfs, maxStates: 1e9, stopAtFirstViolation: true, hooks: {} };
    const run = (more: { eager?: boolean } = {}) =>
      exploreParallel(system, options, { workers: 2, source: workerSource({ target, params, cwd }), ...parallel, ...more });
    return { system, one: explore(system, options), two: run(), run };
  }

  /** The words of state `i` of a store of retry-ring's, joined. */
  function key(system: { layout: { words: number } }, store: { read(i: number, into: Uint32Array, at: number): void }, i: number): string {
    const v = new Uint32Array(system.layout.words);
    store.read(i, v, 0);
    return v.join(',');
  }

  it('tables that start tiny and outgoing buffers that grow hold exactly the sequential states, in one fixed order', () => {
    const { system, one, two, run } = searchBoth({ tableBits: 2 });
    // Each thread takes the other's batches before its own: which thread expands which state changes, not the order.
    const again = run({ eager: true });
    assert.equal(two.rerun, undefined);
    assert.deepEqual([two.states, two.transitions, two.terminalStates, two.depth], [one.states, one.transitions, one.terminalStates, one.depth]);
    const sequential = new Set(Array.from({ length: one.states }, (_, i) => key(system, one.store, i)));
    // The sequential search numbers states by level too: each level's states come in one block.
    const levelOf = new Int32Array(two.states);
    for (let i = 0; i < two.states; i++) {
      const k = key(system, two.store, i);
      assert.ok(sequential.delete(k), `state ${i} (${k}) is reachable and stored once`);
      assert.equal(key(system, again.store, i), k, `state ${i} is the same in a second run`);
      if (i === 0) continue;
      const parent = two.store.parent(i);
      assert.ok(parent < i, `state ${i}'s parent ${parent} comes before it`);
      levelOf[i] = levelOf[parent]! + 1;
      assert.ok(levelOf[i]! >= levelOf[i - 1]!, `state ${i} is numbered level by level`);
    }
    assert.equal(sequential.size, 0);
    assert.equal(levelOf[two.states - 1], one.depth);
    assert.ok(two.work!.levels > 0 && two.work!.expanded.total === one.states, 'every state expanded once');
    assert.equal(again.work!.expanded.total, one.states, 'every state expanded once, taken from the back');
  });

  it('three threads number the states the same whichever thread expands which batch', () => {
    const { system, one, two, run } = searchBoth({ workers: 3 });
    // Each thread takes the others' batches before its own.
    const eager = run({ eager: true });
    assert.deepEqual([two.states, eager.states, eager.transitions], [one.states, one.states, one.transitions]);
    for (let i = 0; i < two.states; i++) {
      assert.equal(key(system, eager.store, i), key(system, two.store, i), `state ${i}`);
      if (i > 0) assert.equal(eager.store.parent(i), two.store.parent(i), `state ${i}'s parent`);
    }
  });

  it('outgoing buffers that reach their reserved maximum hand the run to one thread, with the same result', () => {
    const { one, two } = searchBoth({ outboxBytes: 256 });
    assert.equal(two.rerun, 'room');
    assert.deepEqual([two.states, two.transitions, two.depth], [one.states, one.transitions, one.depth]);
  });

  it('progress properties keep to one thread, and the result says why', () => {
    const [one, two] = checkBoth('retry-ring:progress', { readers: 2, pages: 3 }, 2);
    assert.equal(comparable(two), comparable(one));
    assert.equal(two.stats.workers!.threads, 1);
    assert.match(two.stats.workers!.note!, /progress properties are checked on one thread/);
  });

  it('refuses a system object without its module, and strategies and stores it cannot run, with one clear error', async () => {
    const system = await buildSystem({ target: 'retry-ring', params: {}, cwd });
    assert.throws(() => check(system, { workers: 2 }), /workers > 1 need the module that builds the system \(options\.source\)/);
    const source = workerSource({ target: 'retry-ring', params: {}, cwd });
    assert.throws(() => check(system, { workers: 2, source, strategy: 'dfs' }), /workers > 1 run the bfs strategy with the exact store, not the dfs strategy/);
    assert.throws(() => check(system, { workers: 2, source, store: 'compact' }), /not the compact store/);
    assert.throws(() => check(system, { workers: 0 }), /workers must be a whole number from 1 to 256, not 0/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'faultline-parallel-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a module that builds another system, or none, is refused: never a search of the wrong model', () => {
    const s = scenarios.find((x) => x.id === 'retry-ring')!;
    const system = compileSystem(s.build(resolveParams(s, { readers: 2 }), 'ring'));
    const other = workerSource({ target: 'retry-ring', params: { readers: 1 }, cwd });
    assert.throws(
      () => check(system, { workers: 2, source: other }),
      (e: unknown) => {
        assert.ok(e instanceof WorkerError);
        assert.match(e.message, /could not build the system: the system built from .* differs from the one being checked/);
        return true;
      },
    );
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export function build() { throw new Error("no model here"); }\n');
    assert.throws(() => check(system, { workers: 2, source: { module: broken, export: 'build' } }), /worker 1 could not build the system: no model here/);
  });
});
