/**
 * The library's watchdog: `checkInWorker(target, options)` checks a scenario (a built-in id or a scenario
 * file, `ID[:VARIANT]` as `faultline check TARGET` takes it) in a worker thread and resolves with its
 * CheckResult, the same as `checkScenario()` in this thread gives. The run stops itself at its bounds
 * (`timeout`, `maxMemory`, an aborted `signal`) as the CLI's does; model code that never returns (an
 * endless loop in a guard) cannot, so this thread ends it with the executable's own watchdog
 * (watchdog.ts): after a second of CPU time past the timeout or the abort, or when memory passes its
 * bound by 8%. The result is then `inconclusive` with reason `timeout`, `memory` or `interrupted`, as a
 * bound reached always is. Bad input (an unknown scenario, variant or parameter, a scenario file that
 * fails to load) rejects with the CLI's one line.
 */
import { Worker } from 'node:worker_threads';
import { CHECK_OPTIONS, shapeProblem, shown, type CheckResult, type InconclusiveResult, type Shape } from '../checker/index.js';
import { parseTarget } from '../scenarios/index.js';
import type { CheckStarted, CheckWorkerData, CheckWorkerMessage, PlainCheckOptions } from './checkWorker.js';
import { runBounds } from './options.js';
import { startWatchdog, type Overdue } from './watchdog.js';

export interface WorkerCheckOptions extends PlainCheckOptions {
  /** The variant (default: the `:VARIANT` of the target, else the scenario's default). */
  readonly variant?: string;
  /** Parameter values (defaults for the rest). */
  readonly params?: Readonly<Record<string, number>>;
  /** Seconds: the run stops inconclusive (reason `timeout`); one that cannot stop is ended a CPU second later. Default: none. */
  readonly timeout?: number;
  /** MiB of the process's resident memory (default: 80% of the machine's, as the CLI's). */
  readonly maxMemory?: number;
  /** Aborting stops the run (reason `interrupted`); one that cannot stop is ended a CPU second later. */
  readonly signal?: AbortSignal;
  /** Where a relative scenario file path starts (default: process.cwd()). */
  readonly cwd?: string;
  /** Type-check a .ts scenario file before checking it, as the CLI does (default true). */
  readonly typecheck?: boolean;
}

/**
 * Every key checkInWorker() takes: check()'s but its functions (the thread has its own clock, memory
 * probe, stop and progress hook), and the worker's own. The record of `params` is the scenario's, checked
 * by name when it loads; the values of check()'s keys are checked in the thread, as check() checks them.
 */
const { now: _now, memory: _memory, shouldStop: _shouldStop, onProgress: _onProgress, ...PLAIN_CHECK_OPTIONS } = CHECK_OPTIONS;
const WORKER_CHECK_OPTIONS: Shape<WorkerCheckOptions> = {
  ...PLAIN_CHECK_OPTIONS,
  variant: 'string',
  params: 'object',
  timeout: 'number',
  maxMemory: 'number',
  signal: 'checked',
  cwd: 'string',
  typecheck: 'boolean',
};

/** What is wrong with checkInWorker()'s options, or null: an unknown key, a value of the wrong type, a bound that is not positive. */
function workerOptionsProblem(options: WorkerCheckOptions): string | null {
  const what = 'checkInWorker() options';
  const functions = ['now', 'memory', 'shouldStop', 'onProgress'].filter((k) => Object.hasOwn(options ?? {}, k));
  if (functions.length) {
    return `${what}: ${functions.join(', ')} cannot cross to the worker thread, which has its own (bound the run with timeout, maxMemory or signal)`;
  }
  const problem = shapeProblem(options, WORKER_CHECK_OPTIONS, what);
  if (problem) return problem;
  for (const k of ['timeout', 'maxMemory'] as const) {
    const v = options[k];
    if (v !== undefined && !(v > 0)) return `${what}: ${k} must be a number above 0, not ${shown(v)}`;
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) return `${what}: signal must be an AbortSignal, not ${shown(options.signal)}`;
  return null;
}

/** Checks a scenario in a worker thread, ended by a watchdog if its model code never returns. Options that are not its own reject with a RangeError. */
export function checkInWorker(target: string, options: WorkerCheckOptions = {}): Promise<CheckResult> {
  const problem = workerOptionsProblem(options);
  if (problem) return Promise.reject(new RangeError(problem));
  const { variant, params, timeout, maxMemory, signal, cwd, typecheck, ...checkOptions } = options;
  const interrupt = new SharedArrayBuffer(4);
  const data: CheckWorkerData = {
    target: variant === undefined ? target : `${parseTarget(target).id}:${variant}`,
    cwd: cwd ?? process.cwd(),
    params: params ?? {},
    options: checkOptions,
    ...(timeout === undefined ? {} : { timeout }),
    ...(maxMemory === undefined ? {} : { maxMemory }),
    typecheck: typecheck ?? true,
    interrupt,
  };
  // Compiled (dist/cli/checkInWorker.js) the thread runs checkWorker.js; from the TypeScript sources
  // (through tsx) it runs checkWorker-boot.mjs, which registers tsx in the thread first.
  const entry = import.meta.url.endsWith('.ts') ? './checkWorker-boot.mjs' : './checkWorker.js';
  return new Promise((resolve, reject) => {
    // None of the caller's node options (--import, --input-type, -e ...): the thread registers what it
    // needs itself, and V8's (the heap size) are the process's anyway.
    const worker = new Worker(new URL(entry, import.meta.url), { workerData: data, execArgv: [] });
    let started: CheckStarted | undefined;
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      watchdog.stop();
      signal?.removeEventListener('abort', abort);
      f();
    };
    const watchdog = startWatchdog((why) => {
      settle(() => resolve(ended(started, checkOptions.strategy, why)));
      void worker.terminate();
    }, 'the signal was aborted');
    const abort = (): void => {
      Atomics.store(new Int32Array(interrupt), 0, 1);
      watchdog.interrupt();
    };
    // While the thread loads the scenario (a type-check can take seconds) only an abort or the memory
    // bound ends it; the run's own bounds, its timeout with them, come when it starts.
    watchdog.watch(runBounds({ ...(maxMemory === undefined ? {} : { maxMemory }) }));
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort);
    worker.on('message', (m: CheckWorkerMessage) => {
      if ('watch' in m) watchdog.watch(m.watch);
      else if ('started' in m) started = m.started;
      else if ('result' in m) settle(() => resolve(m.result));
      else settle(() => reject(new Error(m.error)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the check's worker thread ended without an answer (exit code ${code})`))));
  });
}

/** The result of a run the watchdog ended: inconclusive, nothing decided, no statistics it could report. */
function ended(started: CheckStarted | undefined, strategy: string | undefined, why: Overdue): InconclusiveResult {
  return {
    verdict: 'inconclusive',
    inconclusive: { reason: why.reason, message: why.message },
    system: started?.system ?? '',
    strategy: started?.strategy ?? strategy ?? 'bfs',
    violations: [],
    properties: started?.properties ?? [],
    bounds: [],
    stats: { states: 0, transitions: 0, terminalStates: 0, depth: 0, stateBits: 0, stateWords: 0, storeBytes: 0, seconds: 0, peakMemoryBytes: 0 },
  };
}
