/** `faultline check NAME[:VARIANT]`: run one scenario variant and report the verdict. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { modelErrorAsViolation, toTraceFile } from '../../checker/index.js';
import type { ScenarioRun } from '../../scenarios/index.js';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { chooseFormat } from '../format/registry.js';
import { colors, type CliIo } from '../io.js';
import { collect, parseLimits, parseParamFlags, runOptions, type RunLimits } from '../options.js';
import { looksLikeFile } from '../load.js';
import { progressLine } from '../progress.js';
import { resolveTarget } from '../resolve.js';
import { checkOnWorkers, workerSource } from '../workerSystem.js';
import { defaultTraceDir, shownPath, TRACE_DIR_ENV } from '../traceFiles.js';
import { parseShard } from '../shard.js';
import { swarmJob, swarmLimits } from '../swarm.js';
import { addFormatFlag, addLimitFlags, addOutputFlags } from './flags.js';

interface CheckFlags extends RunLimits {
  readonly param: string[];
  readonly format?: string;
  /** A file name, or false for `--no-trace`. */
  readonly trace?: string | false;
  readonly all?: boolean;
  readonly color: boolean;
  readonly quiet?: boolean;
  readonly brief?: boolean;
  readonly swarm?: string;
}

export function exitCodeOf(run: ScenarioRun): ExitCode {
  const r = run.result;
  if (r.verdict === 'model-error') return EXIT.MODEL_ERROR;
  if (r.verdict === 'violated') return EXIT.VIOLATED;
  if (r.verdict === 'inconclusive') return r.inconclusive?.reason === 'interrupted' ? EXIT.INTERRUPTED : EXIT.INCONCLUSIVE;
  return EXIT.OK;
}

export function registerCheck(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('check')
    .argument('<target>', 'a scenario ID[:VARIANT] (see `faultline list`) or a path to your own scenario file')
    .description('check one scenario variant: every interleaving, its properties, a counterexample if one exists')
    .option('-p, --param <name=value>', 'set a parameter (repeatable; see `faultline show ID`)', collect, []);
  addLimitFlags(cmd, { strategy: true });
  addFormatFlag(cmd, ['check'])
    .option(
      '-t, --trace <file>',
      `write the first counterexample as a JSON trace for \`faultline replay\` (text output saves it by default as faultline-<id>-<variant>.trace.json in $${TRACE_DIR_ENV}, default <tmp>/faultline)`,
    )
    .option('--no-trace', 'save no trace file')
    .option(
      '--swarm <i/n>',
      "random, pct: job I of a swarm of N - its own disjoint stream of executions (--executions each) and, for pct without --pct-depth, its own depth; combine the jobs' --format json results with `faultline merge`",
    )
    .option('--all', 'keep going after the first violation and report the first of every property')
    .option('--brief', 'text format only: print the counterexample in the commit-message style (step numbers and labels, no field changes, 72 columns)');
  addOutputFlags(cmd)
    .addHelpText(
      'after',
      '\nExit codes: 0 holds, 1 violated, 2 bad input, 3 inconclusive (a bound or the timeout), 4 model error, 130 interrupted.\n\n' +
        'Examples:\n  faultline check retry-ring --param readers=3 --param pages=5\n  faultline check retry-ring:ring --format json --max-states 1000000\n' +
        '  faultline check ./my-loop.scenario.ts:buggy --format markdown >> "$GITHUB_STEP_SUMMARY"',
    )
    .action(async (target: string, flags: CheckFlags) => {
      const format = chooseFormat('check', flags.format);
      if (flags.brief && format.name !== 'text') throw new UsageError(`--brief applies to --format text only, not ${format.name}`);
      const parsed = parseLimits(flags, io);
      const swarm = parseShard('--swarm', flags.swarm);
      if (swarm && parsed.strategy !== 'random' && parsed.strategy !== 'pct')
        throw new UsageError(`--swarm splits a sampling search (--strategy random or pct), not ${parsed.strategy}; split a gate or a sweep with --shard`);
      const limits = swarm ? swarmLimits(parsed, swarm) : parsed;
      const params = parseParamFlags(flags.param);
      const r = await resolveTarget(target, params, io.cwd);
      const progress = progressLine(io, `${r.scenario.id}:${r.variant}`, flags.quiet === true);
      let result;
      try {
        // A user's own machines are cross-checked against xstate (the built-in ones have a conformance test).
        const xstateCheck = looksLikeFile(target.split(':')[0]!);
        // --workers: each worker thread builds the system from the same target and parameters.
        const source = limits.workers > 1 ? { source: workerSource({ target, params, cwd: io.cwd }) } : {};
        result = checkOnWorkers(r.system, { ...runOptions(limits, io, progress.onProgress), stopAtFirstViolation: !flags.all, xstateCheck, ...source });
      } finally {
        progress.stop();
        io.watch?.(null);
      }
      const run: ScenarioRun = { scenario: r.scenario.id, variant: r.variant, params: r.params, result };
      const first = run.result.verdict === 'model-error' && run.result.modelError ? modelErrorAsViolation(run.result.modelError) : run.result.violations[0];
      let tracePath: string | undefined;
      let traceProblem: string | undefined;
      const asked = typeof flags.trace === 'string';
      if (first && flags.trace !== false && (asked || format.name === 'text')) {
        const full = asked ? resolve(io.cwd, flags.trace as string) : join(defaultTraceDir(io), `faultline-${run.scenario}-${run.variant}.trace.json`);
        const path = asked ? (flags.trace as string) : shownPath(full, io.cwd);
        // A scenario file is recorded relative to a trace file the user placed, so `replay` finds it from
        // anywhere the two move together; from the shared default folder, by its absolute path.
        const id = target.split(':')[0]!;
        const file = resolve(io.cwd, id);
        const scenarioRef = !looksLikeFile(id) ? id : asked ? relative(dirname(full), file) : file;
        const traceFile = toTraceFile(first, {
          scenario: scenarioRef,
          variant: run.variant,
          params: run.params,
          strategy: run.result.strategy,
          seed: run.result.seed ?? null,
        });
        try {
          if (!asked) mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, JSON.stringify(traceFile, null, 2) + '\n');
          tracePath = path;
        } catch (e) {
          // The result still stands and is printed; only the trace file is missing.
          traceProblem = `could not write the trace to '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
        }
      }
      const replay = tracePath ? `faultline replay ${tracePath}` : undefined;
      io.stdout(
        format.render({
          run,
          system: r.system,
          color: colors(io, flags.color),
          brief: flags.brief === true,
          rerun: `faultline check ${target}${paramFlags(run.params, params)}`,
          ...(replay ? { replay } : {}),
          ...(swarm ? { swarm: swarmJob(swarm, limits, target, paramFlags(run.params, params)) } : {}),
        }),
      );
      if (traceProblem) io.stderr(`faultline: ${traceProblem}; the result above stands\n`);
      done(exitCodeOf(run));
    });
}

/** The `--param` flags the user gave, to repeat in a reproduce command. */
function paramFlags(resolved: Readonly<Record<string, number>>, given: Readonly<Record<string, string>>): string {
  return Object.keys(given)
    .map((k) => ` --param ${k}=${resolved[k]}`)
    .join('');
}
