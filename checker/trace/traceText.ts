/**
 * The text form of a counterexample: numbered steps in one column per actor (CPU0 | CPU1 | reclaim ...),
 * each step's label in its actor's column (a long label wraps, its continuation lines four spaces in) and,
 * under it two spaces in, only the fields it changed. A lasso marks where the loop starts and ends with
 * "back to step k". Plain ASCII, so it pastes into a commit message.
 *
 * `brief: true` prints the compact style kernel commit messages use: step numbers and labels only, a
 * header of actor names with dashes under each, no separators, and at most 72 characters a line whenever
 * that is possible (see briefWidths() for the rule).
 */
import { assertShape, shown, type Shape } from '../keys.js';
import type { ModelError } from '../result.js';
import { localFieldName, type Trace } from './trace.js';

export interface TraceTextOptions {
  /** Column order: the system's actors. Actors that never step are left out. */
  readonly actors: readonly string[];
  /** Widest a column may be before its lines wrap. Default 44. Not used by the brief style. */
  readonly maxColumn?: number;
  /** The commit-message style: step numbers and labels only, no field changes, lines of at most `width`. */
  readonly brief?: boolean;
  /** Brief style: the line width to fit in. Default 72 (the commit-log limit). */
  readonly width?: number;
}

const TRACE_TEXT_OPTIONS: Shape<TraceTextOptions> = { actors: 'array', maxColumn: 'checked', brief: 'boolean', width: 'checked' };

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

/**
 * A model error's trace as text. One that only threads show (ModelError.threads) has no path that shows
 * it on one thread: it says so, and how to see it again, instead of a trace of no steps.
 */
export function formatModelErrorTrace(m: Pick<ModelError, 'trace' | 'threads'>, options: TraceTextOptions): string {
  if (m.threads)
    return `   (no trace: ${m.threads} threads and the one-thread search disagree over the same states; \`faultline replay\` checks again on ${m.threads} threads)`;
  return formatTraceText(m.trace, options);
}

/** The actors that step, in the system's order (an actor the list does not name goes last). */
function stepColumns(trace: Trace, actors: readonly string[]): string[] {
  const used = new Set(trace.steps.map((s) => s.actor));
  return [...actors.filter((a) => used.has(a)), ...[...used].filter((a) => !actors.includes(a))];
}

