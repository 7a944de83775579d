/**
 * Progress checking on the explored graph (DESIGN.md, "Liveness algorithm").
 *
 * For one progress property P: keep the states where P is in flight and the steps between them that are
 * not progress for P; find the strongly connected components (iterative Tarjan, R. Tarjan, "Depth-first
 * search and linear graph algorithms", SIAM J. Comput. 1(2), 1972 - no recursion, so millions of states
 * are fine); keep the non-trivial ones that admit a fair cycle:
 *
 *  - weak fairness (WF): every weakly fair actor either steps inside the component or is disabled in some
 *    state of it. If one is enabled everywhere in the component and never steps, no cycle inside it is
 *    fair, so the component is dropped.
 *  - strong fairness (SF): an actor enabled somewhere in the component that never steps inside it can
 *    only be avoided: remove the states where it is enabled and analyse the sub-components again (the
 *    Emerson-Lei / Streett refinement, E. A. Emerson and C.-L. Lei, "Modalities for model checking", 1987).
 *  - environment actors and threads with fairness `none` impose nothing. An environment acts only
 *    finitely often, so its steps count as progress for every property: no cycle contains one (its
 *    budget already excludes the steps that spend it; this also excludes steps of cost 0).
 *
 * Inside a component every state and every edge lies on one cycle, so a component that passes these tests
 * contains a fair cycle, and a fair cycle always lies inside one: the check is exact.
 *
 * A run can also end: a state where no actor can move is the last state of a maximal run, and if P is
 * in flight there it never makes progress (findStuckState). When there is no fair cycle, that state is
 * the counterexample, a plain trace without a loop. The counterexample
 * is a lasso: the shortest stem (bfs parents) to the component's earliest-found state, then a cycle from
 * it through every step fairness requires (each fair actor's step, or a state where it is disabled).
 */
import type { StopReason } from '../search/explore.js';
import type { EdgeStore } from '../store/edges.js';
import type { CompiledSystem } from '../system/system.js';
import { actorsIn, fairnessMasks } from './fairness.js';

/** A fair cycle as edges of the explored graph: the entry state and, per cycle edge, source/edge index. */
export interface FairCycle {
  readonly entry: number;
  /** Edge indices (into EdgeStore) of the cycle, starting and ending at `entry`. */
  readonly edges: readonly number[];
  /** Source state of each cycle edge. */
  readonly sources: readonly number[];
}

/**
 * The states that lie on some cycle of the whole explored graph (every edge, progress or not): one Tarjan
 * pass. A fair cycle of any progress property lies inside a strongly connected component of a subgraph, so
 * inside one of the whole graph too: each property's analysis can start from these states alone. When the
 * graph has no cycle at all (every step moves something forward, as in retry-ring), nothing is left.
 */
export function cyclicStates(edges: EdgeStore, poll?: Poll): Uint8Array {
  const n = edges.states;
  const { targets, progress, first, count } = edges.raw();
  const member = new Int32Array(n).fill(1);
  const cyclic = new Uint8Array(n);
  const all = new Int32Array(n);
  for (let s = 0; s < n; s++) all[s] = s;
  new Tarjan(n, first, count, targets, progress, 0, member, poll).run(all, 1, (buf, from, to) => {
    if (to - from === 1) {
      const s = buf[from]!;
      for (let e = first[s]!, end = e + count[s]!; e < end; e++) if (targets[e] === s) cyclic[s] = 1;
    } else {
      for (let i = from; i < to; i++) cyclic[buf[i]!] = 1;
    }
  });
  return cyclic;
}

/**
 * The first explored state (lowest index: for bfs, one with a shortest path) in which progress property
 * number `bit` is in flight and no actor can move, or -1. A maximal run that ends there never makes
 * progress: LTL's "eventually", read on maximal runs (as SPIN reads `<> done` on a run that stops), says
 * it is violated, however fair the actors are.
 */
