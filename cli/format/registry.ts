/**
 * Every output format, declared once: its name, what it is for, and one renderer per output it can print.
 * A command accepts exactly the formats that render its output (`check` the formats with a `check`
 * renderer, `merge` of a sweep those with a `sweep` renderer ...); `--format`'s help and the error for an
 * unknown format are made from this table, and the commands print through it. A new format is a new entry
 * here; a new output is a new key of `Outputs` and a renderer in each format that prints it.
 */
import type { ChalkInstance } from 'chalk';
import type { CompiledSystem } from '../../checker/index.js';
import type { AnyScenario, GateEntry, GateReport, ScenarioRun } from '../../scenarios/index.js';
import { UsageError } from '../errors.js';
import type { ShardMeta } from '../shard.js';
import type { SwarmJob } from '../swarm.js';
import { gateEntryText, gateSummaryText } from './gateText.js';
import { gateToJson, runToJson } from './json.js';
import { checkJunit, gateJunit } from './junit.js';
import { listJson, listText } from './list.js';
import { formatGateMarkdown, formatRunMarkdown } from './markdown.js';
import { formatShowMarkdown, formatShowText, type ScenarioDescription } from './show.js';
import { formatSwarmText, swarmToJson, type SwarmReport } from './swarm.js';
import { formatSweepText, sweepToJson, type SweepReport } from './sweep.js';
import { formatRunText } from './text.js';

/** A gate shard's part of the split, and the file (or built-in id) of each scenario in its plan. */
export type GateShardMeta = ShardMeta & { readonly targets: Readonly<Record<string, string>> };

/** What each output's renderer is given. */
export interface Outputs {
  /** `check`: one run of one variant. */
  readonly check: {
    readonly run: ScenarioRun;
    readonly system: CompiledSystem;
    readonly color: ChalkInstance;
    /** The counterexample in the commit-message style (text only; the command refuses it elsewhere). */
    readonly brief: boolean;
    /** `faultline replay FILE`, when the first counterexample's trace file was written. */
    readonly replay?: string;
    /** The `faultline check ...` command that reruns this check. */
    readonly rerun: string;
    /** A swarm job (`--swarm i/n`): what `faultline merge` needs to combine it with the others. */
    readonly swarm?: SwarmJob;
  };
  /** `gate`, and `merge` of a gate's shards: the whole report, printed at the end. */
  readonly gate: {
    readonly report: GateReport;
    readonly color: ChalkInstance;
    /** A shard's own part of the split, for `faultline merge`. */
    readonly shard?: GateShardMeta;
  };
  /** `gate`: one scenario variant, printed as it finishes so a long gate shows its progress. */
  readonly gateEntry: { readonly entry: GateEntry; readonly color: ChalkInstance };
  /** `sweep`, and `merge` of a sweep's shards. */
  readonly sweep: { readonly report: SweepReport; readonly color: ChalkInstance; readonly shard?: ShardMeta };
  /** `merge` of the jobs of a swarm (`check --swarm i/n`). */
  readonly swarm: { readonly report: SwarmReport; readonly color: ChalkInstance };
  /** `show`. */
  readonly show: ScenarioDescription;
  /** `list`. */
  readonly list: readonly AnyScenario[];
}

export type OutputKind = keyof Outputs;
export type Renderer<K extends OutputKind> = (input: Outputs[K]) => string;

