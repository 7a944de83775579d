/**
 * The gate as text: one line per scenario variant as it finishes (so a long gate shows its progress),
 * the counterexample under every mismatch, and a closing count.
 */
import type { ChalkInstance } from 'chalk';
import { formatTraceText } from '../../checker/index.js';
import type { GateEntry, GateReport } from '../../scenarios/index.js';
import { num } from './common.js';

const LABEL = { 'as-expected': 'ok', mismatch: 'MISMATCH', inconclusive: 'INCONCLUSIVE', error: 'ERROR' } as const;

export function gateEntryText(e: GateEntry, c: ChalkInstance): string {
  const paint = e.status === 'as-expected' ? c.green : e.status === 'inconclusive' ? c.yellow : c.red.bold;
  const s = e.run?.result.stats;
  const reduced = e.run?.result.reduction?.applied;
  const stats = s ? c.dim(`  [${num(s.states)} states, ${s.seconds.toFixed(2)} s${reduced && reduced !== 'none' ? `, ${reduced}` : ''}]`) : '';
  // The variant's provenance kind (shipped, proposal, hypothetical) after the finding: what the verdict is about.
  const out = [`${paint(LABEL[e.status].padEnd(12))} ${e.scenario}:${e.variant}  ${e.message}  ${e.provenance.kind}${stats}`];
  if ((e.status === 'mismatch' || e.status === 'error') && e.run && e.system) {
    const actors = e.system.actors.map((a) => a.name);
    for (const v of e.run.result.violations) {
      out.push('', formatTraceText(v.trace, { actors }).replace(/^/gm, '    '), '', `    Reproduce: faultline check ${e.target}:${e.variant}`, '');
    }
  }
  return out.join('\n') + '\n';
}

export function gateSummaryText(report: GateReport, c: ChalkInstance): string {
  const k = report.counts;
  const seconds = report.entries.reduce((t, e) => t + (e.run?.result.stats.seconds ?? 0), 0);
  const parts = [`${k['as-expected']} as expected`, `${k.mismatch} mismatched`, `${k.inconclusive} inconclusive`];
  if (k.error) parts.push(`${k.error} failed (a model error, or the scenario did not build)`);
  const bad = k.mismatch + k.error > 0;
  const line = `gate: ${parts.join(', ')} (${report.entries.length} run${report.entries.length === 1 ? '' : 's'}, ${seconds.toFixed(2)} s)`;
  const painted = bad ? c.red.bold(line) : k.inconclusive ? c.yellow(line) : c.green(line);
  return (report.interrupted ? 'interrupted (Ctrl-C): the remaining scenarios were not run\n' : '') + painted + '\n' + reductionSummary(report);
}

/** "reduction: symmetry asked for, applied in 1 of 61 runs (--format json says why not in each other)", when one was asked for. */
function reductionSummary(report: GateReport): string {
  const reports = report.entries.flatMap((e) => (e.run?.result.reduction ? [e.run.result.reduction] : []));
  const asked = reports.find((r) => r.requested !== 'none')?.requested;
  if (!asked) return '';
  const applied = reports.filter((r) => r.applied === r.requested).length;
  const others = reports.length - applied;
  return `reduction: ${asked} asked for, applied in full in ${applied} of ${reports.length} runs${others ? ` (the notes in --format json say why not in the other ${others})` : ''}\n`;
}