export function findStuckState(edges: EdgeStore, bit: number): number {
  const mask = 1 << bit;
  const { enabled, inFlight } = edges.raw();
  for (let s = 0, n = edges.states; s < n; s++) if (enabled[s] === 0 && (inFlight[s]! & mask) !== 0) return s;
  return -1;
}

/**
 * A fair cycle for progress property number `bit`, or null. `cyclic` (from cyclicStates) limits the search
 * to states on some cycle of the whole graph.
 */
export function findFairCycle(system: CompiledSystem, edges: EdgeStore, bit: number, cyclic?: Uint8Array, poll?: Poll): FairCycle | null {
  const n = edges.states;
  const mask = 1 << bit;
  const { targets, actors, progress, first, count, enabled, inFlight } = edges.raw();
  const { weak: weakMask, strong: strongMask } = fairnessMasks(system);
  // member[s]: id of the set s belongs to now (0: none). A set's edges are the non-progress edges between
  // its members; component ids and refinement ids come from the same counter.
  const member = new Int32Array(n);
  let nextId = 1;
  const rootId = nextId++;
  const candidate = (s: number): boolean => (inFlight[s]! & mask) !== 0 && (!cyclic || cyclic[s] === 1);
  let candidates = 0;
  for (let s = 0; s < n; s++) if (candidate(s)) candidates++;
  const initial = new Int32Array(candidates);
  for (let s = 0, k = 0; s < n; s++) {
    if (candidate(s)) {
      member[s] = rootId;
      initial[k++] = s;
    }
  }
  let best = -1;
  let bestSet = 0;
  const work: { states: Int32Array; id: number }[] = [{ states: initial, id: rootId }];
  const tarjan = new Tarjan(n, first, count, targets, progress, mask, member, poll);

  /** Judges one SCC (members in buf[from, to)); called as Tarjan pops it. */
  const judge = (buf: Int32Array, from: number, to: number): void => {
    if (to - from === 1) {
      const s = buf[from]!;
      let selfLoop = false;
      for (let e = first[s]!, end = e + count[s]!; e < end; e++) if (targets[e] === s && (progress[e]! & mask) === 0) selfLoop = true;
      if (!selfLoop) {
        member[s] = 0;
        return;
      }
    }
    const cid = nextId++;
    for (let i = from; i < to; i++) member[buf[i]!] = cid;
    let steps = 0;
    let enabledSomewhere = 0;
    let disabledSomewhere = 0;
    let entry = 0x7fffffff;
    for (let i = from; i < to; i++) {
      const s = buf[i]!;
      if (s < entry) entry = s;
      const en = enabled[s]!;
      enabledSomewhere |= en;
      disabledSomewhere |= ~en;
      for (let e = first[s]!, end = e + count[s]!; e < end; e++) {
        if ((progress[e]! & mask) === 0 && member[targets[e]!] === cid) steps |= 1 << actors[e]!;
      }
    }
    const unfairStrong = strongMask & ~steps & enabledSomewhere;
    if (unfairStrong) {
      // Strong fairness: a cycle may only use states where those actors are disabled.
      let k = 0;
      for (let i = from; i < to; i++) if (!(enabled[buf[i]!]! & unfairStrong)) k++;
      const rest = new Int32Array(k);
      const sub = nextId++;
      k = 0;
      for (let i = from; i < to; i++) {
        const s = buf[i]!;
        if (enabled[s]! & unfairStrong) member[s] = 0;
        else {
          member[s] = sub;
          rest[k++] = s;
        }
      }
      if (k) work.push({ states: rest, id: sub });
      return;
    }
    // Weak fairness: every weakly fair actor steps inside, or is disabled somewhere inside.
    if ((weakMask & ~(steps | disabledSomewhere)) !== 0) return;
    if (best < 0 || entry < best) {
      best = entry;
      bestSet = cid;
    }
  };
  while (work.length) {
    const { states, id } = work.pop()!;
    tarjan.run(states, id, judge);
  }
  if (best < 0) return null;
  const set = bestSet;
  const usable = (e: number): boolean => (progress[e]! & mask) === 0 && member[targets[e]!] === set;
  return cycleThrough(system, edges, best, usable, (s) => member[s] === set, actorsIn(system, weakMask), actorsIn(system, strongMask));
}

