/**
 * Progress checking on the graph an exhaustive search explored, after the search.
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
 * the counterexample, a plain trace without a loop. Otherwise the counterexample is a lasso with the
 * shortest stem, then the shortest loop: its entry is a state on a fair cycle at the least distance from
 * the initial state (of those, the one with the shortest fair loop through it), and the loop is found by
 * Dijkstra over (state, fairness requirements met, last actor): the fewest steps that meet every
 * requirement (each weakly fair actor's step or a state where it is disabled, each strongly fair actor's
 * step) and come back, then the fewest context switches. The stem is chosen in trace/clearest.ts.
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
  // The components that admit a fair cycle (their member ids).
  const accepted = new Set<number>();
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
    accepted.add(cid);
  };
  while (work.length) {
    const { states, id } = work.pop()!;
    tarjan.run(states, id, judge);
  }
  if (accepted.size === 0) return null;
  // The entry: a state on a fair cycle at the least distance from the initial state (the shortest stem);
  // of those (the first MAX_ENTRIES in store order), the one with the shortest fair loop through it.
  const distance = distances(edges);
  let least = Infinity;
  for (let s = 0; s < n; s++) if (accepted.has(member[s]!) && distance[s]! < least) least = distance[s]!;
  let best: FairCycle | null = null;
  let bestCost: readonly [number, number] = [Infinity, Infinity];
  for (let s = 0, tried = 0; s < n && tried < MAX_ENTRIES; s++) {
    if (!accepted.has(member[s]!) || distance[s] !== least) continue;
    tried++;
    const set = member[s]!;
    const usable = (e: number): boolean => (progress[e]! & mask) === 0 && member[targets[e]!] === set;
    const loop = shortestFairLoop(edges, s, usable, actorsIn(system, weakMask), actorsIn(system, strongMask), bestCost);
    if (loop) {
      best = loop.cycle;
      bestCost = loop.cost;
    }
  }
  if (!best) throw new Error(`internal: no fair loop through a state of a fair component (${system.name})`);
  return best;
}

/** Entries at the shortest stem distance whose fair loops are compared (the rest keep the first's). */
const MAX_ENTRIES = 64;

/** Breadth-first distances from the initial state over every recorded edge (unreachable: Infinity). */
function distances(edges: EdgeStore): Float64Array {
  const n = edges.states;
  const { targets, first, count } = edges.raw();
  const distance = new Float64Array(n).fill(Infinity);
  const queue = new Int32Array(n);
  let tail = 0;
  if (n > 0) {
    distance[0] = 0;
    queue[tail++] = 0;
  }
  for (let head = 0; head < tail; head++) {
    const s = queue[head]!;
    for (let e = first[s]!, end = e + count[s]!; e < end; e++) {
      const t = targets[e]!;
      if (distance[t] === Infinity) {
        distance[t] = distance[s]! + 1;
        queue[tail++] = t;
      }
    }
  }
  return distance;
}

/**
 * The shortest fair loop from `entry` back to it over `usable` edges (inside its component), then the one
 * with the fewest context switches: Dijkstra on (length, switches) over nodes (state, the fairness
 * requirements met so far, the actor of the last step). A weakly fair actor's requirement is met by its
 * step or by a state where it is disabled; a strongly fair one's that can step in the component, by its
 * step (as the refinement left it: one that cannot is disabled in every state there). Null when no loop
 * beats `than` (length, switches).
 */
