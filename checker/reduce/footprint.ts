/**
 * Footprints: what a step reads and writes, found by running the model's own code over recording views.
 * The model author declares nothing. A separate, slower path used only by partial-order reduction
 * (por.ts): the search's fast views (system/views.ts) are never touched.
 *
 * A recording world has the same fields as the fast world view and the same meaning (a scalar is a
 * getter and setter on its slot, an array a window onto its slots, a channel a Channel over its slots),
 * but every access is logged first, to the `AccessLog` the recorder points it at:
 *  - a scalar or an array element: the slot read or written;
 *  - a channel: as one resource, named by its length slot: an operation that only looks (`length`,
 *    `isEmpty()`, `poll()`, `peek()` ...) reads it, `send()` and `receive()` read and write it.
 * An actor's own control state, budget and context are its own by construction (a guard or action sees
 * only its own `context`; only its own steps assign it); which of them a step changes is read off the
 * successor, not logged.
 *
 * Everything rests on one assumption, which the determinism probe (search/determinism.ts) and the
 * comparison with the fast path (por.ts) check: model code is a deterministic function of what it reads
 * through these views. Then code that read the same values reads the same slots next, and does the same.
 */
import { SlotStateView } from '../properties/property.js';
import { Channel } from '../system/channel.js';
import type { ChanField } from '../system/fields.js';
import type { Layout } from '../system/layout.js';
import { encodeStep, Stepper, stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { WorldAccessError } from '../system/views.js';

/** The slot buffer's type, whatever layout.ts makes it. */
type Slots = ReturnType<Layout['buffer']>;

/** The accesses of one evaluation: world slots read and written, without repeats. */
export class AccessLog {
  readonly reads: number[] = [];
  readonly writes: number[] = [];
  private readonly readMark: Int32Array;
  private readonly writeMark: Int32Array;
  private epoch = 1;

  constructor(slots: number) {
    this.readMark = new Int32Array(slots);
    this.writeMark = new Int32Array(slots);
  }

  clear(): void {
    this.reads.length = this.writes.length = 0;
    this.epoch++;
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

/**
 * A Channel that logs each operation as an access of the whole channel (its length slot `o`). SPIN's
 * exclusive-receive / exclusive-send rule (`xr`/`xs`, Holzmann & Peled 1994) is not applied: see por.ts.
 */
class RecordingChannel extends Channel {
  constructor(
    s: Slots,
    private readonly at: number,
    spec: ChanField,
    name: string,
    private readonly log: () => AccessLog,
  ) {
    super(s, at, spec, name);
  }
  private looks(): void {
    this.log().read(this.at);
  }
  private changes(): void {
    this.log().read(this.at);
    this.log().write(this.at);
  }
  override get length(): number {
    this.looks();
    return super.length;
  }
  override isEmpty(): boolean {
    this.looks();
    return super.isEmpty();
  }
  override isFull(): boolean {
    this.looks();
    return super.isFull();
  }
  override send(...values: number[]): void {
    this.changes();
    super.send(...values);
  }
  override receive(): number {
    this.changes();
    return super.receive();
  }
  override peek(index = 0, field = 0): number {
    this.looks();
    return super.peek(index, field);
  }
  override poll(...values: number[]): boolean {
    this.looks();
    return super.poll(...values);
  }
  override messages(): (number | number[])[] {
    this.looks();
    return super.messages();
  }
  override slots(): Slots {
    this.looks();
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
      const ch = new RecordingChannel(S, o, spec, name, log);
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
}

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

  constructor(private readonly system: CompiledSystem) {
    const layout = system.layout;
    this.worldSlots = system.actors[0]!.stateSlot;
    this.log = new AccessLog(layout.slots.length);
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
    return {
      steps,
      choicesThrew,
      reads: log.reads.slice(),
      writes: log.writes.slice(),
      localWrites,
    };
  }

  /**
   * Runs every invariant and bound at `s`, and every transition property on each step `(s, post)`, logging
   * what they read to `log` (not cleared).
   */
  properties(s: Slots, steps: readonly RecordedStep[], log: AccessLog): void {
    this.log = log;
    this.preCopy.set(s);
    for (const p of this.system.properties) {
      if (p.kind === 'invariant') quietly(() => p.holds(this.propPre));
      else if (p.kind === 'bound') quietly(() => p.value(this.propPre));
      else if (p.kind === 'transition') {
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
