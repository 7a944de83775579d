/**
 * Ctrl-C: the entry point sets the flag; long runs poll it (through CheckOptions.shouldStop), stop, and
 * report what they explored so far. A check is one synchronous loop, so the thread running it never
 * sees a signal handler fire: the executable runs the CLI in a worker thread and the main thread, which
 * stays idle, receives SIGINT and raises the flag in shared memory (`connectInterrupt`). In-process
 * callers (tests, the library) set `interrupt.requested` directly.
 */
let shared: Int32Array | undefined;
let local = false;

export const interrupt = {
  get requested(): boolean {
    return local || (shared !== undefined && Atomics.load(shared, 0) !== 0);
  },
  set requested(value: boolean) {
    local = value;
    if (shared) Atomics.store(shared, 0, value ? 1 : 0);
  },
};

/** Reads the flag from a buffer another thread writes (the main thread's SIGINT handler). */
export function connectInterrupt(buffer: SharedArrayBuffer): void {
  shared = new Int32Array(buffer);
}
