/** Bad input: the CLI prints the message as one line and exits 2, with no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
