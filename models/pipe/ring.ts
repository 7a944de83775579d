/**
 * The pipe ring as a world fragment (fs/pipe.c, include/linux/pipe_fs_i.h): `pipe->mutex`, the ring of
 * `struct pipe_buffer` between `pipe->tail` and `pipe->head`, each buffer's `len`, and the ghost record
 * that pipe write atomicity is judged on.
 *
 * Fields (prefix `pipe`):
 * - `pipeMutex`: who holds pipe->mutex ('-' or an owner's name);
 * - `pipeTail`: pipe->tail & mask; `pipeUsed`: pipe->head - pipe->tail (pipe_occupancy());
 *   head & mask = (tail + used) % slots;
 * - `pipeLen[slot]`: buf->len (0 for a free slot, and for the empty buffer a v5.5..v6.14 pipe_write()
 *   publishes before it copies);
 * - ghost, per tracked writer: `pipeWritten[w]` (its units in the byte stream so far), `pipeSplit[w]`
 *   (another writer's units landed between two of its chunks), and `pipeLast` (whose unit was appended
 *   last). The stream order is the append order: buffers are appended at the head, a merge appends to the
 *   last buffer, and readers consume from the tail, so "contiguous in what R reads" is "nobody appended in
 *   between".
 *
 * Simplifications, stated: every buffer is an anonymous pipe buffer with PIPE_BUF_FLAG_CAN_MERGE (no
 * packet mode, no splice), offsets are 0 because readers consume whole buffers (`pipeConsume`), there is
 * always a reader (no EPIPE), and max_usage = ring_size = `slots`. PIPE_BUF = PAGE_SIZE = `pageUnits`.
 */
import { array, assertShape, bool, enumOf, int, type FieldSpecs, type Shape } from '../../checker/index.js';
import type { Ints } from '../mmu/world.js';

export interface PipeOptions {
  /** Ring slots (pipe->max_usage = pipe->ring_size), 1..8. */
  readonly slots: number;
  /** PAGE_SIZE = PIPE_BUF in units: what one buffer holds, 1..64. */
  readonly pageUnits: number;
  /** The actors that take pipe->mutex, by owner index. */
  readonly mutexOwners: readonly string[];
  /** The writers whose bytes the ghost tracks, by writer index (trace names). */
  readonly writers: readonly string[];
  /** The longest write a tracked writer makes, in units (the ghost counters' domain). */
  readonly maxWrite: number;
  /** Buffers already in the pipe (their lengths, from an earlier write nobody tracks). Default none. */
  readonly initial?: readonly number[];
}

/** Every option of definePipe: a key not listed is a typo, refused rather than left at its default. */
const PIPE_OPTIONS: Shape<PipeOptions> = {
  slots: 'checked',
  pageUnits: 'checked',
  mutexOwners: 'array',
  writers: 'array',
  maxWrite: 'checked',
  initial: 'array',
};

/** The resolved pipe: static facts and the world fields. */
export interface Pipe {
  readonly slots: number;
  readonly pageUnits: number;
  readonly mutexOwners: readonly string[];
  readonly writers: readonly string[];
  readonly maxWrite: number;
  readonly fields: FieldSpecs;
}

export interface PipeWorld {
  /** 0 free, owner + 1. */
  pipeMutex: number;
  pipeTail: number;
  pipeUsed: number;
  readonly pipeLen: Ints;
  /** Ghost: 0 nobody (or untracked initial content), writer + 1. */
  pipeLast: number;
  readonly pipeWritten: Ints;
  readonly pipeSplit: Ints;
}

function checkInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`definePipe: ${what} must be a whole number in ${min}..${max}, not ${v}`);
}

