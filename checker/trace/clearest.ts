/**
 * The clearest counterexample: a kernel developer reads an interleaving by its context switches (a switch
 * is two consecutive steps by different actors), so among the counterexamples of a violation this finds
 * one that minimises (length, switches) lexicographically (`shortest`, the default: as short as the
 * search's, and with the fewest switches of those), or (switches, length) (`fewest-switches`: any length).
 *
 * It searches the graph of nodes (state, actor of the last step) from the initial state with Dijkstra's
 * algorithm on the pair of costs: a step by the same actor as the last costs (length 1, switches 0), any
 * other (length 1, switches 1); the first step switches from nobody. The goal is a violation of the same
 * property, judged by the property's own functions. Ties go to the node reached first, and nodes are
 * reached in the engine's fixed step order, so the answer is deterministic.
 *
 * Bounded like the search: it stops (returning null, and the caller keeps the search's own trace) past the
 * same state bound or when the stop hook says so, and under `shortest` it never goes deeper than the
 * search's trace. Under `shortest` a state is expanded only at its breadth-first distance: every state on
 * a shortest counterexample is, or a shorter counterexample would exist.
 */
import { blockedActors, describeDeadlock, type BlockedActor } from '../properties/deadlock.js';
import { invariantMessage } from '../properties/invariant.js';
import { transitionMessage } from '../properties/transition.js';
import { stuckMessage, type ProgressProperty } from '../properties/progress.js';
import { SlotStateView, type BoundProperty, type InvariantProperty, type TransitionProperty } from '../properties/property.js';
import type { Violation } from '../result.js';
import { NondeterminismProbe } from '../search/determinism.js';
import type { StopReason } from '../search/explore.js';
import { searchFrame } from '../search/frame.js';
import { NO_PARENT, StateStore } from '../store/stateStore.js';
import { compileExpand } from '../system/codegen.js';
import { encodeStep, stepActor, stepChoice, stepEvent } from '../system/step.js';
import type { CompiledSystem } from '../system/system.js';
import { assertionMessage } from '../system/thrown.js';
import { stateAfter } from './path.js';
import { buildTrace, LabelThrew, type TraceStep } from './trace.js';

/** How a counterexample is chosen among all that show the violation. */
export type TraceOrder = 'shortest' | 'fewest-switches';
export const TRACE_ORDERS: readonly TraceOrder[] = ['shortest', 'fewest-switches'];

/** What makes a state or step a counterexample's end: a violation of the same property as the search's. */
export type TraceGoal =
  | { readonly kind: 'invariant'; readonly property: InvariantProperty }
  | { readonly kind: 'transition'; readonly property: TransitionProperty }
  | { readonly kind: 'deadlock' }
  /** A state where the bound's value reaches `worst` (the worst the search saw). */
  | { readonly kind: 'bound'; readonly property: BoundProperty; readonly worst: number }
  /** A step that throws or writes outside the declared world. */
  | { readonly kind: 'assertion' }
  /** A progress violation on a run that ends: no step enabled, the property in flight. */
  | { readonly kind: 'stuck'; readonly property: ProgressProperty }
  /**
   * A lasso's stem: the state the loop starts from (packed), and the actor of the loop's first step (the
   * switch into the loop counts).
   */
  | { readonly kind: 'reach'; readonly state: Uint32Array; readonly nextActor: number };

export interface TraceSearchOptions {
  readonly order: TraceOrder;
  /** `shortest`: the length of the search's counterexample (none is longer). */
  readonly maxLength: number;
  /** Give up (null) after storing more than this many states. */
  readonly maxStates: number;
  /** Polled every few thousand nodes: a reason to give up (null). */
  readonly shouldStop?: () => StopReason | null;
}

/** What a counterexample's end says: the violation's message (absent for `bound`, `stuck`, `reach`) and who is blocked. */
interface Said {
  readonly message?: string;
  readonly blocked?: readonly BlockedActor[];
}

/** The chosen counterexample: its step ids, and what its own end says. */
export interface ClearestTrace extends Said {
  readonly steps: number[];
}

/** Consecutive steps by different actors. */
export function contextSwitches(steps: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < steps.length; i++) if (stepActor(steps[i]!) !== stepActor(steps[i - 1]!)) n++;
  return n;
}

const POLL_MASK = 0xfff;

/**
 * The violation with its counterexample replaced by the clearest one under `options.order` (its message
 * and blocked threads said of the new trace's end), or as it was when the search for it gives up.
 */
