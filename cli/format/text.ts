/** The text report of a check: verdict, the counterexample in CPU columns, property table, statistics. */
import type { ChalkInstance } from 'chalk';
import { formatModelErrorTrace, formatTraceText, type CompiledSystem } from '../../checker/index.js';
import type { ScenarioRun } from '../../scenarios/index.js';
import { bytes, num, paramsSuffix, reductionText } from './common.js';

export interface TextOptions {
  readonly color: ChalkInstance;
  /** The command that replays the first counterexample (printed last), if any. */
  readonly replay?: string;
  /** The counterexample in the brief commit-message style (formatTraceText's `brief`). */
  readonly brief?: boolean;
}

export function statsLine(r: ScenarioRun): string {
  const s = r.result.stats;
  const rate = s.seconds > 0 ? `, ${num(Math.round(s.states / s.seconds))} states/s` : '';
  const mem = s.peakMemoryBytes ? `, peak ${bytes(s.peakMemoryBytes)}` : '';
  // Hash compaction: say how sure the result is (a fingerprint shared by two states hides the second).
  const missed =
    s.omissionProbability === undefined
      ? ''
      : `\nhash compaction: the probability that a state was missed is at most ${s.omissionProbability.toExponential(1)}`;
  const b = s.bitstate;
  const coverage = b
    ? `\nbitstate: 2^${b.bits} bits, ${b.hashes} hash${b.hashes === 1 ? '' : 'es'}; hash factor ${num(Math.round(b.hashFactor))}, about ${num(Math.round(b.expectedOmissions))} state${Math.round(b.expectedOmissions) === 1 ? '' : 's'} expected to be taken wrongly for visited`
    : '';
  const w = s.workers;
  const threads = w ? `, ${w.threads} thread${w.threads === 1 ? '' : 's'}${w.note ? ` (${w.note})` : ''}` : '';
  return `${num(s.states)} states, ${num(s.transitions)} transitions, ${num(s.terminalStates)} terminal, depth ${s.depth}; ${s.seconds.toFixed(2)} s${rate}${mem}${threads}${missed}${coverage}`;
}

export function formatRunText(run: ScenarioRun, system: CompiledSystem, o: TextOptions): string {
  const c = o.color;
  const r = run.result;
  const head = `${run.scenario}:${run.variant}${paramsSuffix(run.params)}`;
  const out: string[] = [];
  const verdict =
    r.verdict === 'holds'
      ? c.green('holds')
      : r.verdict === 'violated'
        ? c.red.bold('VIOLATED')
        : r.verdict === 'inconclusive'
          ? c.yellow('INCONCLUSIVE')
          : c.red.bold('MODEL ERROR');
  out.push(`${head}: ${verdict}`);
  const actors = system.actors.map((a) => a.name);
  const modelError = r.verdict === 'model-error' ? r.modelError : undefined;
  if (modelError) {
    out.push(`  the model is wrong, so no verdict is given: fix it and check again.`, '');
    out.push(c.bold(`model error (${modelError.kind}): ${modelError.message}`), '');
    out.push(formatModelErrorTrace(modelError, { actors, brief: o.brief === true }));
  }
  const stop = r.verdict === 'inconclusive' ? r.inconclusive : undefined;
  if (stop?.reason === 'interrupted') out.push(`  ${stop.message}: nothing is proven; the statistics so far are below.`);
  else if (stop)
    out.push(
      stop.reason === 'sampled'
        ? `  ${stop.message}.`
        : // The --timeout and --max-memory messages carry their own advice: say it once.
          `  ${stop.message}; nothing is proven.${/\braise\b/i.test(stop.message) ? '' : ' Raise the bound or lower the parameters.'}`,
    );
  for (const v of r.violations) {
    out.push('');
    out.push(c.bold(`${v.kind} '${v.property}' violated: ${v.message}`));
    out.push('');
    out.push(formatTraceText(v.trace, { actors, brief: o.brief === true }));
  }
  out.push('');
  const nameWidth = Math.max(...r.properties.map((p) => p.name.length), 8);
  const kindWidth = Math.max(...r.properties.map((p) => p.kind.length), 4);
  for (const p of r.properties) {
    const status = p.status === 'violated' ? c.red('violated') : p.status === 'holds' ? c.green('holds') : c.dim('not established (search stopped)');
    const b = r.bounds.find((x) => x.property === p.name);
    const worst = b ? `; worst ${b.worst} (limit ${b.limit}) after ${b.trace.steps.length} steps` : '';
    out.push(`  ${p.name.padEnd(nameWidth)}  ${p.kind.padEnd(kindWidth)}  ${status}${worst}`);
  }
  out.push('');
  out.push(c.dim(statsLine(run)));
  const reduction = reductionText(r.reduction);
  if (reduction) out.push(c.dim(reduction));
  if (o.replay) out.push(`Replay: ${o.replay}`);
  return out.join('\n') + '\n';
}
