/**
 * One ladder of bench/bounds.ts in one process: checks a fixed variant at growing configurations, each
 * rung limited to `limit` seconds of this process's CPU time (process.cpuUsage(): user + system, every
 * thread, so a loaded machine's waiting is not counted) and stopped, inconclusive, once past it. Prints one
 * JSON line per rung and stops at the first rung that does not hold within the limit.
 *   node --import tsx bench/boundsLadder.ts TARGET before|after [limitSeconds]
 */
import { check, compileSystem, type Reduction } from '../checker/index.js';
import { buildVariant, findScenario, parseTarget, resolveVariant } from '../scenarios/index.js';
import { ladder, LADDERS } from './boundsLadders.js';

const [target = '', phase = 'after', limitText = '60'] = process.argv.slice(2);
const limit = Number(limitText);
const { id, variant } = parseTarget(target);
const scenario = findScenario(id);
const spec = LADDERS[id];
if (!scenario || !spec || (phase !== 'before' && phase !== 'after') || !(limit > 0)) {
  console.error(`bench/boundsLadder: usage: TARGET before|after [limitSeconds] (scenarios: ${Object.keys(LADDERS).join(', ')})`);
  process.exit(2);
}
const v = resolveVariant(scenario, variant);
const reduce: Reduction = phase === 'before' ? 'none' : 'all';
/** Resident memory this run may reach before a rung is stopped (the machine is shared). */
const MEMORY_LIMIT = 6 * 2 ** 30;

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

for (const params of ladder(scenario, v, spec, phase)) {
  const start = process.cpuUsage();
  const system = compileSystem(buildVariant(scenario, v, params));
  const r = check(system, {
    reduce,
    shouldStop: () => {
      if (cpuSeconds(start) > limit) return { reason: 'timeout', message: `${limit} s of CPU time` };
      if (process.memoryUsage().rss > MEMORY_LIMIT) return { reason: 'memory', message: `${MEMORY_LIMIT / 2 ** 30} GiB resident` };
      return null;
    },
  });
  const cpu = cpuSeconds(start);
  const reason = r.verdict === 'inconclusive' ? r.inconclusive.reason : r.verdict === 'model-error' ? r.modelError.message : null;
  console.log(
    JSON.stringify({
      params,
      verdict: r.verdict,
      property: r.violations[0]?.property ?? null,
      stopped: reason,
      states: r.stats.states,
      transitions: r.stats.transitions,
      cpuSeconds: cpu,
      reduction: r.reduction?.applied ?? 'none',
      notes: r.reduction?.notes ?? [],
    }),
  );
  if (r.verdict !== 'holds' || cpu > limit) break;
}
