/**
 * A worker thread of parallel searches (pool.ts starts it): for each job it builds the system from its
 * module (SystemSource), checks that it is the system the coordinator searches, and then runs the
 * coordinator's commands synchronously - expand a level, store what the others sent, report its bounds,
 * hand over its states - until CMD_EXIT. A failure goes back on the job's port and raises ABORT_ERROR, so the coordinator never waits
 * for a thread that is gone.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { compileSystem, type CompiledSystem, type SystemSpec } from '../../system/system.js';
import { Participant } from './participant.js';
import {
  ABORT,
  ABORT_ERROR,
  CMD,
  CMD_ABSORB,
  CMD_EXIT,
  CMD_EXPAND,
  CMD_PUBLISH,
  CMD_REPORT,
  DONE,
  fingerprint,
  GEN,
  READY,
  type SystemSource,
  type WorkerJob,
  type WorkerReport,
} from './protocol.js';

/** Systems built in this thread, by source: a sweep's points differ only in their arguments. */
const built = new Map<string, CompiledSystem>();

async function build(source: SystemSource): Promise<CompiledSystem> {
  const key = JSON.stringify(source);
  const known = built.get(key);
  if (known) return known;
  const url = isAbsolute(source.module) ? pathToFileURL(source.module).href : source.module;
  const mod = (await import(url)) as Record<string, unknown>;
  const name = source.export ?? 'default';
  const exported = mod[name];
  if (exported === undefined) throw new Error(`module '${source.module}' has no export '${name}'`);
  const made = (typeof exported === 'function' ? await (exported as (args: unknown) => unknown)(source.args) : exported) as SystemSpec | CompiledSystem;
  const system = 'layout' in made ? made : compileSystem(made);
  built.set(key, system);
  return system;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function run(system: CompiledSystem, job: WorkerJob, port: MessagePort, control: Int32Array): void {
  const me = new Participant(system, job.shared, job.thread, job.threads, job.stopAtFirstViolation, job.tableBits, job.eager);
  for (const m of me.engine.onBegin) m.begin!();
  // Commands are numbered from 1: one issued before this thread was ready (the run ended early: CMD_EXIT) is seen at once.
  let gen = 0;
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  for (;;) {
    while (Atomics.load(control, GEN) === gen) Atomics.wait(control, GEN, gen);
    gen = Atomics.load(control, GEN);
    const cmd = Atomics.load(control, CMD);
    if (cmd === CMD_EXIT) return;
    try {
      if (cmd === CMD_EXPAND) me.expandLevel();
      else if (cmd === CMD_ABSORB) me.absorbLevel();
      else if (cmd === CMD_REPORT) me.reportBounds();
      else if (cmd === CMD_PUBLISH) {
        // The search is over: the chunks move to the coordinator (transferred, not copied).
        const records = me.store.records();
        port.postMessage(
          { records } satisfies WorkerReport,
          records.map((r) => r.buffer as ArrayBuffer),
        );
      }
    } catch (e) {
      port.postMessage({ error: `worker ${job.thread}: ${message(e)}` } satisfies WorkerReport);
      Atomics.store(control, ABORT, ABORT_ERROR);
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}

parentPort!.on('message', (m: { job: WorkerJob; port: MessagePort } | { preload: string }) => {
  if ('preload' in m) {
    // Started ahead of its search (pool.ts prewarmWorkers): load the module now; build() meets the same import.
    // A failure here is the job's to report, when build() imports it again.
    import(m.preload).catch(() => undefined);
    return;
  }
  const { job, port } = m;
  const control = new Int32Array(job.shared.control);
  void (async () => {
    let system: CompiledSystem;
    try {
      system = await build(job.source);
      if (fingerprint(system) !== job.fingerprint) {
        throw new Error(`the system built from '${job.source.module}' differs from the one being checked (does the module build it deterministically?)`);
      }
    } catch (e) {
      port.postMessage({ error: `worker ${job.thread} could not build the system: ${message(e)}` } satisfies WorkerReport);
      Atomics.store(control, ABORT, ABORT_ERROR);
      Atomics.add(control, READY, 1);
      Atomics.notify(control, READY);
      port.close();
      return;
    }
    run(system, job, port, control);
    port.close();
  })();
});
