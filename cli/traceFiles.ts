/** Where trace files go when the user names no place for them, and how paths to them are shown. */
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { CliIo } from './io.js';

/** The environment variable naming the folder of trace files nobody asked a place for. */
export const TRACE_DIR_ENV = 'FAULTLINE_TRACE_DIR';

/**
 * Where text output saves a counterexample's trace when `--trace FILE` does not say: $FAULTLINE_TRACE_DIR,
 * else `faultline/` in the system's temporary folder (/tmp/faultline on Linux) — never the current folder.
 */
export function defaultTraceDir(io: CliIo): string {
  const dir = io.env[TRACE_DIR_ENV];
  return dir ? resolve(io.cwd, dir) : join(tmpdir(), 'faultline');
}

/** A path as the user should type it from `cwd`: relative below it, absolute elsewhere. */
export function shownPath(full: string, cwd: string): string {
  const rel = relative(cwd, full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? full : rel;
}