export function definePipe(o: PipeOptions): Pipe {
  assertShape(o, PIPE_OPTIONS, 'definePipe() options');
  checkInt(o.slots, 1, 8, 'slots');
  checkInt(o.pageUnits, 1, 64, 'pageUnits');
  checkInt(o.maxWrite, 1, 64, 'maxWrite');
  if (o.mutexOwners.length < 1 || o.mutexOwners.length > 8) throw new RangeError('definePipe: 1..8 mutex owners');
  if (o.writers.length < 1 || o.writers.length > 8) throw new RangeError('definePipe: 1..8 tracked writers');
  const initial = o.initial ?? [];
  if (initial.length > o.slots) throw new RangeError(`definePipe: ${initial.length} initial buffers in ${o.slots} slots`);
  for (const len of initial) checkInt(len, 1, o.pageUnits, 'an initial buffer length');
  const lens = new Array<number>(o.slots).fill(0);
  initial.forEach((len, i) => (lens[i] = len));
  const fields: FieldSpecs = {
    pipeMutex: enumOf(['-', ...o.mutexOwners]),
    pipeTail: int(0, o.slots - 1),
    pipeUsed: int(0, o.slots, initial.length),
    pipeLen: array(o.slots, int(0, o.pageUnits), lens),
    pipeLast: enumOf(['-', ...o.writers]),
    pipeWritten: array(o.writers.length, int(0, o.maxWrite)),
    pipeSplit: array(o.writers.length, bool()),
  };
  return { slots: o.slots, pageUnits: o.pageUnits, mutexOwners: [...o.mutexOwners], writers: [...o.writers], maxWrite: o.maxWrite, fields };
}

// --- pipe->mutex -----------------------------------------------------------------------------------

export function pipeMutexFree(w: PipeWorld): boolean {
  return w.pipeMutex === 0;
}

export function pipeMutexHeldBy(w: PipeWorld, owner: number): boolean {
  return w.pipeMutex === owner + 1;
}

/** mutex_lock(&pipe->mutex): guard the step with `pipeMutexFree` (the sleep). */
export function pipeMutexLock(w: PipeWorld, P: Pipe, owner: number): void {
  if (!(owner >= 0 && owner < P.mutexOwners.length)) throw new RangeError(`pipe->mutex: no owner ${owner}`);
  if (w.pipeMutex !== 0) throw new Error(`mutex_lock(&pipe->mutex): held by ${P.mutexOwners[w.pipeMutex - 1]} (guard with pipeMutexFree)`);
  w.pipeMutex = owner + 1;
}

/** mutex_unlock(&pipe->mutex): only by its holder. */
export function pipeMutexUnlock(w: PipeWorld, P: Pipe, owner: number): void {
  if (w.pipeMutex !== owner + 1) throw new Error(`mutex_unlock(&pipe->mutex) by ${P.mutexOwners[owner]}, which does not hold it`);
  w.pipeMutex = 0;
}

// --- the ring ---------------------------------------------------------------------------------------

/** pipe_empty(head, tail). */
export function pipeEmpty(w: PipeWorld): boolean {
  return w.pipeUsed === 0;
}

/** pipe_full(head, tail, max_usage). */
export function pipeFull(w: PipeWorld, P: Pipe): boolean {
  return w.pipeUsed >= P.slots;
}

/** The slot pipe->head points at (the next buffer). */
export function pipeHeadSlot(w: PipeWorld, P: Pipe): number {
  return (w.pipeTail + w.pipeUsed) % P.slots;
}

/** The slot of the last buffer, bufs[(head - 1) & mask]; -1 when empty. */
export function pipeLastSlot(w: PipeWorld, P: Pipe): number {
  return w.pipeUsed === 0 ? -1 : (w.pipeTail + w.pipeUsed - 1) % P.slots;
}

/** Units in the pipe (FIONREAD). */
export function pipeBytes(w: PipeWorld, P: Pipe): number {
  let n = 0;
  for (let i = 0; i < w.pipeUsed; i++) n += w.pipeLen[(w.pipeTail + i) % P.slots]!;
  return n;
}

/**
 * pipe_write()'s merge test for a write of `totalLen` units: `chars = total_len & (PAGE_SIZE-1)`; merge
 * into the last buffer iff chars && !was_empty && (buf->flags & CAN_MERGE) && offset + len + chars <= PAGE_SIZE.
 * Returns chars when the write merges, else 0.
 */
