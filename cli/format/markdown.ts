/**
 * Markdown reports, for a CI job summary (`$GITHUB_STEP_SUMMARY`), a pull request or a mailing-list reply:
 * a verdict line, a property table, and each counterexample as a Mermaid sequence diagram followed by
 * the plain-text trace in a fenced block (the one to paste into a commit message).
 */
import { formatModelErrorTrace, formatTraceMermaid, formatTraceText, type CompiledSystem, type Violation } from '../../checker/index.js';
import type { GateEntry, GateReport, GateStatus, ScenarioRun } from '../../scenarios/index.js';
import { num, paramsSuffix, reductionText } from './common.js';
import { expectationText } from './junit.js';
import { statsLine } from './text.js';

/** A table cell: no line breaks, and `|` escaped. */
export function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Inline code that survives backticks inside the text. */
export function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${s}${fence.length > 1 ? ' ' : ''}${fence}`;
}

/** A fenced block whose fence is longer than any run of backticks inside. */
export function fenced(lang: string, body: string): string {
  const longest = (body.match(/`+/g) ?? []).reduce((n, m) => Math.max(n, m.length), 2);
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body.replace(/\n$/, '')}\n${fence}`;
}

/** The Mermaid diagram and the text trace of one violation. */
export function violationMarkdown(v: Pick<Violation, 'trace'>, system: CompiledSystem): string {
  const actors = system.actors.map((a) => a.name);
  return [fenced('mermaid', formatTraceMermaid(v.trace, { actors })), '', fenced('text', formatTraceText(v.trace, { actors }))].join('\n');
}

function verdictText(r: ScenarioRun['result']): string {
  if (r.verdict === 'holds') return '✅ holds';
  if (r.verdict === 'violated') return '❌ violated';
  return r.verdict === 'inconclusive' ? '⚠️ inconclusive' : '💥 model error';
}

export interface RunMarkdownOptions {
  /** The command that replays the first counterexample, if a trace file was written. */
  readonly replay?: string;
}

/** `faultline check --format markdown`. */
export function formatRunMarkdown(run: ScenarioRun, system: CompiledSystem, o: RunMarkdownOptions = {}): string {
  const r = run.result;
  const out: string[] = [`## ${code(`${run.scenario}:${run.variant}`)}${paramsSuffix(run.params)}: ${verdictText(r)}`, ''];
  const stop = r.verdict === 'inconclusive' ? r.inconclusive : undefined;
  if (stop) out.push(stop.reason === 'sampled' ? `${stop.message}.` : `${stop.message}; nothing is proven.`, '');
  out.push('| property | kind | result |', '|---|---|---|');
  for (const p of r.properties) {
    const b = r.bounds.find((x) => x.property === p.name);
    const worst = b ? ` (worst ${b.worst}, limit ${b.limit})` : '';
    const status = p.status === 'violated' ? '❌ violated' : p.status === 'holds' ? '✅ holds' : 'not established (search stopped)';
    out.push(`| ${cell(p.name)} | ${p.kind} | ${status}${worst} |`);
  }
  const m = r.verdict === 'model-error' ? r.modelError : undefined;
  if (m) {
    const trace = m.threads ? fenced('text', formatModelErrorTrace(m, { actors: system.actors.map((a) => a.name) })) : violationMarkdown(m, system);
    out.push('', `### model error (${m.kind})`, '', cell(m.message), '', trace);
  }
  for (const v of r.violations) {
    out.push('', `### ${v.kind} ${code(v.property)} violated`, '', cell(v.message), '', violationMarkdown(v, system));
  }
  out.push('', `_${statsLine(run)}_`);
  const reduction = reductionText(r.reduction);
  if (reduction) out.push('', `_${cell(reduction)}_`);
  if (o.replay) out.push('', `Replay: ${code(o.replay)}`);
  return out.join('\n') + '\n';
}

const STATUS_ICON: Readonly<Record<GateStatus, string>> = { 'as-expected': '✅', mismatch: '❌', inconclusive: '⚠️', error: '💥' };

function foundText(e: GateEntry): string {
  if (!e.run) return 'did not build';
  const r = e.run.result;
  const first = r.violations[0];
  if (first) return `violates ${first.property}`;
  return r.verdict;
}

/** `faultline gate --format markdown`: a summary table, then every counterexample (mismatches open). */
export function formatGateMarkdown(report: GateReport): string {
  const c = report.counts;
  const ok = c.mismatch === 0 && c.error === 0;
  const head = ok ? (c.inconclusive ? '⚠️' : '✅') : '❌';
  const out: string[] = [
    `## ${head} faultline gate: ${c['as-expected']} as expected, ${c.mismatch} mismatched, ${c.inconclusive} inconclusive${c.error ? `, ${c.error} failed (a model error, or the scenario did not build)` : ''}`,
    '',
  ];
  if (report.interrupted) out.push('Interrupted (Ctrl-C): the scenarios after the last row were not run.', '');
  out.push('| | scenario | variant | expected | found | states | seconds | provenance |', '|---|---|---|---|---|---:|---:|---|');
  for (const e of report.entries) {
    const s = e.run?.result.stats;
    out.push(
      `| ${STATUS_ICON[e.status]} | ${cell(e.scenario)} | ${cell(e.variant)} | ${cell(expectationText(e))} | ${cell(foundText(e))} | ${s ? num(s.states) : ''} | ${s ? s.seconds.toFixed(2) : ''} | ${e.provenance.kind} |`,
    );
  }
  const problems = report.entries.filter((e) => e.status !== 'as-expected');
  if (problems.length) {
    out.push('', '### Not as expected', '');
    for (const e of problems) out.push(`- ${STATUS_ICON[e.status]} ${code(`${e.scenario}:${e.variant}`)}: ${cell(e.message)}`);
  }
  const withTraces = report.entries.filter((e) => e.run && e.system && e.run.result.violations.length);
  if (withTraces.length) {
    out.push('', '### Counterexamples');
    for (const e of withTraces) {
      for (const v of e.run!.result.violations) {
        const open = e.status === 'as-expected' ? '' : ' open';
        const tag = e.status === 'as-expected' ? 'expected' : 'NOT EXPECTED';
        out.push(
          '',
          `<details${open}><summary>${STATUS_ICON[e.status]} ${htmlText(`${e.scenario}:${e.variant}`)}: ${htmlText(`${v.kind} '${v.property}'`)} (${tag}, ${v.trace.steps.length} steps)</summary>`,
          '',
          cell(v.message),
          '',
          violationMarkdown(v, e.system!),
          '',
          `Reproduce: ${code(`faultline check ${e.target}:${e.variant}`)}`,
          '',
          '</details>',
        );
      }
    }
  }
  return out.join('\n') + '\n';
}

function htmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
