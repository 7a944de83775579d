/**
 * Runs SPIN on its own leader0 / sort examples (bench/models/spin/*.pml, see bench/models/README.md) with some `#define`s replaced,
 * or on any Promela source (the classic models' twins, bench/models/classic/): `spin -a`, `cc`, `./pan`, and reads pan's
 * counts. Used by the test that compares counts (test/bench/models/spinExamples.test.ts) and by the benchmarks
 * (bench/models/run.ts, bench/models/classic/run.ts).
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
  const source = withDefines(readFileSync(new URL(`spin/${example}.pml`, import.meta.url), 'utf8'), defines, `${example}.pml`);
  return runSpin(source, { ...options, name: example });
}

/** A Promela source with some of its `#define`s given other values; a name it does not define is an error. */
export function withDefines(source: string, defines: Readonly<Record<string, number>>, file: string): string {
  for (const [name, value] of Object.entries(defines)) {
    const line = new RegExp(`^#define\\s+${name}\\s+\\S+`, 'm');
    if (!line.test(source)) throw new Error(`no #define ${name} in ${file}`);
    source = source.replace(line, `#define ${name} ${value}`);
  }
  return source;
}

/** How pan is asked: safety (`-DSAFETY`; `-E` ignores invalid end states), or acceptance cycles under weak fairness (`-a -f`). */
export type PanMode = 'safety' | 'safety-E' | 'liveness';

export interface PanOptions {
  readonly reduce?: boolean;
  readonly optimize?: string;
  readonly dir?: string;
  readonly cpu?: boolean;
  /** Names the temporary directory. */
  readonly name?: string;
  /** Default `safety`. */
  readonly mode?: PanMode;
  /** With `liveness`: which `ltl` claim (`pan -N`), when the model has several. */
  readonly claim?: string;
}

/** The first error pan reports, as a kind: `assertion violated`, `invalid end state`, `acceptance cycle`. */
export type PanError = 'assertion' | 'deadlock' | 'acceptance cycle';

/** SPIN on a Promela source: `spin -a`, `cc`, `./pan`, and pan's counts and first error. */
export function runSpin(source: string, options: PanOptions = {}): SpinRun & { readonly error?: PanError } {
  const cwd = options.dir ?? mkdtempSync(join(tmpdir(), `faultline-spin-${options.name ?? 'model'}-`));
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'model.pml'), source);
  const exec = options.cpu ? cpuTimed : (cmd: string, args: readonly string[], dir: string) => ({ out: run(cmd, args, dir), cpu: NaN });
  const mode = options.mode ?? 'safety';
  const t0 = performance.now();
  // The liveness claims of a model sit under `#ifdef LIVENESS`: a claim in a safety run would be searched too.
  const spin = exec('spin', [...(mode === 'liveness' ? ['-DLIVENESS'] : []), '-a', 'model.pml'], cwd);
  const flags = [options.optimize ?? '-O2', ...(options.reduce ? [] : ['-DNOREDUCE']), ...(mode === 'liveness' ? ['-DNFAIR=3'] : ['-DSAFETY'])];
  const cc = exec('cc', [...flags, '-o', 'pan', 'pan.c'], cwd);
  const t1 = performance.now();
  const panArgs = [
    '-m100000',
    ...(mode === 'safety-E' ? ['-E'] : []),
    ...(mode === 'liveness' ? ['-a', '-f'] : []),
    ...(options.claim ? ['-N', options.claim] : []),
  ];
  const pan = exec('./pan', panArgs, cwd);
  const out = pan.out;
  const t2 = performance.now();
  const states = /(\d+) states, stored/.exec(out);
  const transitions = /(\d+) transitions \(= (?:stored|visited)\+matched\)/.exec(out);
  const errors = /errors: (\d+)/.exec(out);
  if (!states || !transitions || !errors) throw new Error(`pan printed no counts:\n${out}`);
  const first = /^pan:\d+: (assertion violated|invalid end state|acceptance cycle)/m.exec(out)?.[1];
  const error: PanError | undefined =
    first === 'assertion violated' ? 'assertion' : first === 'invalid end state' ? 'deadlock' : first === 'acceptance cycle' ? first : undefined;
  return {
    states: Number(states[1]),
    transitions: Number(transitions[1]),
    errors: Number(errors[1]),
    ...(error ? { error } : {}),
    panSeconds: (t2 - t1) / 1000,
    totalSeconds: (t2 - t0) / 1000,
    ...(options.cpu ? { panCpuSeconds: pan.cpu, totalCpuSeconds: spin.cpu + cc.cpu + pan.cpu } : {}),
  };
}