/**
 * A cycle from `entry` back to it, inside the component, that takes a step of every fair actor that can
 * step there and visits a state where each fair actor that cannot is disabled.
 */
function cycleThrough(
  system: CompiledSystem,
  edges: EdgeStore,
  entry: number,
  usable: (e: number) => boolean,
  inside: (s: number) => boolean,
  weak: readonly number[],
  strong: readonly number[],
): FairCycle {
  const cycleEdges: number[] = [];
  const sources: number[] = [];
  let stepped = 0;
  let sawDisabled = 0;
  let cur = entry;
  const follow = (path: { edges: number[]; sources: number[] }): void => {
    for (const [i, e] of path.edges.entries()) {
      cycleEdges.push(e);
      sources.push(path.sources[i]!);
      stepped |= 1 << edges.actor(e);
      sawDisabled |= ~edges.enabled(path.sources[i]!);
      cur = edges.target(e);
    }
    sawDisabled |= ~edges.enabled(cur);
  };
  sawDisabled |= ~edges.enabled(entry);
  // Weak fairness: a step of the actor, or else a state where it is disabled, anywhere on the cycle.
  for (const a of weak) {
    const bit = 1 << a;
    if (stepped & bit || sawDisabled & bit) continue;
    const toStep = bfs(edges, cur, usable, inside, (_s, e) => e >= 0 && edges.actor(e) === a);
    if (toStep) {
      follow(toStep);
      continue;
    }
    const toDisabled = bfs(edges, cur, usable, inside, (s) => !(edges.enabled(s) & bit));
    if (toDisabled) follow(toDisabled);
  }
  // Strong fairness: only a step will do. An actor that cannot step inside the component is disabled in
  // every state of it (the refinement removed the others), so it needs nothing.
  for (const a of strong) {
    if (stepped & (1 << a)) continue;
    const toStep = bfs(edges, cur, usable, inside, (_s, e) => e >= 0 && edges.actor(e) === a);
    if (toStep) follow(toStep);
  }
  // Close the loop back to the entry (unless the requirements already did, after at least one step).
  if (cur !== entry || cycleEdges.length === 0) {
    const back = bfs(edges, cur, usable, inside, (s, e) => s === entry && e >= 0, cur === entry && cycleEdges.length === 0);
    if (!back) throw new Error(`internal: no way back to state ${entry} inside its component (${system.name})`);
    follow(back);
  }
  return { entry, edges: cycleEdges, sources };
}

/**
 * Breadth-first search inside the component from `from` for the first edge e (into state s) with
 * goal(s, e); with `atLeastOne`, the start itself does not count. Returns the edges taken, or null.
 * A goal on an edge is checked when the edge is taken; `goal(s, -1)` checks the start state.
 */
function bfs(
  edges: EdgeStore,
  from: number,
  usable: (e: number) => boolean,
  inside: (s: number) => boolean,
  goal: (s: number, e: number) => boolean,
  atLeastOne = true,
): { edges: number[]; sources: number[] } | null {
  if (!atLeastOne && goal(from, -1)) return { edges: [], sources: [] };
  // For each reached state: the edge that reached it and that edge's source.
  const reachedBy = new Map<number, { edge: number; source: number }>([[from, { edge: -1, source: -1 }]]);
  const queue = [from];
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    for (let e = edges.first(s), end = e + edges.count(s); e < end; e++) {
      if (!usable(e)) continue;
      const t = edges.target(e);
      if (!inside(t)) continue;
      if (goal(t, e)) {
        const path = [e];
        const sources = [s];
        for (let back = s; back !== from;) {
          const r = reachedBy.get(back)!;
          path.push(r.edge);
          sources.push(r.source);
          back = r.source;
        }
        return { edges: path.reverse(), sources: sources.reverse() };
      }
      if (!reachedBy.has(t)) {
        reachedBy.set(t, { edge: e, source: s });
        queue.push(t);
      }
    }
  }
  return null;
}

