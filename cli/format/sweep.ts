/** A sweep's results as data, and as a table (text) or one JSON object. */
import type { ChalkInstance } from 'chalk';
import type { SweepAxis } from '../sweepGrid.js';
import type { ReductionReport } from '../../checker/index.js';
import { num, paramsText, reductionText } from './common.js';

export interface SweepPoint {
  /** The swept parameters of this point. */
  readonly point: Readonly<Record<string, number>>;
  /** Every parameter of the run (defaults, fixed and swept). */
  readonly params: Readonly<Record<string, number>>;
  /**
   * `skipped`: the scenario rejects this combination (e.g. capacity > pages); `error`: the scenario's own
   * code failed at this point (build() or validate() threw, or built a system that is not well defined).
   */
  readonly verdict: 'holds' | 'violated' | 'inconclusive' | 'model-error' | 'skipped' | 'error';
  /** The first violated property (violated), why the run stopped (inconclusive), was skipped or failed. */
  readonly property?: string;
  readonly reason?: string;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  /** The reduction asked for and applied, when one was asked for (`--reduce`). */
  readonly reduction?: ReductionReport;
}

export interface SweepReport {
  readonly scenario: string;
  readonly variant: string;
  readonly fixed: Readonly<Record<string, number>>;
  readonly axes: readonly SweepAxis[];
  readonly points: readonly SweepPoint[];
  /** Ctrl-C stopped the sweep: the points after the last one were not run. */
  readonly interrupted: boolean;
}

export const SWEEP_SCHEMA = 'faultline/sweep@1';

export function sweepToJson(r: SweepReport): unknown {
  return {
    schema: SWEEP_SCHEMA,
    scenario: r.scenario,
    variant: r.variant,
    fixed: r.fixed,
    axes: r.axes,
    interrupted: r.interrupted,
    points: r.points,
  };
}

/** A point that never ran: no numbers to show. */
const unrun = (p: SweepPoint): boolean => p.verdict === 'skipped' || p.verdict === 'error';

export function formatSweepText(r: SweepReport, c: ChalkInstance): string {
  const axes = r.axes.map(
    (a) =>
      `${a.name}=${a.values.length > 1 && a.values.every((v, i) => i === 0 || v === a.values[i - 1]! + 1) ? `${a.values[0]}..${a.values.at(-1)}` : a.values.join(',')}`,
  );
  const fixed = r.points[0] ? Object.fromEntries(Object.entries(r.points[0].params).filter(([k]) => !r.axes.some((a) => a.name === k))) : r.fixed;
  const out = [
    `${r.scenario}:${r.variant}  sweep ${axes.join(' ') || '(a single point)'}${Object.keys(fixed).length ? `  (fixed: ${paramsText(fixed)})` : ''}`,
    '',
  ];
  const head = [...r.axes.map((a) => a.name), 'verdict', 'property', 'states', 'seconds'];
  const rows = r.points.map((p) => [
    ...r.axes.map((a) => String(p.point[a.name])),
    p.verdict,
    p.verdict === 'violated' ? (p.property ?? '') : p.verdict === 'holds' ? '' : (p.reason ?? ''),
    unrun(p) ? '' : num(p.states),
    unrun(p) ? '' : p.seconds.toFixed(2),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const n = r.axes.length;
  // The property column holds long reasons for skipped and inconclusive points: it goes last-but-two
  // and is not padded past its widest short entry.
  width[n + 1] = Math.max('property'.length, ...rows.filter((_, k) => r.points[k]!.verdict === 'violated').map((row) => row[n + 1]!.length));
  const right = (i: number): boolean => i < n || i >= n + 2;
  const cellsText = (cells: readonly string[], paint?: (s: string) => string): string =>
    cells
      .map((cell, i) => {
        const padded = right(i) ? cell.padStart(width[i]!) : cell.padEnd(width[i]!);
        return i === n && paint ? paint(padded) : padded;
      })
      .join('  ');
  const line = (cells: readonly string[], paint?: (s: string) => string): string => cellsText(cells, paint).trimEnd();
  out.push(line(head));
  for (const [k, row] of rows.entries()) {
    const v = r.points[k]!.verdict;
    const paint = v === 'holds' ? c.green : v === 'violated' || v === 'model-error' || v === 'error' ? c.red : v === 'inconclusive' ? c.yellow : c.dim;
    // Long reasons (skipped, failed, inconclusive, model errors) go after the numbers so the table keeps its columns.
    if (v !== 'holds' && v !== 'violated') {
      const cells = [...row];
      const reason = cells[n + 1]!;
      cells[n + 1] = '';
      // Padded to the full width (a skipped point has no numbers), so every reason starts in one column.
      out.push(`${cellsText(cells, paint)}  ${c.dim(reason)}`.trimEnd());
    } else {
      out.push(line(row, paint));
    }
  }
  const count = (v: SweepPoint['verdict']): number => r.points.filter((p) => p.verdict === v).length;
  const total = r.points.reduce((t, p) => t + p.seconds, 0);
  const parts = [`${count('holds')} hold`, `${count('violated')} violated`, `${count('inconclusive')} inconclusive`];
  if (count('model-error')) parts.push(`${count('model-error')} model errors`);
  if (count('skipped')) parts.push(`${count('skipped')} skipped`);
  if (count('error')) parts.push(`${count('error')} failed to build`);
  out.push('', `${r.points.length} points: ${parts.join(', ')} (${total.toFixed(2)} s)`);
  // Each distinct reduction line once: the points of one sweep share their properties, and mostly their notes.
  for (const line of new Set(r.points.map((p) => reductionText(p.reduction)))) if (line) out.push(line);
  if (r.interrupted) out.push('interrupted (Ctrl-C): the remaining points were not run');
  return out.join('\n') + '\n';
}
