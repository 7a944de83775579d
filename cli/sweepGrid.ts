/**
 * The grid of a sweep: `--param k=a..b` (a range), `k=a,b,c` (a list) or `k=v` (fixed) into the cross
 * product of parameter points, in a fixed order: the first swept parameter varies slowest, the last
 * fastest, each from low to high. Every value is checked against the parameter's domain up front, and
 * the number of points is capped, so a typo cannot start a run of hours.
 */
import type { AnyScenario } from '../scenarios/index.js';
import { UsageError } from './errors.js';

/** The most points one sweep may run. */
export const MAX_SWEEP_POINTS = 200;

export interface SweepAxis {
  readonly name: string;
  readonly values: readonly number[];
}

export interface SweepGrid {
  /** Parameters given one value (`k=v`). */
  readonly fixed: Readonly<Record<string, number>>;
  /** Parameters given a range or a list, in command-line order. */
  readonly axes: readonly SweepAxis[];
  /** The cross product of the axes, first axis slowest; each point holds the swept parameters only. */
  readonly points: readonly Readonly<Record<string, number>>[];
}

const INT = /^-?\d+$/;

export function parseSweepGrid(s: AnyScenario, pairs: readonly string[]): SweepGrid {
  const known = Object.keys(s.params);
  const fixed: Record<string, number> = {};
  const axes: SweepAxis[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(pair);
    if (!m) throw new UsageError(`--param expects NAME=A..B, NAME=A,B,C or NAME=VALUE, not '${pair}'`);
    const name = m[1]!;
    const raw = m[2]!.trim();
    const spec = s.params[name];
    if (!spec) throw new UsageError(`scenario '${s.id}' has no parameter '${name}' (parameters: ${known.length ? known.join(', ') : 'none'})`);
    if (seen.has(name)) throw new UsageError(`--param ${name} is given twice`);
    seen.add(name);
    const domain = `domain ${spec.min}..${spec.max}`;
    const whole = (t: string): number => {
      if (!INT.test(t.trim()))
        throw new UsageError(`parameter '${name}': '${t}' is not a whole number (${domain}; write ${name}=A..B, ${name}=A,B or ${name}=V)`);
      const v = Number(t.trim());
      if (v < spec.min || v > spec.max) throw new UsageError(`parameter '${name}' = ${v} is outside its ${domain}`);
      return v;
    };
    const range = /^(.*?)\.\.(.*)$/.exec(raw);
    if (range) {
      const a = whole(range[1]!);
      const b = whole(range[2]!);
      if (a > b) throw new UsageError(`parameter '${name}': the range ${a}..${b} is empty (write the low end first: ${b}..${a})`);
      // Counted before it is built: a typo like 0..600000000 must not allocate the range.
      if (b - a + 1 > MAX_SWEEP_POINTS) throw tooMany(`the range ${name}=${a}..${b} has ${b - a + 1} points`);
      axes.push({ name, values: Array.from({ length: b - a + 1 }, (_, i) => a + i) });
    } else if (raw.includes(',')) {
      const values = [...new Set(raw.split(',').map(whole))].sort((x, y) => x - y);
      axes.push({ name, values });
    } else {
      fixed[name] = whole(raw);
    }
  }
  let count = 1;
  for (const a of axes) count *= a.values.length;
  if (count > MAX_SWEEP_POINTS) throw tooMany(`the sweep has ${count} points (${axes.map((a) => `${a.name}: ${a.values.length}`).join(' × ')})`);
  let points: Record<string, number>[] = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.name]: v })));
  return { fixed, axes, points };
}

function tooMany(what: string): UsageError {
  return new UsageError(`${what}; at most ${MAX_SWEEP_POINTS} are allowed: narrow the ranges or split the sweep`);
}
