/** Parsing and checking the options several commands share; every failure is a UsageError (exit 2). */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import {
  BITSTATE_BITS,
  BITSTATE_HASHES,
  isStrategyName,
  MAX_PCT_DEPTH,
  MAX_SAMPLING_DEPTH,
  REDUCTIONS,
  type Reduction,
  MAX_WORKERS,
  strategyNames,
  type CheckOptions,
  type StopReason,
  type StrategyName,
  TRACE_ORDERS,
  type TraceOrder,
} from '../checker/index.js';
import { UsageError } from './errors.js';
import type { CliIo, RunBounds } from './io.js';
import { interrupt } from './interrupt.js';

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `k=v` pairs into an object; a malformed pair is bad input. */
export function parseParamFlags(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(p);
    if (!m) throw new UsageError(`--param expects NAME=VALUE, not '${p}'`);
    if (Object.hasOwn(out, m[1]!)) throw new UsageError(`--param ${m[1]} is given twice`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function parsePositiveInt(flag: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  const s = raw.replace(/_/g, '');
  if (!/^\d+$/.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s))) throw new UsageError(`${flag} expects a positive whole number, not '${raw}'`);
  if (Number(s) > max) throw new UsageError(`${flag} is at most ${max.toLocaleString('en-US')}, not ${raw}`);
  return Number(s);
}

export function parsePositiveNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0)) throw new UsageError(`${flag} expects a positive number, not '${raw}'`);
  return n;
}

export function parseStrategy(raw: string | undefined): StrategyName {
  if (raw === undefined) return 'bfs';
  if (!isStrategyName(raw)) throw new UsageError(`unknown strategy '${raw}' (strategies: ${strategyNames.join(', ')})`);
  return raw;
}

export interface RunLimits {
  readonly maxStates?: string;
  readonly timeout?: string;
  readonly maxMemory?: string;
  readonly strategy?: string;
  readonly seed?: string;
  readonly executions?: string;
  readonly maxDepth?: string;
  readonly pctDepth?: string;
  readonly store?: string;
  readonly bitstateBits?: string;
  readonly hashes?: string;
  readonly traceOrder?: string;
  readonly reduce?: string;
  readonly workers?: string;
}

/** The bounds of a run, parsed once; `--x` wins over its environment variable. */
export interface Limits {
  readonly strategy: StrategyName;
  readonly maxStates?: number;
  /** Seconds, per run. */
  readonly timeout?: number;
  /** MiB of resident memory. */
  readonly maxMemory?: number;
  /** Sampling strategies. */
  readonly sampling: {
    readonly seed?: number;
    readonly executions?: number;
    readonly maxDepth?: number;
    readonly pctDepth?: number;
    /** A swarm job's stream of the generator (`--swarm`). */
    readonly stream?: number;
  };
  /** The visited set (exhaustive strategies). */
  readonly store: Store;
  /** `--store bitstate`: log2 of the bits, hashes per state (defaults in the checker). */
  readonly bitstate?: { readonly bits?: number; readonly hashes?: number };
  /** Which counterexample an exhaustive run prints (`--trace-order`; the checker's default when absent). */
  readonly traceOrder?: TraceOrder;
  /** `--reduce`: the reductions of the exhaustive search (the checker's default, none, when absent). */
  readonly reduce?: Reduction;
  /** Threads of an exhaustive bfs run (`--workers`, default 1). */
  readonly workers: number;
}

export function parseReduce(raw: string | undefined): Reduction | undefined {
  if (raw === undefined) return undefined;
  if (!(REDUCTIONS as readonly string[]).includes(raw)) throw new UsageError(`unknown reduction '${raw}' (reductions: ${REDUCTIONS.join(', ')})`);
  return raw as Reduction;
}

export function parseTraceOrder(raw: string | undefined): TraceOrder | undefined {
  if (raw === undefined) return undefined;
  if (!(TRACE_ORDERS as readonly string[]).includes(raw)) throw new UsageError(`unknown trace order '${raw}' (trace orders: ${TRACE_ORDERS.join(', ')})`);
  return raw as TraceOrder;
}

export const STORES = ['exact', 'compact', 'bitstate'] as const;
export type Store = (typeof STORES)[number];