export function clearestViolation(system: CompiledSystem, v: Violation, options: Omit<TraceSearchOptions, 'maxLength'>): Violation {
  try {
    return clearer(system, v, options) ?? v;
  } catch (e) {
    // A label function that throws on the clearer trace is the model's mistake, whichever trace prints.
    if (e instanceof LabelThrew) throw e;
    // A predicate that throws here threw in the search too, which reported it; a step that diverges when
    // re-executed with guarded views is the search's to report: keep the search's counterexample.
    return v;
  }
}

function clearer(system: CompiledSystem, v: Violation, options: Omit<TraceSearchOptions, 'maxLength'>): Violation | null {
  const steps = v.trace.steps.map((s) => stepIdOf(system, s));
  const loop = v.trace.loop;
  const goal = goalOf(system, v, steps);
  if (!goal) return null;
  // A lasso keeps its loop; its stem is searched for.
  const maxLength = options.order === 'shortest' ? (loop ?? steps.length) : Infinity;
  const found = clearestTrace(system, goal, { ...options, maxLength });
  if (!found) return null;
  const whole = loop === undefined ? found.steps : [...found.steps, ...steps.slice(loop)];
  if (!better(whole, steps, options.order)) return null;
  const trace = buildTrace(system, whole, loop === undefined ? undefined : found.steps.length);
  const message = found.message ?? (goal.kind === 'stuck' ? stuckMessage(goal.property, found.blocked ?? []) : v.message);
  const blocked = goal.kind === 'deadlock' ? found.blocked : v.blocked;
  return { property: v.property, kind: v.kind, message, trace, ...(blocked ? { blocked } : {}) };
}

/** Only a strictly better trace replaces the search's (which is then one of the best, and stays). */
function better(steps: readonly number[], than: readonly number[], order: TraceOrder): boolean {
  const cost = (xs: readonly number[]): [number, number] => (order === 'shortest' ? [xs.length, contextSwitches(xs)] : [contextSwitches(xs), xs.length]);
  const [p, s] = cost(steps);
  const [p0, s0] = cost(than);
  return p < p0 || (p === p0 && s < s0);
}

/**
 * A bound's worst-value trace (the search's `steps`, to a state where it reaches `worst`) made the clearest
 * under `options.order`, as a violation's is: a shortest path to a worst state with the fewest switches of
 * those (or the fewest switches of any length). The search's own steps when no better one is found.
 */
export function clearestBoundSteps(
  system: CompiledSystem,
  property: BoundProperty,
  worst: number,
  steps: readonly number[],
  options: Omit<TraceSearchOptions, 'maxLength'>,
): readonly number[] {
  if (!Number.isFinite(worst)) return steps;
  try {
    const maxLength = options.order === 'shortest' ? steps.length : Infinity;
    const found = clearestTrace(system, { kind: 'bound', property, worst }, { ...options, maxLength });
    return found && better(found.steps, steps, options.order) ? found.steps : steps;
  } catch {
    // The bound's value threw: the search reported that already.
    return steps;
  }
}

/** What ends a counterexample of the same violation, or null for a kind this module does not handle. */
function goalOf(system: CompiledSystem, v: Violation, steps: readonly number[]): TraceGoal | null {
  const p = system.properties.find((x) => x.name === v.property);
  switch (v.kind) {
    case 'assertion':
      return { kind: 'assertion' };
    case 'deadlock':
      return { kind: 'deadlock' };
    case 'invariant':
      return p?.kind === 'invariant' ? { kind: 'invariant', property: p } : null;
    case 'transition':
      return p?.kind === 'transition' ? { kind: 'transition', property: p } : null;
    case 'bound': {
      if (p?.kind !== 'bound') return null;
      const worst = p.value(new SlotStateView(system, stateAfter(system, steps)));
      return { kind: 'bound', property: p, worst };
    }
    case 'progress': {
      if (p?.kind !== 'progress') return null;
      const loop = v.trace.loop;
      if (loop === undefined) return { kind: 'stuck', property: p };
      const state = new Uint32Array(system.layout.words);
      if (system.layout.pack(stateAfter(system, steps.slice(0, loop)), state, 0) >= 0) return null;
      return { kind: 'reach', state, nextActor: stepActor(steps[loop]!) };
    }
  }
}

/** The step id of a trace step (the trace was built from ids of this system, so every name resolves). */
function stepIdOf(system: CompiledSystem, s: TraceStep): number {
  const a = system.actors.find((x) => x.name === s.actor)!;
  return encodeStep(a.index, a.machine.eventTypes.indexOf(s.transition), s.choice);
}

