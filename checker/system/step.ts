/**
 * Stepping: which steps are enabled in a state, and applying one. All work happens in place on one
 * unpacked slot buffer `S`; guards and actions see it through views. A step is identified by
 * (actor, event, choice), encoded in 32 bits as a step id.
 *
 * Enabled steps come in a fixed order: actor order, then the order in which the actor's current state
 * lists its events, then choice order. Within one (actor, event, choice) the first transition whose guard
 * passes is taken, as in xstate; if none passes, that step is not enabled.
 */
import { applyPartialAssign, coerceAssigned, guardResult } from './assign.js';
import type { Args, CompiledEvent, CompiledTransition } from './compile.js';
import type { CompiledActor, CompiledSystem } from './system.js';
import { worldControl, type WorldControl } from './views.js';

export interface ActorRuntime {
  readonly actor: CompiledActor;
  /** The `{ context, event }` object handed to this actor's guards and actions (reused). */
  readonly args: Args;
}

export function encodeStep(actor: number, event: number, choice: number): number {
  return ((actor << 24) | (event << 16) | choice) >>> 0;
}
export const stepActor = (id: number): number => id >>> 24;
export const stepEvent = (id: number): number => (id >>> 16) & 0xff;
export const stepChoice = (id: number): number => id & 0xffff;

export class Stepper {
  readonly S: Int32Array;
  /** The reading view: what guards, choices and assign functions see (views.ts WorldControl). */
  readonly world: Record<string, unknown>;
  /** The writing view over the same S: what effect actions see (the reading view itself for a view made elsewhere). */
  readonly writer: Record<string, unknown>;
  readonly runtimes: readonly ActorRuntime[];
  private readonly tmp: unknown[] = [];
  /** The reading view's handle; null for a view made elsewhere (a recording world), which is its own writer. */
  private readonly control: WorldControl | null;
  /** The checked view's handle, to name the function running in its messages; null otherwise. */
  private readonly named: WorldControl | null;
  /** An array a property wrote since the last step, found by enabledSteps(): the next step taken reports it. */
  private pending: unknown = null;

  constructor(
    readonly system: CompiledSystem,
    S?: Int32Array,
    /**
     * Checked views (views.ts): a world write from a guard, assign or choices function throws at the
     * write, naming it. Slow, for re-running steps off the hot path.
     */
    checked = false,
    /** The search's view (views.ts `cached`): small arrays frozen per content; properties then read S through a view of their own. */
    cached = false,
  ) {
    this.S = S ?? system.layout.buffer();
    this.world = system.worldView(this.S, checked, false, cached && !checked);
    this.control = worldControl(this.world);
    this.writer = (this.control?.$writer as Record<string, unknown> | undefined) ?? this.world;
    this.named = checked ? this.control : null;
    this.runtimes = system.actors.map((actor, i) => ({
      actor,
      args: {
        context: system.contextView[i]!(this.S, actor.ctxBase),
        event: { type: '', choice: 0, world: this.world },
      },
    }));
  }

  /** Loads an unpacked state into the working buffer. */
  load(state: Int32Array): void {
    this.S.set(state);
    this.pending = null;
    this.control?.$renew();
  }

  /** The events the actor's current control state accepts, or null when it is final (or out of budget for all). */
  eventsOf(a: number): readonly CompiledEvent[] | null {
    const actor = this.runtimes[a]!.actor;
    const state = actor.machine.states[this.S[actor.stateSlot]!]!;
    return state.final ? null : state.events;
  }

