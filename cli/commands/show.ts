/** `faultline show ID[:VARIANT]`: what a scenario models, its knobs, its properties and its actors' machines. */
import type { Command } from 'commander';
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
    .option('-p, --param <name=value>', 'describe the system built with these parameters (repeatable)', collect, []);
  addFormatFlag(cmd, ['show'])
    .addHelpText(
      'after',
      "\nThe properties and diagrams are those of the named variant (default: the scenario's default variant).\n\nExamples:\n  faultline show retry-ring\n  faultline show retry-ring:ring --format markdown > retry-ring.md",
    )
    .action(async (target: string, flags: { param: string[]; format?: string }) => {
      const format = chooseFormat('show', flags.format);
      const r = await resolveTarget(target, parseParamFlags(flags.param), io.cwd);
      io.stdout(format.render(describeScenario(r.scenario, r.variant, r.params, r.system)));
      done(EXIT.OK);
    });
}
