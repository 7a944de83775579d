// Probe (issue 14): a scenario file that calls process.exit(). Before: exit 2 with no message.
process.exit(0);