export function parseStore(raw: string | undefined, strategy: StrategyName): Store {
  const store = raw ?? 'exact';
  if (!(STORES as readonly string[]).includes(store)) throw new UsageError(`unknown store '${store}' (stores: ${STORES.join(', ')})`);
  if (store !== 'exact' && strategy !== 'bfs')
    throw new UsageError(`--store ${store} needs --strategy bfs (it keeps only the states bfs has yet to expand), not ${strategy}`);
  return store as Store;
}

/** --bitstate-bits and --hashes: only with --store bitstate, each within its range. */
export function parseBitstate(flags: RunLimits, store: Store): Limits['bitstate'] {
  const ranged = (flag: string, raw: string | undefined, min: number, max: number): number | undefined => {
    const v = parsePositiveInt(flag, raw);
    if (v !== undefined && (v < min || v > max)) throw new UsageError(`${flag} expects a whole number in ${min}..${max}, not '${raw}'`);
    return v;
  };
  const bits = ranged('--bitstate-bits', flags.bitstateBits, BITSTATE_BITS.min, BITSTATE_BITS.max);
  const hashes = ranged('--hashes', flags.hashes, BITSTATE_HASHES.min, BITSTATE_HASHES.max);
  if ((bits !== undefined || hashes !== undefined) && store !== 'bitstate')
    throw new UsageError(`--bitstate-bits and --hashes apply to --store bitstate, not ${store}`);
  return store === 'bitstate' ? { ...(bits === undefined ? {} : { bits }), ...(hashes === undefined ? {} : { hashes }) } : undefined;
}

/** Environment variables that set the defaults of the bound options (flags override them). */
export const LIMIT_ENV = { maxStates: 'FAULTLINE_MAX_STATES', timeout: 'FAULTLINE_TIMEOUT', maxMemory: 'FAULTLINE_MAX_MEMORY' } as const;

