/**
 * Symmetry reduction's canonicaliser: a system may declare groups of interchangeable actors
 * (`symmetric: { readers: ['R0', 'R1', 'R2'] }` in the SystemSpec, the role of Murphi's scalarset), and two
 * states that differ only by a renaming of those actors are then one state. This file computes, for any
 * state, one representative of its orbit under the renamings and the renaming that reaches it.
 * Ip and Dill, "Better verification through symmetry", FMSD 9 (1996) is the method; the representative here
 * is exact (canonical), not Murphi's cheaper normalisation, so no state is stored twice.
 *
 * What a renaming π of a group (member i becomes member π[i]) does to a state, all together:
 *  - each member's actor block (its control state, budget and context slots) moves to member π[i]'s block;
 *  - each world array declared `indexedBy` the group moves element i to element π[i];
 *  - each field declared `actorId` of the group (world scalars, array elements, actor context fields) that
 *    holds a member id k in 0 .. size-1 is rewritten to π[k]; other values (a "none") stay.
 * Groups are checked when the system is compiled (validateSymmetry): same machine, same fields with the
 * same domains, same kind, fairness, budget, costs and choices, for every member. The model author
 * promises the rest: that no guard or action tells the members apart other than through fields declared
 * as above (e.g. by closing over an actor's name), and that no `choice` number is an actor id.
 *
 * The representative: among the orbit's states whose members are sorted by their rename-invariant
 * signature (every slot of the member's block and indexed elements that is not an actor id), the least
 * slot vector in lexicographic order. Sorting fixes the order of members with different signatures, so
 * only members with equal signatures are tried in every order, and only when the system has actor-id
 * fields at all (without them equal signatures mean equal blocks, and every order gives the same state).
 *
 * How the search core calls it (search/explore.ts, check.ts):
 *  1. Once per run: `const sym = new SymmetryReducer(system)` when `sym.active`, and canonicalise the
 *     initial state with `sym.canonicalize(S, perm)` before it is stored.
 *  2. After a successor is generated into the slot buffer (and after the step's per-state property
 *     checks, which see the real successor), and before the store lookup: `sym.canonicalize(S)` rewrites
 *     S in place to its representative; pack and look that up. Invariants, deadlock and bounds read
 *     symmetric properties of a state, so checking the representative or the real state is the same;
 *     a property that names one member (`s.actor('R0')`) is not symmetric, and the core must switch the
 *     reduction off for it (or the system must not declare the group).
 *  3. Traces: the store keeps (parent, step id) where the step id was taken in the parent's
 *     representative. `realSteps(system, sym, stepIds)` re-executes that path and returns the step ids of a
 *     real execution of the unreduced system from the real initial state: it keeps σ, the renaming from
 *     representative to real state (σ₀ = the inverse of the initial state's renaming), maps each step's
 *     actor through σ, and after each step composes σ with the inverse of the renaming that
 *     canonicalised the successor. Printed and replayed traces use those ids, so they are real executions.
 *     A step whose choice names a member (a server's "grant client k", Murphi's ruleset over a scalarset)
 *     keeps its choice under that mapping; where the mapped step does not reach the renamed successor,
 *     the real step that does is taken.
 */
import { SystemDefinitionError, type CompiledSystem, type SystemSpec } from '../system/system.js';
import { encodeStep, stepActor, stepChoice, stepEvent, Stepper } from '../system/step.js';
import type { Layout } from '../system/layout.js';
import { NondeterminismError } from '../search/determinism.js';

/** The slot buffer's type, whatever layout.ts makes it. */
type Slots = ReturnType<Layout['buffer']>;

/**
 * A renaming of every declared group at once: `perm[offset_g + i]` is the position member i of group g
 * moves to (groups in declaration order, each `size` entries). The identity is `perm[k] = k - offset_g`.
 */
export type Permutation = Int32Array;

export interface SymmetryGroup {
  readonly name: string;
  /** Actor indices of the members, in declaration order. */
  readonly actors: readonly number[];
  /** This group's first entry in a Permutation. */
  readonly offset: number;
  /** Per member: the slots that move with it (actor block, then one element of each indexed array). */
  readonly blocks: readonly (readonly number[])[];
}

