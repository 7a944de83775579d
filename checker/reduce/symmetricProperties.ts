/**
 * Is symmetry reduction sound for this system's properties? Searching representatives is exact only for
 * properties that cannot tell the members of a symmetric group apart (Ip and Dill, FMSD 9 (1996), §3:
 * the property must be invariant under the renamings). A property is a function, so this file checks what
 * it reads instead of trusting it:
 *
 *  - each invariant, bound and transition property is run on the initial state and on every successor of
 *    it (transition properties: on each of those steps) over views that record which members of a group
 *    it reads - an actor of the group (`s.actor('reader0')`, `s.actors[i]`) or an element of a world array
 *    `indexedBy` the group. Reading some members but not all (a property naming 'CPU1') is asymmetric;
 *  - on the same states, each value is compared with its value on the state with two adjacent members
 *    swapped (adjacent swaps generate every renaming);
 *  - a progress property is judged on the explored graph under per-actor fairness, and the search over
 *    representatives keeps neither real actors on its edges nor the cycles of the real graph (a cycle of
 *    representatives is a real path from a state to a renaming of it): symmetry is switched off for it.
 *    Deadlock freedom reads no member by name: it is symmetric by construction.
 *
 * The same states are probed for a model that breaks the declared symmetry (asymmetry(), symmetry.ts).
 * What this finds is a reason, said in one line; the search then runs without symmetry and the result
 * carries the note. A property that reads every member and still tells them apart only on states the
 * probe does not reach (`reader0.pos <= reader1.pos` reads both) is not caught: the model author's promise,
 * as for the actors themselves (symmetry.ts).
 */
