/**
 * The watchdog over a run in a worker thread, shared by the executable (main.ts) and the library's
 * `checkInWorker` (checkInWorker.ts). A run polls its bounds itself and stops with its statistics; the
 * thread that started it ends a run that does not (model code that loops forever never returns to the
 * checker): once the run has had a second of CPU time past its timeout or after an interrupt, or at once
 * when resident memory passes its bound by 8% (so it never passes it by 10%).
 *
 * The grace is counted in CPU time, not wall time: on a loaded machine (or with a slow model) a second of
 * wall time can pass before the search reaches its next poll, and the run would be ended without its
 * report. The process's CPU time stands for the run's (the executable's main thread is idle; a library
 * caller busy meanwhile only shortens the grace). A run that gets no CPU at all (blocked in model code)
 * is ended after GRACE_WALL_MS of wall time.
 */
import type { RunBounds } from './io.js';

const GRACE_CPU_US = 1_000_000;
const GRACE_WALL_MS = 60_000;
const MEMORY_SLACK = 1.08;
const WATCH_EVERY_MS = 100;

/** Why a run that did not stop by itself was ended: an inconclusive reason and one line. */
export interface Overdue {
  readonly reason: 'interrupted' | 'timeout' | 'memory';
  readonly message: string;
}

export interface Watchdog {
  /** A run starts with these bounds (its timeout counts from now), or ends (null). */
  watch(bounds: RunBounds | null): void;
  /** The run was asked to stop (Ctrl-C, an abort); it stays asked for every later run too. */
  interrupt(): void;
  /** Stops watching for good. */
  stop(): void;
}

const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Starts a watchdog that calls `end` once, with the reason, when the watched run is overdue.
 * `interruptedBy` names the interrupt in the message ("Ctrl-C", "an abort"). The timer does not keep
 * the process alive by itself.
 */
export function startWatchdog(end: (why: Overdue) => void, interruptedBy: string): Watchdog {
  let watched: { readonly bounds: RunBounds; readonly since: number } | undefined;
  let interrupted = false;
  /** When the run's time ran out (an interrupt or its timeout): the wall clock and the process's CPU time then. */
  let overdue: { readonly wall: number; readonly cpu: number } | undefined;
  let ended = false;
  const finish = (why: Overdue): void => {
    ended = true;
    clearInterval(timer);
    end(why);
  };
  const timer = setInterval(() => {
    if (!watched || ended) return;
    const { timeout, maxMemory, bound } = watched.bounds;
    const why = 'and the run did not stop by itself, so it was ended (model code in an endless loop?)';
    const timedOut = timeout !== undefined && Date.now() - watched.since > timeout * 1000;
    if (interrupted || timedOut) {
      overdue ??= { wall: Date.now(), cpu: cpuMicros() };
      if (cpuMicros() - overdue.cpu > GRACE_CPU_US || Date.now() - overdue.wall > GRACE_WALL_MS) {
        if (interrupted) finish({ reason: 'interrupted', message: `interrupted (${interruptedBy}) ${why}` });
        else finish({ reason: 'timeout', message: `timeout of ${timeout} s reached ${why}` });
        return;
      }
    }
    if (process.memoryUsage.rss() > maxMemory * 1024 * 1024 * MEMORY_SLACK) finish({ reason: 'memory', message: `${bound} passed ${why}` });
  }, WATCH_EVERY_MS);
  timer.unref();
  return {
    watch(bounds) {
      watched = bounds ? { bounds, since: Date.now() } : undefined;
      // Each run of a gate or sweep has its own timeout; an interrupt stays overdue for them all.
      if (!interrupted) overdue = undefined;
    },
    interrupt() {
      interrupted = true;
    },
    stop() {
      ended = true;
      clearInterval(timer);
    },
  };
}