export interface OutputFormat {
  readonly description: string;
  readonly render: { readonly [K in OutputKind]?: Renderer<K> };
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** The formats, in the order help and error messages list them; `text` is every command's default. */
export const OUTPUT_FORMATS = {
  text: {
    description: 'for reading on a terminal or pasting into a commit message (the default)',
    render: {
      check: (o) => formatRunText(o.run, o.system, { color: o.color, brief: o.brief, ...(o.replay ? { replay: o.replay } : {}) }),
      gate: (o) => gateSummaryText(o.report, o.color),
      gateEntry: (o) => gateEntryText(o.entry, o.color),
      sweep: (o) => formatSweepText(o.report, o.color),
      swarm: (o) => formatSwarmText(o.report, o.color),
      show: formatShowText,
      list: listText,
    },
  },
  json: {
    description: 'one JSON object, for programs (`faultline merge` combines those of shards and swarm jobs)',
    render: {
      check: (o) => json({ ...(runToJson(o.run, o.replay ? { replay: o.replay } : {}) as object), ...(o.swarm ? { swarm: o.swarm } : {}) }),
      gate: (o) => json(o.shard ? { ...(gateToJson(o.report) as object), shard: o.shard } : gateToJson(o.report)),
      sweep: (o) => json(o.shard ? { ...(sweepToJson(o.report) as object), shard: o.shard } : sweepToJson(o.report)),
      swarm: (o) => json(swarmToJson(o.report)),
      show: json,
      list: (scenarios) => json(listJson(scenarios)),
    },
  },
  markdown: {
    description: 'tables and Mermaid diagrams, for a CI job summary, a pull request or a mailing-list reply',
    render: {
      check: (o) => formatRunMarkdown(o.run, o.system, o.replay ? { replay: o.replay } : {}),
      gate: (o) => formatGateMarkdown(o.report),
      show: formatShowMarkdown,
    },
  },
  junit: {
    description: 'JUnit XML for a CI test report: a test suite per scenario variant, a test case per property',
    render: {
      check: (o) => checkJunit(o.run, o.system, o.replay ?? o.rerun),
      gate: (o) => gateJunit(o.report),
    },
  },
} as const satisfies Readonly<Record<string, OutputFormat>>;

export type FormatName = keyof typeof OUTPUT_FORMATS;

const NAMES = Object.keys(OUTPUT_FORMATS) as FormatName[];

/** The formats that print `output`, in registry order. */
export function formatsFor(output: OutputKind): FormatName[] {
  return NAMES.filter((name) => (OUTPUT_FORMATS[name] as OutputFormat).render[output] !== undefined);
}

/** `output` rendered in `format`, or undefined when that format does not print it (`gateEntry` in json). */
export function rendererOf<K extends OutputKind>(format: FormatName, output: K): Renderer<K> | undefined {
  return (OUTPUT_FORMATS[format] as OutputFormat).render[output] as Renderer<K> | undefined;
}

/** A format chosen for one output: its name and its renderer. */
export interface ChosenFormat<K extends OutputKind> {
  readonly name: FormatName;
  readonly render: Renderer<K>;
}

/** `--format RAW` (default text) for `output`; a format that does not print it is bad input naming those that do. */
export function chooseFormat<K extends OutputKind>(output: K, raw: string | undefined): ChosenFormat<K> {
  const name = raw ?? 'text';
  const accepted = formatsFor(output);
  const chosen = accepted.find((f) => f === name);
  if (chosen === undefined) throw new UsageError(`unknown format '${name}' (formats: ${accepted.join(', ')})`);
  return { name: chosen, render: rendererOf(chosen, output)! };
}

/** Who prints each output, for `merge`'s help: `text, json (a sweep or a swarm)`. */
const PRINTED_FOR: Readonly<Record<OutputKind, string>> = {
  check: 'a check',
  gate: 'a gate',
  gateEntry: 'a gate',
  sweep: 'a sweep',
  swarm: 'a swarm',
  show: 'a scenario',
  list: 'the scenarios',
};

/**
 * The help of `--format` for a command printing `outputs`: the accepted names, grouped by output where
 * they differ (`text, json, markdown, junit (a gate); text, json (a sweep or a swarm)`).
 */
export function formatChoicesText(outputs: readonly OutputKind[]): string {
  const groups: { names: string; whose: string[] }[] = [];
  for (const output of outputs) {
    const names = formatsFor(output).join(', ');
    const group = groups.find((g) => g.names === names);
    if (group) group.whose.push(PRINTED_FOR[output]);
    else groups.push({ names, whose: [PRINTED_FOR[output]] });
  }
  return groups.length === 1 ? groups[0]!.names : groups.map((g) => `${g.names} (${g.whose.join(' or ')})`).join('; ');
}

/** The `Formats:` section of a command's help: each accepted format and what it is for. */
export function formatsHelpText(outputs: readonly OutputKind[]): string {
  const names = NAMES.filter((name) => outputs.some((o) => formatsFor(o).includes(name)));
  const width = Math.max(...names.map((n) => n.length));
  return `\nFormats (--format):\n${names.map((n) => `  ${n.padEnd(width)}  ${OUTPUT_FORMATS[n].description}`).join('\n')}`;
}
