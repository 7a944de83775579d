/**
 * The `faultline` executable. A command that checks models runs in a worker thread (cli/worker.ts) so that
 * this thread stays idle and can take Ctrl-C while a long, synchronous check runs: the first Ctrl-C raises
 * the interrupt flag in shared memory, the run stops at its next poll and prints the statistics so far
 * (exit 130); a second Ctrl-C exits at once. Help, the version, `list` and `show` run no search and run
 * here, without the worker's start-up.
 */
import { Worker } from 'node:worker_threads';
import { EXIT } from './exitCodes.js';
import type { WorkerData, WorkerMessage } from './worker.js';

const argv = process.argv.slice(2);
const named = argv[0] === 'help' ? 'help' : argv.find((a) => !a.startsWith('-'));
const inThread = named === undefined || ['help', 'list', 'show'].includes(named);

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

function finish(): void {
  if (stdoutError && stdoutError.code !== 'EPIPE' && (process.exitCode ?? 0) === EXIT.OK) {
    if (!stderrBroken) process.stderr.write(`faultline: cannot write the report: ${stdoutError.code ?? stdoutError.message}\n`);
    process.exitCode = EXIT.BAD_INPUT;
  }
}

if (inThread) {
  const { runCli } = await import('./program.js');
  const { processIo } = await import('./io.js');
  const io = processIo();
  process.exitCode = await runCli(argv, {
    ...io,
    stdout: (t) => void (stdoutError ? undefined : process.stdout.write(t)),
    stderr: (t) => void (stderrBroken ? undefined : process.stderr.write(t)),
  });
  // Let the last write settle (or fail) before judging it.
  await new Promise<void>((settled) => process.stdout.write('', () => settled()));
  finish();
} else {
  runInWorker();
}

function runInWorker(): void {
  const flag = new SharedArrayBuffer(4);
  const data: WorkerData = {
    argv,
    interrupt: flag,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
  };
  // Compiled (dist/cli/main.js) the worker is worker.js; run from the TypeScript sources through tsx
  // (`npm run faultline`, the tests) it is worker-boot.mjs, which registers tsx in the worker first.
  const entry = import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker.js';
  const worker = new Worker(new URL(entry, import.meta.url), { workerData: data });

  process.on('SIGINT', () => {
    const f = new Int32Array(flag);
    if (Atomics.load(f, 0) !== 0) {
      process.stderr.write('\n');
      process.exit(EXIT.INTERRUPTED);
    }
    Atomics.store(f, 0, 1);
  });

  let exited = false;
  worker.on('message', (m: WorkerMessage) => {
    if ('exit' in m) {
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
    if (!exited && process.exitCode === undefined) process.exitCode = EXIT.BAD_INPUT;
    finish();
  });
}
