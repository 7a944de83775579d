/**
 * The text form of a counterexample: numbered steps in one column per actor (CPU0 | CPU1 | reclaim ...),
 * each step's label in its actor's column and, under it, only the fields it changed. A lasso marks where
 * the loop starts and ends with "back to step k". Plain ASCII, so it pastes into a commit message.
 */
import { localFieldName, type Trace } from './trace.js';

export interface TraceTextOptions {
  /** Column order: the system's actors. Actors that never step are left out. */
  readonly actors: readonly string[];
  /** Widest a column may be before its lines wrap. Default 44. */
  readonly maxColumn?: number;
}

function wrap(text: string, width: number, indent: string): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= indent.length) cut = width;
    out.push(rest.slice(0, cut));
    rest = indent + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

export function formatTraceText(trace: Trace, options: TraceTextOptions): string {
  if (trace.steps.length === 0) return '   (no steps: the initial state itself is the counterexample)';
  const maxColumn = options.maxColumn ?? 44;
  const used = new Set(trace.steps.map((s) => s.actor));
  const columns = [...options.actors.filter((a) => used.has(a)), ...[...used].filter((a) => !options.actors.includes(a))];
  // The lines each step puts in its actor's column.
  const cells = trace.steps.map((s) => {
    const lines = wrap(s.label, maxColumn, '  ');
    for (const c of s.changes) lines.push(...wrap(`  ${localFieldName(c.field, s.actor)}: ${c.from} -> ${c.to}`, maxColumn, '    '));
    if (s.error) lines.push(...wrap(`  !! ${s.error}`, maxColumn, '     '));
    return lines;
  });
  const width = columns.map((a) => Math.max(a.length, ...trace.steps.flatMap((s, i) => (s.actor === a ? cells[i]!.map((l) => l.length) : [0]))));
  const numWidth = String(trace.steps.length).length;
  const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - s.length));
  const row = (num: string, content: (col: number) => string): string =>
    `${pad(num, numWidth + 2)}${columns.map((_, c) => pad(content(c), width[c]!)).join(' | ')}`.trimEnd();
  const out: string[] = [row('', (c) => columns[c]!)];
  out.push(`${'-'.repeat(numWidth + 2)}${width.map((w) => '-'.repeat(w)).join('-+-')}`);
  trace.steps.forEach((s, i) => {
    if (trace.loop === i) out.push(`${pad('', numWidth + 2)}-- loop: steps ${i + 1}..${trace.steps.length} repeat forever --`);
    const col = columns.indexOf(s.actor);
    cells[i]!.forEach((line, k) => out.push(row(k === 0 ? String(i + 1).padStart(numWidth) : '', (c) => (c === col ? line : ''))));
  });
  if (trace.loop !== undefined) out.push(`${pad('', numWidth + 2)}-- back to step ${trace.loop + 1} --`);
  return out.join('\n');
}
