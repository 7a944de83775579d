// Peer model checkers for the `retry-ring` benchmark model: SPIN (Promela) and Rumur (Murphi).
//
// runSpin(params) / runRumur(params) fill the templates beside this file for N,P,C,B,R, compile the
// checker in a fresh directory under os.tmpdir(), run it, and return its counts, wall time and peak
// RSS — or `{ tool, unavailable }` when the tool (or a C compiler) is not installed.
//
// CLI:  node --import tsx bench/peers/run-peers.ts 3,5,3,2,2 [N,P,C,B,R ...] [all] [--tool=spin|rumur]
//                                                  [--json] [--keep] [--threads=K] [--hash-bits=W]
//                                                  [--timeout=SECONDS] [--cflags='-O3 -march=native']
//
// Counting conventions. Both encodings add one stutter step to every terminal state (it is how each
// tool's deadlock check is made to accept "all readers DONE/ERR"), and both count those steps:
//   SPIN  "transitions (= stored+matched)" = 1 (the initial state) + successor transitions + terminal states
//   Rumur "rules fired"                   =                         successor transitions + terminal states
// Each encoding prints a marker line in its stutter step, so the runner counts terminal states exactly
// and `transitions` below is faultline-style (successor transitions only). The tool's own figure is
// kept in `rawTransitions`.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface RetryRingParams {
  readers: number; // N
  pages: number; // P
  capacity: number; // C
  budget: number; // B
  retries: number; // R
}

export interface PeerResult {
  tool: 'spin' | 'rumur';
  version: string;
  params: RetryRingParams;
  states: number;
  /** faultline-style: successor transitions, excluding the stutter step of terminal states */
  transitions: number;
  /** the tool's own transition figure (SPIN: stored+matched; Rumur: rules fired) */
  rawTransitions: number;
  terminalStates: number;
  /** wall-clock seconds of the checker run (pan / the Rumur verifier), excluding generation and compilation */
  seconds: number;
  /** wall-clock seconds of spin -a / rumur plus the C compiler */
  compileSeconds: number;
  /** peak resident set size of the checker process, or null if it could not be measured */
  peakRssBytes: number | null;
  peakRssSource: 'time -v' | 'proc VmHWM' | 'none';
  /** the commands, as run in the generated directory */
  command: string;
  /** the generated directory, present only when it was kept (PeerOptions.keep) */
  workDir?: string;
}

export interface PeerUnavailable {
  tool: 'spin' | 'rumur';
  unavailable: string;
}

export type PeerOutcome = PeerResult | PeerUnavailable;

export interface PeerOptions {
  /** keep the generated directory (default: removed after the run) */
  keep?: boolean;
  /** kill the checker after this many milliseconds (default: none) */
  timeoutMs?: number;
  /** Rumur verifier threads (default 1, for a single-core comparison; 0 = Rumur's choice) */
  threads?: number;
  /** SPIN hash table size as log2 slots, pan -wN (default 24, SPIN's own default) */
  hashBits?: number;
  /** C compiler (default: gcc, else cc) */
  cc?: string;
  /** optimisation flags for the C compiler (default ['-O2']; Rumur's docs suggest ['-O3', '-march=native']) */
  cflags?: string[];
}

/** Counts from the benchmark brief (SPIN 6.5.2 and Rumur agree; transitions are faultline-style). */
export const KNOWN_COUNTS: ReadonlyArray<{
  params: RetryRingParams;
  states: number;
  transitions: number;
  terminalStates: number;
}> = [
  { params: p(1, 3, 2, 1, 1), states: 23, transitions: 26, terminalStates: 6 },
  { params: p(2, 4, 2, 2, 2), states: 6_526, transitions: 13_930, terminalStates: 287 },
  { params: p(2, 6, 3, 3, 3), states: 90_805, transitions: 248_113, terminalStates: 2_108 },
  { params: p(3, 4, 2, 2, 2), states: 317_241, transitions: 937_425, terminalStates: 2_845 },
  { params: p(3, 5, 3, 2, 2), states: 825_734, transitions: 2_558_254, terminalStates: 7_272 },
  { params: p(3, 6, 3, 3, 3), states: 9_334_299, transitions: 34_499_690, terminalStates: 31_373 },
];

