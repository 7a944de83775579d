/**
 * What the threads of a parallel search share: one control block of Int32 words (commands, the barrier,
 * each thread's first state number, the claim blocks that share out each frontier), one outgoing buffer per
 * pair of threads, the per-pair counts of what was sent in the level, each thread's two frontiers and each
 * thread's figures. All of it is allocated once, before the workers start, and handed to them with their
 * job: an outgoing buffer or frontier is a growable SharedArrayBuffer that its writer grows in place. The coordinator (coordinator.ts) runs on the calling thread and takes part in
 * every phase itself; the workers (worker.ts) wait for its commands.
 */
import type { CompiledSystem } from '../../system/system.js';
import { expandSource } from '../../system/codegen.js';

/**
 * How a worker thread builds the system being checked: a system holds functions, which cannot be sent to
 * another thread, so each worker imports `module` and calls its export `export` (default: `default`) with
 * `args` (structured-cloneable); the export returns (or resolves to) a SystemSpec or a CompiledSystem.
 * It must build the same system as the one handed to check(): the workers verify it.
 */
export interface SystemSource {
  /** A module URL (file:...) or an absolute path. */
  readonly module: string;
  readonly export?: string;
  readonly args?: unknown;
}

// The control block: word offsets. Words written often by every thread (the barrier, the abort flag) sit
// on cache lines of their own, away from the words every thread reads.
/** Bumped by the coordinator to start a command; workers wait on it. */
export const GEN = 0;
export const CMD = 1;
/** The level whose states the current command discovers (0: the initial state). */
export const LEVEL = 2;
/** Workers that finished the current command. */
export const DONE = 16;
/** Workers that built the system and wait for commands. */
export const READY = 17;
/** Why the current command was abandoned (ABORT_*), 0 while it runs. */
export const ABORT = 32;
/** Per thread t, word BASE + t: the number of its first state in the level being expanded. */
export const BASE = 64;

/**
 * Per thread t, a block of 16 words (a cache line of its own) that shares out the expansion of t's states
 * of the last level (its frontier) in batches of BATCH: a spin lock, the next batch from the front (taken
 * by t), the batch after the last one not yet taken from the back (taken by the other threads once their
 * own frontier is done), and the frontier's states.
 */
export const CLAIM_LOCK = 0;
export const CLAIM_FRONT = 1;
export const CLAIM_BACK = 2;
export const CLAIM_STATES = 3;

/** The first word of thread t's claim block. */
export function claimBlock(threads: number, t: number): number {
  return BASE + Math.ceil(threads / 16) * 16 + 16 * t;
}

export function controlWords(threads: number): number {
  return claimBlock(threads, threads);
}

/** Expand the states of the last level, this thread's own frontier first, then batches of the others': successors into their owners' outgoing buffers (or, from its own batches, straight into its store). */
export const CMD_EXPAND = 1;
/** Store the states sent to this thread in the level, batch by batch in the fixed order (participant.ts). */
export const CMD_ABSORB = 2;
/** Write this thread's bounds (worst value, and the level it was first met at) into its figures. */
export const CMD_REPORT = 3;
/** Post this thread's stored states (its record chunks) to the coordinator: the search is over. */
export const CMD_PUBLISH = 4;
export const CMD_EXIT = 5;

/** Something was found (a violation or a model error): the coordinator hands the run to the sequential search. */
export const ABORT_FINDING = 1;
/** An outgoing buffer could not grow (its reserved maximum): the sequential search answers. */
export const ABORT_ROOM = 2;
/** A bound (timeout, memory, Ctrl-C): the run stops. */
export const ABORT_STOP = 3;
/** A thread failed: its message follows on its port. */
export const ABORT_ERROR = 4;

/**
 * States a thread expands (or received states it stores) between two looks at the abort flag; also the
 * unit in which a frontier's states are shared out (CLAIM_*).
 */
