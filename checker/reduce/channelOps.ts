/**
 * Channel operations as partial-order reduction sees them (issue 9 items 1 and 3): a footprint records, per
 * channel, *which operations* a step used - not "the channel's slots" - so that a send by a channel's only
 * sender and a receive by its receivers can be independent, as SPIN makes them with its exclusive-send /
 * exclusive-receive assertions (`xs` / `xr`; Holzmann & Peled, "An improvement in formal verification",
 * FORTE 1994; spinroot.com/spin/Man/xr.html). Here nobody declares anything: the table below learns from
 * every footprint which actors use which operations on which channel.
 *
 * The operations, by what they observe and change of a FIFO queue (channel.ts):
 *  - SEND appends at the tail; IS_FULL observes `length === capacity` (the *send side*);
 *  - RECEIVE removes the head; IS_EMPTY observes `length === 0`; HEAD observes the head message
 *    (`poll()`, `peek(0, k)`) (the *receive side*);
 *  - READ_ALL observes anything else (`length`, `peek(i > 0)`, `messages()`, iteration); WRITE_ALL is
 *    `slots()`, a writable window.
 * When a queue is neither empty nor full, an append and a removal of the head commute, a send leaves
 * IS_EMPTY (false) and HEAD as they were, and a receive leaves IS_FULL (false) as it was. At the edges
 * they do not: a send changes an empty queue's IS_EMPTY and HEAD, a receive a full queue's IS_FULL.
 *
 * Promela makes the edges harmless by its grammar: on an `xr`/`xs` channel the other end may test only
 * `nempty(q)` / `nfull(q)`, never `empty(q)` or `!nfull(q)`, so a send can only *enable* a receiver's step
 * and never disable one (and a receive only enable a sender's). A JavaScript guard may test `isEmpty()`
 * either way, so the engine checks it instead: the recorder runs an actor's steps a second time on its
 * state with each receive-side channel it touches emptied (and each send-side channel filled), and an actor
 * with a step that then touches the channel and is enabled (or throws) is *empty-positive* (*full-
 * positive*) on it. Such a receiver makes every send to its channel dependent on it.
 */

export const SEND = 1;
export const IS_FULL = 2;
export const RECEIVE = 4;
export const IS_EMPTY = 8;
export const HEAD = 16;
export const READ_ALL = 32;
export const WRITE_ALL = 64;
export const ALL_OPS = 127;
export const SEND_SIDE = SEND | IS_FULL;
export const RECEIVE_SIDE = RECEIVE | IS_EMPTY | HEAD;
const MUTATES = SEND | RECEIVE | WRITE_ALL;

/** An actor's step is enabled (or throws) on the channel emptied / filled: see above. */
export const EMPTY_POSITIVE = 1;
export const FULL_POSITIVE = 2;

/** One channel as a step used it: its index among the world's channels, the operations, the positivity. */
export interface ChannelUse {
  readonly chan: number;
  readonly ops: number;
  readonly positive: number;
}

/** What an ample set relies on about one channel: the operations others may use, and their blindness. */
interface Reliance {
  /** Operations an actor other than the ample one may use on the channel. */
  readonly allowed: number;
  /** EMPTY_POSITIVE / FULL_POSITIVE: no other actor may be that on the channel. */
  readonly blind: number;
  /** The ample actor changes the channel: no property may read it. */
  readonly invisible: boolean;
}

/**
 * The channel part of the ownership table (por.ts): per channel and actor, the operations used and the
 * positivity seen in every state expanded so far (only grows), what the current search relied on, and
 * which channels a property reads.
 */
export class ChannelTable {
  /** The current search relied on something the table has since contradicted. */
  invalid = false;
  private readonly ops: Int32Array;
  private readonly positive: Uint8Array;
  private readonly visible: Uint8Array;
  // Per channel and relying actor: the operations still allowed to the others (ALL_OPS: nothing relied on),
  // the blindness relied on; per channel: relied to be invisible.
  private readonly reliedAllowed: Int32Array;
  private readonly reliedBlind: Uint8Array;
  private readonly reliedInvisible: Uint8Array;

