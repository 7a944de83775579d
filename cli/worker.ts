/**
 * The CLI inside the executable's worker thread (see main.ts): runs `runCli` with an IO whose output
 * goes back to the main thread as messages, in order, and whose terminal facts are the main thread's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connectInterrupt } from './interrupt.js';
import { processIo } from './io.js';
import { runCli } from './program.js';

export interface WorkerData {
  readonly argv: readonly string[];
  readonly interrupt: SharedArrayBuffer;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly columns?: number;
}

export type WorkerMessage = { readonly fd: 1 | 2; readonly text: string } | { readonly exit: number };

const data = workerData as WorkerData;
const port = parentPort!;
connectInterrupt(data.interrupt);
const post = (m: WorkerMessage): void => port.postMessage(m);
const code = await runCli(data.argv, {
  ...processIo(),
  stdout: (text) => post({ fd: 1, text }),
  stderr: (text) => post({ fd: 2, text }),
  stdoutIsTTY: data.stdoutIsTTY,
  stderrIsTTY: data.stderrIsTTY,
  ...(data.columns === undefined ? {} : { columns: data.columns }),
});
post({ exit: code });
