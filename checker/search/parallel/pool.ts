/**
 * The worker threads of parallel searches, kept between checks (a worker loads faultline and the model's
 * module once; a sweep or a test suite then pays for it once). Workers are unref'd: an idle pool never keeps
 * the process alive. A search borrows workers for its run and hands them back when it ends.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { WorkerJob } from './protocol.js';

/** The most threads a search takes. */
export const MAX_WORKERS = 256;

const idle: Worker[] = [];

/** Run from the TypeScript sources (tsx: dev and tests) a worker first registers tsx (worker-boot.mjs). */
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker.js', import.meta.url);

export interface Borrowed {
  /** The coordinator's end of each worker's port (buffers out, errors back). */
  readonly ports: readonly MessagePort[];
  /** Hands the workers back (after they ran CMD_EXIT). */
  release(): void;
}

function startWorker(): Worker {
  // Not the process's --import flags: a preload that needs the blocked coordinator thread would never finish.
  const w = new Worker(ENTRY, { execArgv: [] });
  w.unref();
  // A worker that dies is simply not reused; its run already heard of it through its port.
  w.on('error', () => undefined);
  w.on('exit', () => {
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
  });
  return w;
}

/**
 * Starts workers ahead of a search, so that they boot and load faultline while this thread still loads
 * the model (the CLI, given `--workers N`, calls it first thing): up to `count` idle ones in all, each
 * also loading `preload` (the module its job will build the system from) if given. Nothing else changes:
 * a search that never comes leaves them idle, and idle workers never keep the process alive.
 */
export function prewarmWorkers(count: number, preload?: string): void {
  while (idle.length < count) {
    const w = startWorker();
    if (preload !== undefined) w.postMessage({ preload });
    idle.push(w);
  }
}

/** Starts `count` workers on their jobs (`job(i)` for worker i, thread i + 1). */
export function borrowWorkers(count: number, job: (i: number) => WorkerJob): Borrowed {
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  for (let i = 0; i < count; i++) {
    const w = idle.pop() ?? startWorker();
    const { port1, port2 } = new MessageChannel();
    w.postMessage({ job: job(i), port: port2 }, [port2]);
    workers.push(w);
    ports.push(port1);
  }
  return {
    ports,
    release: () => {
      for (const p of ports) p.close();
      idle.push(...workers);
    },
  };
}