/** The counterexample with the least cost under `options.order`, or null when none is found within the bounds. */
export function clearestTrace(system: CompiledSystem, goal: TraceGoal, options: TraceSearchOptions): ClearestTrace | null {
  const layout = system.layout;
  const { stepper, S, pre, after, before } = searchFrame(system);
  const expand = compileExpand(system, stepper);
  const W = layout.words;
  const vec = new Uint32Array(W);
  // The packed state being expanded.
  const here = new Uint32Array(W);
  const store = new StateStore(W, 12);
  const shortest = options.order === 'shortest';
  const A = system.actors.length;
  // A node is (state, actor of the last step); actor A means no step yet.
  const width = A + 1;
  // Per node: the best cost found (primary, secondary: length then switches, or the other way), the
  // node and step it was reached by. Per state: its breadth-first distance (shortest only).
  const primary: number[] = [];
  const secondary: number[] = [];
  const parentNode: number[] = [];
  const parentStep: number[] = [];
  const distance: number[] = [];
  const addState = (): void => {
    for (let a = 0; a < width; a++) {
      primary.push(Infinity);
      secondary.push(Infinity);
      parentNode.push(-1);
      parentStep.push(0);
    }
    distance.push(Infinity);
  };
  const heap = new NodeHeap();
  const costOf = (length: number, switches: number): [number, number] => (shortest ? [length, switches] : [switches, length]);
  const relax = (node: number, length: number, switches: number, from: number, step: number): void => {
    const [p, s] = costOf(length, switches);
    if (p > primary[node]! || (p === primary[node]! && s >= secondary[node]!)) return;
    primary[node] = p;
    secondary[node] = s;
    parentNode[node] = from;
    parentStep[node] = step;
    heap.push(node, p, s);
  };

  // The best goal so far: the node it ends at, a last step (step goals), its cost and what it says.
  interface Best extends Said {
    readonly node: number;
    readonly step: number | undefined;
    readonly p: number;
    readonly s: number;
  }
  const found: { best: Best | null } = { best: null };
  const offer = (node: number, step: number | undefined, length: number, switches: number, say: () => Said): void => {
    const [p, s] = costOf(length, switches);
    const best = found.best;
    if (best && (p > best.p || (p === best.p && s >= best.s))) return;
    if (shortest && length > options.maxLength) return;
    found.best = { node, step, p, s, ...say() };
  };

  S.set(system.initial);
  if (layout.pack(S, vec, 0) >= 0) return null;
  store.findOrInsert(vec, 0, NO_PARENT, 0);
  addState();
  distance[0] = 0;
  relax(A, 0, 0, -1, 0);

  const probe = goal.kind === 'assertion' ? new NondeterminismProbe(system) : undefined;
  const info = { actor: '', actorIndex: 0, event: '', choice: 0 };
  // The node being expanded, read by emit and fail.
  let cur = 0;
  let curNode = A;
  let curLast = A;
  let curLength = 0;
  let curSwitches = 0;
  const switchesAfter = (step: number): number => curSwitches + (curLast !== A && curLast !== stepActor(step) ? 1 : 0);
  const emit = (step: number): boolean => {
    const bad = layout.pack(S, vec, 0);
    if (bad >= 0) {
      if (goal.kind === 'assertion') offer(curNode, step, curLength + 1, switchesAfter(step), () => ({ message: layout.describeOverflow(bad, S) }));
      S.set(pre);
      return false;
    }
    if (goal.kind === 'transition') {
      const a = system.actors[stepActor(step)]!;
      info.actor = a.name;
      info.actorIndex = a.index;
      info.event = a.machine.eventTypes[stepEvent(step)]!;
      info.choice = stepChoice(step);
      if (!goal.property.holds(before, after, info)) {
        const p = goal.property;
        offer(curNode, step, curLength + 1, switchesAfter(step), () => ({ message: transitionMessage(p, before, after, info) }));
      }
    }
    let r = store.findOrInsert(vec, 0, NO_PARENT, 0);
    if (r >= 0) addState();
    else r = -r - 1;
    const length = curLength + 1;
    if (length < distance[r]!) distance[r] = length;
    if (!shortest || (length <= options.maxLength && length === distance[r]))
      relax(r * width + stepActor(step), length, switchesAfter(step), cur * width + curLast, step);
    S.set(pre);
    return false;
  };
  const fail = (err: unknown, step: number): boolean => {
    if (goal.kind === 'assertion') {
      offer(curNode, step, curLength + 1, switchesAfter(step), () => ({ message: assertionMessage(system, step, probe!.precise(pre, step, err)) }));
    }
    S.set(pre);
    return false;
  };

  let popped = 0;
  for (;;) {
    const node = heap.pop();
    if (node < 0) break;
    const p = heap.poppedPrimary;
    const s = heap.poppedSecondary;
    if (p !== primary[node] || s !== secondary[node]) continue; // a stale entry: the node was improved since
    const best = found.best;
    if (best && (p > best.p || (p === best.p && s >= best.s))) break;
    if (store.size > options.maxStates) return null;
    if ((++popped & POLL_MASK) === 0 && options.shouldStop?.()) return null;
    curNode = node;
    cur = Math.floor(node / width);
    curLast = node % width;
    [curLength, curSwitches] = shortest ? [p, s] : [s, p];
    store.read(cur, here, 0);
    layout.unpack(store.chunkOf(cur), store.offsetOf(cur), pre);
    S.set(pre);
    judgeState(node);
    if (shortest && curLength >= options.maxLength && goal.kind !== 'deadlock' && goal.kind !== 'stuck') continue;
    const enabled = expand(emit, fail);
    if (enabled === 0) judgeEnd(node);
  }
  const best = found.best;
  if (!best) return null;
  const steps: number[] = best.step === undefined ? [] : [best.step];
  for (let n = best.node; parentNode[n]! >= 0; n = parentNode[n]!) steps.push(parentStep[n]!);
  steps.reverse();
  return { steps, ...(best.message === undefined ? {} : { message: best.message }), ...(best.blocked ? { blocked: best.blocked } : {}) };

  /** Goals that are a property of the state alone (in S and pre). */
  function judgeState(node: number): void {
    switch (goal.kind) {
      case 'invariant': {
        const p = goal.property;
        if (!p.holds(after)) offer(node, undefined, curLength, curSwitches, () => ({ message: invariantMessage(system, p, after) }));
        return;
      }
      case 'bound':
        if (goal.property.value(after) >= goal.worst) offer(node, undefined, curLength, curSwitches, () => ({}));
        return;
      case 'reach': {
        const target = goal.state;
        for (let i = 0; i < W; i++) if (here[i] !== target[i]) return;
        const into = curLast !== A && curLast !== goal.nextActor ? 1 : 0;
        offer(node, undefined, curLength, curSwitches + into, () => ({}));
        return;
      }
    }
  }

  /** Goals that need the state to have no enabled step. */
  function judgeEnd(node: number): void {
    if (goal.kind === 'deadlock') {
      const blocked = blockedActors(system, after);
      if (blocked.length) offer(node, undefined, curLength, curSwitches, () => ({ message: describeDeadlock(blocked), blocked }));
    } else if (goal.kind === 'stuck' && goal.property.inFlight(after)) {
      const blocked = blockedActors(system, after);
      offer(node, undefined, curLength, curSwitches, () => ({ blocked }));
    }
  }
}

