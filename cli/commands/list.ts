/** `faultline list`: every built-in scenario, its variants and where it comes from. */
import type { Command } from 'commander';
import { scenarios } from '../../scenarios/index.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { chooseFormat } from '../format/registry.js';
import type { CliIo } from '../io.js';
import { addFormatFlag } from './flags.js';

export function registerList(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program.command('list').description('list the built-in scenarios with their variants and sources');
  addFormatFlag(cmd, ['list'])
    .addHelpText('after', '\nExample:\n  faultline list')
    .action((flags: { format?: string }) => {
      io.stdout(chooseFormat('list', flags.format).render(scenarios));
      done(EXIT.OK);
    });
}
