/**
 * Footprints: what a step reads and writes, found by running the model's own code over recording views.
 * The model author declares nothing. A separate, slower path used only by partial-order reduction
 * (por.ts): the search's fast views (system/views.ts) are never touched.
 *
 * A recording world has the same fields as the fast world view and the same meaning (a scalar is a
 * getter and setter on its slot, an array a window onto its slots, a channel a Channel over its slots),
 * but every access is logged first, to the `AccessLog` the recorder points it at:
 *  - a scalar or an array element: the slot read or written;
 *  - a channel: the operation, per channel (channelOps.ts: send, isFull, receive, isEmpty, head, the rest),
 *    not its slots: whether a send and a receive commute depends on which operations the others use.
 * An actor's own control state, budget and context are its own by construction (a guard or action sees
 * only its own `context`; only its own steps assign it); which of them a step changes is read off the
 * successor, not logged.
 *
 * Everything rests on one assumption, which the determinism probe (search/determinism.ts) and the
 * comparison with the fast path (por.ts) check: model code is a deterministic function of what it reads
 * through these views. Then code that read the same values reads the same slots next, and does the same.
 */
import { SlotStateView } from '../properties/property.js';
import { Channel, chanSlotCount } from '../system/channel.js';
import type { ChanField } from '../system/fields.js';
import type { Layout } from '../system/layout.js';
import { encodeStep, Stepper, stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { WorldAccessError } from '../system/views.js';
import {
  EMPTY_POSITIVE,
  FULL_POSITIVE,
  HEAD,
  IS_EMPTY,
  IS_FULL,
  READ_ALL,
  RECEIVE,
  RECEIVE_SIDE,
  SEND,
  SEND_SIDE,
  WRITE_ALL,
  type ChannelUse,
} from './channelOps.js';

/** The slot buffer's type, whatever layout.ts makes it. */
type Slots = ReturnType<Layout['buffer']>;

/** The accesses of one evaluation: world slots read and written, channels used, without repeats. */
export class AccessLog {
  readonly reads: number[] = [];
  readonly writes: number[] = [];
  /** Channels used (indices among the world's channels), and per channel the operations (channelOps.ts). */
  readonly chans: number[] = [];
  readonly chanOps: Int32Array;
  private readonly readMark: Int32Array;
  private readonly writeMark: Int32Array;
  private readonly chanMark: Int32Array;
  private epoch = 1;

  constructor(slots: number, channels = 0) {
    this.readMark = new Int32Array(slots);
    this.writeMark = new Int32Array(slots);
    this.chanMark = new Int32Array(channels);
    this.chanOps = new Int32Array(channels);
  }

  clear(): void {
    this.reads.length = this.writes.length = this.chans.length = 0;
    this.epoch++;
  }

  /** Operation `op` on channel `c`. */
  chanOp(c: number, op: number): void {
    if (this.chanMark[c] !== this.epoch) {
      this.chanMark[c] = this.epoch;
      this.chanOps[c] = op;
      this.chans.push(c);
    } else this.chanOps[c]! |= op;
  }

  /** Whether channel `c` was used. */
  used(c: number): boolean {
    return this.chanMark[c] === this.epoch;
  }

  /** Adds everything `other` logged. */
  merge(other: AccessLog): void {
    for (const x of other.reads) this.read(x);
    for (const x of other.writes) this.write(x);
    for (const c of other.chans) this.chanOp(c, other.chanOps[c]!);
  }

  read(slot: number): void {
    if (this.readMark[slot] !== this.epoch) {
      this.readMark[slot] = this.epoch;
      this.reads.push(slot);
    }
  }

  write(slot: number): void {
    if (this.writeMark[slot] !== this.epoch) {
      this.writeMark[slot] = this.epoch;
      this.writes.push(slot);
    }
  }
}

/** A Channel that logs each operation (channelOps.ts) on channel number `index`. */
class RecordingChannel extends Channel {
  constructor(
    s: Slots,
    at: number,
    spec: ChanField,
    name: string,
    private readonly index: number,
    private readonly log: () => AccessLog,
  ) {
    super(s, at, spec, name);
  }
  private op(op: number): void {
    this.log().chanOp(this.index, op);
  }
  override get length(): number {
    this.op(READ_ALL);
    return super.length;
  }
  override isEmpty(): boolean {
    this.op(IS_EMPTY);
    return super.isEmpty();
  }
  override isFull(): boolean {
    this.op(IS_FULL);
    return super.isFull();
  }
  override send(...values: number[]): void {
    this.op(SEND);
    super.send(...values);
  }
  override receive(): number {
    this.op(RECEIVE);
    return super.receive();
  }
  override peek(index = 0, field = 0): number {
    this.op(index === 0 ? HEAD : READ_ALL);
    return super.peek(index, field);
  }
  override poll(...values: number[]): boolean {
    this.op(HEAD);
    return super.poll(...values);
  }
  override messages(): (number | number[])[] {
    this.op(READ_ALL);
    return super.messages();
  }
  override slots(): Slots {
    this.op(READ_ALL | WRITE_ALL);
    return super.slots();
  }
}

/** Array methods that change elements: a call logs a write of every element (and a read, as every call does). */
const MUTATORS = new Set(['fill', 'set', 'copyWithin', 'sort', 'reverse']);
const INDEX = /^(0|[1-9][0-9]*)$/;

/** A world write as the fast view takes it: an integer as is, a boolean as 0/1, anything else refused. */
function toInt(field: string, v: unknown): number {
  if (typeof v === 'number' && (v | 0) === v) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new WorldAccessError(`world.${field} = ${String(v)} is not an integer`);
}

/** Replacing an array or channel field throws, as in the fast view. */
function replaced(field: string, v: unknown): never {
  throw new WorldAccessError(`world.${field} = ${String(v)} replaces an array or channel field; write its elements or use its operations`);
}

/**
 * A recording world over `S`: the fields of `system`'s world, every access logged to `log()` (the recorder
 * switches the log between evaluations).
 */
export function recordingWorld(system: CompiledSystem, S: Slots, log: () => AccessLog): Record<string, unknown> {
  const world: Record<string, unknown> = {};
  let channels = 0;
  for (const [name, spec] of Object.entries(system.spec.world)) {
    const o = system.worldOffsets.get(name)!;
    if (spec.kind === 'scalar') {
      Object.defineProperty(world, name, {
        get: () => {
          log().read(o);
          return S[o];
        },
        set: (v: unknown) => {
          log().write(o);
          S[o] = toInt(name, v);
        },
        enumerable: true,
      });
    } else if (spec.kind === 'chan') {
      const ch = new RecordingChannel(S, o, spec, name, channels++, log);
      Object.defineProperty(world, name, { get: () => ch, set: (v: unknown) => replaced(name, v), enumerable: true });
    } else {
      const n = spec.length;
      const window = S.subarray(o, o + n);
      const every = (write: boolean): void => {
        const l = log();
        for (let i = 0; i < n; i++) {
          l.read(o + i);
          if (write) l.write(o + i);
        }
      };
      const view = new Proxy(window, {
        get(t, key) {
          if (typeof key === 'string' && INDEX.test(key)) {
            const i = Number(key);
            if (i < n) log().read(o + i);
            return t[i];
          }
          const v = Reflect.get(t, key, t) as unknown;
          if (typeof v !== 'function') return v;
          // A method (every, includes, reduce, the iterator ...) may read any element: log them all.
          const method = key;
          return (...args: unknown[]) => {
            every(typeof method === 'string' && MUTATORS.has(method));
            return (v as (...a: unknown[]) => unknown).apply(t, args);
          };
        },
        set(t, key, v) {
          if (typeof key === 'string' && INDEX.test(key)) {
            const i = Number(key);
            if (i < n) log().write(o + i);
            (t as unknown as Record<number, unknown>)[i] = v;
            return true;
          }
          return Reflect.set(t, key, v, t);
        },
      });
      Object.defineProperty(world, name, { get: () => view, set: (v: unknown) => replaced(name, v), enumerable: true });
    }
  }
  return Object.preventExtensions(world);
}

/** A buffer whose element reads are logged (a property's view of actors' control states and contexts). */
function readLogged(S: Slots, log: () => AccessLog): Slots {
  return new Proxy(S, {
    get(t, key) {
      if (typeof key === 'string' && INDEX.test(key)) {
        const i = Number(key);
        log().read(i);
        return t[i];
      }
      const v = Reflect.get(t, key, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** One step of an actor as the recording path ran it. */
export interface RecordedStep {
  readonly id: number;
  /** The successor's slots, or null when the step threw (a model assertion). */
  readonly post: Slots | null;
}

/** Everything an actor's steps from its current control state did, enabled or not. */
export interface ActorFootprint {
  readonly steps: readonly RecordedStep[];
  /** A choices function threw: the fast path reports it; such an actor is never an ample set. */
  readonly choicesThrew: boolean;
  /** World slots read and written (copies of the log). */
  readonly reads: readonly number[];
  readonly writes: readonly number[];
  /** The actor's own slots (control state, budget, context) some step changed. */
  readonly localWrites: readonly number[];
  /** The channels its steps used: the operations, and whether it is empty- or full-positive (channelOps.ts). */
  readonly channels: readonly ChannelUse[];
}

/** A channel of the world, as the recorder empties and fills it. */
export interface ChannelSlots {
  /** Its length slot; its message slots follow. */
  readonly at: number;
  readonly capacity: number;
  /** Slots it takes, the length slot included. */
  readonly size: number;
}

/** Probing more channels of one actor at once than this (2^n runs) marks them all positive instead. */
const MAX_PROBED = 4;

/**
 * Runs an actor's steps, or the properties, on a private copy of a state through recording views.
 * Reuses its buffers; allocates the results.
 */
export class FootprintRecorder {
  readonly worldSlots: number;
  private readonly scratch: Slots;
  private readonly stepper: Stepper;
  private log: AccessLog;
  /** Property reads: state views over pre and post copies, logging into whatever log is current. */
  private readonly propPre: SlotStateView;
  private readonly propPost: SlotStateView;
  private readonly preCopy: Slots;
  private readonly postCopy: Slots;
  private readonly locals: readonly (readonly number[])[];
  /** The world's channels, in declaration order (their indices in an AccessLog). */
  readonly channels: readonly ChannelSlots[];
  /** The log of one probe evaluation (see `positivity`). */
  private readonly probeLog: AccessLog;

  constructor(private readonly system: CompiledSystem) {
    const layout = system.layout;
    this.worldSlots = system.actors[0]!.stateSlot;
    this.channels = Object.entries(system.spec.world).flatMap(([name, spec]) =>
      spec.kind === 'chan' ? [{ at: system.worldOffsets.get(name)!, capacity: spec.capacity, size: chanSlotCount(spec) }] : [],
    );
    this.log = new AccessLog(layout.slots.length, this.channels.length);
    this.probeLog = new AccessLog(layout.slots.length, this.channels.length);
    const current = (): AccessLog => this.log;
    this.scratch = layout.buffer();
    const world = recordingWorld(system, this.scratch, current);
    this.stepper = new Stepper({ ...system, worldView: () => world }, this.scratch);
    this.preCopy = layout.buffer();
    this.postCopy = layout.buffer();
    this.propPre = new SlotStateView(system, readLogged(this.preCopy, current), recordingWorld(system, this.preCopy, current));
    this.propPost = new SlotStateView(system, readLogged(this.postCopy, current), recordingWorld(system, this.postCopy, current));
    this.locals = system.actors.map((a, i) => {
      const end = i + 1 < system.actors.length ? system.actors[i + 1]!.stateSlot : layout.slots.length;
      return Array.from({ length: end - a.stateSlot }, (_, k) => a.stateSlot + k);
    });
  }

  /** Runs every step of actor `a` in state `s`: each event its control state accepts, each choice, in order. */
  actor(a: number, s: Slots, log: AccessLog): ActorFootprint {
    this.log = log;
    log.clear();
    const S = this.scratch;
    const stepper = this.stepper;
    const steps: RecordedStep[] = [];
    let choicesThrew = false;
    S.set(s);
    const events = stepper.eventsOf(a) ?? [];
    for (const e of events) {
      S.set(s);
      let n: number;
      try {
        n = stepper.choiceCount(a, e);
      } catch {
        choicesThrew = true;
        continue;
      }
      for (let c = 0; c < n; c++) {
        S.set(s);
        const id = encodeStep(a, e.index, c);
        try {
          const t = stepper.pick(a, e, c);
          if (!t) continue;
          stepper.apply(a, e, t);
          steps.push({ id, post: S.slice() as Slots });
        } catch {
          steps.push({ id, post: null });
        }
      }
    }
    S.set(s);
    const localWrites = this.locals[a]!.filter((x) => steps.some((st) => st.post !== null && st.post[x] !== s[x]));
    const positive = this.positivity(a, s, log);
    S.set(s);
    return {
      steps,
      choicesThrew,
      reads: log.reads.slice(),
      writes: log.writes.slice(),
      localWrites,
      channels: log.chans.map((chan) => ({ chan, ops: log.chanOps[chan]!, positive: positive.get(chan) ?? 0 })),
    };
  }

  /**
   * Which channels actor `a` is empty- or full-positive on in state `s` (channelOps.ts): its steps run again
   * with each combination of its receive-side channels emptied and its send-side channels filled, and a step
   * that then uses a changed channel and is enabled, or throws, marks the changed channels it used. Every
   * access of these runs is added to `log` too: they are the accesses the actor makes in the states that
   * differ from `s` only in those channels, which the reduced search may never store.
   */
  private positivity(a: number, s: Slots, log: AccessLog): Map<number, number> {
    const positive = new Map<number, number>();
    // The channels used on one side only, and the change that probes them.
    const probed = log.chans.filter((c) => (log.chanOps[c]! & ~RECEIVE_SIDE) === 0 || (log.chanOps[c]! & ~SEND_SIDE) === 0);
    if (probed.length === 0) return positive;
    const flag = probed.map((c) => ((log.chanOps[c]! & ~RECEIVE_SIDE) === 0 ? EMPTY_POSITIVE : FULL_POSITIVE));
    if (probed.length > MAX_PROBED) {
      probed.forEach((c, i) => positive.set(c, flag[i]!));
      return positive;
    }
    const S = this.scratch;
    const stepper = this.stepper;
    const probeLog = this.probeLog;
    const main = log;
    this.log = probeLog;
    const load = (subset: number): void => {
      S.set(s);
      probed.forEach((c, i) => {
        if (!(subset & (1 << i))) return;
        const { at, capacity, size } = this.channels[c]!;
        if (flag[i] === EMPTY_POSITIVE) S.fill(0, at, at + size);
        else S[at] = capacity;
      });
    };
    /** The probed channels of `subset` the last evaluation used, as a subset. */
    const usedOf = (subset: number): number => probed.reduce((m, c, i) => (subset & (1 << i) && probeLog.used(c) ? m | (1 << i) : m), 0);
    const mark = (used: number): void =>
      probed.forEach((c, i) => {
        if (used & (1 << i)) positive.set(c, (positive.get(c) ?? 0) | flag[i]!);
      });
    const events = stepper.eventsOf(a) ?? [];
    for (let subset = 1; subset < 1 << probed.length; subset++) {
      for (const e of events) {
        load(subset);
        probeLog.clear();
        let n: number;
        try {
          n = stepper.choiceCount(a, e);
        } catch {
          mark(usedOf(subset));
          main.merge(probeLog);
          continue;
        }
        const byCount = usedOf(subset);
        main.merge(probeLog);
        for (let c = 0; c < n; c++) {
          load(subset);
          probeLog.clear();
          let enabled: boolean;
          try {
            const t = stepper.pick(a, e, c);
            enabled = t !== null;
            if (t) stepper.apply(a, e, t);
          } catch {
            enabled = true;
          }
          if (enabled) mark(byCount | usedOf(subset));
          main.merge(probeLog);
        }
      }
    }
    this.log = main;
    return positive;
  }

  /** Runs every invariant and bound at `s`, logging what they read to `log` (not cleared). */
  stateProperties(s: Slots, log: AccessLog): void {
    this.log = log;
    this.preCopy.set(s);
    for (const p of this.system.properties) {
      if (p.kind === 'invariant') quietly(() => p.holds(this.propPre));
      else if (p.kind === 'bound') quietly(() => p.value(this.propPre));
    }
  }

  /**
   * Runs every transition property on each of `steps` from `s` (`(s, post)`), logging what they read to
   * `log` (not cleared): what the properties read on one actor's steps, which por.ts counts as that
   * actor's reads.
   */
  stepProperties(s: Slots, steps: readonly RecordedStep[], log: AccessLog): void {
    this.log = log;
    this.preCopy.set(s);
    for (const p of this.system.properties) {
      if (p.kind !== 'transition') continue;
      for (const { id, post } of steps) {
        if (!post) continue;
        this.postCopy.set(post);
        const actor = this.system.actors[stepActor(id)]!;
        const info = { actor: actor.name, actorIndex: actor.index, event: actor.machine.eventTypes[stepEvent(id)]!, choice: stepChoice(id) };
        quietly(() => p.holds(this.propPre, this.propPost, info));
      }
    }
  }
}

/** A property that throws is its monitor's business (on the fast path): its reads up to the throw are logged. */
function quietly(f: () => unknown): void {
  try {
    f();
  } catch {
    // reported by the property's monitor
  }
}

export type { Slots };