export function pipeMergeChars(w: PipeWorld, P: Pipe, totalLen: number): number {
  const chars = totalLen % P.pageUnits;
  if (chars === 0 || w.pipeUsed === 0) return 0;
  return w.pipeLen[pipeLastSlot(w, P)]! + chars <= P.pageUnits ? chars : 0;
}

/** Ghost: writer `wr` appends k units to the byte stream. */
function appendToStream(w: PipeWorld, wr: number, k: number): void {
  if (k <= 0) return;
  if (w.pipeWritten[wr]! > 0 && w.pipeLast !== wr + 1) w.pipeSplit[wr] = 1;
  w.pipeWritten[wr] = w.pipeWritten[wr]! + k;
  w.pipeLast = wr + 1;
}

/** The merge path: `buf->len += ret` on the last buffer (the copy went into its page beyond buf->len). */
export function pipeMergeCommit(w: PipeWorld, P: Pipe, wr: number, k: number): void {
  const s = pipeLastSlot(w, P);
  if (s < 0 || w.pipeLen[s]! + k > P.pageUnits) throw new Error(`pipe merge of ${k} units: no last buffer with room`);
  w.pipeLen[s] = w.pipeLen[s]! + k;
  appendToStream(w, wr, k);
}

/**
 * v6.15+ (ee5eda8ea595): the copy into pipe->tmp_page succeeded, then `pipe->head = head + 1; buf->len =
 * copied`. Guard with !pipeFull.
 */
export function pipePushBuffer(w: PipeWorld, P: Pipe, wr: number, k: number): void {
  if (pipeFull(w, P)) throw new Error('pipe_write: pushing a buffer into a full pipe (guard with !pipeFull)');
  w.pipeLen[pipeHeadSlot(w, P)] = k;
  w.pipeUsed = w.pipeUsed + 1;
  appendToStream(w, wr, k);
}

/**
 * v5.5..v6.14 (a194dfe6e6f6): "Allocate a slot in the ring in advance and attach an empty buffer":
 * `pipe->head = head + 1`, buf->len = 0, before the copy. Returns the slot. Guard with !pipeFull.
 */
export function pipeReserveSlot(w: PipeWorld, P: Pipe): number {
  if (pipeFull(w, P)) throw new Error('pipe_write: reserving a slot in a full pipe (guard with !pipeFull)');
  const s = pipeHeadSlot(w, P);
  w.pipeLen[s] = 0;
  w.pipeUsed = w.pipeUsed + 1;
  return s;
}

/** v5.5..v6.14: `buf->len = copied` on the slot reserved before the copy. */
export function pipeSetLen(w: PipeWorld, P: Pipe, slot: number, wr: number, k: number): void {
  if (w.pipeLen[slot] !== 0 || k > P.pageUnits) throw new Error(`pipe_write: buf->len of slot ${slot} set twice`);
  w.pipeLen[slot] = k;
  appendToStream(w, wr, k);
}

/**
 * What `pipeConsume` would read: whole buffers from the tail while they fit in `n` units (empty buffers are
 * consumed too, as pipe_read() releases them). Pure.
 */
export function pipeConsumeUnits(w: PipeWorld, P: Pipe, n: number): number {
  let got = 0;
  for (let i = 0; i < w.pipeUsed; i++) {
    const len = w.pipeLen[(w.pipeTail + i) % P.slots]!;
    if (got + len > n) break;
    got += len;
  }
  return got;
}

/**
 * anon_pipe_read() under pipe->mutex: copy_page_to_iter() of whole buffers from the tail, each released
 * (pipe_buf_release(), tail++) once read; stops at a buffer that does not fit in `n`. Returns units read.
 */
export function pipeConsume(w: PipeWorld, P: Pipe, n: number): number {
  let got = 0;
  while (w.pipeUsed > 0) {
    const s = w.pipeTail;
    const len = w.pipeLen[s]!;
    if (got + len > n) break;
    got += len;
    w.pipeLen[s] = 0;
    w.pipeTail = (s + 1) % P.slots;
    w.pipeUsed = w.pipeUsed - 1;
  }
  return got;
}