import { SlotStateView, type Property, type StateView, type StepInfo } from '../properties/property.js';
import { Stepper, stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { asymmetry, type Permutation, type SymmetryReducer } from './symmetry.js';
import type { Layout } from '../system/layout.js';

/** The slot buffer's type, whatever layout.ts makes it. */
type Slots = ReturnType<Layout['buffer']>;

/**
 * Where the model breaks the symmetry it declares, among `states` (slot vectors), or null: asymmetry()
 * (symmetry.ts) at each - a step that tells two members apart other than through their declared fields.
 * Run on the initial state and its successors before a search, and on a sample of the states it stored
 * after it (check.ts), which then runs again without symmetry.
 */
export function brokenSymmetry(system: CompiledSystem, sym: SymmetryReducer, states: readonly Int32Array[]): string | null {
  for (const S of states) {
    const found = asymmetry(system, sym, S);
    if (found) return `the model breaks the symmetry it declares: ${found}`;
  }
  return null;
}

/** Why symmetry reduction cannot be used for `system` (its properties, or a step that breaks the symmetry), or null when it can. */
export function whySymmetryUnsound(system: CompiledSystem, sym: SymmetryReducer): string | null {
  const progress = system.properties.find((p) => p.kind === 'progress');
  if (progress) return `progress property '${progress.name}' is judged under per-actor fairness, which the search over representatives does not keep`;
  const states = probeStates(system);
  const broken = brokenSymmetry(
    system,
    sym,
    states.map((s) => s.S),
  );
  if (broken) return broken;
  for (const p of system.properties) {
    const reads = readsOf(system, sym, p, states);
    if (reads) return reads;
    const differs = valueDiffers(system, sym, p, states);
    if (differs) return differs;
  }
  return null;
}

/** The initial state, then each successor of it with the step that led there. */
function probeStates(system: CompiledSystem): { readonly S: Int32Array; readonly step?: number }[] {
  const stepper = new Stepper(system);
  stepper.load(system.initial);
  const out: { S: Int32Array; step?: number }[] = [{ S: Int32Array.from(system.initial) }];
  for (const id of stepper.enabledSteps()) {
    stepper.load(system.initial);
    try {
      if (stepper.applyId(id)) out.push({ S: Int32Array.from(stepper.S), step: id });
    } catch {
      // a step that throws is the search's to report
    }
  }
  return out;
}

function info(system: CompiledSystem, id: number): StepInfo {
  const a = system.actors[stepActor(id)]!;
  return { actor: a.name, actorIndex: a.index, event: a.machine.eventTypes[stepEvent(id)]!, choice: stepChoice(id) };
}

/** Runs `p` on one state (a transition property: on the step from the initial state into it); undefined if it threw. */
function evaluate(p: Property, before: StateView, after: StateView, step: StepInfo | undefined): unknown {
  try {
    switch (p.kind) {
      case 'invariant':
        return p.holds(after);
      case 'bound':
        return p.value(after);
      case 'transition':
        return step ? p.holds(before, after, step) : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined; // a property that throws is reported by the search, as a model error
  }
}

/** "property 'p' reads reader0 and not reader1, reader2 (symmetric group 'readers')", or null. */
function readsOf(system: CompiledSystem, sym: SymmetryReducer, p: Property, states: ReturnType<typeof probeStates>): string | null {
  const read = sym.groups.map(() => new Set<number>());
  const initial = recordingView(system, sym, system.initial, read);
  for (const { S, step } of states) evaluate(p, initial, recordingView(system, sym, S, read), step === undefined ? undefined : info(system, step));
  for (const [g, group] of sym.groups.entries()) {
    const seen = read[g]!;
    if (seen.size === 0 || seen.size === group.actors.length) continue;
    const names = (pick: (i: number) => boolean): string =>
      group.actors
        .filter((_, i) => pick(i))
        .map((a) => system.actors[a]!.name)
        .join(', ');
    return `property '${p.name}' reads ${names((i) => seen.has(i))} and not ${names((i) => !seen.has(i))} (symmetric group '${group.name}')`;
  }
  return null;
}

/** "property 'p' tells reader0 and reader1 apart", when swapping them changes its value on a probed state. */
function valueDiffers(system: CompiledSystem, sym: SymmetryReducer, p: Property, states: ReturnType<typeof probeStates>): string | null {
  if (p.kind !== 'invariant' && p.kind !== 'bound') return null;
  const swapped = system.layout.buffer();
  for (const { S } of states) {
    const mine = evaluate(p, new SlotStateView(system, S), new SlotStateView(system, S), undefined);
    for (const { group: g, i, perm } of sym.adjacentSwaps()) {
      sym.apply(S, perm, swapped);
      const theirs = evaluate(p, new SlotStateView(system, swapped), new SlotStateView(system, swapped), undefined);
      if (mine !== theirs && mine !== undefined && theirs !== undefined) {
        const [a, b] = [system.actors[g.actors[i]!]!.name, system.actors[g.actors[i + 1]!]!.name];
        return `property '${p.name}' tells ${a} and ${b} apart (swapping them changes its value from ${String(mine)} to ${String(theirs)})`;
      }
    }
  }
  return null;
}

/** A view of `S` that adds to `read[g]` each member of group g whose actor or indexed world element is read. */
function recordingView(system: CompiledSystem, sym: SymmetryReducer, S: Int32Array, read: Set<number>[]): StateView {
  const view = new SlotStateView(system, Int32Array.from(S));
  const member = new Map<number, [number, number]>();
  for (const [g, group] of sym.groups.entries()) for (const [i, a] of group.actors.entries()) member.set(a, [g, i]);
  const touch = (actor: number): void => {
    const m = member.get(actor);
    if (m) read[m[0]]!.add(m[1]);
  };
  const indexed = new Map<string, number>();
  for (const [name, f] of Object.entries(system.spec.world)) {
    if (f.kind === 'array' && f.indexedBy !== undefined)
      indexed.set(
        name,
        sym.groups.findIndex((g) => g.name === f.indexedBy),
      );
  }
  const all = (g: number): void => {
    for (let i = 0; i < sym.groups[g]!.actors.length; i++) read[g]!.add(i);
  };
  const actors = new Proxy(view.actors as ActorList, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) touch(Number(key));
      return Reflect.get(target, key, receiver);
    },
  });
  const world = new Proxy(view.world as object, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      const g = typeof key === 'string' ? indexed.get(key) : undefined;
      if (g === undefined || g < 0 || typeof value !== 'object' || value === null) return value;
      return new Proxy(value, {
        get(arr, k) {
          const v: unknown = Reflect.get(arr, k, arr);
          if (typeof k === 'string' && /^\d+$/.test(k)) read[g]!.add(Number(k));
          else if (k !== 'length') all(g); // a method or an iterator reads every element
          return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(arr) : v;
        },
      });
    },
  });
  return {
    world,
    actors,
    actor(name: string) {
      const a = view.actor(name);
      touch(a.index);
      return a;
    },
  };
}

type ActorList = StateView['actors'];

function same(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A property's value, or what `evaluate` says of one that threw. */
const shown = (v: unknown): string => (v === undefined ? 'an exception' : String(v));

/** Renamings a search tries on every state for PropertySymmetry: all of them up to this many, else the adjacent swaps. */
const MAX_RENAMINGS = 120;

/**
 * Every renaming of every group except the identity, or only the adjacent swaps when there are more than
 * MAX_RENAMINGS (then the check below is a necessary condition, not a proof: the author's promise again).
 */
function renamings(sym: SymmetryReducer): { readonly perms: readonly Permutation[]; readonly complete: boolean } {
  let count = 1;
  for (const g of sym.groups) for (let k = 2; k <= g.actors.length; k++) count *= k;
  if (count > MAX_RENAMINGS) return { perms: sym.adjacentSwaps().map((s) => s.perm), complete: false };
  let perms: Permutation[] = [sym.identity()];
  for (const g of sym.groups) {
    const orders = permutationsOf(g.actors.length);
    perms = perms.flatMap((p) =>
      orders.map((order) => {
        const q = Int32Array.from(p);
        order.forEach((to, i) => (q[g.offset + i] = to));
        return q;
      }),
    );
  }
  return { perms: perms.slice(1), complete: true };
}

/** Every order of 0 .. n-1, the identity first. */
function permutationsOf(n: number): number[][] {
  if (n === 0) return [[]];
  return permutationsOf(n - 1).flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, n - 1 - at), n - 1, ...p.slice(n - 1 - at)]).reverse());
}