export function formatTraceText(trace: Trace, options: TraceTextOptions): string {
  assertShape(options, TRACE_TEXT_OPTIONS, 'formatTraceText() options');
  for (const k of ['maxColumn', 'width'] as const) {
    const v = options[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      throw new RangeError(`formatTraceText() options: ${k} must be a whole number of columns, 1 or more, not ${shown(v)}`);
  }
  if (trace.steps.length === 0) return '   (no steps: the initial state itself is the counterexample)';
  if (options.brief) return formatTraceBrief(trace, options.actors, options.width ?? BRIEF_WIDTH);
  const maxColumn = options.maxColumn ?? 44;
  const columns = stepColumns(trace, options.actors);
  // The lines each step puts in its actor's column.
  const cells = trace.steps.map((s) => {
    // A label's continuation lines sit two spaces deeper than the changed fields under it, so they do not read as changes.
    const lines = wrap(s.label, maxColumn, '    ');
    for (const c of s.changes) lines.push(...wrap(`  ${localFieldName(c.field, s.actor)}: ${c.from} -> ${c.to}`, maxColumn, '    '));
    if (s.error) lines.push(...wrap(`  !! ${s.error}`, maxColumn, '     '));
    return lines;
  });
  // Folded, not spread into Math.max: a trace can have more steps than a call has room for arguments.
  const width = columns.map((a) => trace.steps.reduce((w, s, i) => (s.actor === a ? longest(cells[i]!, w) : w), a.length));
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

/** The commit-log line limit the brief style fits in. */
export const BRIEF_WIDTH = 72;
/** Brief style: spaces between two columns. */
const GAP = 2;
/** Brief style: the extra indent of a label's continuation lines within its column. */
const CONTINUATION = '  ';
/** Brief style, three or more columns: the narrowest a column is squeezed to (or its widest label, if less). */
export const BRIEF_MIN_COLUMN = 16;

/** One piece of a label: the text up to a point a line may end after, and how bad a break there is. */
interface Piece {
  readonly text: string;
  /** Cost of ending a line after this piece: 0 after a space outside parentheses; more inside them, most after `(`; more next to an operator or after a number. */
  readonly penalty: number;
}

const LINE_COST = 10_000;
const NESTED_BREAK = 900;
const OPERATOR_BREAK = 900;
const SHORT_LAST_LINE = 300;
const NUMBER_BREAK = 400;
const OPEN_PAREN_BREAK = 600;
const OPERATORS = new Set(['=', '==', '!=', '+=', '-=', '<', '>', '<=', '>=', '&&', '||']);

/**
 * A label cut into the pieces a line may end after: after a space (so after `; `, `, ` and ` -> `, but not
 * between a word and a following `->`), and after `(`. An identifier is never cut.
 */
export function breakPieces(label: string): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < label.length; i++) {
    const ch = label[i]!;
    if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    const breakAfter = (ch === ' ' && !label.startsWith('->', i + 1) && label[i + 1] !== ' ') || (ch === '(' && label[i + 1] !== ')');
    if (breakAfter && i + 1 < label.length) {
      const text = label.slice(start, i + 1);
      const lastWord = text.trimEnd().split(' ').pop() ?? '';
      const penalty =
        (depth > 0 ? NESTED_BREAK : 0) +
        (OPERATORS.has(lastWord) ? OPERATOR_BREAK : 0) +
        (/^\d+$/.test(lastWord) ? NUMBER_BREAK : 0) +
        (ch === '(' ? OPEN_PAREN_BREAK : 0);
      pieces.push({ text, penalty });
      start = i + 1;
    }
  }
  pieces.push({ text: label.slice(start), penalty: 0 });
  // Nor just before an operator: `buf->len` / `= 2` splits the assignment as badly as `buf->len =` / `2`.
  return pieces.map((p, k) => (OPERATORS.has(pieces[k + 1]?.text.trim().split(' ')[0] ?? '') ? { ...p, penalty: p.penalty + OPERATOR_BREAK } : p));
}

interface Wrapped {
  readonly lines: string[];
  /** Lines first, then how ragged the lines are and how bad their breaks (lower is better). */
  readonly cost: number;
}

/**
 * Brief style: `label` in lines of at most `width` (continuation lines indented by two spaces). Of all the
 * ways to break it at its break points, the one with the fewest lines, then the least ragged (squared
 * slack of every line but the last), avoiding breaks inside parentheses, after an operator or a number,
 * and a very short last line. A piece wider than the line stays whole (the line is then wider than `width`).
 */
export function wrapLabel(label: string, width: number): string[] {
  return wrapBest(label, width).lines;
}

function wrapBest(label: string, width: number): Wrapped {
  if (label.length <= width) return { lines: [label], cost: LINE_COST };
  const pieces = breakPieces(label);
  const n = pieces.length;
  // best[i]: the cheapest way to set pieces i.. as continuation lines.
  const best: (Wrapped | undefined)[] = new Array<Wrapped | undefined>(n + 1);
  best[n] = { lines: [], cost: 0 };
  for (let i = n - 1; i >= 0; i--) {
    const prefix = i === 0 ? '' : CONTINUATION;
    let choice: Wrapped | undefined;
    let text = '';
    for (let j = i; j < n; j++) {
      text += pieces[j]!.text;
      const line = prefix + text.trimEnd();
      if (line.length > width && j > i) break;
      const rest = best[j + 1]!;
      const last = j === n - 1;
      const slack = Math.max(0, width - line.length);
      const cost =
        LINE_COST +
        (last ? (text.trim().length < 8 && i > 0 ? SHORT_LAST_LINE : 0) : slack * slack + pieces[j]!.penalty) +
        (line.length > width ? LINE_COST * 10 : 0) +
        rest.cost;
      if (!choice || cost < choice.cost) choice = { lines: [line, ...rest.lines], cost };
    }
    best[i] = choice;
  }
  return best[0]!;
}

