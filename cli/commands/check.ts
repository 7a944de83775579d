/** `faultline check NAME[:VARIANT]`: run one scenario variant and report the verdict. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { check, strategyNames } from '../../checker/index.js';
import { toTraceFile } from '../../checker/trace/traceJson.js';
import type { ScenarioRun } from '../../scenarios/index.js';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { runToJson } from '../format/json.js';
import { formatRunText } from '../format/text.js';
import { colors, type CliIo } from '../io.js';
import { checkOptions, collect, parseFormat, parseParamFlags, type RunLimits } from '../options.js';
import { resolveTarget } from '../resolve.js';

interface CheckFlags extends RunLimits {
  readonly param: string[];
  readonly format?: string;
  readonly trace?: string;
  readonly all?: boolean;
  readonly color: boolean;
}

export function exitCodeOf(run: ScenarioRun): ExitCode {
  const r = run.result;
  if (r.verdict === 'violated') return EXIT.VIOLATED;
  if (r.inconclusive?.reason === 'interrupted') return EXIT.INTERRUPTED;
  if (r.verdict === 'inconclusive') return EXIT.INCONCLUSIVE;
  return EXIT.OK;
}

export function registerCheck(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('check')
    .argument('<target>', 'a scenario ID[:VARIANT] (see `faultline list`) or a path to your own scenario file')
    .description('check one scenario variant: every interleaving, its properties, a counterexample if one exists')
    .option('-p, --param <name=value>', 'set a parameter (repeatable; see `faultline show ID`)', collect, [])
    .option('-s, --strategy <name>', `search strategy: ${strategyNames.join(', ')}`, 'bfs')
    .option('--max-states <n>', 'stop, inconclusive (exit 3), past this many states (default 50,000,000)')
    .option('--timeout <seconds>', 'stop, inconclusive (exit 3), after this many seconds (default: none)')
    .option('--max-memory <MiB>', 'stop, inconclusive (exit 3), when resident memory passes this (default: none)')
    .option('-f, --format <format>', 'output: text or json', 'text')
    .option('-t, --trace <file>', 'write the first counterexample as a JSON trace for `faultline replay` (text output writes faultline-<id>-<variant>.trace.json by default)')
    .option('--all', 'keep going after the first violation and report the first of every property')
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .addHelpText(
      'after',
      '\nExamples:\n  faultline check retry-ring --param readers=3 --param pages=5\n  faultline check retry-ring:ring --format json --max-states 1000000\n  faultline check ./my-loop.scenario.ts:buggy',
    )
    .action(async (target: string, flags: CheckFlags) => {
      const format = parseFormat(flags.format);
      const options = { ...checkOptions(flags, io), stopAtFirstViolation: !flags.all };
      const params = parseParamFlags(flags.param);
      const r = await resolveTarget(target, params, io.cwd);
      const run: ScenarioRun = { scenario: r.scenario.id, variant: r.variant, params: r.params, result: check(r.system, options) };
      const first = run.result.violations[0];
      let tracePath: string | undefined;
      if (first && (flags.trace !== undefined || format === 'text')) {
        tracePath = flags.trace ?? `faultline-${run.scenario}-${run.variant}.trace.json`;
        const file = toTraceFile(first, { scenario: target.split(':')[0]!, variant: run.variant, params: run.params, strategy: run.result.strategy });
        try {
          writeFileSync(resolve(io.cwd, tracePath), JSON.stringify(file, null, 2) + '\n');
        } catch (e) {
          throw new UsageError(`cannot write the trace to '${tracePath}': ${(e as Error).message}`);
        }
      }
      if (format === 'json') {
        io.stdout(JSON.stringify(runToJson(run), null, 2) + '\n');
      } else {
        const replay = tracePath ? `faultline replay ${tracePath}` : undefined;
        io.stdout(formatRunText(run, r.system, { color: colors(io, flags.color), ...(replay ? { replay } : {}) }));
      }
      done(exitCodeOf(run));
    });
}
