/**
 * Partial-order reduction from step footprints (issue 9 item 1): in each state the search expands an
 * *ample set* - all the steps of one actor from its current control state - instead of every enabled
 * step, when that is known not to lose a verdict. The footprints are found by the engine, by running the
 * model's own code over recording views (footprint.ts); the model author declares nothing.
 *
 * The conditions (Clarke, Grumberg & Peled, "Model Checking", ch. 10; Peled 1993; Holzmann & Peled 1994,
 * SPIN's version, where the ample set is one process's transitions from its current state):
 *  - C0: the ample set is empty only when no step is enabled: an actor qualifies only with an enabled step.
 *    Not with a step that throws (a model assertion): its "successor" is the end of that run, and an ample
 *    set of it would cut off every other actor's runs from here, whose violations a search that goes on
 *    after the first (`stopAtFirstViolation: false`) and the worst values of bounds must still see.
 *  - C1: no step dependent on the ample set can run first outside it. Every step of the actor (enabled or
 *    not: a guard that reads shared data could be enabled by another actor) touches only
 *      - its own control state, budget and context, which no other actor's code can read or write;
 *      - world slots (a channel counts as one) no other actor writes (those it reads) or touches at all
 *        (those it writes).
 *    "No other actor" is the ownership table below, learnt from every actor's footprint in every expanded
 *    state. Such steps are enabled and do the same whatever the others do first, and commute with them.
 *    SPIN's exclusive-receive / exclusive-send rule for channels (xr/xs) is not applied. It needs to know
 *    that a sender only ever *waits* on a full channel and a receiver on an empty one (Promela allows only
 *    `nfull(q)` / `nempty(q)` on such a channel and its grammar refuses `!nfull(q)`: spinroot.com/spin/Man/
 *    xr.html); a guard here is any JavaScript, may test `isFull()` either
 *    way, and the states where it would (a channel filled by sends the reduction postponed) are the ones
 *    the reduced search never visits, so learning cannot find it out. A send and a receive on one channel
 *    are therefore dependent, as two writes of one slot are.
 *  - C2: no ample step changes a slot that a property read in any state so far (the *visible* slots):
 *    invariants and bounds in each expanded state, transition properties on each step. And a transition
 *    property's value on an ample step must not depend on whether others moved first: what it reads on
 *    an actor's steps counts as that actor's reads in C1, and an actor whose steps it judges by another
 *    actor's own slots (`before.actors[0].context.v` on b's steps) is no ample set.
 *  - C3 (the cycle proviso): every cycle of the reduced graph holds a fully expanded state. Breadth-first:
 *    a state is expanded fully if an ample successor is already stored at its own depth or less (along a
 *    cycle, depth cannot rise at every step, and an ample step into a new or same-level-later state
 *    raises it by one; Bošnački, Leue & Lluch Lafuente, "Partial-order reduction for general state
 *    exploring algorithms", SPIN 2006, give BFS provisos of this kind). Other orders:
 *    if an ample successor is stored at all (of a cycle's states, the one stored first has a predecessor
 *    on the cycle that found it stored).
 * Deadlocks need C0 and C1; invariants, transition properties, bounds and assertions also C2 and C3.
 * Progress under fairness is not claimed: a run with progress properties is not reduced (`reductionNote`).
 * Nor is the combination with symmetry reduction yet (Emerson, Jha & Peled, "Combining partial order and
 * symmetry reductions", TACAS 1997, give conditions under which it is sound): `reduce: 'all'` runs symmetry
 * alone and says so.
 *
 * Why learning the table as the search goes is sound. Each reduction records what it relied on (these
 * slots owned by this actor, these slots invisible). When a later footprint or property read contradicts
 * a reliance, the search is *invalid* and runs again from the start with the table it has learnt (which
 * only grows, so this ends). In a search that ends valid, every reduction agrees with the final table T.
 * Suppose some reachable state t (of the full graph) had an access outside T; take one at the least
 * distance, and the path to it, whose steps all agree with T. The ample-set construction (Clarke et al.
 * ch. 10, the proof that C0-C3 preserve stuttering equivalence) maps that path to a reduced one whose steps are those of the path plus ample steps
 * moved in front; an ample step changes only slots its actor owns in T, which the path's steps never
 * touched, so each of them reads the same values and does the same; at the end is a stored state t* where
 * every actor reads what it read at t up to the first access outside T, which it then makes: the search
 * would have recorded it. The same argument gives the visible slots: a property evaluated at t* reads what
 * it read at t. Model code must be a deterministic function of what it reads: the recording and the fast
 * path are compared on every ample step, and if they differ the reduction is switched off for the run.
 */
