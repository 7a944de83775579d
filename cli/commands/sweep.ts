/**
 * `faultline sweep ID[:VARIANT] --param k=a..b ...`: the verdict at every point of a parameter grid, to
 * see where a protocol starts to break. Exploratory, so a violation is a result, not a failure: exit 0
 * unless the input is bad or a point failed to build (2: the rows that ran are printed, an `error` row for
 * each point that did not build), 4 if a point was a model error, 3 if any point was inconclusive, 130 on Ctrl-C.
 */
import type { Command } from 'commander';
import { paramNotTaken, resolveParams, resolveVariant, ScenarioInputError, ValidateError, variantParams, type AnyScenario } from '../../scenarios/index.js';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { reductionText } from '../format/common.js';
import { chooseFormat } from '../format/registry.js';
import type { SweepPoint, SweepReport } from '../format/sweep.js';
import { colors, type CliIo } from '../io.js';
import { loadTarget } from '../load.js';
import { collect, parseLimits, runOptions, type RunLimits } from '../options.js';
import { progressLine } from '../progress.js';
import { resolveScenario } from '../resolve.js';
import { MAX_SWEEP_POINTS, parseSweepGrid } from '../sweepGrid.js';
import { assignShards, costsFor, parseShard, pointKey, readCosts, type ShardMeta } from '../shard.js';
import { checkOnWorkers, workerSource } from '../workerSystem.js';
import { addFormatFlag, addLimitFlags, addOutputFlags, addShardFlags } from './flags.js';

interface SweepFlags extends RunLimits {
  readonly param: string[];
  readonly format?: string;
  readonly color: boolean;
  readonly quiet?: boolean;
  readonly shard?: string;
  readonly costs?: string;
}

export function sweepExitCode(r: SweepReport): ExitCode {
  if (r.interrupted) return EXIT.INTERRUPTED;
  if (r.points.some((p) => p.verdict === 'error')) return EXIT.BAD_INPUT;
  if (r.points.some((p) => p.verdict === 'model-error')) return EXIT.MODEL_ERROR;
  return r.points.some((p) => p.verdict === 'inconclusive') ? EXIT.INCONCLUSIVE : EXIT.OK;
}