  constructor(
    readonly channels: number,
    private readonly actors: number,
    /** Per channel, its length slot and capacity (to read how full it is in a state). */
    private readonly lengthSlot: readonly number[],
    private readonly capacity: readonly number[],
  ) {
    this.ops = new Int32Array(channels * actors);
    this.positive = new Uint8Array(channels * actors);
    this.visible = new Uint8Array(channels);
    this.reliedAllowed = new Int32Array(channels * actors).fill(ALL_OPS);
    this.reliedBlind = new Uint8Array(channels * actors);
    this.reliedInvisible = new Uint8Array(channels);
  }

  /** A new search: nothing relied on yet. */
  begin(): void {
    this.invalid = false;
    this.reliedAllowed.fill(ALL_OPS);
    this.reliedBlind.fill(0);
    this.reliedInvisible.fill(0);
  }

  /** Adds actor `a`'s use of a channel; a change some other actor's reduction relied on makes the search invalid. */
  learn(a: number, use: ChannelUse): void {
    const at = use.chan * this.actors;
    const newOps = use.ops & ~this.ops[at + a]!;
    const newPositive = use.positive & ~this.positive[at + a]!;
    if (newOps === 0 && newPositive === 0) return;
    this.ops[at + a]! |= newOps;
    this.positive[at + a]! |= newPositive;
    for (let r = 0; r < this.actors; r++) {
      if (r !== a && ((newOps & ~this.reliedAllowed[at + r]!) !== 0 || (newPositive & this.reliedBlind[at + r]!) !== 0)) this.invalid = true;
    }
  }

  /** A property used channel `c`. */
  learnVisible(c: number): void {
    if (this.visible[c]) return;
    this.visible[c] = 1;
    if (this.reliedInvisible[c]) this.invalid = true;
  }

  /**
   * Whether actor `a`'s use of a channel in state `s` keeps its steps independent of every other actor's
   * (por.ts, C1) and invisible (C2), as the table stands: null when not, else what that relies on.
   *  - nobody else uses the channel (it is `a`'s own), or nobody changes it;
   *  - `a` is its only sender (its operations are on the send side, everyone else's on the receive side),
   *    the queue is not full in `s` (the others can only empty it further: `a`'s steps stay enabled and do
   *    the same), and no other actor is empty-positive (a send cannot disable their steps);
   *  - `a` is its only receiver, mirrored: the queue is not empty in `s`, nobody else full-positive.
   */
  reliance(a: number, use: ChannelUse, s: ArrayLike<number>): Reliance | null {
    const c = use.chan;
    const mine = use.ops;
    const changes = (mine & MUTATES) !== 0;
    if (changes && this.visible[c]) return null;
    const at = c * this.actors;
    let others = 0;
    let positive = 0;
    for (let x = 0; x < this.actors; x++) {
      if (x === a) continue;
      others |= this.ops[at + x]!;
      positive |= this.positive[at + x]!;
    }
    if (others === 0) return { allowed: 0, blind: 0, invisible: changes };
    if (!changes && (others & MUTATES) === 0) return { allowed: ALL_OPS & ~MUTATES, blind: 0, invisible: false };
    const length = s[this.lengthSlot[c]!]!;
    if ((mine & ~SEND_SIDE) === 0 && (others & ~RECEIVE_SIDE) === 0 && length < this.capacity[c]! && (positive & EMPTY_POSITIVE) === 0) {
      return { allowed: RECEIVE_SIDE, blind: EMPTY_POSITIVE, invisible: changes };
    }
    if ((mine & ~RECEIVE_SIDE) === 0 && (others & ~SEND_SIDE) === 0 && length > 0 && (positive & FULL_POSITIVE) === 0) {
      return { allowed: SEND_SIDE, blind: FULL_POSITIVE, invisible: changes };
    }
    return null;
  }

  /** Records that the current search relies on `r` for actor `a`'s use of channel `c`. */
  rely(a: number, c: number, r: Reliance): void {
    const at = c * this.actors + a;
    this.reliedAllowed[at]! &= r.allowed;
    this.reliedBlind[at]! |= r.blind;
    if (r.invisible) this.reliedInvisible[c] = 1;
  }
}
