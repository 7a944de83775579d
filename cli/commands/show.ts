/** `faultline show ID[:VARIANT]`: what a scenario models, its knobs, its properties and its actors' machines. */
import type { Command } from 'commander';
import { expandSource } from '../../checker/index.js';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { chooseFormat } from '../format/registry.js';
import { describeScenario } from '../format/show.js';
import type { CliIo } from '../io.js';
import { collect, parseParamFlags } from '../options.js';
import { resolveTarget } from '../resolve.js';
import { addFormatFlag } from './flags.js';

export function registerShow(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('show')
    .argument('<target>', 'a scenario ID[:VARIANT] or a path to your own scenario file')
    .description("describe a scenario: source, parameters, variants and expected verdicts, properties, and each actor's state machine")
    .option('-p, --param <name=value>', 'describe the system built with these parameters (repeatable)', collect, [])
    .option('--code', "print the system's generated expand() function (JavaScript) instead of the description");
  addFormatFlag(cmd, ['show'])
    .addHelpText(
      'after',
      "\nThe properties and diagrams are those of the named variant (default: the scenario's default variant).\n\nExamples:\n  faultline show retry-ring\n  faultline show retry-ring:ring --format markdown > retry-ring.md\n  faultline show retry-ring:ring --param readers=3 --code",
    )
    .action(async (target: string, flags: { param: string[]; format?: string; code?: boolean }) => {
      const format = chooseFormat('show', flags.format);
      if (flags.code && format.name !== 'text') throw new UsageError(`--code prints JavaScript; it takes no --format ${format.name}`);
      const r = await resolveTarget(target, parseParamFlags(flags.param), io.cwd);
      // The generated code is JavaScript, not a description: it bypasses the format registry.
      io.stdout(flags.code ? expandSource(r.system) + '\n' : format.render(describeScenario(r.scenario, r.variant, r.params, r.system)));
      done(EXIT.OK);
    });
}
