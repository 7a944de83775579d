/**
 * How a worker thread of `--workers N` builds the system the CLI checks (checker/search/parallel/): the
 * same target, variant and parameters resolved the same way. The main run has already type-checked a
 * scenario file, so the workers do not do it again.
 */
import { check, WorkerError, type CheckOptions, type CheckResult, type CompiledSystem, type SystemSource } from '../checker/index.js';
import { UsageError } from './errors.js';
import { resolveTarget } from './resolve.js';
import { typeChecking } from './typecheck.js';

export interface WorkerTarget {
  readonly target: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly cwd: string;
}

export async function buildSystem(t: WorkerTarget): Promise<CompiledSystem> {
  typeChecking.enabled = false;
  return (await resolveTarget(t.target, t.params, t.cwd)).system;
}

/** The source check() hands its workers for this target. */
export function workerSource(t: WorkerTarget): SystemSource {
  return { module: import.meta.url, export: 'buildSystem', args: t };
}

/** check(), with a worker that cannot build the system (a module that builds another one, or throws) as one line of bad input. */
export function checkOnWorkers(system: CompiledSystem, options: CheckOptions): CheckResult {
  try {
    return check(system, options);
  } catch (e) {
    if (e instanceof WorkerError) throw new UsageError(`--workers: ${e.message}`);
    throw e;
  }
}