export function parseLimits(flags: RunLimits, io: CliIo): Limits {
  const from = (flag: string, key: keyof typeof LIMIT_ENV, raw: string | undefined): [string, string | undefined] => {
    if (raw !== undefined) return [flag, raw];
    const env = io.env[LIMIT_ENV[key]];
    return env === undefined || env === '' ? [flag, undefined] : [LIMIT_ENV[key], env];
  };
  const maxStates = parsePositiveInt(...from('--max-states', 'maxStates', flags.maxStates));
  const timeout = parsePositiveNumber(...from('--timeout', 'timeout', flags.timeout));
  const maxMemory = parsePositiveInt(...from('--max-memory', 'maxMemory', flags.maxMemory));
  const seed = flags.seed === undefined ? undefined : flags.seed === '0' ? 0 : parsePositiveInt('--seed', flags.seed);
  const executions = parsePositiveInt('--executions', flags.executions);
  const maxDepth = parsePositiveInt('--max-depth', flags.maxDepth, MAX_SAMPLING_DEPTH);
  const pctDepth = parsePositiveInt('--pct-depth', flags.pctDepth, MAX_PCT_DEPTH);
  const sampling = {
    ...(seed === undefined ? {} : { seed }),
    ...(executions === undefined ? {} : { executions }),
    ...(maxDepth === undefined ? {} : { maxDepth }),
    ...(pctDepth === undefined ? {} : { pctDepth }),
  };
  const strategy = parseStrategy(flags.strategy);
  const store = parseStore(flags.store, strategy);
  const bitstate = parseBitstate(flags, store);
  const traceOrder = parseTraceOrder(flags.traceOrder);
  const reduce = parseReduce(flags.reduce);
  const workers = parsePositiveInt('--workers', flags.workers, MAX_WORKERS) ?? 1;
  if (workers > 1 && (strategy !== 'bfs' || store !== 'exact'))
    throw new UsageError(`--workers runs --strategy bfs with --store exact, not ${strategy !== 'bfs' ? `--strategy ${strategy}` : `--store ${store}`}`);
  return {
    strategy,
    store,
    workers,
    ...(bitstate ? { bitstate } : {}),
    ...(traceOrder ? { traceOrder } : {}),
    ...(reduce ? { reduce } : {}),
    sampling,
    ...(maxStates === undefined ? {} : { maxStates }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(maxMemory === undefined ? {} : { maxMemory }),
  };
}

const MiB = 1024 * 1024;
/** Without --max-memory a run stops at this share of the machine's memory (or of its cgroup's limit). */
export const DEFAULT_MEMORY_SHARE = 0.8;
/** A run stops when V8's heap is this full: past its limit V8 aborts the process. */
const HEAP_SHARE = 0.9;

/** The default memory bound in MiB: DEFAULT_MEMORY_SHARE of physical memory or of the cgroup's limit, the smaller. */
export function defaultMaxMemory(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return Math.floor((DEFAULT_MEMORY_SHARE * total) / MiB);
}

/** A run starts: its bounds (the memory bound defaulted) go to the watchdog; the caller withdraws them at its end. */
export function watchRun(limits: Pick<Limits, 'timeout' | 'maxMemory'>, io: CliIo): RunBounds {
  const bounds = runBounds(limits);
  io.watch?.(bounds);
  return bounds;
}

/** A run's bounds as the watchdog takes them: the memory bound defaulted and named. */
export function runBounds(limits: Pick<Limits, 'timeout' | 'maxMemory'>): RunBounds {
  const maxMemory = limits.maxMemory ?? defaultMaxMemory();
  const bound =
    limits.maxMemory === undefined
      ? `the default memory bound of ${maxMemory} MiB (${DEFAULT_MEMORY_SHARE * 100}% of this machine's)`
      : `memory limit of ${maxMemory} MiB`;
  return { ...(limits.timeout === undefined ? {} : { timeout: limits.timeout }), maxMemory, bound };
}

/**
 * Check options for one run: the bounds, the clock and memory probes, Ctrl-C, and the progress hook.
 * Made fresh for every run, so `--timeout` counts from the start of each run.
 */
export function runOptions(limits: Limits, io: CliIo, onProgress?: CheckOptions['onProgress']): CheckOptions {
  const shouldStop = boundedStop(limits, io);
  return {
    strategy: limits.strategy,
    ...(limits.store === 'exact' ? {} : { store: limits.store }),
    ...(limits.bitstate ? { bitstate: limits.bitstate } : {}),
    ...(limits.traceOrder ? { trace: limits.traceOrder } : {}),
    ...(limits.reduce ? { reduce: limits.reduce } : {}),
    ...(limits.workers > 1 ? { workers: limits.workers } : {}),
    ...limits.sampling,
    ...(limits.maxStates === undefined ? {} : { maxStates: limits.maxStates }),
    now: io.now,
    memory: io.memory,
    shouldStop,
    ...(onProgress ? { onProgress } : {}),
  };
}

/** Check options from the shared flags: bounds, strategy, and the clock and memory probes. */
export function checkOptions(flags: RunLimits, io: CliIo): CheckOptions {
  return runOptions(parseLimits(flags, io), io);
}

/**
 * A run's bounds as CheckOptions.shouldStop: Ctrl-C (or the library's abort), the timeout, the memory bound
 * (defaulted; also told to the watchdog) and V8's heap. The timeout counts from this call.
 */
export function boundedStop(limits: Pick<Limits, 'timeout' | 'maxMemory'>, io: CliIo, interruptedBy = 'Ctrl-C'): NonNullable<CheckOptions['shouldStop']> {
  const { timeout } = limits;
  const { maxMemory, bound } = watchRun(limits, io);
  const start = io.now();
  return (pendingBytes = 0): StopReason | null => {
    if (interrupt.requested) return { reason: 'interrupted', message: `interrupted (${interruptedBy})` };
    if (timeout !== undefined && io.now() - start > timeout * 1000) {
      return { reason: 'timeout', message: `timeout of ${timeout} s reached; raise --timeout or lower the parameters` };
    }
    const used = io.memory();
    if (used > maxMemory * MiB) return { reason: 'memory', message: `${bound} reached; raise --max-memory or lower the parameters` };
    if (used + pendingBytes > maxMemory * MiB) {
      return {
        reason: 'memory',
        message: `${bound} would be passed by what the run is about to allocate (its tables double); raise --max-memory or lower the parameters`,
      };
    }
    // Off-heap typed arrays count in resident memory; JavaScript objects count against V8's own heap limit too.
    const heap = getHeapStatistics();
    if (heap.used_heap_size > HEAP_SHARE * heap.heap_size_limit) {
      return {
        reason: 'memory',
        message: `the JavaScript heap is nearly full (${Math.round(heap.used_heap_size / MiB)} of ${Math.round(heap.heap_size_limit / MiB)} MiB); lower the parameters`,
      };
    }
    return null;
  };
}
