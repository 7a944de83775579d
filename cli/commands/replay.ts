/**
 * `faultline replay FILE`: re-execute a saved counterexample and confirm its violation.
 * Exit 1: reproduced. 0: it runs to the end without the violation (the model changed). 2: the file is
 * malformed, or a step is not enabled where the trace says it was (the trace diverges from the model).
 * 4: a model error reproduced; one that only threads show (`threads` in the file) is checked again on as
 * many threads.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  buildTrace,
  formatTraceText,
  LabelThrew,
  parseTraceFile,
  replay,
  replayModelError,
  resolveStep,
  TraceFileError,
  type TraceFile,
} from '../../checker/index.js';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { paramsSuffix } from '../format/common.js';
import { colors, type CliIo } from '../io.js';
import { looksLikeFile } from '../load.js';
import { LIMIT_ENV, parseLimits, runOptions, watchRun } from '../options.js';
import { resolveTarget } from '../resolve.js';
import { shownPath } from '../traceFiles.js';
import { checkOnWorkers, workerSource } from '../workerSystem.js';

export function readTraceFile(path: string, cwd: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read trace file '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8 quotes the text near the error, newlines and all: one line of it.
    throw new UsageError(`trace file '${path}' is not valid JSON: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  }
  // Another faultline document (a `check --format json` result, a sweep, a gate) is not a trace.
  const schema = typeof data === 'object' && data !== null ? (data as { schema?: unknown }).schema : undefined;
  if (typeof schema === 'string' && schema.startsWith('faultline/result@')) {
    throw new UsageError(`trace file '${path}': this is a check result, not a trace file: write one with --trace FILE`);
  }
  try {
    return parseTraceFile(data);
  } catch (e) {
    if (e instanceof TraceFileError) throw new UsageError(`trace file '${path}': ${e.message}`);
    throw e;
  }
}

export function registerReplay(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('replay')
    .argument('<file>', 'a JSON trace written by `faultline check --trace FILE`')
    .description('re-execute a saved counterexample step by step and confirm the same violation')
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .option('--brief', 'print the trace in the commit-message style (step numbers and labels, no field changes, 72 columns)')
    .option('--timeout <seconds>', `give up, inconclusive (exit 3), after this many seconds (default none; env ${LIMIT_ENV.timeout})`)
    .option('--max-memory <MiB>', `give up, inconclusive (exit 3), when resident memory passes this (default 80% of the machine's; env ${LIMIT_ENV.maxMemory})`)
    .addHelpText(
      'after',
      '\nExit codes: 1 reproduced, 0 ran to the end without the violation, 2 malformed or diverging trace, 3 --timeout or the memory bound reached, 4 a model error reproduced, 130 interrupted.\n\nExample:\n  faultline check examples/peterson.scenario.ts:no-turn --trace cex.json\n  faultline replay cex.json',
    )
    .action(async (file: string, flags: { color: boolean; brief?: boolean; timeout?: string; maxMemory?: string }) => {
      const c = colors(io, flags.color);
      const limits = parseLimits(
        { ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }), ...(flags.maxMemory === undefined ? {} : { maxMemory: flags.maxMemory }) },
        io,
      );
      const t = readTraceFile(file, io.cwd);
      // A scenario file is recorded relative to the trace file's own folder.
      const base = looksLikeFile(t.scenario) ? dirname(resolve(io.cwd, file)) : io.cwd;
      let r;
      try {
        r = await resolveTarget(`${t.scenario}:${t.variant}`, t.params, base);
      } catch (e) {
        // The scenario, variant and parameters come from the file: say which file.
        throw e instanceof UsageError ? new UsageError(`trace file '${file}': ${e.message}`) : e;
      }
      const ids: number[] = [];
      for (const [i, s] of t.steps.entries()) {
        const id = resolveStep(r.system, s.actor, s.transition, s.choice);
        if (typeof id === 'string') throw new UsageError(`trace file '${file}' step ${i + 1}: ${id}: the trace does not fit the model`);
        ids.push(id);
      }
      if (t.violation.kind === 'model-error' && t.violation.threads) {
        // Threads that disagree with the one-thread search: no path shows it on one thread, so it is checked
        // again on as many threads, from the same target and parameters.
        const threads = t.violation.threads;
        watchRun(limits, io);
        let result;
        try {
          const source = workerSource({ target: `${t.scenario}:${t.variant}`, params: t.params, cwd: base });
          result = checkOnWorkers(r.system, { ...runOptions(limits, io), workers: threads, source });
        } finally {
          io.watch?.(null);
        }
        io.stdout(
          `${t.scenario}:${t.variant}${paramsSuffix(r.params)}: model error (${t.violation.modelError}), found on ${threads} threads: checked again on ${threads}\n`,
        );
        if (result.verdict === 'model-error' && result.modelError.threads) {
          io.stdout(`${c.red.bold('REPRODUCED')}: model error: ${result.modelError.message}\n`);
          return done(EXIT.MODEL_ERROR);
        }
        if (result.verdict === 'inconclusive') {
          io.stdout(`${c.yellow('INCONCLUSIVE')}: ${result.inconclusive.message}\n`);
          return done(EXIT.INCONCLUSIVE);
        }
        io.stdout(`${c.yellow('NOT REPRODUCED')}: the ${threads} threads now agree with the one-thread search (${result.verdict})\n`);
        return done(EXIT.OK);
      }
      if (t.violation.kind === 'model-error' && t.violation.modelError) {
        watchRun(limits, io);
        let m;
        try {
          m = replayModelError(r.system, ids, t.violation.modelError, t.violation.property);
        } finally {
          io.watch?.(null);
        }
        io.stdout(
          `${t.scenario}:${t.variant}${paramsSuffix(r.params)}: model error (${t.violation.modelError}), ${t.steps.length} step${t.steps.length === 1 ? '' : 's'}\n`,
        );
        if (m.status === 'reproduced') {
          io.stdout(`${c.red.bold('REPRODUCED')}: model error: ${m.message}\n`);
          return done(EXIT.MODEL_ERROR);
        }
        io.stdout(`${c.yellow('NOT REPRODUCED')}: ${m.message}\n`);
        return done(EXIT.OK);
      }
      // A replay runs to its end; the watchdog (cli/main.ts) ends one that passes its bounds.
      watchRun(limits, io);
      let outcome;
      try {
        outcome = replay(r.system, ids, t.loop, t.violation, { xstate: true });
      } finally {
        io.watch?.(null);
      }
      if (outcome.status === 'diverged')
        throw new UsageError(`trace file '${file}' diverges from the model: ${outcome.message.replace(/: the trace diverges from the model$/, '')}`);
      if (outcome.status === 'model-error') {
        io.stdout(`${c.red.bold('MODEL ERROR')}: ${outcome.message}\n`);
        return done(EXIT.MODEL_ERROR);
      }
      // A scenario file as the user would name it from here (a trace in the default folder records it absolute).
      const shown = looksLikeFile(t.scenario) ? shownPath(resolve(base, t.scenario), io.cwd) : t.scenario;
      io.stdout(`${shown}:${t.variant}${paramsSuffix(r.params)}: ${t.violation.kind} '${t.violation.property}', ${t.steps.length} steps\n`);
      let trace;
      try {
        trace = buildTrace(r.system, ids, t.loop);
      } catch (e) {
        // The steps re-executed; describing them ran a label function that throws: the model's mistake.
        if (!(e instanceof LabelThrew)) throw e;
        io.stdout(`${c.red.bold('MODEL ERROR')}: ${e.message}\n`);
        return done(EXIT.MODEL_ERROR);
      }
      io.stdout('\n' + formatTraceText(trace, { actors: r.system.actors.map((a) => a.name), brief: flags.brief === true }) + '\n\n');
      const xstate = `xstate: the same ${t.steps.length === 1 ? 'step' : `${t.steps.length} steps`} re-executed through the machines' own transition() give the same states\n`;
      if (outcome.status === 'reproduced') {
        io.stdout(`${c.red.bold('REPRODUCED')}: ${outcome.message}\n${xstate}`);
        return done(EXIT.VIOLATED);
      }
      io.stdout(`${c.yellow('NOT REPRODUCED')}: ${outcome.message}\n${xstate}`);
      done(EXIT.OK);
    });
}
