/**
 * What a guard, action, choices function or property threw, as one line for a report. A deliberate model
 * assertion (`throw new Error('...')`) is its message alone; a TypeError or ReferenceError is almost
 * always a bug in the model's own code (a mistyped world field, a missing actor), so its name stays in
 * front, and the reader does not take it for a kernel property the model asserts.
 */
export function thrownMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e instanceof TypeError || e instanceof ReferenceError ? `${e.name}: ${e.message}` : e.message;
}