function shortestFairLoop(
  edges: EdgeStore,
  entry: number,
  usable: (e: number) => boolean,
  weak: readonly number[],
  strong: readonly number[],
  than: readonly [number, number],
): { readonly cycle: FairCycle; readonly cost: readonly [number, number] } | null {
  // Requirement bits: weak actors first, then the strong actors that step on some usable edge.
  const reqs: { actor: number; disabledCounts: boolean }[] = weak.map((actor) => ({ actor, disabledCounts: true }));
  const stepsSomewhere = reachableActors(edges, entry, usable);
  for (const actor of strong) if (stepsSomewhere & (1 << actor)) reqs.push({ actor, disabledCounts: false });
  const full = reqs.length >= 31 ? -1 : (1 << reqs.length) - 1;
  const metAt = (s: number): number => {
    let m = 0;
    const en = edges.enabled(s);
    reqs.forEach((r, i) => {
      if (r.disabledCounts && !(en & (1 << r.actor))) m |= 1 << i;
    });
    return m;
  };
  const metBy = (actor: number): number => {
    let m = 0;
    reqs.forEach((r, i) => {
      if (r.actor === actor) m |= 1 << i;
    });
    return m;
  };
  // A node: (state, met, last actor + 1; 0 before the first step), as one key.
  const width = 34;
  const key = (s: number, met: number, last: number): number => (s * (full + 1) + (met & full)) * width + last;
  const best = new Map<number, { length: number; switches: number; edge: number; from: number }>();
  const heap: [length: number, switches: number, order: number, node: number, s: number, met: number, last: number][] = [];
  let order = 0;
  const push = (length: number, switches: number, node: number, s: number, met: number, last: number): void => {
    heap.push([length, switches, order++, node, s, met, last]);
    for (let i = heap.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (!before(heap[i]!, heap[up]!)) break;
      [heap[i], heap[up]] = [heap[up]!, heap[i]!];
      i = up;
    }
  };
  const pop = (): (typeof heap)[number] | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length && last) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  const start = key(entry, metAt(entry), 0);
  best.set(start, { length: 0, switches: 0, edge: -1, from: -1 });
  push(0, 0, start, entry, metAt(entry), 0);
  for (let top = pop(); top; top = pop()) {
    const [length, switches, , node, s, met, last] = top;
    const known = best.get(node)!;
    if (known.length !== length || known.switches !== switches) continue; // improved since
    if (length > than[0] || (length === than[0] && switches >= than[1])) return null;
    if (s === entry && length > 0 && (met & full) === full) return { cycle: walkBack(edges, best, node, entry), cost: [length, switches] };
    for (let e = edges.first(s), end = e + edges.count(s); e < end; e++) {
      if (!usable(e)) continue;
      const t = edges.target(e);
      const a = edges.actor(e);
      const m = met | metBy(a) | metAt(t);
      const sw = switches + (last !== 0 && last !== a + 1 ? 1 : 0);
      const next = key(t, m, a + 1);
      const seen = best.get(next);
      if (seen && (seen.length < length + 1 || (seen.length === length + 1 && seen.switches <= sw))) continue;
      best.set(next, { length: length + 1, switches: sw, edge: e, from: node });
      push(length + 1, sw, next, t, m, a + 1);
    }
  }
  return null;
}

/** Heap order: (length, switches, insertion order). */
function before(x: readonly number[], y: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}

/** The actors (a mask) of the usable edges reachable from `from`. */
function reachableActors(edges: EdgeStore, from: number, usable: (e: number) => boolean): number {
  let actors = 0;
  const seen = new Set([from]);
  const queue = [from];
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    for (let e = edges.first(s), end = e + edges.count(s); e < end; e++) {
      if (!usable(e)) continue;
      actors |= 1 << edges.actor(e);
      const t = edges.target(e);
      if (!seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return actors;
}

/** The loop's edges and their sources, from the goal node back to `entry` along the best parents. */
function walkBack(edges: EdgeStore, best: Map<number, { edge: number; from: number }>, node: number, entry: number): FairCycle {
  const cycleEdges: number[] = [];
  for (let n = node; best.get(n)!.edge >= 0; n = best.get(n)!.from) cycleEdges.push(best.get(n)!.edge);
  cycleEdges.reverse();
  const sources = cycleEdges.map((_, i) => (i === 0 ? entry : edges.target(cycleEdges[i - 1]!)));
  return { entry, edges: cycleEdges, sources };
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