  /** Number of choices of event `e` for actor `a` in the current state (0 if the budget does not cover it). */
  choiceCount(a: number, e: CompiledEvent): number {
    const rt = this.runtimes[a]!;
    const actor = rt.actor;
    if (actor.budgetSlot >= 0 && this.S[actor.budgetSlot]! < actor.cost[e.index]!) return 0;
    const c = actor.choices[e.index]!;
    if (typeof c === 'number') return c;
    rt.args.event.type = e.type;
    rt.args.event.choice = 0;
    if (this.named) this.named.$role = `the choices function of '${e.type}' (actor ${actor.name})`;
    const n = c(rt.args);
    this.readOnly();
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
      throw new Error(`actor '${actor.name}': choices for '${e.type}' returned ${String(n)}, not a whole number in 0..65535`);
    }
    return n;
  }

  /** The transition (actor a, event e, choice) takes in the current state, or null if it is not enabled. */
  pick(a: number, e: CompiledEvent, choice: number): CompiledTransition | null {
    const args = this.runtimes[a]!.args;
    args.event.type = e.type;
    args.event.choice = choice;
    const ts = e.transitions;
    const named = this.named;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t.guard === null) return t;
      if (named) named.$role = `guard [${t.guardLabel ?? 'guard'}] of actor ${this.runtimes[a]!.actor.name}, event ${e.type}`;
      const pass = t.guard(args);
      this.readOnly();
      if (pass === true || (pass !== false && guardResult(pass, `guard [${t.guardLabel ?? 'guard'}] of machine '${this.runtimes[a]!.actor.machine.id}'`)))
        return t;
    }
    return null;
  }

  /**
   * Applies transition `t` of actor `a` (picked by `pick` in this same state) to the working buffer. Its
   * actions run in order; effects on the writing view, whose arrays go back to S when a run of effects
   * ends (before an assign that follows them, and at the end), so an assign sees what the effects wrote.
   */
  apply(a: number, e: CompiledEvent, t: CompiledTransition): void {
    const rt = this.runtimes[a]!;
    const args = rt.args;
    const S = this.S;
    const actions = t.actions;
    const control = this.control;
    const named = this.named;
    let writing = false;
    try {
      for (let i = 0; i < actions.length; i++) {
        const act = actions[i]!;
        if (act.kind === 'effect') {
          if (!writing) args.event.world = this.writer;
          writing = true;
          act.fn(args, act.params);
          continue;
        }
        if (writing) {
          control?.$writer.$flush();
          args.event.world = this.world;
          writing = false;
        }
        if (named) named.$role = `assign '${act.label}' of actor ${rt.actor.name}, event ${e.type}`;
        if (act.kind === 'assign') {
          const values = act.values;
          const slots = act.slots;
          const p = act.params;
          if (values.length === 1) {
            const v = values[0];
            S[slots[0]!] = coerceAssigned(typeof v === 'function' ? (v as AssignFn)(args, p) : v, rt.actor.name, act.keys[0]!);
          } else {
            // xstate evaluates every property of one assign against the same context, then merges.
            const tmp = this.tmp;
            for (let k = 0; k < values.length; k++) {
              const v = values[k];
              tmp[k] = typeof v === 'function' ? (v as AssignFn)(args, p) : v;
            }
            for (let k = 0; k < values.length; k++) S[slots[k]!] = coerceAssigned(tmp[k], rt.actor.name, act.keys[k]!);
          }
        } else {
          applyPartialAssign(S, rt.actor, act.fn(args, act.params));
        }
        this.readOnly();
      }
      if (writing) control?.$writer.$flush();
    } catch (err) {
      control?.$writer.$drop();
      if (named) named.$role = '';
      throw err;
    } finally {
      args.event.world = this.world;
    }
    const actor = rt.actor;
    if (t.target >= 0) S[actor.stateSlot] = t.target;
    if (actor.budgetSlot >= 0) S[actor.budgetSlot] = S[actor.budgetSlot]! - actor.cost[e.index]!;
  }

  /** A guard, assign or choices function just returned: throws if it wrote a world array (views.ts). */
  private readOnly(): void {
    const control = this.control;
    if (this.named) this.named.$role = '';
    if (control === null) return;
    const wrote = control.$check();
    if (wrote !== null) throw wrote;
  }

  /**
   * Re-executes step `id` on the current state: picks and applies it, or returns false if it is not
   * enabled here (used by replay and trace reconstruction).
   */
  applyId(id: number): boolean {
    if (this.pending !== null) {
      const wrote = this.pending;
      this.pending = null;
      throw wrote;
    }
    const a = id >>> 24;
    const ei = (id >>> 16) & 0xff;
    const choice = id & 0xffff;
    const rt = this.runtimes[a];
    if (!rt) return false;
    const events = this.eventsOf(a);
    const e = events?.find((x) => x.index === ei);
    if (!e) return false;
    if (choice >= this.choiceCount(a, e)) return false;
    const t = this.pick(a, e, choice);
    if (!t) return false;
    this.apply(a, e, t);
    return true;
  }

  /**
   * Every enabled step id in the current state, in the fixed order. Allocates; not for the hot loop.
   * As in the generated expand function, a step whose guard throws counts as enabled (taking it is the
   * model assertion), and so does choice 0 of an event whose choices function throws (the step id the
   * search reports that failure with).
   */
  enabledSteps(): number[] {
    // Only properties ran since the last step: an array written now is theirs, reported by the next step taken.
    const wrote = this.control?.$check() ?? null;
    if (wrote !== null) this.pending = wrote;
    const out: number[] = [];
    const saved = Int32Array.from(this.S);
    for (let a = 0; a < this.runtimes.length; a++) {
      const events = this.eventsOf(a);
      if (!events) continue;
      for (const e of events) {
        let n: number;
        try {
          n = this.choiceCount(a, e);
        } catch {
          out.push(encodeStep(a, e.index, 0));
          continue;
        }
        for (let c = 0; c < n; c++) {
          try {
            if (this.pick(a, e, c)) out.push(encodeStep(a, e.index, c));
          } catch {
            out.push(encodeStep(a, e.index, c));
          }
        }
      }
    }
    this.S.set(saved);
    return out;
  }
}

type AssignFn = (x: Args, p: unknown) => unknown;
