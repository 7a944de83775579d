/** Ctrl-C: the entry point sets the flag; long runs poll it, stop, and report what they explored so far. */
export const interrupt = { requested: false };
