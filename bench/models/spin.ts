/**
 * Runs SPIN on its own leader0 / sort examples (bench/models/spin/*.pml, see bench/models/README.md) with some `#define`s replaced:
 * `spin -a`, `cc`, `./pan`, and reads pan's counts. Used by the test that compares counts
 * (test/bench/models/spinExamples.test.ts) and by the benchmark (bench/models/run.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SpinExample = 'leader0' | 'sort';

export interface SpinRun {
  readonly states: number;
  /** pan's "transitions (= stored+matched)": one more than faultline's count, the initial state's visit. */
  readonly transitions: number;
  readonly errors: number;
  /** pan's run alone, in seconds (wall clock, measured here). */
  readonly panSeconds: number;
  /** spin -a, cc and pan, in seconds. */
  readonly totalSeconds: number;
  /** With `cpu`: the same in CPU seconds (user + system, from /usr/bin/time), whatever the machine's load. */
  readonly panCpuSeconds?: number;
  readonly totalCpuSeconds?: number;
}

function run(cmd: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error(`'${cmd}' is not installed (apt-get install spin gcc): SPIN's examples are compared with SPIN itself`, { cause: e });
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: e });
  }
}

/** `cmd args` under /usr/bin/time: its output and its CPU seconds (user + system). */
function cpuTimed(cmd: string, args: readonly string[], cwd: string): { out: string; cpu: number } {
  const out = run('/usr/bin/time', ['-o', 'cpu.txt', '-f', '%U %S', cmd, ...args], cwd);
  const [user, system] = readFileSync(join(cwd, 'cpu.txt'), 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { out, cpu: user! + system! };
}

/**
 * SPIN on `example` with `defines` replaced. `reduce`: SPIN's partial-order reduction (its default) or
 * none (`-DNOREDUCE`). `optimize` is the C compiler's level (a test compiles fast with -O0).
 */
export function runSpinExample(
  example: SpinExample,
  defines: Readonly<Record<string, number>>,
  options: { reduce?: boolean; optimize?: string; dir?: string; cpu?: boolean } = {},
): SpinRun {
  let source = readFileSync(new URL(`spin/${example}.pml`, import.meta.url), 'utf8');
  for (const [name, value] of Object.entries(defines)) {
    const before = source;
    source = source.replace(new RegExp(`^#define\\s+${name}\\s+\\S+`, 'm'), `#define ${name} ${value}`);
    if (source === before) throw new Error(`no #define ${name} in ${example}.pml`);
  }
  const cwd = options.dir ?? mkdtempSync(join(tmpdir(), `faultline-spin-${example}-`));
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'model.pml'), source);
  const exec = options.cpu ? cpuTimed : (cmd: string, args: readonly string[], dir: string) => ({ out: run(cmd, args, dir), cpu: NaN });
  const t0 = performance.now();
  const spin = exec('spin', ['-a', 'model.pml'], cwd);
  const cc = exec('cc', [options.optimize ?? '-O2', ...(options.reduce ? [] : ['-DNOREDUCE']), '-DSAFETY', '-o', 'pan', 'pan.c'], cwd);
  const t1 = performance.now();
  const pan = exec('./pan', ['-m100000'], cwd);
  const out = pan.out;
  const t2 = performance.now();
  const states = /(\d+) states, stored/.exec(out);
  const transitions = /(\d+) transitions \(= stored\+matched\)/.exec(out);
  const errors = /errors: (\d+)/.exec(out);
  if (!states || !transitions || !errors) throw new Error(`pan printed no counts:\n${out}`);
  return {
    states: Number(states[1]),
    transitions: Number(transitions[1]),
    errors: Number(errors[1]),
    panSeconds: (t2 - t1) / 1000,
    totalSeconds: (t2 - t0) / 1000,
    ...(options.cpu ? { panCpuSeconds: pan.cpu, totalCpuSeconds: spin.cpu + cc.cpu + pan.cpu } : {}),
  };
}
