/**
 * `faultline gate`: every built-in scenario × variant at its default parameters, against its declared
 * expectation. Exit 1 on any mismatch (or a scenario that does not build), else 3 if any run was
 * inconclusive, else 0; 130 on Ctrl-C. Scenario files or folders named on the command line replace the
 * built-in registry, so a project can gate its own models the same way (a folder stands for every
 * `*.scenario.{ts,mts,js,mjs}` file under it, in path order, node_modules and hidden folders left out).
 */
import { appendFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { Command } from 'commander';
import { parseTarget, runGate, scenarios, type AnyScenario, type GateReport } from '../../scenarios/index.js';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { chooseFormat, OUTPUT_FORMATS, rendererOf, type ChosenFormat, type GateShardMeta } from '../format/registry.js';
import { colors, type CliIo } from '../io.js';
import { checkedScenario, loadScenarioFile } from '../load.js';
import { collect, parseLimits, runOptions, type RunLimits } from '../options.js';
import { progressLine, type ProgressLine } from '../progress.js';
import { GATE_COSTS } from '../gateCosts.js';
import { assignShards, costsFor, parseShard, readCosts } from '../shard.js';
import { addFormatFlag, addLimitFlags, addOutputFlags, addShardFlags } from './flags.js';

interface GateFlags extends RunLimits {
  readonly format?: string;
  readonly filter: string[];
  readonly junit?: string;
  readonly summary?: string;
  readonly color: boolean;
  readonly quiet?: boolean;
  readonly shard?: string;
  readonly costs?: string;
}

export function gateExitCode(report: GateReport): ExitCode {
  if (report.interrupted) return EXIT.INTERRUPTED;
  if (report.counts.mismatch > 0 || report.counts.error > 0) return EXIT.VIOLATED;
  if (report.counts.inconclusive > 0) return EXIT.INCONCLUSIVE;
  return EXIT.OK;
}

/** `--filter ID` / `--filter ID:VARIANT` (repeatable) into a predicate; unknown names are bad input. */
export function gateFilter(list: readonly AnyScenario[], filters: readonly string[]): ((scenario: string, variant: string) => boolean) | undefined {
  if (filters.length === 0) return undefined;
  const wanted = filters
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (wanted.length === 0) throw new UsageError(`--filter expects ID or ID:VARIANT (scenarios: ${list.map((s) => s.id).join(', ') || 'none'})`);
  const picks = wanted.map((f) => {
    const { id, variant } = parseTarget(f);
    const s = list.find((x) => x.id === id);
    if (!s) throw new UsageError(`--filter: unknown scenario '${id}' (scenarios: ${list.map((x) => x.id).join(', ') || 'none'})`);
    if (variant !== undefined && !Object.hasOwn(s.variants, variant)) {
      throw new UsageError(`--filter: scenario '${id}' has no variant '${variant}' (variants: ${Object.keys(s.variants).join(', ')})`);
    }
    return { id, variant };
  });
  return (scenario, variant) => picks.some((p) => p.id === scenario && (p.variant === undefined || p.variant === variant));
}

const SCENARIO_FILE = /\.scenario\.m?[jt]s$/;

/** How many folders one folder argument may make gate search: past it, the user meant something smaller. */
const MAX_FOLDERS = 1000;

/**
 * The scenario files under `dir` (relative to it, sorted), searching its subfolders but not node_modules,
 * hidden folders or symbolic links; a folder that cannot be read is left out.
 */
function scenarioFilesUnder(dir: string, shown: string): string[] {
  const found: string[] = [];
  const pending = [''];
  let folders = 0;
  while (pending.length > 0) {
    const sub = pending.pop()!;
    if (++folders > MAX_FOLDERS)
      throw new UsageError(`the folder '${shown}' has more than ${MAX_FOLDERS} folders to search for scenario files; name a smaller folder or the files`);
    let entries;
    try {
      entries = readdirSync(join(dir, sub), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = join(sub, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) pending.push(rel);
      else if (e.isFile() && SCENARIO_FILE.test(e.name)) found.push(rel);
    }
  }
  return found.sort();
}

/** The command line's files, each folder replaced by the scenario files under it (paths as the user would write them). */
export function scenarioFiles(args: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const a of args) {
    const full = resolve(cwd, a);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      // Not there: loadScenarioFile says so, naming it.
    }
    if (!isDir) {
      out.push(a);
      continue;
    }
    const found = scenarioFilesUnder(full, a).map((f) => join(a, f));
    if (found.length === 0) throw new UsageError(`no scenario files (*.scenario.ts) in the folder '${a}'`);
    out.push(...found.filter((f) => !out.some((o) => relative(resolve(cwd, o), resolve(cwd, f)) === '')));
  }
  return out;
}