/** Checks the `symmetric` groups of a spec against the compiled system; throws SystemDefinitionError. */
export function validateSymmetry(spec: SystemSpec, system: Pick<CompiledSystem, 'actors' | 'layout'>): void {
  const groups = spec.symmetric ?? {};
  const fail = (msg: string): never => {
    throw new SystemDefinitionError(`system '${spec.name}': ${msg}`);
  };
  const byName = new Map(system.actors.map((a) => [a.name, a]));
  const seen = new Set<string>();
  for (const [group, members] of Object.entries(groups)) {
    if (!Array.isArray(members) || members.length < 2) fail(`symmetric group '${group}' needs two or more actor names`);
    const actors = members.map((m) => byName.get(m) ?? fail(`symmetric group '${group}' names '${m}', which is not an actor`));
    for (const m of members) {
      if (seen.has(m)) fail(`actor '${m}' is in two symmetric groups, or twice in one`);
      seen.add(m);
    }
    const first = actors[0]!;
    const fields = (a: typeof first): string =>
      JSON.stringify(Object.entries(a.spec.fields).map(([k, f]) => [k, f.min, f.max, f.names ?? null, f.actorId ?? null]));
    const same = (a: typeof first, what: string, x: unknown, y: unknown): void => {
      if (x !== y) fail(`symmetric group '${group}': '${a.name}' differs from '${first.name}' in its ${what}, so they are not interchangeable`);
    };
    for (const a of actors.slice(1)) {
      same(a, 'machine', a.spec.machine, first.spec.machine);
      same(a, 'context fields and their domains', fields(a), fields(first));
      same(a, 'kind', a.kind, first.kind);
      same(a, 'fairness', a.fairness, first.fairness);
      same(a, 'budget', a.spec.budget, first.spec.budget);
      same(a, 'costs', JSON.stringify(a.spec.cost ?? {}), JSON.stringify(first.spec.cost ?? {}));
      same(a, 'choices', a.spec.choices ?? null, first.spec.choices ?? null);
      same(a, 'label function', a.spec.label, first.spec.label);
    }
  }
  for (const [name, f] of Object.entries(spec.world)) {
    const ref = f.kind === 'array' ? f.indexedBy : undefined;
    if (ref !== undefined) {
      const members = groups[ref];
      if (!members) fail(`world field '${name}' is indexed by '${ref}', which is not a symmetric group`);
      else if (f.kind === 'array' && f.length !== members.length) {
        fail(`world field '${name}' is indexed by '${ref}' but has ${f.length} elements for ${members.length} members`);
      }
    }
    if (f.kind === 'chan' && f.element.some((e) => e.actorId !== undefined)) {
      fail(`world channel '${name}': a message field cannot hold actor ids yet (symmetry reduction does not rename queued messages)`);
    }
  }
  for (const slot of system.layout.slots) {
    const g = slot.field.actorId;
    if (g !== undefined && !groups[g]) fail(`${slot.name} holds actor ids of '${g}', which is not a symmetric group`);
    // An id is a member's position in its group (0 for the first): the field must hold every one of them.
    const size = g === undefined ? 0 : (groups[g]?.length ?? 0);
    if (size && (slot.field.min !== 0 || slot.field.max < size - 1)) {
      fail(
        `${slot.name} holds actor ids of '${g}' but its domain is ${slot.field.min}..${slot.field.max}: an id is the member's position in the group, ` +
          `0..${size - 1} (a value above is "none"): declare it int(0, ${size - 1}), or int(0, ${size}) with ${size} for none`,
      );
    }
  }
}

export class SymmetryReducer {
  readonly groups: readonly SymmetryGroup[];
  /** Whether the system declares any group (with none, canonicalize is the identity). */
  readonly active: boolean;
  /** Entries in a Permutation: the members of all groups. */
  readonly size: number;
  /** Per slot: the group whose actor ids it holds, or -1. */
  private readonly idGroup: Int32Array;
  /** Slots holding actor ids, in order. */
  private readonly idSlots: Int32Array;
  /** Per group, the slot positions inside a member's block that are not actor ids (its signature). */
  private readonly signature: readonly (readonly number[])[];
  private readonly scratch: Slots;
  private readonly best: Slots;
  private readonly trial: Permutation;
  private readonly placed: Permutation;
  private readonly bestPerm: Permutation;
  private found = false;

