/**
 * The worker thread of the library's `checkInWorker` (checkInWorker.ts): loads the scenario the caller
 * named (a built-in id or a scenario file, as `faultline check` does), checks one variant within the
 * run's bounds, and posts the result back. The bounds go to the caller's watchdog too (watchdog.ts),
 * which ends this thread if model code never returns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions, CheckResult } from '../checker/index.js';
import { parseTarget } from '../scenarios/index.js';
import { connectInterrupt } from './interrupt.js';
import { processIo, type RunBounds } from './io.js';
import { loading, looksLikeFile } from './load.js';
import { boundedStop } from './options.js';
import { prewarm } from './prewarm.js';
import { resolveTarget } from './resolve.js';
import { typeChecking } from './typecheck.js';
import { unansweredText, watchForNoAnswer } from './unanswered.js';
import { checkOnWorkers, workerSource } from './workerSystem.js';

/** CheckOptions that can cross to a thread: the functions (clock, memory, stop, progress) are the thread's own. */
export type PlainCheckOptions = Omit<CheckOptions, 'now' | 'memory' | 'shouldStop' | 'onProgress'>;

/** What checkInWorker hands the thread: only data crosses (the scenario is loaded here). */
export interface CheckWorkerData {
  readonly target: string;
  readonly cwd: string;
  readonly params: Readonly<Record<string, number>>;
  readonly options: PlainCheckOptions;
  readonly timeout?: number;
  readonly maxMemory?: number;
  readonly typecheck: boolean;
  readonly interrupt: SharedArrayBuffer;
}

/** What the run is, known before it starts (for the result if the watchdog has to end it). */
export interface CheckStarted {
  readonly system: string;
  readonly strategy: string;
  readonly properties: CheckResult['properties'];
}

export type CheckWorkerMessage =
  { readonly watch: RunBounds | null } | { readonly started: CheckStarted } | { readonly result: CheckResult } | { readonly error: string };

const data = workerData as CheckWorkerData;
const post = (m: CheckWorkerMessage): void => parentPort!.postMessage(m);
connectInterrupt(data.interrupt);
const noAnswer = watchForNoAnswer(
  (u) => post({ error: unansweredText(u) }),
  () => loading,
);
// The search's threads load faultline while this one loads (and type-checks) the scenario.
prewarm(data.options.workers ?? 1);
try {
  const io = { ...processIo(), watch: (bounds: RunBounds | null) => post({ watch: bounds }) };
  typeChecking.enabled = data.typecheck;
  const { system } = await resolveTarget(data.target, data.params, data.cwd);
  // Every property, then 'assertion', as a result lists them: none decided yet.
  const properties = [...system.properties, { name: 'assertion', kind: 'assertion' as const }].map((p) => ({
    name: p.name,
    kind: p.kind,
    status: 'unknown' as const,
  }));
  post({ started: { system: system.name, strategy: data.options.strategy ?? 'bfs', properties } });
  // As `faultline check` does: a user's own machines are cross-checked against xstate, and --workers
  // threads build the system from the same target.
  const xstateCheck = data.options.xstateCheck ?? looksLikeFile(parseTarget(data.target).id);
  const source = (data.options.workers ?? 1) > 1 ? { source: workerSource({ target: data.target, params: data.params, cwd: data.cwd }) } : {};
  const limits = { ...(data.timeout === undefined ? {} : { timeout: data.timeout }), ...(data.maxMemory === undefined ? {} : { maxMemory: data.maxMemory }) };
  const shouldStop = boundedStop(limits, io, 'the signal was aborted');
  const result = checkOnWorkers(system, { ...data.options, xstateCheck, ...source, now: io.now, memory: io.memory, shouldStop });
  io.watch(null);
  noAnswer.answered();
  post({ result });
} catch (e) {
  noAnswer.answered();
  post({ error: e instanceof Error ? e.message : String(e) });
}