import type { CompiledSystem } from '../system/system.js';
import type { EmitFn, ExpandFn, FailFn } from '../system/codegen.js';
import { stepActor, type Stepper } from '../system/step.js';
import type { CopyFn } from '../system/layout.js';
import { ChannelTable, READ_ALL } from './channelOps.js';
import { AccessLog, FootprintRecorder, type ActorFootprint, type Slots } from './footprint.js';

const NONE = -1;
const MANY = -2;
/**
 * The reduction stands down (the run takes every interleaving) when fewer than 1 in STAND_DOWN_RATIO of the
 * first STAND_DOWN_AFTER states expanded could be reduced: the footprints cost ~10x a fast-path expansion
 * (measured on retry-ring, where every step touches the shared pages and no state is ever reduced).
 */
const STAND_DOWN_AFTER = 4096;
const STAND_DOWN_RATIO = 20;

/** `who` with actor `a` added: NONE -> a -> MANY. */
const joined = (who: number, a: number): number => (who === NONE || who === a ? a : MANY);
/** `who` is nobody or only `a`. */
const onlyBy = (who: number, a: number): boolean => who === NONE || who === a;

/** What one search's expansion needs from the loop (explore.ts). */
export interface PorBinding {
  readonly stepper: Stepper;
  /** The working buffer the steps are applied to, and the state being expanded. */
  readonly S: Slots;
  readonly pre: Slots;
  readonly copy: CopyFn;
  /** The generated expansion of every enabled step. */
  readonly expand: ExpandFn;
  /** States stored so far (a step whose emit does not add one reached a stored state, numbered in order). */
  readonly stored: () => number;
  /** The stored state the last emitted step reached, or -1 (the step failed). */
  readonly lookup: () => number;
  /** The depth of the state being expanded. */
  readonly depth: () => number;
  /** Breadth-first: states are expanded in the order they are stored, level by level. */
  readonly breadthFirst: boolean;
}

export class PartialOrderReduction {
  /** Why the reduction is off for this check, or null. */
  off: string | null;
  /** The current search relied on something the table has since contradicted: run it again. */
  invalid = false;
  /** Searches run (more than one when a search was invalidated). */
  searches = 0;
  /** States expanded to an ample set, and fully, in the last search. */
  reduced = 0;
  full = 0;

  private readonly recorder: FootprintRecorder;
  private readonly log: AccessLog;
  private readonly propLog: AccessLog;
  // The ownership table: per world slot, which actor reads / writes it (NONE, one actor, or MANY). Learnt
  // over every search of the check; only grows.
  private readonly readBy: Int32Array;
  private readonly writeBy: Int32Array;
  /** Slots (any, actors' own included) some property read. */
  private readonly visible: Uint8Array;
  // What the current search's reductions relied on: the same shape, reset per search.
  private readonly reliedRead: Int32Array;
  private readonly reliedWrite: Int32Array;
  private readonly reliedInvisible: Uint8Array;
  /** The channels' part of the table and of the reliances (channelOps.ts). */
  private readonly channels: ChannelTable;
  private readonly footprints: ActorFootprint[] = [];
  /** The system has transition properties: their reads on an actor's steps are that actor's (withStepProperties). */
  private readonly transitions: boolean;
  private readonly stepLog: AccessLog;
  /** Per slot: the actor whose own slot it is (control state, budget, context), or NONE for a world slot. */
  private readonly ownerOf: Int32Array;
  /** Per actor, in the state being expanded: a transition property read another actor's own slot on its steps. */
  private readonly readsOthers: Uint8Array;
  /** Breadth-first: the depth each stored state was found at. */
  private depthOf = new Int32Array(1024);

  constructor(
    private readonly system: CompiledSystem,
    off: string | null = null,
  ) {
    this.off = off;
    this.recorder = new FootprintRecorder(system);
    const slots = system.layout.slots.length;
    const world = this.recorder.worldSlots;
    const chans = this.recorder.channels;
    this.log = new AccessLog(slots, chans.length);
    this.propLog = new AccessLog(slots, chans.length);
    this.stepLog = new AccessLog(slots, chans.length);
    this.transitions = system.properties.some((p) => p.kind === 'transition');
    this.ownerOf = new Int32Array(slots).fill(NONE);
    system.actors.forEach((actor, i) => this.ownerOf.fill(i, actor.stateSlot, system.actors[i + 1]?.stateSlot ?? slots));
    this.readsOthers = new Uint8Array(system.actors.length);
    this.channels = new ChannelTable(
      chans.length,
      system.actors.length,
      chans.map((c) => c.at),
      chans.map((c) => c.capacity),
    );
    const who = (n: number): Int32Array => new Int32Array(n).fill(NONE);
    this.readBy = who(world);
    this.writeBy = who(world);
    this.visible = new Uint8Array(slots);
    this.reliedRead = who(world);
    this.reliedWrite = who(world);
    this.reliedInvisible = new Uint8Array(slots);
  }