export function registerSweep(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('sweep')
    .argument('<target>', 'a scenario ID[:VARIANT] or a path to your own scenario file')
    .description('check a scenario at every point of a parameter grid and print a table of verdicts')
    .option('-p, --param <name=range>', 'NAME=A..B (a range), NAME=A,B,C (a list) or NAME=V (fixed); repeatable', collect, []);
  addFormatFlag(cmd, ['sweep']);
  addLimitFlags(cmd, { strategy: true, per: 'each point' });
  addShardFlags(cmd, 'points');
  addOutputFlags(cmd)
    .addHelpText(
      'after',
      `\nPoints run in a fixed order: the first swept parameter varies slowest. At most ${MAX_SWEEP_POINTS} points;\n` +
        'combinations the scenario rejects (e.g. capacity > pages) are listed as skipped.\n' +
        'Exit codes: 0 done (violations are results here, not failures), 2 bad input or a point that failed to build (the table is printed,\n' +
        'with an error row for it), 3 a point inconclusive, 4 a point a model error, 130 interrupted.\n\n' +
        'Examples:\n  faultline sweep retry-ring --param capacity=1..4 --param pages=4\n  faultline sweep retry-ring:ring --param readers=1..3 --param budget=0..2 --format json',
    )
    .action(async (target: string, flags: SweepFlags) => {
      const format = chooseFormat('sweep', flags.format);
      const limits = parseLimits(flags, io);
      const { scenario, variant } = await loadTarget(target, io.cwd);
      let base: string;
      try {
        base = resolveVariant(scenario, variant);
      } catch (e) {
        throw e instanceof ScenarioInputError ? new UsageError(e.message) : e;
      }
      const grid = parseSweepGrid(scenario, flags.param);
      const taken = variantParams(scenario, base);
      const notTaken = paramNotTaken(scenario, base, [...Object.keys(grid.fixed), ...grid.axes.map((a) => a.name)]);
      if (notTaken) throw new UsageError(notTaken);
      const shard = parseShard('--shard', flags.shard);
      if (flags.costs !== undefined && !shard) throw new UsageError('--costs balances --shard: give --shard I/N too');
      // Every point first: its parameters, or why the scenario rejects it (cheap; nothing runs yet).
      const planned = grid.points.map((point): { point: Record<string, number>; params: Record<string, number> } | SweepPoint => {
        try {
          return { point, params: resolveParams(scenario, { ...grid.fixed, ...point }, base) };
        } catch (e) {
          if (!(e instanceof ScenarioInputError)) throw e;
          return unrunPoint(scenario, taken, { ...grid.fixed, ...point }, point, e instanceof ValidateError ? 'error' : 'skipped', e.message);
        }
      });
      if (planned.length > 0 && planned.every((p) => 'verdict' in p && p.verdict === 'skipped')) {
        throw new UsageError(`every point of the sweep is rejected by the scenario (${(planned[0] as SweepPoint).reason})`);
      }
      const plan = grid.points.map(pointKey);
      let owner: readonly number[] | undefined;
      if (shard) owner = assignShards(costsFor(plan, flags.costs === undefined ? new Map() : readCosts(flags.costs, io.cwd)), shard.count);
      const points: SweepPoint[] = [];
      let interrupted = false;
      for (const [k, item] of planned.entries()) {
        if (owner && owner[k] !== shard!.index) continue;
        if ('verdict' in item) {
          points.push(item);
          continue;
        }
        const { point, params } = item;
        let r;
        try {
          r = resolveScenario(scenario, base, params);
        } catch (e) {
          // The parameters were resolved above: what is left is the scenario's own build() or system at this point.
          if (!(e instanceof UsageError)) throw e;
          points.push(unrunPoint(scenario, taken, params, point, 'error', e.message));
          continue;
        }
        const progress = progressLine(io, `${scenario.id}:${base} ${pointKey(point)}`, flags.quiet === true);
        let result;
        try {
          const source = limits.workers > 1 ? { source: workerSource({ target: `${target.split(':')[0]}:${base}`, params, cwd: io.cwd }) } : {};
          result = checkOnWorkers(r.system, { ...runOptions(limits, io, progress.onProgress), ...source });
        } finally {
          progress.stop();
          io.watch?.(null);
        }
        const s = result.stats;
        const first = result.violations[0];
        points.push({
          point,
          params,
          verdict: result.verdict,
          ...(first ? { property: first.property } : {}),
          ...(result.verdict === 'inconclusive' && result.inconclusive ? { reason: result.inconclusive.message } : {}),
          ...(result.verdict === 'model-error' && result.modelError ? { reason: result.modelError.message } : {}),
          states: s.states,
          transitions: s.transitions,
          depth: s.depth,
          seconds: s.seconds,
          ...(result.reduction && reductionText(result.reduction) ? { reduction: result.reduction } : {}),
        });
        if (result.verdict === 'inconclusive' && result.inconclusive?.reason === 'interrupted') {
          interrupted = true;
          break;
        }
      }
      const report: SweepReport = { scenario: scenario.id, variant: base, fixed: grid.fixed, axes: grid.axes, points, interrupted };
      io.stdout(format.render({ report, color: colors(io, flags.color), ...(shard ? { shard: { ...shard, plan } satisfies ShardMeta } : {}) }));
      reportFailedPoints(report, io);
      done(sweepExitCode(report));
    });
}

/** The one line on stderr that goes with exit 2 when some points failed to build (sweep, and merge of its shards). */
export function reportFailedPoints(r: SweepReport, io: CliIo): void {
  const failed = r.points.filter((p) => p.verdict === 'error').length;
  if (failed === 0) return;
  io.stderr(
    `faultline: ${failed} of ${r.points.length} sweep points failed to build (the error rows): the scenario's build() or validate() is wrong at those parameters\n`,
  );
}

/**
 * A point that did not run, listed with every parameter it would have had: `skipped` when the scenario
 * rejects it (e.g. capacity > pages), `error` when the scenario's own code failed there (build() or
 * validate() threw, or the system it built is not well defined).
 */
function unrunPoint(
  scenario: AnyScenario,
  taken: readonly string[],
  given: Readonly<Record<string, number>>,
  point: Readonly<Record<string, number>>,
  verdict: 'skipped' | 'error',
  message: string,
): SweepPoint {
  const defaults = Object.fromEntries(
    Object.entries(scenario.params)
      .filter(([k]) => taken.includes(k))
      .map(([k, p]) => [k, p.default]),
  );
  return {
    point,
    params: { ...defaults, ...given },
    verdict,
    reason: message.replace(/^scenario '[^']*':? /, ''),
    states: 0,
    transitions: 0,
    depth: 0,
    seconds: 0,
  };
}