export const BATCH = 64;
/**
 * Per-thread figures (Float64s): transitions and terminal states of the level's expansion, states added in
 * the level, bytes held (store and outgoing buffers), states expanded and received states stored in the
 * level (the work of each phase, for the balance figures); then [worst, level] per bound.
 */
export const FIGURES = 6;
export const F_TRANSITIONS = 0;
export const F_TERMINAL = 1;
export const F_ADDED = 2;
export const F_BYTES = 3;
export const F_EXPANDED = 4;
export const F_ABSORBED = 5;

/**
 * A SharedArrayBuffer that grows in place up to `maxByteLength` (ES2024; Node 20 has it, the TypeScript lib
 * this project compiles against does not declare it). Every thread sees the new length once it synchronises.
 */
export interface GrowableBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(bytes: number): void;
}

export function growableBuffer(maxByteLength: number): GrowableBuffer {
  const Growable = SharedArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => GrowableBuffer;
  return new Growable(0, { maxByteLength });
}

/** Everything the threads share, allocated by the coordinator before the workers start. */
export interface SharedBuffers {
  readonly control: SharedArrayBuffer;
  /**
   * By `from * threads + to`: the states `from` found that `to` owns, in groups, one per batch of a
   * frontier that `from` expanded: a header (GROUP_HEADER words: the frontier's thread, the batch, the
   * entries) and its entries (words..., parent number, hash); growable.
   */
  readonly outboxes: readonly GrowableBuffer[];
  /** Int32 by `from * threads + to`: the words written in that outgoing buffer this level. */
  readonly sent: SharedArrayBuffer;
  /** By `thread * 2 + level % 2`: the states the thread added in the level, packed one after another; growable. */
  readonly frontiers: readonly GrowableBuffer[];
  /** Per thread: FIGURES + 2 * bounds Float64s. */
  readonly figures: SharedArrayBuffer;
}

/** What a worker is started with (through postMessage, with a port for its records and errors). */
export interface WorkerJob {
  readonly source: SystemSource;
  /** The compiled system's fingerprint: the worker refuses to search a different one. */
  readonly fingerprint: string;
  readonly shared: SharedBuffers;
  readonly thread: number;
  readonly threads: number;
  readonly stopAtFirstViolation: boolean;
  /** log2 of the first size of each thread's state table (tests start small to take the paths that grow it). */
  readonly tableBits: number;
  /** Tests: take the other threads' batches before this thread's own (the order of the states does not change). */
  readonly eager?: boolean;
}

/** Words of an outgoing group's header: the thread whose frontier the batch is, the batch, the entries that follow. */
export const GROUP_HEADER = 3;

/** From a worker to the coordinator, on its port: a failure, or (CMD_PUBLISH) its record chunks. */
export type WorkerReport = { readonly error: string } | { readonly records: readonly Uint32Array[] };

/**
 * Which thread owns a state, from its hash (`hashWords`, the one its owner's StateStore files it under, so
 * each successor is hashed once). Its owner's table places a state by the hash's top bits (keyed) or its
 * low bits, so the owner is read from neither directly: the hash times an odd constant, whose top bits
 * depend on every bit of the hash, scaled to [0, threads) (Lemire's multiply-shift range). Each thread's
 * states then still spread evenly over its whole table.
 */
export function ownerOf(hash: number, threads: number): number {
  return Math.floor(((Math.imul(hash, 0x9e3779b1) >>> 0) * threads) / 4294967296);
}

/**
 * What identifies a compiled system well enough that two threads agree on states and steps: its slots
 * and their domains, its initial state, its actors and properties, and the generated code of its steps.
 */
export function fingerprint(system: CompiledSystem): string {
  return JSON.stringify({
    name: system.name,
    slots: system.layout.slots.map((s) => [s.name, s.field.min, s.field.max]),
    initial: Array.from(system.initial),
    actors: system.actors.map((a) => [a.name, a.kind, a.machine.eventTypes]),
    properties: system.properties.map((p) => [p.name, p.kind]),
    expand: expandSource(system),
  });
}
