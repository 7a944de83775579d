/**
 * The CLI inside the executable's worker thread (see main.ts): runs `runCli` with an IO whose output
 * goes back to the main thread as messages, in order, and whose terminal facts are the main thread's.
 * A run's bounds go to the main thread's watchdog too, and so does the reason if the thread ends
 * without an answer (a scenario file that calls process.exit() or never finishes loading).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connectInterrupt } from './interrupt.js';
import type { RunBounds } from './io.js';
import { prewarmFor } from './prewarm.js';
import { watchForNoAnswer, type Unanswered } from './unanswered.js';

export interface WorkerData {
  readonly argv: readonly string[];
  readonly interrupt: SharedArrayBuffer;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly columns?: number;
}

export type WorkerMessage =
  { readonly fd: 1 | 2; readonly text: string } | { readonly exit: number } | { readonly watch: RunBounds | null } | { readonly unanswered: Unanswered };

const data = workerData as WorkerData;
const port = parentPort!;
connectInterrupt(data.interrupt);
// The rest of the CLI is loaded only after `--workers N`'s threads have been started (prewarm.ts).
prewarmFor(data.argv);
const [{ processIo }, load, { runCli }] = await Promise.all([import('./io.js'), import('./load.js'), import('./program.js')]);
const post = (m: WorkerMessage): void => port.postMessage(m);
const noAnswer = watchForNoAnswer(
  (unanswered) => post({ unanswered }),
  () => load.loading,
);
const code = await runCli(data.argv, {
  ...processIo(),
  stdout: (text) => post({ fd: 1, text }),
  stderr: (text) => post({ fd: 2, text }),
  stdoutIsTTY: data.stdoutIsTTY,
  stderrIsTTY: data.stderrIsTTY,
  ...(data.columns === undefined ? {} : { columns: data.columns }),
  watch: (bounds) => post({ watch: bounds }),
});
noAnswer.answered();
post({ exit: code });
