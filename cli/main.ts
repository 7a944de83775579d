/**
 * The `faultline` executable. The CLI runs in a worker thread (cli/worker.ts) so that this thread stays
 * idle and can take Ctrl-C while a long, synchronous check runs: the first Ctrl-C raises the interrupt
 * flag in shared memory, the run stops at its next poll and prints the statistics so far (exit 130); a
 * second Ctrl-C exits at once.
 */
import { Worker } from 'node:worker_threads';
import { EXIT } from './exitCodes.js';
import { startWatchdog } from './watchdog.js';
import { unansweredText } from './unanswered.js';
import type { WorkerData, WorkerMessage } from './worker.js';

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

// The watchdog (watchdog.ts): ends a run that does not stop by itself, with one line of why.
let ended = false;
const watchdog = startWatchdog((why) => {
  if (why.reason === 'interrupted') end(EXIT.INTERRUPTED, why.message);
  else end(EXIT.INCONCLUSIVE, `inconclusive: ${why.message}`);
}, 'Ctrl-C');

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
  watchdog.interrupt();
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
  if ('watch' in m) watchdog.watch(m.watch);
  else if ('unanswered' in m) {
    exited = true;
    process.stderr.write(`faultline: ${unansweredText(m.unanswered)}\n`);
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
  watchdog.stop();
  if (!exited && process.exitCode === undefined) process.exitCode = EXIT.BAD_INPUT;
  if (stdoutError && stdoutError.code !== 'EPIPE' && (process.exitCode ?? 0) === EXIT.OK) {
    if (!stderrBroken) process.stderr.write(`faultline: cannot write the report: ${stdoutError.code ?? stdoutError.message}\n`);
    process.exitCode = EXIT.BAD_INPUT;
  }
});
