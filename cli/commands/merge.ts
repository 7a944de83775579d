/**
 * `faultline merge FILES...`: the JSON results of the jobs of one split into one report, as the unsharded
 * run would print it: a gate (text, JSON, JUnit, Markdown; exit codes as `gate`), a sweep (text, JSON; as
 * `sweep`) or a swarm (text, JSON; 1 on a violation, 3 otherwise: sampling proves nothing).
 */
import type { Command } from 'commander';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { chooseFormat, rendererOf } from '../format/registry.js';
import type { SweepReport } from '../format/sweep.js';
import type { SwarmReport } from '../format/swarm.js';
import { colors, type CliIo } from '../io.js';
import { mergeGate, mergeSwarm, mergeSweep, readSplit } from '../merge.js';
import { UsageError } from '../errors.js';
import { typeChecking } from '../typecheck.js';
import { finishGate } from './gate.js';
import { addFormatFlag } from './flags.js';
import { reportFailedPoints, sweepExitCode } from './sweep.js';
import type { GateReport } from '../../scenarios/index.js';

interface MergeFlags {
  readonly format?: string;
  readonly junit?: string;
  readonly summary?: string;
  readonly color: boolean;
}

const VERDICTS: readonly string[] = ['holds', 'violated', 'inconclusive'];
const STATUSES: readonly string[] = ['as-expected', 'mismatch', 'inconclusive', 'error'];

/**
 * A merged gate never passes on something it does not understand: a verdict or status it does not know
 * (a `model-error` from a newer faultline, say) fails the merge even if the shard's counts look clean.
 */
export function mergedGateExitCode(report: GateReport, code: ExitCode): ExitCode {
  const unknown = report.entries.some((e) => !STATUSES.includes(e.status) || (e.run !== undefined && !VERDICTS.includes(e.run.result.verdict)));
  return unknown && (code === EXIT.OK || code === EXIT.INCONCLUSIVE) ? EXIT.VIOLATED : code;
}

/** A merged sweep: as `sweep`, except that a point whose verdict merge does not know fails it. */
export function mergedSweepExitCode(report: SweepReport): ExitCode {
  const code = sweepExitCode(report);
  const unknown = report.points.some((p) => ![...VERDICTS, 'skipped', 'error'].includes(p.verdict));
  return unknown && (code === EXIT.OK || code === EXIT.INCONCLUSIVE) ? EXIT.VIOLATED : code;
}

export function swarmExitCode(r: SwarmReport): ExitCode {
  if (r.first) return EXIT.VIOLATED;
  if (r.jobs.some((j) => !['violated', 'inconclusive'].includes(j.verdict))) return EXIT.VIOLATED;
  return EXIT.INCONCLUSIVE;
}

export function registerMerge(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('merge')
    .argument('<files...>', 'the JSON results of every job: `gate --shard I/N`, `sweep --shard I/N` or `check --swarm I/N` with --format json')
    .description('combine the JSON results of sharded gates or sweeps, or of swarm jobs, into the report one run would give');
  addFormatFlag(cmd, ['gate', 'sweep', 'swarm'])
    .option('--junit <file>', 'a gate: also write the JUnit XML report to this file')
    .option('--summary <file>', 'a gate: also append the Markdown report to this file (e.g. "$GITHUB_STEP_SUMMARY")')
    .option('--no-color', 'no colour (also: NO_COLOR=1; colour is only used on a terminal)')
    .addHelpText(
      'after',
      '\nEvery job of the split must be given exactly once: a missing or repeated shard is bad input (exit 2).\n' +
        'Exit codes: as the unsharded command (gate: 0 / 1 / 3; sweep: 0 / 3); a swarm: 1 a violation, 3 none found; 2 bad input.\n\n' +
        'Examples:\n  faultline merge gate-*.json --junit gate.xml --summary "$GITHUB_STEP_SUMMARY"\n  faultline merge sweep-*.json --format json\n  faultline merge swarm-*.json',
    )
    .action(async (files: string[], flags: MergeFlags) => {
      // The shards' runs type-checked their scenario files; merging loads them again only to rebuild the
      // systems their traces print against, so it does not pay TypeScript's checker a second time.
      typeChecking.enabled = false;
      const jobs = readSplit(files, io.cwd);
      const kind = jobs[0]!.kind;
      const c = colors(io, flags.color);
      if (kind !== 'gate' && (flags.junit !== undefined || flags.summary !== undefined))
        throw new UsageError(`--junit and --summary apply to a gate, not a ${kind}`);
      if (kind === 'gate') {
        const format = chooseFormat('gate', flags.format);
        const report = await mergeGate(jobs, io.cwd);
        const entry = rendererOf(format.name, 'gateEntry');
        if (entry) for (const e of report.entries) io.stdout(entry({ entry: e, color: c }));
        const code = finishGate(io, report, {
          format,
          color: c,
          ...(flags.junit === undefined ? {} : { junit: flags.junit }),
          ...(flags.summary === undefined ? {} : { summary: flags.summary }),
        });
        done(mergedGateExitCode(report, code));
      } else if (kind === 'sweep') {
        const format = chooseFormat('sweep', flags.format);
        const report = mergeSweep(jobs);
        io.stdout(format.render({ report, color: c }));
        reportFailedPoints(report, io);
        done(mergedSweepExitCode(report));
      } else {
        const format = chooseFormat('swarm', flags.format);
        const report = await mergeSwarm(jobs, io.cwd);
        io.stdout(format.render({ report, color: c }));
        done(swarmExitCode(report));
      }
    });
}
