/**
 * Which search runs an exhaustive check: the sequential one (explore.ts), or with `workers` > 1 the
 * parallel one (coordinator.ts) where it gives the same answer. Progress properties and the reductions
 * keep to one thread - the liveness analysis needs the graph of one search, and the reductions choose
 * successors inside the sequential loop - and the result says so.
 */
import { explore, type ExploreOptions, type ExploreOutcome } from '../explore.js';
import type { CompiledSystem } from '../../system/system.js';
import { exploreParallel } from './coordinator.js';
import { MAX_WORKERS } from './pool.js';
import type { SystemSource } from './protocol.js';

export { MAX_WORKERS };

/** `workers` of the check options, checked: a whole number, and more than 1 only where threads can run. */
export function resolveWorkers(o: { workers?: number; source?: SystemSource; strategy?: string; store?: string }): number {
  const n = o.workers ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new RangeError(`workers must be a whole number from 1 to ${MAX_WORKERS}, not ${n}`);
  if (n === 1) return 1;
  const strategy = o.strategy ?? 'bfs';
  const store = o.store ?? 'exact';
  if (strategy !== 'bfs' || store !== 'exact') {
    throw new RangeError(
      `workers > 1 run the bfs strategy with the exact store, not ${strategy !== 'bfs' ? `the ${strategy} strategy` : `the ${store} store`}`,
    );
  }
  if (!o.source) {
    throw new RangeError(
      'workers > 1 need the module that builds the system (options.source): a system object holds functions, which cannot be sent to another thread',
    );
  }
  return n;
}

export type PlannedOutcome = ExploreOutcome & { readonly workers?: { readonly threads: number; readonly note?: string } };

export function exploreOn(system: CompiledSystem, workers: number, source: SystemSource | undefined, options: ExploreOptions): PlannedOutcome {
  if (workers === 1 || !source) return explore(system, options);
  const single = options.recordGraph
    ? 'progress properties are checked on one thread (the cycle analysis needs the graph of one search)'
    : options.reduction && (options.reduction.por || options.reduction.symmetry)
      ? 'a reduced search runs on one thread'
      : null;
  if (single) return { ...explore(system, options), workers: { threads: 1, note: single } };
  const { rerun, work: _work, ...outcome } = exploreParallel(system, options, { workers, source });
  const note = rerun && RERUN_NOTES[rerun];
  const threads = { threads: workers, ...(note ? { note } : {}) };
  if (rerun !== 'found' || outcome.findings.length || outcome.stopped) return { ...outcome, workers: threads };
  // The threads found something the one-thread search, run to the end over the same reachable states, does
  // not: the model's code answers differently on another thread. A model error, never a quiet `holds`.
  return {
    ...outcome,
    findings: [{ property: system.name, kind: 'assertion', message: THREADS_DISAGREE, state: 0, modelError: 'nondeterministic', threads: workers }],
    workers: threads,
  };
}

const THREADS_DISAGREE =
  'the model is not deterministic: a worker thread found a violation or a model error that the one-thread search, over the same states, does not reach ' +
  '(state kept outside the world, such as a module-level counter or cache, Math.random, Date.now, or code that depends on the thread; ' +
  'or, through the library, options.source builds another system than the one checked); ' +
  'run it with --workers 1 to see the one-thread answer';

/** What the result says when the one-thread search answered a run the threads began (coordinator.ts). */
const RAN_AGAIN = 'something was found (or --max-states passed): the one-thread search ran again to it, for its exact counterexample and counts';
const RERUN_NOTES = {
  found: RAN_AGAIN,
  'max-states': RAN_AGAIN,
  room: 'the threads outgrew the memory reserved for the states they send each other: the one-thread search ran instead',
  witness:
    "the one-thread search that names a bound's worst state did not reach its value (stopped, or steps that are not functions of the state): it ran the whole check",
} as const;
