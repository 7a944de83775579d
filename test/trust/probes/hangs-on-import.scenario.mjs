// Probe (issue 14): a top-level await that never settles. Before: exit 2 with no message.
await new Promise(() => {});
export default {};