/** A binary min-heap of nodes keyed by (primary, secondary, insertion order): ties go to the node pushed first. */
class NodeHeap {
  private readonly nodes: number[] = [];
  private readonly primary: number[] = [];
  private readonly secondary: number[] = [];
  private readonly order: number[] = [];
  private pushed = 0;
  poppedPrimary = 0;
  poppedSecondary = 0;

  push(node: number, p: number, s: number): void {
    let i = this.nodes.length;
    this.nodes.push(node);
    this.primary.push(p);
    this.secondary.push(s);
    this.order.push(this.pushed++);
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }

  /** The least node (its keys in poppedPrimary/poppedSecondary), or -1 when empty. */
  pop(): number {
    const n = this.nodes.length;
    if (n === 0) return -1;
    const node = this.nodes[0]!;
    this.poppedPrimary = this.primary[0]!;
    this.poppedSecondary = this.secondary[0]!;
    this.swap(0, n - 1);
    this.nodes.pop();
    this.primary.pop();
    this.secondary.pop();
    this.order.pop();
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n - 1 && this.less(l, m)) m = l;
      if (r < n - 1 && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return node;
  }

  private less(i: number, j: number): boolean {
    const p = this.primary;
    const s = this.secondary;
    if (p[i] !== p[j]) return p[i]! < p[j]!;
    if (s[i] !== s[j]) return s[i]! < s[j]!;
    return this.order[i]! < this.order[j]!;
  }

  private swap(i: number, j: number): void {
    for (const xs of [this.nodes, this.primary, this.secondary, this.order]) {
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
  }
}
