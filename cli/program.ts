/**
 * The command-line program: `createProgram()` builds the commander tree over an injected IO, and `runCli`
 * runs it and returns the exit code. Only this folder prints or chooses exit codes; bad input of any kind
 * becomes one line on stderr and exit 2, never a stack trace (`--debug` shows it).
 */
import { Command, CommanderError, Help } from 'commander';
import { UsageError } from './errors.js';
import { EXIT, type ExitCode } from './exitCodes.js';
import { processIo, type CliIo } from './io.js';
import { typeChecking } from './typecheck.js';

type Register = (program: Command, io: CliIo, done: (code: ExitCode) => void) => void;

/**
 * Every command, in the order `--help` lists them, with the line it lists. A command's module (and the
 * engine, models and scenarios behind it) loads only when that command runs or shows its own help, so
 * `faultline --help` starts in a fraction of the time (test/cli/program.test.ts holds term and description
 * to the real command's).
 */
export const COMMAND_TABLE: readonly { readonly name: string; readonly term: string; readonly description: string; readonly load: () => Promise<Register> }[] =
  [
    {
      name: 'list',
      term: 'list [options]',
      description: 'list the built-in scenarios with their variants and sources',
      load: async () => (await import('./commands/list.js')).registerList,
    },
    {
      name: 'show',
      term: 'show [options] <target>',
      description: "describe a scenario: source, parameters, variants and expected verdicts, properties, and each actor's state machine",
      load: async () => (await import('./commands/show.js')).registerShow,
    },
    {
      name: 'check',
      term: 'check [options] <target>',
      description: 'check one scenario variant: every interleaving, its properties, a counterexample if one exists',
      load: async () => (await import('./commands/check.js')).registerCheck,
    },
    {
      name: 'sweep',
      term: 'sweep [options] <target>',
      description: 'check a scenario at every point of a parameter grid and print a table of verdicts',
      load: async () => (await import('./commands/sweep.js')).registerSweep,
    },
    {
      name: 'gate',
      term: 'gate [options] [files...]',
      description: 'run every scenario and variant at its default parameters against its declared expected verdict',
      load: async () => (await import('./commands/gate.js')).registerGate,
    },
    {
      name: 'replay',
      term: 'replay [options] <file>',
      description: 're-execute a saved counterexample step by step and confirm the same violation',
      load: async () => (await import('./commands/replay.js')).registerReplay,
    },
    {
      name: 'init',
      term: 'init [options] [dir]',
      description: 'start a model project: package.json, tsconfig, an example scenario on faultline/models, a README and a CI workflow',
      load: async () => (await import('./commands/init.js')).registerInit,
    },
    {
      name: 'merge',
      term: 'merge [options] <files...>',
      description: 'combine the JSON results of sharded gates or sweeps, or of swarm jobs, into the report one run would give',
      load: async () => (await import('./commands/merge.js')).registerMerge,
    },
  ];

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

/**
 * The commander tree: `loaded` maps a command name to its real registration (the commands this run needs);
 * every other command is a stub that only lists itself in `--help`.
 */
export function createProgram(io: CliIo, done: (code: ExitCode) => void, loaded: ReadonlyMap<string, Register> = new Map()): Command {
  const program = new Command();
  program
    .name('faultline')
    .description('Deterministic model checker for the Linux kernel protocols around user-memory access')
    .version('0.1.0')
    .option('--debug', 'show stack traces for errors')
    .option('--no-typecheck', "load a .ts scenario file without type-checking it first (TypeScript's checker, about a second)")
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
  const terms = new Map(COMMAND_TABLE.map((c) => [c.name, c.term]));
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? new Help().subcommandTerm(cmd) });
  for (const c of COMMAND_TABLE) {
    const register = loaded.get(c.name);
    if (register) register(program, io, done);
    else program.command(c.name).description(c.description);
  }
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(output(io));
  return program;
}

/** Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.OK;
  const debug = argv.includes('--debug');
  typeChecking.enabled = !argv.includes('--no-typecheck');
  let args = argv.filter((a) => a !== '--debug' && a !== '--no-typecheck');
  // The command this run names (`help CMD` names CMD): only its module loads.
  const named = args[0] === 'help' ? args[1] : args.find((a) => !a.startsWith('-'));
  const wanted = COMMAND_TABLE.find((c) => c.name === named);
  const loaded = new Map<string, Register>(wanted ? [[wanted.name, await wanted.load()]] : []);
  const program = createProgram(
    io,
    (c) => {
      code = c;
    },
    loaded,
  );
  // `help NOSUCH` is an unknown command like `NOSUCH` itself (commander would print the whole usage).
  const known = new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
  if (args[0] === 'help' && args[1] !== undefined && !args[1].startsWith('-') && !known.has(args[1])) args = args.slice(1);
  // Commander's help() exits with process.exitCode when it is set: in a process that set it for its own
  // reasons (a test runner after a failed test), `help check` would read as bad input.
  const exitCode = process.exitCode;
  process.exitCode = undefined;
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
    if (e instanceof UsageError || isDefinitionError(e)) {
      io.stderr(`faultline: ${e.message}\n`);
      if (debug && e.stack) io.stderr(e.stack + '\n');
      return EXIT.BAD_INPUT;
    }
    const err = e as Error;
    io.stderr(`faultline: internal error: ${err?.message ?? String(e)} (this is a bug in faultline; rerun with --debug for the stack)\n`);
    if (debug && err?.stack) io.stderr(err.stack + '\n');
    return EXIT.BAD_INPUT;
  } finally {
    process.exitCode ??= exitCode;
  }
}

/** The engine's SystemDefinitionError (or CodeDumpError), known by its name so that this module need not load the engine. */
function isDefinitionError(e: unknown): e is Error {
  // A generated-code dump (FAULTLINE_DUMP_CODE) that cannot be written is bad input too.
  return e instanceof Error && (e.name === 'SystemDefinitionError' || e.name === 'CodeDumpError');
}