/** Writes a report file; on failure says so on stderr and returns false (the gate's own result stands). */
function writeReport(io: CliIo, path: string, text: string, append: boolean): boolean {
  try {
    (append ? appendFileSync : writeFileSync)(resolve(io.cwd, path), text);
    return true;
  } catch (e) {
    io.stderr(`faultline: cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return false;
  }
}

export interface GateOutput {
  readonly format: ChosenFormat<'gate'>;
  readonly color: ChalkInstance;
  /** The JUnit file to write, the Markdown file to append to. */
  readonly junit?: string;
  readonly summary?: string;
  /** A shard's JSON carries what `faultline merge` needs. */
  readonly shard?: GateShardMeta;
}

/**
 * The end of a gate (or of a merged one): the summary (text; the entries were printed as they finished)
 * or the whole report on stdout, the report files, and the exit code.
 */
export function finishGate(io: CliIo, report: GateReport, o: GateOutput): ExitCode {
  io.stdout(o.format.render({ report, color: o.color, ...(o.shard ? { shard: o.shard } : {}) }));
  let written = true;
  if (o.junit !== undefined) written = writeReport(io, o.junit, OUTPUT_FORMATS.junit.render.gate({ report, color: o.color }), false) && written;
  if (o.summary !== undefined) written = writeReport(io, o.summary, OUTPUT_FORMATS.markdown.render.gate({ report, color: o.color }), true) && written;
  // A mismatch (1) or an inconclusive run (3) is reported as such; an all-clear gate whose requested
  // report could not be written is bad input (2), so CI does not pass without its report.
  const code = gateExitCode(report);
  return code === EXIT.OK && !written ? EXIT.BAD_INPUT : code;
}

export function registerGate(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('gate')
    .argument('[files...]', 'scenario files, or folders of *.scenario.ts files, to gate instead of the built-in scenarios')
    .description('run every scenario and variant at its default parameters against its declared expected verdict');
  addFormatFlag(cmd, ['gate'], 'output on stdout')
    .option('--filter <ID[:VARIANT]>', 'only these scenarios or variants (repeatable, or comma-separated)', collect, [])
    .option('--junit <file>', 'also write the JUnit XML report to this file')
    .option('--summary <file>', 'also append the Markdown report to this file (e.g. "$GITHUB_STEP_SUMMARY")');
  addLimitFlags(cmd, { strategy: false, per: 'each run' });
  addShardFlags(cmd, 'scenario variants');
  addOutputFlags(cmd)
    .addHelpText(
      'after',
      '\nExit codes: 0 every run as expected, 1 a mismatch (or a scenario that does not build), 3 a run inconclusive and\nnothing mismatched, 2 bad input, 130 interrupted.\n\n' +
        'Examples:\n  faultline gate\n  faultline gate --shard 2/4 --format json > gate-2.json   # then: faultline merge gate-*.json\n  faultline gate --filter retry-ring --format json\n  faultline gate --junit gate.xml --summary "$GITHUB_STEP_SUMMARY"\n  faultline gate examples/*.scenario.ts\n  faultline gate scenarios --junit faultline-junit.xml   # a project made by faultline init',
    )
    .action(async (files: string[], flags: GateFlags) => {
      const format = chooseFormat('gate', flags.format);
      // Text prints each entry as it finishes, so a long gate shows its progress.
      const streamEntry = rendererOf(format.name, 'gateEntry');
      const limits = parseLimits(flags, io);
      const list: AnyScenario[] = [];
      const paths = new Map<AnyScenario, string>();
      for (const f of scenarioFiles(files, io.cwd)) {
        const s = await loadScenarioFile(f, io.cwd);
        if (list.some((x) => x.id === s.id)) throw new UsageError(`two scenario files define the scenario '${s.id}'`);
        list.push(s);
        paths.set(s, f);
      }
      const registry = files.length ? list : scenarios.map(checkedScenario);
      const filter = gateFilter(registry, flags.filter);
      const shard = parseShard('--shard', flags.shard);
      if (flags.costs !== undefined && !shard) throw new UsageError('--costs balances --shard: give --shard I/N too');
      const plan = registry.flatMap((s) =>
        Object.keys(s.variants)
          .filter((v) => !filter || filter(s.id, v))
          .map((v) => `${s.id}:${v}`),
      );
      if (plan.length === 0) throw new UsageError('no scenario variant to gate');
      let include = filter;
      let meta: GateShardMeta | undefined;
      if (shard) {
        const recorded = flags.costs === undefined ? new Map(Object.entries(GATE_COSTS)) : readCosts(flags.costs, io.cwd);
        const owner = assignShards(costsFor(plan, recorded), shard.count);
        const mine = new Set(plan.filter((_, k) => owner[k] === shard.index));
        include = (s, v) => mine.has(`${s}:${v}`);
        const targets = Object.fromEntries(registry.filter((s) => plan.some((key) => key.startsWith(`${s.id}:`))).map((s) => [s.id, paths.get(s) ?? s.id]));
        meta = { ...shard, plan, targets };
      }
      const c = colors(io, flags.color);
      let progress: ProgressLine | undefined;
      const report = runGate(registry, {
        ...(include ? { include } : {}),
        targetOf: (s) => paths.get(s) ?? s.id,
        options: (scenario, variant) => {
          progress = progressLine(io, `${scenario}:${variant}`, flags.quiet === true);
          // Scenario files of the user's own: their machines are cross-checked against xstate, as by `check`.
          return { ...runOptions(limits, io, progress.onProgress), xstateCheck: files.length > 0 };
        },
        onEntry: (e) => {
          progress?.stop();
          io.watch?.(null);
          if (streamEntry) io.stdout(streamEntry({ entry: e, color: c }));
        },
      });
      done(
        finishGate(io, report, {
          format,
          color: c,
          ...(meta ? { shard: meta } : {}),
          ...(flags.junit === undefined ? {} : { junit: flags.junit }),
          ...(flags.summary === undefined ? {} : { summary: flags.summary }),
        }),
      );
    });
}