  constructor(system: CompiledSystem) {
    const spec = system.spec;
    const declared = Object.entries(spec.symmetric ?? {});
    const groupIndex = new Map(declared.map(([name], g) => [name, g]));
    const byName = new Map(system.actors.map((a) => [a.name, a]));
    let offset = 0;
    this.groups = declared.map(([name, members]) => {
      const actors = members.map((m) => byName.get(m)!);
      const blocks = actors.map((a, i) => {
        const block = [a.stateSlot];
        if (a.budgetSlot >= 0) block.push(a.budgetSlot);
        for (let k = 0; k < a.machine.fieldNames.length; k++) block.push(a.ctxBase + k);
        for (const [field, f] of Object.entries(spec.world)) {
          if (f.kind === 'array' && f.indexedBy === name) block.push(system.worldOffsets.get(field)! + i);
        }
        return block;
      });
      const group = { name, actors: actors.map((a) => a.index), offset, blocks };
      offset += members.length;
      return group;
    });
    this.size = offset;
    this.active = this.groups.length > 0;
    const slots = system.layout.slots;
    this.idGroup = Int32Array.from(slots, (s) => (s.field.actorId === undefined ? -1 : groupIndex.get(s.field.actorId)!));
    this.idSlots = Int32Array.from(slots.flatMap((s, i) => (s.field.actorId === undefined ? [] : [i])));
    this.signature = this.groups.map((g) => g.blocks[0]!.flatMap((slot, j) => (this.idGroup[slot]! < 0 ? [j] : [])));
    this.scratch = system.layout.buffer();
    this.best = system.layout.buffer();
    this.trial = new Int32Array(this.size);
    this.placed = new Int32Array(this.size);
    this.bestPerm = new Int32Array(this.size);
  }

  /** The identity renaming. */
  identity(): Permutation {
    const p = new Int32Array(this.size);
    for (const g of this.groups) for (let i = 0; i < g.actors.length; i++) p[g.offset + i] = i;
    return p;
  }

  /** `out` = the state `S` with every group renamed by `perm` (see the header). `out` must not be `S`. */
  apply(S: Slots, perm: Permutation, out: Slots): void {
    out.set(S);
    for (const g of this.groups) {
      for (let i = 0; i < g.blocks.length; i++) {
        const from = g.blocks[i]!;
        const to = g.blocks[perm[g.offset + i]!]!;
        for (let j = 0; j < from.length; j++) out[to[j]!] = S[from[j]!]!;
      }
    }
    for (let k = 0; k < this.idSlots.length; k++) {
      const slot = this.idSlots[k]!;
      const g = this.groups[this.idGroup[slot]!]!;
      const v = out[slot]!;
      if (v >= 0 && v < g.actors.length) out[slot] = perm[g.offset + v]!;
    }
  }

  /**
   * The swaps of two adjacent members of a group, which generate every renaming: each with its group,
   * the first member's position `i` (it swaps with i + 1) and the renaming itself.
   */
  adjacentSwaps(): { readonly group: SymmetryGroup; readonly i: number; readonly perm: Permutation }[] {
    return this.groups.flatMap((group) =>
      group.actors.slice(1).map((_, i) => {
        const perm = this.identity();
        perm[group.offset + i] = i + 1;
        perm[group.offset + i + 1] = i;
        return { group, i, perm };
      }),
    );
  }

  /** π⁻¹, group by group. */
  invert(perm: Permutation): Permutation {
    const out = new Int32Array(this.size);
    this.invertInto(perm, out);
    return out;
  }

  private invertInto(perm: Permutation, out: Permutation): void {
    for (const g of this.groups) for (let i = 0; i < g.actors.length; i++) out[g.offset + perm[g.offset + i]!] = i;
  }

  /** The renaming "first `a`, then `b`": member i goes to b[a[i]]. */
  compose(a: Permutation, b: Permutation): Permutation {
    const out = new Int32Array(this.size);
    for (const g of this.groups) for (let i = 0; i < g.actors.length; i++) out[g.offset + i] = b[g.offset + a[g.offset + i]!]!;
    return out;
  }

  /** The actor index a renaming sends `actor` to (actors outside every group stay). */
  mapActor(actor: number, perm: Permutation): number {
    for (const g of this.groups) {
      const i = g.actors.indexOf(actor);
      if (i >= 0) return g.actors[perm[g.offset + i]!]!;
    }
    return actor;
  }