function p(readers: number, pages: number, capacity: number, budget: number, retries: number): RetryRingParams {
  return { readers, pages, capacity, budget, retries };
}

const HERE = dirname(fileURLToPath(import.meta.url));
const MARKER = 'RETRY_RING_TERMINAL';

export function parseParams(text: string): RetryRingParams {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 5 || parts.some((s) => !/^\d+$/.test(s))) {
    throw new Error(`expected N,P,C,B,R (five non-negative integers), got "${text}"`);
  }
  const [n, pg, c, b, r] = parts.map(Number) as [number, number, number, number, number];
  return validate(p(n, pg, c, b, r));
}

export function formatParams(x: RetryRingParams): string {
  return `${x.readers},${x.pages},${x.capacity},${x.budget},${x.retries}`;
}

function validate(x: RetryRingParams): RetryRingParams {
  const { readers, pages, capacity, budget, retries } = x;
  for (const [name, v] of Object.entries(x)) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${String(v)}`);
  }
  if (readers < 1 || pages < 1 || capacity < 1) throw new Error('readers, pages and capacity must be at least 1');
  // Promela bytes hold pos (0..P), win (1..P), retries (0..R), budget (0..B); the pan loop scratch is a byte too.
  if (readers > 250 || pages > 250 || capacity > 250 || budget > 255 || retries > 255) {
    throw new Error('parameters out of range for the byte-sized encodings');
  }
  return x;
}

// ---------------------------------------------------------------------------------------------------
// Model generation

function fill(template: string, params: RetryRingParams, extra: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    N: String(params.readers),
    P: String(params.pages),
    C: String(params.capacity),
    B: String(params.budget),
    R: String(params.retries),
    ...extra,
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`template placeholder ${whole} has no value`);
    return v;
  });
}

/** The Promela model for these parameters. */
export function spinModel(params: RetryRingParams): string {
  validate(params);
  const template = readFileSync(join(HERE, 'retry-ring.pml.template'), 'utf8');
  const evicts: string[] = [];
  for (let i = 0; i < params.pages; i++) {
    evicts.push(
      `  :: d_step { budget > 0 && present[${i}] ->   /* evict(${i}) */\n` +
        `       present[${i}] = false; budget--;\n` +
        `       check_invariants()\n` +
        `     }`,
    );
  }
  return fill(template, params, { EVICT_OPTIONS: evicts.join('\n') });
}

/** The Murphi model for these parameters. */
export function rumurModel(params: RetryRingParams): string {
  validate(params);
  return fill(readFileSync(join(HERE, 'retry-ring.m.template'), 'utf8'), params);
}

/** An upper bound on the length of any path: per reader P good copies + (R+1) failed copies + (R+1)
 *  faultIns, B evictions, one stutter step. */
function depthBound(x: RetryRingParams): number {
  return x.readers * (x.pages + 2 * (x.retries + 1)) + x.budget + 1;
}

// ---------------------------------------------------------------------------------------------------
// Processes

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  markers: number;
  seconds: number;
  peakRssBytes: number | null;
  peakRssSource: PeerResult['peakRssSource'];
}

function which(cmd: string): string | null {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, cmd);
    if (isExecutable(full)) return full;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const TIME_BIN = '/usr/bin/time';
let timeVerbose: boolean | undefined;

/** GNU time with -v (BusyBox and BSD time lack it). */
async function hasTimeVerbose(): Promise<boolean> {
  if (timeVerbose === undefined) {
    if (!isExecutable(TIME_BIN)) {
      timeVerbose = false;
    } else {
      const r = await run(TIME_BIN, ['-v', 'true'], { cwd: tmpdir() });
      timeVerbose = r.code === 0 && /Maximum resident set size/.test(r.stderr);
    }
  }
  return timeVerbose;
}

function readVmHwmBytes(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface RunOptions {
  cwd: string;
  timeoutMs?: number;
  /** count lines equal to MARKER on stdout instead of keeping them */
  countMarkers?: boolean;
  /** measure peak RSS (via /usr/bin/time -v, else by polling /proc/PID/status VmHWM) */
  measure?: boolean;
}

async function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const wrap = opts.measure === true && (await hasTimeVerbose());
  const file = wrap ? TIME_BIN : cmd;
  const argv = wrap ? ['-v', cmd, ...args] : args;
  return new Promise<RunResult>((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    const err: string[] = [];
    let carry = '';
    let markers = 0;
    let polledRss: number | null = null;
    let poll: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    if (opts.measure === true && !wrap && child.pid !== undefined) {
      const pid = child.pid;
      poll = setInterval(() => {
        const v = readVmHwmBytes(pid);
        if (v !== null) polledRss = Math.max(polledRss ?? 0, v);
      }, 20);
    }
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (opts.countMarkers !== true) {
        out.push(chunk);
        return;
      }
      const lines = (carry + chunk).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        if (line === MARKER) markers++;
        else out.push(line + '\n');
      }
    });
    child.stderr.on('data', (chunk: string) => err.push(chunk));
    child.on('error', (e) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      if (carry === MARKER) markers++;
      else if (carry !== '') out.push(carry);
      let stderr = err.join('');
      let peakRssBytes: number | null = null;
      let peakRssSource: PeerResult['peakRssSource'] = 'none';
      if (wrap) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        if (m) {
          peakRssBytes = Number(m[1]) * 1024;
          peakRssSource = 'time -v';
        }
        // GNU time appends its report (starting with "Command being timed" or "Command exited") to stderr.
        const cut = stderr.search(/^\s*Command (being timed|exited|terminated)/m);
        if (cut >= 0) stderr = stderr.slice(0, cut);
      } else if (polledRss !== null) {
        peakRssBytes = polledRss;
        peakRssSource = 'proc VmHWM';
      }
      resolve({ code, signal, stdout: out.join(''), stderr, markers, seconds, peakRssBytes, peakRssSource });
    });
  });
}

function fail(what: string, r: RunResult): never {
  const tail = (s: string): string => s.split('\n').slice(-30).join('\n');
  throw new Error(
    `${what} failed (exit ${String(r.code)}${r.signal ? `, signal ${r.signal}` : ''})\n` +
      `--- stdout (tail) ---\n${tail(r.stdout)}\n--- stderr (tail) ---\n${tail(r.stderr)}`,
  );
}

function num(text: string, re: RegExp, what: string): number {
  const m = re.exec(text);
  if (!m || m[1] === undefined) throw new Error(`could not find ${what} in the checker output:\n${text}`);
  return Number(m[1].replace(/,/g, ''));
}

function findCompiler(opts: PeerOptions): string | null {
  if (opts.cc !== undefined) return which(opts.cc);
  return which('gcc') ?? which('cc');
}

async function toolVersion(cmd: string, args: string[], re: RegExp): Promise<string> {
  const r = await run(cmd, args, { cwd: tmpdir() });
  const text = r.stdout + r.stderr;
  const m = re.exec(text);
  return m && m[1] !== undefined ? m[1] : (text.trim().split('\n')[0] ?? 'unknown');
}

function elapsed(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// ---------------------------------------------------------------------------------------------------
// SPIN

export async function runSpin(params: RetryRingParams, opts: PeerOptions = {}): Promise<PeerOutcome> {
  validate(params);
  const spin = which('spin');
  if (spin === null) return { tool: 'spin', unavailable: 'spin is not installed (apt-get install spin)' };
  const cc = findCompiler(opts);
  if (cc === null) return { tool: 'spin', unavailable: 'no C compiler (gcc/cc) to build pan' };
  const version = await toolVersion(spin, ['-V'], /Spin Version (\S+)/);

  const dir = mkdtempSync(join(tmpdir(), 'faultline-spin-'));
  try {
    writeFileSync(join(dir, 'retry-ring.pml'), spinModel(params));
    const compileStart = process.hrtime.bigint();
    const gen = await run(spin, ['-a', 'retry-ring.pml'], { cwd: dir });
    if (gen.code !== 0 || !existsSync(join(dir, 'pan.c'))) fail('spin -a', gen);
    // -DSAFETY: safety properties only (assertions, invalid end states); -DNOREDUCE: no partial-order
    // reduction, so every interleaving is explored; -DPRINTF: let the terminal-state marker print.
    const ccArgs = ['-w', ...(opts.cflags ?? ['-O2']), '-DSAFETY', '-DNOREDUCE', '-DPRINTF', '-DMEMLIM=16384', '-o', 'pan', 'pan.c'];
    const build = await run(cc, ccArgs, { cwd: dir });
    if (build.code !== 0) fail(`${cc} ${ccArgs.join(' ')}`, build);
    const compileSeconds = elapsed(compileStart);

    const depth = Math.max(10_000, 4 * depthBound(params));
    const panArgs = [`-m${depth}`, `-w${opts.hashBits ?? 24}`, '-n'];
    const res = await run('./pan', panArgs, {
      cwd: dir,
      countMarkers: true,
      measure: true,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    const out = res.stdout;
    if (res.code !== 0 && res.code !== null) fail('pan', res);
    if (res.signal !== null) fail('pan', res);
    const errors = num(out, /errors:\s*(\d+)/, 'the error count');
    if (errors !== 0) throw new Error(`SPIN found ${errors} error(s) in retry-ring ${formatParams(params)}:\n${out}`);
    if (/max search depth too small/.test(out)) throw new Error(`pan -m${depth} was too small:\n${out}`);
    if (!/Full statespace search/.test(out)) throw new Error(`pan did not report a full state-space search:\n${out}`);
    const states = num(out, /^\s*([\d,]+) states, stored/m, '"states, stored"');
    const rawTransitions = num(out, /^\s*([\d,]+) transitions \(= stored\+matched\)/m, '"transitions"');
    const terminalStates = res.markers;
    return {
      tool: 'spin',
      version,
      params,
      states,
      transitions: rawTransitions - 1 - terminalStates,
      rawTransitions,
      terminalStates,
      seconds: res.seconds,
      compileSeconds,
      peakRssBytes: res.peakRssBytes,
      peakRssSource: res.peakRssSource,
      command: `spin -a retry-ring.pml && ${cc} ${ccArgs.join(' ')} && ./pan ${panArgs.join(' ')}`,
      ...(opts.keep === true ? { workDir: dir } : {}),
    };
  } finally {
    if (opts.keep !== true) rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Rumur

export async function runRumur(params: RetryRingParams, opts: PeerOptions = {}): Promise<PeerOutcome> {
  validate(params);
  const rumur = which('rumur');
  if (rumur === null) return { tool: 'rumur', unavailable: 'rumur is not installed (apt-get install rumur)' };
  const cc = findCompiler(opts);
  if (cc === null) return { tool: 'rumur', unavailable: 'no C compiler (gcc/cc) to build the verifier' };
  const version = await toolVersion(rumur, ['--version'], /Rumur version v?(\S+)/);

  const dir = mkdtempSync(join(tmpdir(), 'faultline-rumur-'));
  try {
    writeFileSync(join(dir, 'retry-ring.m'), rumurModel(params));
    const threads = opts.threads ?? 1;
    const rumurArgs = [
      '--deadlock-detection',
      'stuck',
      '--symmetry-reduction',
      'off',
      '--threads',
      String(threads),
      '--colour',
      'off',
      '--output',
      'retry-ring.c',
      'retry-ring.m',
    ];
    const compileStart = process.hrtime.bigint();
    const gen = await run(rumur, rumurArgs, { cwd: dir });
    if (gen.code !== 0 || !existsSync(join(dir, 'retry-ring.c'))) fail(`rumur ${rumurArgs.join(' ')}`, gen);
    const ccArgs = [...(opts.cflags ?? ['-O2']), '-o', 'verifier', 'retry-ring.c', '-lpthread'];
    const build = await run(cc, ccArgs, { cwd: dir });
    if (build.code !== 0) fail(`${cc} ${ccArgs.join(' ')}`, build);
    const compileSeconds = elapsed(compileStart);

    const res = await run('./verifier', [], {
      cwd: dir,
      countMarkers: true,
      measure: true,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    const out = res.stdout + res.stderr;
    if (res.code !== 0 || res.signal !== null || !/No error found/.test(out)) fail('the Rumur verifier', res);
    const m = /([\d,]+) states, ([\d,]+) rules fired/.exec(out);
    if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`no state count in the Rumur output:\n${out}`);
    const states = Number(m[1].replace(/,/g, ''));
    const rawTransitions = Number(m[2].replace(/,/g, ''));
    const terminalStates = res.markers;
    return {
      tool: 'rumur',
      version,
      params,
      states,
      transitions: rawTransitions - terminalStates,
      rawTransitions,
      terminalStates,
      seconds: res.seconds,
      compileSeconds,
      peakRssBytes: res.peakRssBytes,
      peakRssSource: res.peakRssSource,
      command: `rumur ${rumurArgs.join(' ')} && ${cc} ${ccArgs.join(' ')} && ./verifier`,
      ...(opts.keep === true ? { workDir: dir } : {}),
    };
  } finally {
    if (opts.keep !== true) rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// CLI

export function formatOutcome(r: PeerOutcome): string {
  if ('unavailable' in r) return `${r.tool.padEnd(5)} unavailable: ${r.unavailable}`;
  const rate = r.seconds > 0 ? Math.round(r.states / r.seconds) : 0;
  const rss = r.peakRssBytes === null ? 'n/a' : `${(r.peakRssBytes / 1048576).toFixed(1)} MiB`;
  const known = KNOWN_COUNTS.find((k) => formatParams(k.params) === formatParams(r.params));
  const check =
    known === undefined
      ? ''
      : known.states === r.states && known.transitions === r.transitions && known.terminalStates === r.terminalStates
        ? '  [matches table]'
        : `  [MISMATCH: table says ${known.states} states, ${known.transitions} transitions, ${known.terminalStates} terminal]`;
  return (
    `${r.tool.padEnd(5)} ${r.version}  ${formatParams(r.params)}: ${r.states} states, ${r.transitions} transitions ` +
    `(+${r.terminalStates} terminal stutter; tool reports ${r.rawTransitions}), ${r.seconds.toFixed(2)} s, ` +
    `${rate} states/s, peak RSS ${rss}, compile ${r.compileSeconds.toFixed(2)} s${check}`
  );
}

async function main(argv: string[]): Promise<number> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const flag = (name: string): string | undefined => {
    const f = flags.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
    if (f === undefined) return undefined;
    const eq = f.indexOf('=');
    return eq < 0 ? '' : f.slice(eq + 1);
  };
  const known = new Set(['tool', 'json', 'keep', 'threads', 'hash-bits', 'timeout', 'cflags', 'help']);
  for (const f of flags) {
    const name = f.slice(2).split('=')[0] ?? '';
    if (!known.has(name)) throw new Error(`unknown flag ${f}`);
  }
  if (flag('help') !== undefined || positional.length === 0) {
    console.log(
      'usage: node --import tsx bench/peers/run-peers.ts N,P,C,B,R [N,P,C,B,R ...] | all\n' +
        '         [--tool=spin|rumur] [--json] [--keep] [--threads=K] [--hash-bits=W] [--timeout=SECONDS]\n' +
        "         [--cflags='-O3 -march=native']",
    );
    return positional.length === 0 && flag('help') === undefined ? 2 : 0;
  }
  const list = positional.flatMap((a) => (a === 'all' ? KNOWN_COUNTS.map((k) => k.params) : [parseParams(a)]));
  const tool = flag('tool');
  if (tool !== undefined && tool !== 'spin' && tool !== 'rumur') throw new Error(`--tool must be spin or rumur`);
  const opts: PeerOptions = {};
  if (flag('keep') !== undefined) opts.keep = true;
  const threads = flag('threads');
  if (threads !== undefined) opts.threads = Number(threads);
  const hashBits = flag('hash-bits');
  if (hashBits !== undefined) opts.hashBits = Number(hashBits);
  const cflags = flag('cflags');
  if (cflags !== undefined) opts.cflags = cflags.split(/\s+/).filter((x) => x !== '');
  const timeout = flag('timeout');
  if (timeout !== undefined) opts.timeoutMs = Number(timeout) * 1000;
  const json = flag('json') !== undefined;

  let mismatches = 0;
  for (const params of list) {
    const runners = tool === 'spin' ? [runSpin] : tool === 'rumur' ? [runRumur] : [runSpin, runRumur];
    for (const runner of runners) {
      const r = await runner(params, opts);
      console.log(json ? JSON.stringify(r) : formatOutcome(r));
      if (!('unavailable' in r)) {
        const k = KNOWN_COUNTS.find((x) => formatParams(x.params) === formatParams(params));
        if (k && (k.states !== r.states || k.transitions !== r.transitions || k.terminalStates !== r.terminalStates)) {
          mismatches++;
        }
      }
    }
  }
  return mismatches === 0 ? 0 : 1;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    },
  );
}
