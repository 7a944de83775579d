/** The `faultline` executable. */
import { interrupt } from './interrupt.js';
import { runCli } from './program.js';

process.on('SIGINT', () => {
  if (interrupt.requested) process.exit(130);
  interrupt.requested = true;
});
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