  /** A step id with its actor renamed: the same event and choice, taken by the renamed actor. */
  mapStep(id: number, perm: Permutation): number {
    return encodeStep(this.mapActor(stepActor(id), perm), stepEvent(id), stepChoice(id));
  }

  /**
   * Rewrites `S` in place to its orbit's representative, and writes into `perm` (if given) the renaming
   * that took `S` there: representative = apply(old S, perm). Allocates nothing.
   */
  canonicalize(S: Slots, perm?: Permutation): void {
    if (!this.active) return;
    const trial = this.trial;
    // Members sorted by signature, group by group (insertion sort: groups are small). trial holds, per
    // position, the member placed there; tie classes are runs of equal signatures.
    for (let gi = 0; gi < this.groups.length; gi++) {
      const o = this.groups[gi]!.offset;
      const n = this.groups[gi]!.actors.length;
      for (let p = 0; p < n; p++) {
        let q = p;
        while (q > 0 && this.compareMembers(S, gi, trial[o + q - 1]!, p) > 0) {
          trial[o + q] = trial[o + q - 1]!;
          q--;
        }
        trial[o + q] = p;
      }
    }
    this.found = false;
    if (this.idSlots.length === 0) this.consider(S);
    else this.tiesInEveryOrder(S, 0, 0);
    S.set(this.best);
    if (perm) perm.set(this.bestPerm);
  }

  /** The state with the members in trial's order: kept if it is the least so far. */
  private consider(S: Slots): void {
    this.invertInto(this.trial, this.placed); // trial lists members by position; apply wants member -> position
    this.apply(S, this.placed, this.scratch);
    if (!this.found || this.less(this.scratch, this.best)) {
      this.best.set(this.scratch);
      this.bestPerm.set(this.placed);
      this.found = true;
    }
  }

  /** Considers every order of every tie class of every group, from group gi's position p on. */
  private tiesInEveryOrder(S: Slots, gi: number, p: number): void {
    const group = this.groups[gi];
    if (!group) return this.consider(S);
    const n = group.actors.length;
    if (p >= n) return this.tiesInEveryOrder(S, gi + 1, 0);
    let end = p + 1;
    const t = this.trial;
    while (end < n && this.compareMembers(S, gi, t[group.offset + p]!, t[group.offset + end]!) === 0) end++;
    this.permuteRun(S, gi, end, p);
  }

  /** Every order of trial[k .. end) of group gi, by swaps; then the next tie class. */
  private permuteRun(S: Slots, gi: number, end: number, k: number): void {
    if (k >= end - 1) return this.tiesInEveryOrder(S, gi, end);
    const t = this.trial;
    const o = this.groups[gi]!.offset;
    for (let i = k; i < end; i++) {
      swap(t, o + k, o + i);
      this.permuteRun(S, gi, end, k + 1);
      swap(t, o + k, o + i);
    }
  }

