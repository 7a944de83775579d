/** An in-process CliIo that captures stdout and stderr, for runCli(argv, io) in tests. */
import type { CliIo } from '../../cli/io.js';

export interface FakeIo {
  readonly io: CliIo;
  /** Everything written to stdout / stderr so far. */
  out(): string;
  err(): string;
}

/**
 * `cwd` is where relative paths resolve (and where `check` writes its default trace file). The clock
 * stands still and memory reads 0 unless `now` / `memory` are given; never a terminal, no environment.
 */
export function fakeIo(cwd: string, overrides: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {}): FakeIo {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd,
    now: () => 0,
    memory: () => 0,
    ...overrides,
  };
  return { io, out: () => out, err: () => err };
}
