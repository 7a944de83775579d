/**
 * The worker threads of parallel searches, kept between checks (a worker loads faultline and the model's
 * module once; a sweep or a test suite then pays for it once). Workers are unref'd: an idle pool never keeps
 * the process alive. A search borrows workers for its run and hands them back when it ends.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { WorkerJob } from './protocol.js';

const idle: Worker[] = [];

/** Run from the TypeScript sources (tsx: dev and tests) a worker first registers tsx (worker-boot.mjs). */
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker.js', import.meta.url);

export interface Borrowed {
  /** The coordinator's end of each worker's port (buffers out, errors back). */
  readonly ports: readonly MessagePort[];
  /** Hands the workers back (after they ran CMD_EXIT). */
  release(): void;
}

/** Starts `count` workers on their jobs (`job(i)` for worker i, thread i + 1). */
export function borrowWorkers(count: number, job: (i: number) => WorkerJob): Borrowed {
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  for (let i = 0; i < count; i++) {
    let w = idle.pop();
    if (!w) {
      // Not the process's --import flags: a preload that needs the blocked coordinator thread would never finish.
      w = new Worker(ENTRY, { execArgv: [] });
      w.unref();
      // A worker that dies is simply not reused; its run already heard of it through its port.
      w.on('error', () => undefined);
      const dead = w;
      w.on('exit', () => {
        const at = idle.indexOf(dead);
        if (at >= 0) idle.splice(at, 1);
      });
    }
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
