/** Where the CLI writes, and how it learns about the terminal; injected so tests run it in-process. */
import { Chalk, type ChalkInstance } from 'chalk';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout / stderr are terminals (colour, progress line). */
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Terminal width, when stderr is a terminal (default 80). */
  readonly columns?: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Wall clock (ms) and resident memory (bytes): the checker itself reads neither. */
  readonly now: () => number;
  readonly memory: () => number;
  /**
   * The executable's watchdog (cli/main.ts): a run's bounds, given when it starts and withdrawn (null)
   * when it ends. The main thread ends a worker whose run passes them by a second, or by 10% of the
   * memory, without stopping itself: model code that loops forever, or a run that never polls.
   */
  readonly watch?: (bounds: RunBounds | null) => void;
}

export interface RunBounds {
  /** Seconds. */
  readonly timeout?: number;
  /** MiB of resident memory. */
  readonly maxMemory: number;
  /** How the memory bound is named in a message. */
  readonly bound: string;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    env: process.env,
    cwd: process.cwd(),
    now: () => performance.now(),
    memory: () => process.memoryUsage().rss,
  };
}

/** Colour only on a terminal, never with NO_COLOR set or --no-color. */
export function colors(io: CliIo, wanted: boolean): ChalkInstance {
  const on = wanted && io.stdoutIsTTY && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '');
  return new Chalk({ level: on ? 1 : 0 });
}