/** The search probes the model's own symmetry (asymmetry(), symmetry.ts) on one stored state in this many. */
const MODEL_PROBE_EVERY = 512;

/**
 * The declared symmetry, watched in the search (the probe above sees only the first states):
 *  - the properties, on every state it stores and every step it takes: an invariant's or bound's value
 *    must be the same on every renaming of the state, a transition property's on every renaming of the
 *    step. A property that reads one member only in deep states (`phase === 2 ? R1 ... : true`) would
 *    otherwise be judged on one member of each orbit, and a violation on another missed. One evaluation
 *    per renaming (3 readers: 5) of each property;
 *  - the model, with asymmetry() on one stored state in MODEL_PROBE_EVERY: an actor id in a field not
 *    declared `actorId` that shows only deep in the search. A sample: an asymmetry confined to fewer states
 *    can still pass unseen (check.ts also replays every counterexample on the unreduced model).
 * The search stops at the first difference and check.ts runs again without symmetry, with the reason as
 * its note. Only when symmetry is on.
 */
export class SymmetryWatch {
  /** Why symmetry is not sound for the properties, once found. */
  broken: string | null = null;
  private readonly states: readonly Property[];
  private readonly transitions: readonly Property[];
  private readonly perms: readonly Permutation[];
  /** The invariants' and bounds' values on the state being checked. */
  private readonly values: unknown[] = [];
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly pre: Int32Array;
  private readonly post: Int32Array;
  private readonly viewA: StateView;
  private readonly viewB: StateView;
  private readonly viewPre: StateView;
  private readonly viewPost: StateView;

  constructor(
    private readonly system: CompiledSystem,
    private readonly sym: SymmetryReducer,
  ) {
    this.states = system.properties.filter((p) => p.kind === 'invariant' || p.kind === 'bound');
    this.transitions = system.properties.filter((p) => p.kind === 'transition');
    this.perms = this.states.length || this.transitions.length ? renamings(sym).perms : [];
    const buffer = (): Int32Array => system.layout.buffer() as Int32Array;
    [this.a, this.b, this.pre, this.post] = [buffer(), buffer(), buffer(), buffer()];
    this.viewA = new SlotStateView(system, this.a);
    this.viewB = new SlotStateView(system, this.b);
    this.viewPre = new SlotStateView(system, this.pre);
    this.viewPost = new SlotStateView(system, this.post);
  }

  /** Checks the model's symmetry (on a sample) and the invariants and bounds on stored state number `index`, `S`, and its renamings; false once broken. */
  state(S: Slots, index: number): boolean {
    if (this.broken) return false;
    if (index % MODEL_PROBE_EVERY === MODEL_PROBE_EVERY - 1) {
      const found = asymmetry(this.system, this.sym, S);
      if (found) {
        this.broken = `the model breaks the symmetry it declares: ${found}`;
        return false;
      }
    }
    if (this.states.length === 0) return true;
    this.pre.set(S);
    // A property that throws on one renaming only (undefined) tells them apart too: the unreduced search reports it.
    const mine = this.values;
    for (let k = 0; k < this.states.length; k++) mine[k] = evaluate(this.states[k]!, this.viewPre, this.viewPre, undefined);
    for (const perm of this.perms) {
      this.sym.apply(this.pre, perm, this.a);
      if (same(this.a, this.pre)) continue; // members with equal blocks: the renaming is the state itself
      for (let k = 0; k < this.states.length; k++) {
        const theirs = evaluate(this.states[k]!, this.viewA, this.viewA, undefined);
        if (theirs !== mine[k]) return this.differs(this.states[k]!, mine[k], theirs, `[${Array.from(S).join(', ')}]`);
      }
    }
    return true;
  }

  /** Checks the transition properties on step `id` from `before` to `after` and its renamings; false once broken. */
  step(before: ArrayLike<number>, after: ArrayLike<number>, id: number): boolean {
    if (this.transitions.length === 0 || this.broken) return !this.broken;
    this.pre.set(before);
    this.post.set(after);
    const step = info(this.system, id);
    for (const p of this.transitions) {
      const mine = evaluate(p, this.viewPre, this.viewPost, step);
      for (const perm of this.perms) {
        this.sym.apply(this.pre, perm, this.a);
        this.sym.apply(this.post, perm, this.b);
        const theirs = evaluate(p, this.viewA, this.viewB, info(this.system, this.sym.mapStep(id, perm)));
        if (theirs !== mine) return this.differs(p, mine, theirs, `step ${step.actor}.${step.event} from [${Array.from(before).join(', ')}]`);
      }
    }
    return true;
  }

  private differs(p: Property, mine: unknown, theirs: unknown, where: string): false {
    this.broken = `property '${p.name}' tells members of a symmetric group apart (renaming them changes its value from ${shown(mine)} to ${shown(theirs)} at ${where})`;
    return false;
  }
}
