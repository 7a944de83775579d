/**
 * `--workers N` gets a head start: the CLI thread starts the search's threads before it loads the rest of
 * the CLI, so that they boot and load faultline while it loads the scenario (and type-checks it). On
 * retry-ring 3,6,3,3,3 the search then waits 30-55 ms for them instead of 200 ms. This module loads
 * nothing else of faultline: it runs before everything that is slow to load.
 */
import { availableParallelism } from 'node:os';
import { MAX_WORKERS, prewarmWorkers } from '../checker/search/parallel/pool.js';

/** The module the threads build the system from (workerSystem.ts), as a worker imports it. */
const WORKER_SYSTEM = new URL(`./workerSystem.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

/**
 * Starts the threads `argv` asks for (`--workers N`), ahead of the search. No more than the machine's other cores can
 * boot at once: more would gain nothing, and a command that then refuses the flag (`--strategy random`)
 * would wait for them all before it exits.
 */
export function prewarmFor(argv: readonly string[]): void {
  prewarm(workersAsked(argv));
}

/** Starts the threads of a search on `threads` threads in all (this one included), ahead of it. */
export function prewarm(threads: number): void {
  const n = Math.min(threads, availableParallelism());
  if (n > 1) prewarmWorkers(n - 1, WORKER_SYSTEM);
}

/**
 * The threads `--workers N` (or `--workers=N`) asks for, read off the arguments before the CLI parses
 * them (the last one counts, as for the parser); 1 if there is none or it is not a whole number from 2 to
 * MAX_WORKERS. Only a head start: the command still checks the flag, and refuses it where it does not apply.
 */
export function workersAsked(argv: readonly string[]): number {
  let asked = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    const value = a === '--workers' ? argv[++i] : a.startsWith('--workers=') ? a.slice('--workers='.length) : undefined;
    if (value !== undefined) asked = /^[0-9]{1,3}$/.test(value) ? Number(value) : 1;
  }
  return asked >= 2 && asked <= MAX_WORKERS ? asked : 1;
}