  /** A new search: nothing relied on yet. */
  begin(): void {
    this.searches++;
    this.depthOf.fill(0);
    this.invalid = false;
    this.reduced = this.full = 0;
    this.reliedRead.fill(NONE);
    this.reliedWrite.fill(NONE);
    this.reliedInvisible.fill(0);
    this.channels.begin();
  }

  /** What a report says about the reduction, if anything needs saying. */
  note(): string | undefined {
    if (this.off) return this.off;
    if (this.searches > 1) {
      return `partial-order reduction searched ${this.searches} times: a footprint found later contradicted what an earlier reduction relied on, so the search restarted with what it had learnt`;
    }
    return undefined;
  }

  /**
   * Expands the state in `b.pre` (and `b.S`): an ample set when one qualifies, else every enabled step.
   * Returns the number of enabled steps taken, or -1 when emit or fail stopped the search (or the search
   * became invalid).
   */
  expand(b: PorBinding, emit: EmitFn, fail: FailFn): number {
    const { pre } = b;
    const actors = this.system.actors.length;
    const fps = this.footprints;
    this.propLog.clear();
    this.recorder.stateProperties(pre, this.propLog);
    for (let a = 0; a < actors; a++) {
      const fp = this.withStepProperties(a, this.recorder.actor(a, pre, this.log), pre);
      fps[a] = fp;
      this.learn(a, fp);
    }
    this.learnVisible(this.propLog);
    if (this.channels.invalid) this.invalid = true;
    if (this.invalid) return -1;
    if (this.reduced + this.full === STAND_DOWN_AFTER && this.reduced * STAND_DOWN_RATIO < STAND_DOWN_AFTER) {
      this.off =
        `partial-order reduction stood down for this run: only ${this.reduced} of the first ${STAND_DOWN_AFTER.toLocaleString('en-US')} states ` +
        'expanded had an actor whose steps are independent of the others and invisible to the properties, so it takes every interleaving';
      this.invalid = true;
      return -1;
    }
    let chosen = -1;
    for (let a = 0; a < actors && chosen < 0; a++) if (this.qualifies(a, fps[a]!, pre)) chosen = a;
    if (chosen < 0) {
      this.full++;
      return b.expand(this.tracked(b, emit), fail);
    }
    this.rely(chosen, fps[chosen]!, pre);
    return this.expandAmple(b, chosen, fps[chosen]!, emit, fail);
  }

  private expandAmple(b: PorBinding, a: number, fp: ActorFootprint, emit: EmitFn, fail: FailFn): number {
    const { S, pre, copy, stepper } = b;
    let revisit = false;
    for (const st of fp.steps) {
      let ok: boolean;
      try {
        ok = stepper.applyId(st.id);
      } catch (err) {
        if (st.post !== null) return this.mismatch(b, st.id);
        if (fail(err, st.id)) return -1;
        continue;
      }
      if (!ok || st.post === null || !same(S, st.post)) return this.mismatch(b, st.id);
      const before = b.stored();
      if (emit(st.id)) return -1;
      if (this.closesCycle(b, before)) revisit = true;
    }
    copy(S, pre);
    if (!revisit) {
      this.reduced++;
      return fp.steps.length;
    }
    // C3: an ample successor is already stored - take the other actors' steps too.
    this.full++;
    const skip = (): boolean => {
      copy(S, pre);
      return false;
    };
    const rest = this.tracked(b, emit);
    return b.expand(
      (id) => (stepActor(id) === a ? skip() : rest(id)),
      (err, id) => (stepActor(id) === a ? skip() : fail(err, id)),
    );
  }

  /** `emit`, noting the depth of each state it stores (breadth-first). */
  private tracked(b: PorBinding, emit: EmitFn): EmitFn {
    if (!b.breadthFirst) return emit;
    return (id) => {
      const before = b.stored();
      const stop = emit(id);
      if (b.stored() > before) this.stored(before, b.depth() + 1);
      return stop;
    };
  }

  private stored(index: number, depth: number): void {
    if (index >= this.depthOf.length) {
      const grown = new Int32Array(Math.max(index + 1, 2 * this.depthOf.length));
      grown.set(this.depthOf);
      this.depthOf = grown;
    }
    this.depthOf[index] = depth;
  }

  /** C3: may the step just emitted (the store held `before` states) close a cycle of reduced states? */
  private closesCycle(b: PorBinding, before: number): boolean {
    if (b.stored() > before) {
      if (b.breadthFirst) this.stored(before, b.depth() + 1);
      return false;
    }
    if (!b.breadthFirst) return true;
    const r = b.lookup();
    return r < 0 || this.depthOf[r]! <= b.depth();
  }

