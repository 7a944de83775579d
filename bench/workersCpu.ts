/**
 * Where the CPU of `--workers N` goes, measured so that a loaded machine does not distort it: each thread's
 * own CPU time (/proc/thread-self/schedstat, nanoseconds; Linux only), per level, for the parallel search
 * against the sequential search of the same model in the same process. Prints
 *  - the sequential search's CPU;
 *  - per thread, the CPU spent in each command (expanding its states of a level, storing the states the
 *    others sent it), and the calling thread's CPU outside them (check()'s own work before and after the
 *    search, and the one-thread search through the level where a bound's worst value is first met);
 *  - the total against the sequential CPU (the overhead of the partitioned search), each thread's wait at
 *    the barriers (per command the slowest thread's CPU minus its own), and the balance counted in states;
 *  - the critical path: the sum over commands of the slowest thread's CPU, plus the calling thread's CPU
 *    outside the commands - what the wall-clock time is on an idle machine with a core per thread,
 *    barring memory-bandwidth contention - and the speed-up it predicts.
 * A figure for BENCHMARKS.md, never an assertion.
 *   node --import tsx bench/workersCpu.ts [--params 3,6,3,3,3] [--workers 2] [--runs 2]
 *
 * This module is also the workers' SystemSource: imported in a worker it wraps that thread's Participant
 * the same way and reports through a BroadcastChannel.
 */
import { readFileSync } from 'node:fs';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { check, compileSystem, type CompiledSystem } from '../checker/index.js';
import { Participant } from '../checker/search/parallel/participant.js';
import { F_ABSORBED, F_EXPANDED, LEVEL } from '../checker/search/parallel/protocol.js';
import { buildVariant, findScenario, resolveParams, resolveVariant } from '../scenarios/index.js';

/** This thread's CPU time in nanoseconds. */
function cpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

/** The commands a thread runs: expanding its states of a level, storing the states the others sent it. */
const PHASES = ['expandLevel', 'absorbLevel'] as const;
type Phase = (typeof PHASES)[number];

interface LevelCpu {
  readonly phase: Phase;
  readonly thread: number;
  readonly lo: number;
  readonly ns: number;
  /** States the thread handled in the command (expanded, or received and looked up): the counted work. */
  readonly states: number;
}

const channel = new BroadcastChannel('faultline-bench-workers-cpu');
channel.unref();

/** Wraps this thread's commands to report their CPU and states handled per level. */
function instrument(): void {
  const proto = Participant.prototype as unknown as Record<Phase, (...args: unknown[]) => void> & { __timed?: true };
  if (proto.__timed) return;
  proto.__timed = true;
  for (const phase of PHASES) {
    const run = proto[phase];
    proto[phase] = function (this: Participant, ...args: unknown[]): void {
      const inside = this as unknown as { control: Int32Array; figures: Float64Array };
      const lo = inside.control[LEVEL]!;
      const t0 = cpuNs();
      run.apply(this, args);
      const states = inside.figures[phase === 'expandLevel' ? F_EXPANDED : F_ABSORBED]!;
      channel.postMessage({ phase, thread: this.thread, lo, ns: cpuNs() - t0, states } satisfies LevelCpu);
    };
  }
}

function system(params: Record<string, string>): CompiledSystem {
  const scenario = findScenario('retry-ring')!;
  const v = resolveVariant(scenario, 'ring');
  return compileSystem(buildVariant(scenario, v, resolveParams(scenario, params, v)));
}

/** The workers' SystemSource export. */
export function build(params: Record<string, string>): CompiledSystem {
  instrument();
  return system(params);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: string): string => {
    const at = argv.indexOf(name);
    return at >= 0 ? (argv[at + 1] ?? fallback) : fallback;
  };
  const workers = Math.max(2, Number(flag('--workers', '2')));
  const runs = Math.max(1, Number(flag('--runs', '2')));
  const [readers, pages, capacity, budget, retries] = flag('--params', '3,6,3,3,3').split(',') as [string, string, string, string, string];
  const params = { readers, pages, capacity, budget, retries };
  const sys = build(params);
  const levels: LevelCpu[] = [];
  const listener = new BroadcastChannel('faultline-bench-workers-cpu');
  listener.onmessage = (e: unknown) => levels.push((e as { data: LevelCpu }).data);
  const s = (ns: number): string => (ns / 1e9).toFixed(2);
  console.log(`retry-ring:ring ${Object.values(params).join(',')}, load average ${loadavg()[0]!.toFixed(2)}`);
  for (let r = 0; r < runs; r++) {
    let t0 = cpuNs();
    const one = check(sys, {});
    const seq = cpuNs() - t0;
    levels.length = 0;
    t0 = cpuNs();
    const many = check(sys, { workers, source: { module: import.meta.url, export: 'build', args: params } });
    const mainCpu = cpuNs() - t0;
    await new Promise((res) => setTimeout(res, 300));
    if (one.stats.states !== many.stats.states || one.stats.transitions !== many.stats.transitions) throw new Error('counts differ');
    // Per phase and thread, and per command (phase and first state or slot) the slowest thread.
    const total = new Map<Phase, number[]>(PHASES.map((p) => [p, new Array<number>(workers).fill(0)]));
    const byCommand = new Map<string, number[]>();
    for (const l of levels) {
      total.get(l.phase)![l.thread]! += l.ns;
      const key = `${l.phase} ${l.lo}`;
      const at = byCommand.get(key) ?? new Array<number>(workers).fill(0);
      at[l.thread]! += l.ns;
      byCommand.set(key, at);
    }
    const mine = PHASES.reduce((sum, p) => sum + total.get(p)![0]!, 0);
    const outside = mainCpu - mine;
    let critical = outside;
    // Per thread, the CPU the others spent in a command beyond its own: what it waits at the barrier.
    const waits = new Array<number>(workers).fill(0);
    for (const at of byCommand.values()) {
      const slowest = Math.max(...at);
      critical += slowest;
      at.forEach((ns, t) => (waits[t]! += slowest - ns));
    }
    const all = [...total.values()].flat().reduce((a, b) => a + b, 0) + outside;
    // The same balance counted in states instead of timed: per command the most any thread handled.
    const counted = new Map<string, number[]>();
    for (const l of levels) {
      const key = `${l.phase} ${l.lo}`;
      const at = counted.get(key) ?? new Array<number>(workers).fill(0);
      at[l.thread]! += l.states;
      counted.set(key, at);
    }
    let handled = 0;
    let busiest = 0;
    for (const at of counted.values()) {
      handled += at.reduce((a, b) => a + b, 0);
      busiest += Math.max(...at);
    }
    console.log(
      `run ${r + 1}: ${one.stats.states.toLocaleString('en-US')} states; sequential ${s(seq)} s CPU; ${workers} threads: ` +
        PHASES.map((p) => `${p} ${total.get(p)!.map(s).join(' + ')}`).join(', ') +
        `; calling thread outside commands ${s(outside)}; total ${s(all)} s = ${(all / seq).toFixed(2)}x the sequential CPU` +
        `; waiting at barriers ${waits.map(s).join(' + ')} s; counted balance ${((100 * handled) / (workers * busiest)).toFixed(1)}%` +
        `; critical path ${s(critical)} s => predicted speed-up ${(seq / critical).toFixed(2)}x`,
    );
  }
  listener.close();
}

if (isMainThread && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