/**
 * Iterative Tarjan over the members of one set (member[s] === id), following non-progress edges whose
 * target is in the same set. Arrays are allocated once; each run resets only its own states. Each SCC is
 * handed to `onComponent` as a window of the Tarjan stack the moment it is complete: nothing is allocated
 * per component, and the callback may relabel member[] of the component's states (edges into completed
 * components never affect low-links).
 */
/** Polled by the liveness analysis after the search: a reason to stop (timeout, memory, Ctrl-C), or null. */
export type Poll = () => StopReason | null;

/** The analysis stopped on a poll: the progress properties it had not decided stay undecided. */
export class LivenessStopped extends Error {
  override name = 'LivenessStopped';
  constructor(readonly stop: StopReason) {
    super(stop.message);
  }
}

/** Tarjan steps between two polls. */
const POLL_MASK = 0xffff;

class Tarjan {
  private readonly index: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly stack: Int32Array;
  private readonly callNode: Int32Array;
  private readonly callEdge: Int32Array;

  constructor(
    n: number,
    private readonly first: Uint32Array,
    private readonly count: Uint32Array,
    private readonly targets: Uint32Array,
    private readonly progress: Uint8Array,
    private readonly mask: number,
    private readonly member: Int32Array,
    private readonly poll?: Poll,
  ) {
    this.index = new Int32Array(n).fill(-1);
    this.low = new Int32Array(n);
    this.onStack = new Uint8Array(n);
    this.stack = new Int32Array(n);
    this.callNode = new Int32Array(n);
    this.callEdge = new Int32Array(n);
  }

  run(states: Int32Array, id: number, onComponent: (buf: Int32Array, from: number, to: number, id: number) => void): void {
    const { index, low, onStack, stack, callNode, callEdge, first, count, targets, progress, mask, member } = this;
    for (let i = 0; i < states.length; i++) index[states[i]!] = -1;
    let counter = 0;
    let sp = 0;
    let ticks = 0;
    for (let r = 0; r < states.length; r++) {
      const root = states[r]!;
      if (index[root] !== -1 || member[root] !== id) continue;
      let depth = 0;
      callNode[0] = root;
      callEdge[0] = first[root]!;
      index[root] = low[root] = counter++;
      stack[sp++] = root;
      onStack[root] = 1;
      while (depth >= 0) {
        if ((++ticks & POLL_MASK) === 0) {
          const stop = this.poll?.();
          if (stop) throw new LivenessStopped(stop);
        }
        const v = callNode[depth]!;
        const end = first[v]! + count[v]!;
        let e = callEdge[depth]!;
        let descended = false;
        for (; e < end; e++) {
          if ((progress[e]! & mask) !== 0) continue;
          const w = targets[e]!;
          if (member[w] !== id) continue;
          if (index[w] === -1) {
            callEdge[depth] = e + 1;
            index[w] = low[w] = counter++;
            stack[sp++] = w;
            onStack[w] = 1;
            depth++;
            callNode[depth] = w;
            callEdge[depth] = first[w]!;
            descended = true;
            break;
          } else if (onStack[w] && index[w]! < low[v]!) {
            low[v] = index[w]!;
          }
        }
        if (descended) continue;
        if (low[v] === index[v]) {
          let k = sp;
          do {
            k--;
            onStack[stack[k]!] = 0;
          } while (stack[k] !== v);
          onComponent(stack, k, sp, id);
          sp = k;
        }
        depth--;
        if (depth >= 0) {
          const u = callNode[depth]!;
          if (low[v]! < low[u]!) low[u] = low[v]!;
        }
      }
    }
  }
}