  /** The recording and the fast path disagree on a step: model code reads something else. No reduction then. */
  private mismatch(b: PorBinding, id: number): number {
    b.copy(b.S, b.pre);
    const actor = this.system.actors[stepActor(id)]!;
    this.off =
      `partial-order reduction is off for this run: a step of ${actor.name} did not do the same when run twice on one state ` +
      '(model code that reads something besides its context and the world?), so its footprint cannot be trusted';
    this.invalid = true;
    return -1;
  }

  /**
   * `fp` with what the transition properties read on `a`'s steps counted as `a`'s reads (a property's value
   * on a step must not depend on whether another actor moved first, as a guard's must not), and those reads
   * added to the visible ones. A read of another actor's own slot (its context, its control state) keeps
   * `a` out of every ample set in `s`.
   */
  private withStepProperties(a: number, fp: ActorFootprint, s: Slots): ActorFootprint {
    this.readsOthers[a] = 0;
    if (!this.transitions) return fp;
    const log = this.stepLog;
    log.clear();
    this.recorder.stepProperties(s, fp.steps, log);
    if (log.reads.length === 0 && log.chans.length === 0) return fp;
    this.propLog.merge(log);
    const reads = new Set(fp.reads);
    for (const x of log.reads) {
      const owner = this.ownerOf[x]!;
      if (owner === NONE) reads.add(x);
      else if (owner !== a) this.readsOthers[a] = 1;
    }
    // A channel a property reads on the step: as if the step read all of it.
    const channels = new Map(fp.channels.map((u) => [u.chan, u]));
    for (const c of log.chans) {
      const u = channels.get(c);
      channels.set(c, { chan: c, ops: (u?.ops ?? 0) | READ_ALL, positive: u?.positive ?? 0 });
    }
    return { ...fp, reads: [...reads], channels: [...channels.values()] };
  }

  /** Can actor `a`'s steps from state `s` be the ample set (C0, C1, C2 above)? */
  private qualifies(a: number, fp: ActorFootprint, s: Slots): boolean {
    if (fp.steps.length === 0 || fp.choicesThrew || this.readsOthers[a] || fp.steps.some((st) => st.post === null)) return false;
    for (const x of fp.reads) if (!onlyBy(this.writeBy[x]!, a)) return false;
    for (const x of fp.writes) if (this.visible[x] || !onlyBy(this.writeBy[x]!, a) || !onlyBy(this.readBy[x]!, a)) return false;
    for (const x of fp.localWrites) if (this.visible[x]) return false;
    for (const use of fp.channels) if (!this.channels.reliance(a, use, s)) return false;
    return true;
  }

  /** Records that the current search relies on `fp`'s accesses being `a`'s alone, and invisible. */
  private rely(a: number, fp: ActorFootprint, s: Slots): void {
    for (const use of fp.channels) this.channels.rely(a, use.chan, this.channels.reliance(a, use, s)!);
    for (const x of fp.reads) this.reliedRead[x] = joined(this.reliedRead[x]!, a);
    for (const x of fp.writes) {
      this.reliedWrite[x] = joined(this.reliedWrite[x]!, a);
      this.reliedInvisible[x] = 1;
    }
    for (const x of fp.localWrites) this.reliedInvisible[x] = 1;
  }

  /** Adds actor `a`'s accesses to the table; a change some reduction relied on makes the search invalid. */
  private learn(a: number, fp: ActorFootprint): void {
    for (const use of fp.channels) this.channels.learn(a, use);
    for (const x of fp.reads) {
      if (this.readBy[x] === joined(this.readBy[x]!, a)) continue;
      this.readBy[x] = joined(this.readBy[x]!, a);
      if (!onlyBy(this.reliedWrite[x]!, a)) this.invalid = true;
    }
    for (const x of fp.writes) {
      if (this.writeBy[x] === joined(this.writeBy[x]!, a)) continue;
      this.writeBy[x] = joined(this.writeBy[x]!, a);
      if (!onlyBy(this.reliedWrite[x]!, a) || !onlyBy(this.reliedRead[x]!, a)) this.invalid = true;
    }
  }

  /** Adds what the properties read to the visible slots. */
  private learnVisible(log: AccessLog): void {
    for (const c of log.chans) this.channels.learnVisible(c);
    for (const x of log.reads) {
      if (this.visible[x]) continue;
      this.visible[x] = 1;
      if (this.reliedInvisible[x]) this.invalid = true;
    }
  }
}

function same(a: Slots, b: Slots): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