  /** Members a and b of group gi by their rename-invariant signature. */
  private compareMembers(S: Slots, gi: number, a: number, b: number): number {
    const sig = this.signature[gi]!;
    const g = this.groups[gi]!;
    const ba = g.blocks[a]!;
    const bb = g.blocks[b]!;
    for (let j = 0; j < sig.length; j++) {
      const d = S[ba[sig[j]!]!]! - S[bb[sig[j]!]!]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  private less(a: Slots, b: Slots): boolean {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
    return false;
  }
}

/**
 * A symmetry the declarations promise but the model breaks, found at state `S`, or null: for each swap of
 * two adjacent members of a group (they generate every renaming), the successors of the swapped state
 * must be the swapped successors of `S`, as sets. A model whose steps tell members apart other than
 * through declared fields (an actor id in an undeclared field, a guard that closes over a name) fails
 * here; a search would otherwise merge states that behave differently. For tests and a debugging switch:
 * it steps every enabled step twice.
 */
export function asymmetry(system: CompiledSystem, sym: SymmetryReducer, S: Slots): string | null {
  const stepper = new Stepper(system);
  const successors = (state: Slots): Set<string> => {
    stepper.load(state);
    const out = new Set<string>();
    for (const id of stepper.enabledSteps()) {
      stepper.load(state);
      try {
        if (stepper.applyId(id)) out.add(stepper.S.join());
      } catch (e) {
        out.add(`throws ${id >>> 0}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return out;
  };
  const mine = [...successors(S)];
  const swapped = system.layout.buffer();
  for (const { group: g, i, perm } of sym.adjacentSwaps()) {
    sym.apply(S, perm, swapped);
    const theirs = successors(swapped);
    const image = system.layout.buffer();
    const names = `${system.actors[g.actors[i]!]!.name} and ${system.actors[g.actors[i + 1]!]!.name}`;
    for (const t of mine) {
      if (t.startsWith('throws')) continue;
      sym.apply(Int32Array.from(t.split(',').map(Number)) as Slots, perm, image);
      if (!theirs.has(image.join())) {
        return `symmetric group '${g.name}': swapping ${names} does not commute with the steps at [${Array.from(S).join(', ')}]; a field holding their ids is not declared actorId, or a step tells them apart another way`;
      }
    }
    if (theirs.size !== mine.length) {
      return `symmetric group '${g.name}': swapping ${names} changes the number of successors at [${Array.from(S).join(', ')}] from ${mine.length} to ${theirs.size}; a step tells them apart other than through fields declared actorId or indexedBy`;
    }
  }
  return null;
}

function swap(t: Int32Array, i: number, j: number): void {
  const x = t[i]!;
  t[i] = t[j]!;
  t[j] = x;
}

/**
 * The step ids of a real execution from the system's initial state, for a path whose step ids were taken
 * in representatives (see the header, point 3). Throws if a step is not enabled where the path says
 * (the stored path and the system disagree).
 */
export function realSteps(system: CompiledSystem, sym: SymmetryReducer, stepIds: readonly number[]): number[] {
  const rep = new Stepper(system);
  const real = new Stepper(system);
  rep.load(system.initial);
  real.load(system.initial);
  const pi = sym.identity();
  sym.canonicalize(rep.S, pi);
  let sigma = sym.invert(pi);
  const out: number[] = [];
  const before = system.layout.buffer();
  const expected = system.layout.buffer();
  for (const [i, id] of stepIds.entries()) {
    let mapped = sym.mapStep(id, sigma);
    before.set(real.S);
    let enabled = attempt(rep, id);
    if (enabled === true) {
      // The real state is the representative renamed by sigma. A step whose choice names a member (a
      // server's "grant client k") is not renamed by mapStep: then the real step is the one that reaches
      // the renamed successor. Where none does (a model that breaks its symmetry), the renamed step as it is.
      sym.apply(rep.S, sigma, expected);
      const found = takes(real, mapped, expected) ? mapped : stepTo(real, before, expected);
      if (found !== null) mapped = found;
      else {
        real.load(before);
        enabled = attempt(real, mapped);
      }
    }
    // The last step of an assertion's trace throws: it is the finding, renamed like the others.
    if (enabled === 'threw' && i === stepIds.length - 1) {
      out.push(mapped);
      break;
    }
    // The search took `id` in the representative: a step that no longer is enabled there, or whose renaming
    // is not enabled in the real state, is model code that is not a function of the state (or a symmetry
    // the model breaks, which asymmetry() names).
    if (enabled !== true) {
      throw new NondeterminismError(
        `re-executing a path of the symmetry-reduced search diverged at step ${out.length + 1}: a step is not deterministic, or the actors declared symmetric are told apart by the model`,
        system.name,
        0,
        out,
      );
    }
    sym.canonicalize(rep.S, pi);
    sigma = sym.compose(sym.invert(pi), sigma);
    out.push(mapped);
  }
  return out;
}

function sameSlots(a: Slots, b: Slots): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Step `id` from the stepper's state: whether it was enabled, or 'threw'. */
function attempt(stepper: Stepper, id: number): boolean | 'threw' {
  try {
    return stepper.applyId(id);
  } catch {
    return 'threw';
  }
}

/** Whether step `id` from the stepper's state reaches `to` (a step that throws does not). */
function takes(stepper: Stepper, id: number, to: Slots): boolean {
  return attempt(stepper, id) === true && sameSlots(stepper.S, to);
}

/** The first step enabled in `from` that reaches `to` (the stepper left there), or null. */
function stepTo(stepper: Stepper, from: Slots, to: Slots): number | null {
  stepper.load(from);
  for (const id of stepper.enabledSteps()) {
    stepper.load(from);
    if (takes(stepper, id, to)) return id;
  }
  return null;
}
