/**
 * The `faultline` executable. The CLI runs in a worker thread (cli/worker.ts) so that this thread stays
 * idle and can take Ctrl-C while a long, synchronous check runs: the first Ctrl-C raises the interrupt
 * flag in shared memory, the run stops at its next poll and prints the statistics so far (exit 130); a
 * second Ctrl-C exits at once.
 */
import { Worker } from 'node:worker_threads';
import { EXIT } from './exitCodes.js';
import type { RunBounds } from './io.js';
import type { Unanswered, WorkerData, WorkerMessage } from './worker.js';

const flag = new SharedArrayBuffer(4);
const data: WorkerData = {
  argv: process.argv.slice(2),
  interrupt: flag,
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
};
// Compiled (dist/cli/main.js) the worker is worker.js; run from the TypeScript sources through tsx
// (`npm run faultline`, the tests) it is worker-boot.mjs, which registers tsx in the worker first.
const entry = import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker.js';
const worker = new Worker(new URL(entry, import.meta.url), { workerData: data });

/**
 * The watchdog. A run polls its bounds itself and stops with its statistics; this thread ends a run that
 * does not (model code that loops forever never returns to the checker): once the run has had a second of
 * CPU time past its timeout or after Ctrl-C, or at once when resident memory passes its bound by 8% (so it
 * never passes it by 10%). The grace is counted in CPU time, not wall time: on a loaded machine (or with
 * a slow model) a second of wall time can pass before the search reaches its next poll, and the run would
 * be ended without its report. This thread is idle, so the process's CPU time is the run's. A run that
 * gets no CPU at all (blocked in model code) is ended after GRACE_WALL_MS of wall time.
 */
const GRACE_CPU_US = 1_000_000;
const GRACE_WALL_MS = 60_000;
const MEMORY_SLACK = 1.08;
let watched: { readonly bounds: RunBounds; readonly since: number } | undefined;
let interruptedAt: number | undefined;
/** When the run's time ran out (Ctrl-C or its timeout): the wall clock and the process's CPU time then. */
let overdue: { readonly wall: number; readonly cpu: number } | undefined;
let ended = false;
const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const watchdog = setInterval(() => {
  if (!watched || ended) return;
  const { timeout, maxMemory, bound } = watched.bounds;
  const why = 'and the run did not stop by itself, so it was ended (model code in an endless loop?)';
  const timedOut = timeout !== undefined && Date.now() - watched.since > timeout * 1000;
  if (interruptedAt !== undefined || timedOut) {
    overdue ??= { wall: Date.now(), cpu: cpuMicros() };
    if (cpuMicros() - overdue.cpu > GRACE_CPU_US || Date.now() - overdue.wall > GRACE_WALL_MS) {
      if (interruptedAt !== undefined) end(EXIT.INTERRUPTED, `interrupted (Ctrl-C) ${why}`);
      else end(EXIT.INCONCLUSIVE, `inconclusive: timeout of ${timeout} s reached ${why}`);
      return;
    }
  }
  if (process.memoryUsage.rss() > maxMemory * 1024 * 1024 * MEMORY_SLACK) {
    end(EXIT.INCONCLUSIVE, `inconclusive: ${bound} passed ${why}`);
  }
}, 100);
watchdog.unref();

/** Ends the worker with one line of why. */
function end(code: number, message: string): void {
  ended = true;
  process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}faultline: ${message}\n`);
  process.exitCode = code;
  void worker.terminate();
}

process.on('SIGINT', () => {
  const f = new Int32Array(flag);
  if (Atomics.load(f, 0) !== 0) {
    process.stderr.write('\n');
    process.exit(EXIT.INTERRUPTED);
  }
  Atomics.store(f, 0, 1);
  interruptedAt = Date.now();
});
// Output that cannot be written never changes the verdict: the run goes on and exits with its own code.
// A closed pipe (`faultline replay F | head -1`) drops the rest of the output quietly; any other failure
// (ENOSPC on a full disk ...) means the report is lost, so a run whose code would be 0 exits 2 instead.
let stdoutError: NodeJS.ErrnoException | undefined;
let stderrBroken = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  stdoutError ??= e;
});
process.stderr.on('error', () => {
  stderrBroken = true;
});

let exited = false;
worker.on('message', (m: WorkerMessage) => {
  if (ended) return;
  if ('watch' in m) {
    watched = m.watch ? { bounds: m.watch, since: Date.now() } : undefined;
    // Each run of a gate or sweep has its own timeout; Ctrl-C stays overdue for them all.
    if (interruptedAt === undefined) overdue = undefined;
  } else if ('unanswered' in m) {
    exited = true;
    process.stderr.write(`faultline: ${unanswered(m.unanswered)}\n`);
    process.exitCode = EXIT.BAD_INPUT;
  } else if ('exit' in m) {
    exited = true;
    process.exitCode = m.exit;
  } else if (m.fd === 1) {
    if (!stdoutError) process.stdout.write(m.text);
  } else if (!stderrBroken) {
    process.stderr.write(m.text);
  }
});
worker.on('error', (e) => {
  process.stderr.write(`faultline: internal error: ${e.message} (this is a bug in faultline)\n`);
  process.exitCode = EXIT.BAD_INPUT;
});
worker.on('exit', () => {
  clearInterval(watchdog);
  if (!exited && process.exitCode === undefined) process.exitCode = EXIT.BAD_INPUT;
  if (stdoutError && stdoutError.code !== 'EPIPE' && (process.exitCode ?? 0) === EXIT.OK) {
    if (!stderrBroken) process.stderr.write(`faultline: cannot write the report: ${stdoutError.code ?? stdoutError.message}\n`);
    process.exitCode = EXIT.BAD_INPUT;
  }
});

/** The thread ended without an answer: say what it was doing. */
function unanswered(u: Unanswered): string {
  const how = u.drained ? 'never finished loading (a top-level await that never settles?)' : `called process.exit(${u.code}) while loading`;
  if (u.loading !== undefined) return `scenario file '${u.loading}' ${how}`;
  return u.drained
    ? 'the run ended without an answer: it waits for something that never happens (an await that never settles?)'
    : `the run ended without an answer: model code called process.exit(${u.code})`;
}
