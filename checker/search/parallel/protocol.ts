/**
 * What the threads of a parallel search share: one control block of Int32 words (commands, counters, the
 * barrier), the buffers of the visited set and of the level being expanded, and the message that hands a
 * worker its part. The coordinator (coordinator.ts) runs on the calling thread and takes part in every
 * phase itself; the workers (worker.ts) wait for its commands.
 */
import type { CompiledSystem } from '../../system/system.js';
import { expandSource } from '../../system/codegen.js';
import type { SharedTableBuffers } from '../../store/sharedStore.js';

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

// The control block: word offsets. Words written often by every thread (the claim counters, the abort
// flag, the barrier) sit on cache lines of their own, away from the words every thread reads.
/** Bumped by the coordinator to start a command; workers wait on it. */
export const GEN = 0;
export const CMD = 1;
/** The range of the current command: states [LO, HI) to expand, or to judge. */
export const LO = 2;
export const HI = 3;
/** States stored before the level (the number the first new state gets). */
export const COUNT = 4;
/** The first arrival position of the level: a state at or past it is new in the level. */
export const LEVEL_BASE = 5;
/** Workers that finished the current command. */
export const DONE = 16;
/** Workers that built the system and wait for commands. */
export const READY = 17;
/** Why the current command was abandoned (ABORT_*), 0 while it runs. */
export const ABORT = 32;
/** The next batch of states to claim. */
export const NEXT = 48;
/** Arrival positions handed out (in blocks of ARRIVAL_BLOCK). */
export const ARRIVED = 64;
export const CONTROL_WORDS = 80;

export const CMD_EXPAND = 1;
export const CMD_JUDGE = 2;
export const CMD_REPORT = 3;
export const CMD_EXIT = 4;
/** Move the stored states of the previous table (`SharedBuffers.previous`), slots [LO, HI), into the new one. */
export const CMD_REBUILD = 5;
/** Count, per expand batch of states [LO, HI), the new states it discovers first (the level's numbering, part one). */
export const CMD_COUNT = 6;
/** Number them, from the first number of each batch the coordinator wrote (part two). */
export const CMD_NUMBER = 7;

/** Something was found (a violation or a model error): the coordinator hands the run to the sequential search. */
export const ABORT_FINDING = 1;
/** The level's arrival space, logs or table ran out of room: grown, and the level runs again. */
export const ABORT_ROOM = 2;
/** A bound (timeout, memory, Ctrl-C): the run stops. */
export const ABORT_STOP = 3;
/** A thread failed: its message follows on its port. */
export const ABORT_ERROR = 4;

/** States a thread claims at a time when expanding, and when judging. */
export const EXPAND_BATCH = 64;
export const JUDGE_BATCH = 1024;
/** Slots of the previous table a thread claims at a time when the table is rebuilt. */
export const REBUILD_BATCH = 1 << 10;
/** Arrival positions a thread claims at a time. */
export const ARRIVAL_BLOCK = 64;
/** Words per expand batch in `SharedBuffers.batches`. */
export const BATCH_WORDS = 4;
/** Per-thread figures: transitions, terminal states and states arrived in the level, then [worst, at] per bound. */
export const FIGURES = 3;

/** Every buffer the threads share, handed round again whenever the coordinator replaces or adds one. */
export interface SharedBuffers {
  readonly table: SharedArrayBuffer;
  readonly tableBits: number;
  /** While the table is rebuilt (CMD_REBUILD): the table it replaces. */
  readonly previous?: SharedTableBuffers;
  /** The store's chunks (store/sharedStore.ts), in order; a message lists them all. */
  readonly arrivals: readonly SharedArrayBuffer[];
  readonly numbers: readonly SharedArrayBuffer[];
  /** Arrival positions the chunks hold. */
  readonly arrivalCap: number;
  /** Per thread, its discovery log of the level: (parent, arrival) pairs. */
  readonly logs: readonly SharedArrayBuffer[];
  /** Pairs each log holds. */
  readonly logCap: number;
  /** By arrival position in the level: the number of the first state to reach it (the smallest). */
  readonly firsts: SharedArrayBuffer;
  /** Arrival positions `firsts` holds. */
  readonly firstCap: number;
  /** Per expand batch of the level, BATCH_WORDS words: [thread, log start, log end, discoveries, then first number]. */
  readonly batches: SharedArrayBuffer;
  readonly batchCap: number;
  /** Per thread: FIGURES + 2 * bounds Float64s. */
  readonly figures: SharedArrayBuffer;
}

/** What a worker is started with (through postMessage, with a port for buffers and errors). */
export interface WorkerJob {
  readonly source: SystemSource;
  /** The compiled system's fingerprint: the worker refuses to search a different one. */
  readonly fingerprint: string;
  readonly control: SharedArrayBuffer;
  readonly thread: number;
  readonly stopAtFirstViolation: boolean;
}

/** From a worker to the coordinator, on its port. */
export type WorkerReport = { readonly error: string };

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
