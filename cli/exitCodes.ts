/** faultline's exit codes (DESIGN.md, "CLI"). */
export const EXIT = {
  /** The property holds / every scenario is as expected / a replayed trace no longer violates. */
  OK: 0,
  /** A violation / an expectation mismatch / a replayed trace reproduces its violation. */
  VIOLATED: 1,
  /** Bad input: unknown scenario, variant, parameter, value, format; a malformed or diverging trace. */
  BAD_INPUT: 2,
  /** A bound was reached (--max-states, --timeout, --max-memory): nothing proven either way. */
  INCONCLUSIVE: 3,
  /**
   * A model error: a property's own code threw, model code is not deterministic, or a compiled actor
   * disagrees with xstate. The model must be fixed before any verdict means anything.
   */
  MODEL_ERROR: 4,
  /** Ctrl-C, after printing the statistics so far. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
