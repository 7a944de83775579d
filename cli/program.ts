/**
 * The command-line program: `createProgram()` builds the commander tree over an injected IO, and `runCli`
 * runs it and returns the exit code. Only this folder prints or chooses exit codes; bad input of any kind
 * becomes one line on stderr and exit 2, never a stack trace (`--debug` shows it).
 */
import { Command, CommanderError } from 'commander';
import { SystemDefinitionError } from '../checker/index.js';
import { registerCheck } from './commands/check.js';
import { registerGate } from './commands/gate.js';
import { registerInit } from './commands/init.js';
import { registerList } from './commands/list.js';
import { registerMerge } from './commands/merge.js';
import { registerReplay } from './commands/replay.js';
import { registerShow } from './commands/show.js';
import { registerSweep } from './commands/sweep.js';
import { UsageError } from './errors.js';
import { EXIT, type ExitCode } from './exitCodes.js';
import { processIo, type CliIo } from './io.js';

/** The commands, for "unknown command" messages. */
const COMMANDS = 'init, list, show, check, replay, sweep, gate, merge, help';

/** Commander's own errors as one line: `faultline: unknown option '--x' (did you mean --y?)`. */
function output(io: CliIo) {
  return {
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (text: string, write: (s: string) => void) => {
      let line = text
        .replace(/^error: /, '')
        .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
        .trimEnd();
      if (/^unknown command/.test(line) && !line.includes('did you mean')) line += ` (commands: ${COMMANDS})`;
      write(`faultline: ${line}\n`);
    },
  };
}

export function createProgram(io: CliIo, done: (code: ExitCode) => void): Command {
  const program = new Command();
  program
    .name('faultline')
    .description('Deterministic model checker for the Linux kernel protocols around user-memory access')
    .version('0.1.0')
    .option('--debug', 'show stack traces for errors')
    .exitOverride()
    .configureOutput(output(io))
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nExit codes: 0 holds / as expected, 1 violated / mismatch, 2 bad input, 3 inconclusive, 4 model error, 130 interrupted.\n' +
        'Environment: NO_COLOR, FAULTLINE_MAX_STATES, FAULTLINE_TIMEOUT, FAULTLINE_MAX_MEMORY (defaults of the flags).\n\n' +
        'Examples:\n  faultline init my-models\n  faultline list\n  faultline show retry-ring\n  faultline check retry-ring --param readers=3\n' +
        '  faultline sweep retry-ring --param capacity=1..4\n  faultline gate --junit gate.xml --summary "$GITHUB_STEP_SUMMARY"\n' +
        '  faultline replay faultline-peterson-no-turn.trace.json\n  faultline gate --shard 2/4 --format json > gate-2.json; faultline merge gate-*.json\n\nRun `faultline help COMMAND` for the options of one command.',
    );
  registerList(program, io, done);
  registerShow(program, io, done);
  registerCheck(program, io, done);
  registerSweep(program, io, done);
  registerGate(program, io, done);
  registerReplay(program, io, done);
  registerInit(program, io, done);
  registerMerge(program, io, done);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(output(io));
  return program;
}

/** Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.OK;
  const program = createProgram(io, (c) => {
    code = c;
  });
  const debug = argv.includes('--debug');
  let args = argv.filter((a) => a !== '--debug');
  // `help NOSUCH` is an unknown command like `NOSUCH` itself (commander would print the whole usage).
  const known = new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
  if (args[0] === 'help' && args[1] !== undefined && !args[1].startsWith('-') && !known.has(args[1])) args = args.slice(1);
  try {
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Asked-for help and the version exit 0; help shown because no command was given, and everything
      // else commander rejects, is bad input.
      // `help [COMMAND]` exits through commander.help with code 0; help after an error has code 1.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.OK;
      if (e.code === 'commander.help' && e.exitCode === 0) return EXIT.OK;
      return EXIT.BAD_INPUT;
    }
    if (e instanceof UsageError || e instanceof SystemDefinitionError) {
      io.stderr(`faultline: ${e.message}\n`);
      if (debug && e.stack) io.stderr(e.stack + '\n');
      return EXIT.BAD_INPUT;
    }
    const err = e as Error;
    io.stderr(`faultline: internal error: ${err?.message ?? String(e)} (this is a bug in faultline; rerun with --debug for the stack)\n`);
    if (debug && err?.stack) io.stderr(err.stack + '\n');
    return EXIT.BAD_INPUT;
  }
}