/**
 * Brief style column widths, given each column's widest label (or its name), the narrowest it may get and
 * `cost(c, w)`, the cost of setting column c's labels at width w. When the whole line fits, every column is
 * as wide as its widest label. Otherwise the widths are capped so that they add up to at most `budget` (the
 * line width less the step-number gutter and the gaps), shared out to make the trace as short as it can be
 * (fewest lines, then the best breaks). A column never gets narrower than its floor: its longest
 * unbreakable piece plus the continuation indent (an identifier is never cut), and with three or more
 * columns BRIEF_MIN_COLUMN (20) or its widest label if that is less. When the floors do not fit in the
 * budget, the columns are set at their floors and the line is wider than the limit: wider rather than a
 * word a line.
 */
export function briefWidths(natural: readonly number[], floors: readonly number[], budget: number, cost: (c: number, w: number) => number): number[] {
  if (natural.reduce((a, b) => a + b, 0) <= budget) return [...natural];
  const lo = natural.map((n, c) => Math.min(n, floors[c]!));
  const spare = budget - lo.reduce((a, b) => a + b, 0);
  if (spare <= 0) return lo;
  // Knapsack over the spare characters: table[c][s] = least cost of columns c.. given s spare characters.
  const cols = natural.length;
  const table: number[][] = [];
  const pick: number[][] = [];
  for (let c = cols - 1; c >= 0; c--) {
    const row: number[] = [];
    const rowPick: number[] = [];
    for (let s = 0; s <= spare; s++) {
      let bestCost = Infinity;
      let bestExtra = 0;
      for (let extra = 0; extra <= Math.min(s, natural[c]! - lo[c]!); extra++) {
        const v = cost(c, lo[c]! + extra) + (c + 1 < cols ? table[c + 1]![s - extra]! : 0);
        if (v < bestCost) {
          bestCost = v;
          bestExtra = extra;
        }
      }
      row.push(bestCost);
      rowPick.push(bestExtra);
    }
    table[c] = row;
    pick[c] = rowPick;
  }
  const widths: number[] = [];
  let s = spare;
  for (let c = 0; c < cols; c++) {
    const extra = pick[c]![s]!;
    widths.push(lo[c]! + extra);
    s -= extra;
  }
  return widths;
}

function formatTraceBrief(trace: Trace, actors: readonly string[], width: number): string {
  const columns = stepColumns(trace, actors);
  const numWidth = String(trace.steps.length).length;
  const gutter = numWidth + 2;
  const budget = width - gutter - GAP * (columns.length - 1);
  const labelsOf = (c: number): string[] => trace.steps.filter((s) => s.actor === columns[c]).map((s) => s.label);
  const natural = columns.map((a, c) => longest(labelsOf(c), a.length));
  const floors = columns.map((a, c) => {
    const pieces = labelsOf(c).flatMap((l) => breakPieces(l).map((p, k) => p.text.trimEnd().length + (k === 0 ? 0 : CONTINUATION.length)));
    const least = columns.length >= 3 ? Math.min(natural[c]!, BRIEF_MIN_COLUMN) : 0;
    return pieces.reduce((w, p) => Math.max(w, p), Math.max(a.length, least));
  });
  const cost = (c: number, w: number): number => labelsOf(c).reduce((sum, l) => sum + wrapBest(l, w).cost, 0);
  const widths = briefWidths(natural, floors, budget, cost);
  const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - s.length));
  const gap = ' '.repeat(GAP);
  const row = (num: string, content: (col: number) => string): string =>
    `${pad(num, gutter)}${columns.map((_, c) => pad(content(c), widths[c]!)).join(gap)}`.trimEnd();
  const out: string[] = [row('', (c) => columns[c]!), row('', (c) => '-'.repeat(columns[c]!.length))];
  trace.steps.forEach((s, i) => {
    if (trace.loop === i) out.push(`${pad('', gutter)}-- loop: steps ${i + 1}..${trace.steps.length} repeat forever --`);
    const col = columns.indexOf(s.actor);
    wrapLabel(s.label, widths[col]!).forEach((line, k) => out.push(row(k === 0 ? String(i + 1).padStart(numWidth) : '', (c) => (c === col ? line : ''))));
  });
  if (trace.loop !== undefined) out.push(`${pad('', gutter)}-- back to step ${trace.loop + 1} --`);
  return out.join('\n');
}

/** The length of the longest string, at least `floor`. */
function longest(lines: readonly string[], floor: number): number {
  return lines.reduce((w, l) => Math.max(w, l.length), floor);
}
