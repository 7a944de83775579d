/**
 * A worker thread that ended without an answer (cli/worker.ts for the executable, cli/checkWorker.ts for
 * the library's checkInWorker): what it was doing, in one line. Kept apart from both so the thread that
 * reads it loads nothing else.
 */

/** Why the thread ended without an answer: `drained` when nothing was left to run (an await that never settles). */
export interface Unanswered {
  readonly code: number;
  readonly drained: boolean;
  readonly loading?: string;
}

/** The thread ended without an answer: say what it was doing. */
export function unansweredText(u: Unanswered): string {
  const how = u.drained ? 'never finished loading (a top-level await that never settles?)' : `called process.exit(${u.code}) while loading`;
  if (u.loading !== undefined) return `scenario file '${u.loading}' ${how}`;
  return u.drained
    ? 'the run ended without an answer: it waits for something that never happens (an await that never settles?)'
    : `the run ended without an answer: model code called process.exit(${u.code})`;
}

/**
 * Records, in the thread that runs the check, why it ends if it ends unanswered: `post` is called from
 * the thread's 'exit' event unless `answered()` was called first.
 */
export function watchForNoAnswer(post: (u: Unanswered) => void, loadingNow: () => string | undefined): { answered(): void } {
  let answered = false;
  let drained = false;
  process.on('beforeExit', () => {
    drained = true;
  });
  process.on('exit', (code) => {
    const loading = loadingNow();
    if (!answered) post({ code, drained, ...(loading === undefined ? {} : { loading }) });
  });
  return {
    answered() {
      answered = true;
    },
  };
}
