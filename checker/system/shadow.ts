/**
 * The xstate shadow: runs a system's actors through xstate's own pure functions - `initialTransition()`,
 * `transition()`, `getTransitionData()` - over a plain copy of the world (numbers and number[]), next to
 * the engine's compiled stepping, and says where the two disagree. The machines are the source of truth
 * of actor behaviour; the compiled step tables are a fast copy of them, and this is how a copy is checked:
 * the conformance test drives it with random walks, and `replay` re-executes every counterexample
 * through it, so a trace the checker prints is a run of the xstate machines themselves.
 *
 * One step on the xstate side: `transition(machine, snapshot, { type, choice, world })` computes the next
 * snapshot (guards and assigns run inside it), then the returned actions run in order,
 * `action.exec?.(info, params)`, so that effects mutate the plain world. xstate defers effects until after
 * the assigns; the engine runs a transition's actions in order. A model in which an assign reads a world
 * field an earlier effect of the same transition wrote behaves differently in the two - the shadow shows
 * that as a difference in the context.
 */
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { Channel } from './channel.js';
import type { FieldSpecs } from './fields.js';
import { thrownMessage } from './thrown.js';
import type { Stepper } from './step.js';
import type { CompiledActor, CompiledSystem } from './system.js';

/** The world as xstate sees it here: plain numbers and arrays, and channels over their own buffers. */
export type PlainWorld = Record<string, number | number[] | Channel>;

/** A world of plain numbers and arrays (and standalone channels) at the fields' initial values. */
export function plainWorld(fields: FieldSpecs): PlainWorld {
  const out: PlainWorld = {};
  for (const [name, f] of Object.entries(fields)) out[name] = f.kind === 'scalar' ? f.init : f.kind === 'chan' ? Channel.standalone(name, f) : [...f.init];
  return out;
}

/** Booleans count as 0/1, as the engine stores them. */
const asNumber = (v: unknown): unknown => (typeof v === 'boolean' ? Number(v) : v);

/** What a slot can hold: a 32-bit integer, or a boolean (stored as 0/1). */
const isSlotValue = (v: unknown): boolean => typeof v === 'boolean' || (typeof v === 'number' && (v | 0) === v);

interface ActorShadow {
  snapshot: AnyMachineSnapshot;
  /** Remaining budget; -1 for thread actors. */
  budget: number;
}

export class XstateShadow {
  readonly world: PlainWorld;
  private readonly actors: ActorShadow[];

  constructor(private readonly system: CompiledSystem) {
    this.world = plainWorld(system.spec.world);
    this.actors = system.actors.map((a) => {
      const [snapshot, actions] = initialTransition(a.spec.machine, a.spec.input);
      if (actions.length) throw new Error(`${a.name}: the initial state runs actions, which the engine does not`);
      return { snapshot, budget: a.spec.budget ?? -1 };
    });
  }

  snapshot(actor: number): AnyMachineSnapshot {
    return this.actors[actor]!.snapshot;
  }

  budget(actor: number): number {
    return this.actors[actor]!.budget;
  }

  /** How many choices the step has in xstate's current snapshot (the actor's `choices`, default 1). */
  choices(actor: CompiledActor, type: string): number {
    const c = actor.spec.choices?.[type] ?? 1;
    if (typeof c === 'number') return c;
    return c({ context: this.snapshot(actor.index).context, event: { type, choice: 0, world: this.world } });
  }

  /** Budget units the step costs (environment actors; 1 by default, 0 for threads). */
  cost(actor: CompiledActor, type: string): number {
    return actor.spec.cost?.[type] ?? (actor.kind === 'environment' ? 1 : 0);
  }

  /** Whether xstate has a transition for the event in the actor's current snapshot. */
  hasTransition(actor: CompiledActor, type: string, choice: number): boolean {
    const machine = actor.spec.machine as AnyStateMachine;
    return machine.getTransitionData(this.snapshot(actor.index) as never, { type, choice, world: this.world } as never).length > 0;
  }

  /**
   * Takes the step in xstate and runs its actions. Returns the message of an error a guard, assign or
   * action threw (xstate may also report it as an 'error' snapshot), or the first value the step left
   * that the engine cannot store (a context or world value that is not an integer); the snapshot then
   * stays as it was. Undefined when the step went through.
   */
  step(actor: CompiledActor, type: string, choice: number): string | undefined {
    const shadow = this.actors[actor.index]!;
    let next: AnyMachineSnapshot;
    try {
      const [snapshot, actions] = transition(actor.spec.machine as AnyStateMachine, shadow.snapshot, { type, choice, world: this.world } as never);
      if (snapshot.status === 'error') return thrownMessage(snapshot.error);
      next = snapshot;
      for (const action of actions) action.exec?.(action.info, action.params);
    } catch (e) {
      return thrownMessage(e);
    }
    const bad = this.notStorable(actor, next.context as Record<string, unknown>);
    if (bad) return bad;
    shadow.snapshot = next;
    if (shadow.budget >= 0) shadow.budget -= this.cost(actor, type);
    return undefined;
  }

  /**
   * Why xstate, too, cannot take a step the compiled model threw on: its choices function throws or
   * returns no whole number in 0..65535, or `step` fails. Undefined when xstate takes the step (the
   * snapshot has then moved on: the caller reports a disagreement and stops).
   */
  failure(actor: CompiledActor, type: string, choice: number): string | undefined {
    let n: unknown;
    try {
      n = this.choices(actor, type);
    } catch (e) {
      return thrownMessage(e);
    }
    if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 0xffff) return `choices for '${type}' returned ${String(n)}`;
    if (choice >= (n as number)) return undefined;
    return this.step(actor, type, choice);
  }

  /** The first value after a step the engine's slots cannot hold: not an integer (booleans are 0/1). */
  private notStorable(actor: CompiledActor, context: Record<string, unknown>): string | undefined {
    for (const f of actor.machine.fieldNames) {
      if (!isSlotValue(context[f])) return `actor '${actor.name}': assign ${f} = ${String(context[f])}, which is not an integer`;
    }
    for (const [name, f] of Object.entries(this.system.spec.world)) {
      const v = this.world[name];
      if (f.kind === 'scalar') {
        if (!isSlotValue(v)) return `world.${name} = ${String(v)} is not an integer`;
      } else if (f.kind === 'chan') {
        if (!(v instanceof Channel)) return `world.${name} is no longer a channel`;
      } else if (!Array.isArray(v) || v.length !== f.length) {
        return `world.${name} is no longer an array of ${f.length}`;
      } else {
        const i = v.findIndex((x) => !isSlotValue(x));
        if (i >= 0) return `world.${name}[${i}] = ${String(v[i])} is not an integer`;
      }
    }
    return undefined;
  }

  /**
   * The first difference between the engine's state (the stepper's slots) and xstate's: an actor's control
   * state, final-ness, context or budget, or a world field. Null when they agree.
   */
  difference(stepper: Stepper): string | null {
    const S = stepper.S;
    for (const actor of this.system.actors) {
      const shadow = this.actors[actor.index]!;
      const state = actor.machine.states[S[actor.stateSlot]!]!;
      if (state.name !== shadow.snapshot.value) return `${actor.name}'s control state: ${state.name} in the engine, ${String(shadow.snapshot.value)} in xstate`;
      if (state.final !== (shadow.snapshot.status === 'done')) return `${actor.name}'s final-ness: ${state.final} in the engine, not in xstate`;
      const context = shadow.snapshot.context as Record<string, unknown>;
      const keys = Object.keys(context).sort().join(', ');
      const declared = [...actor.machine.fieldNames].sort().join(', ');
      if (keys !== declared) return `${actor.name}'s context keys: {${keys}} in xstate, declared {${declared}}`;
      for (const [k, f] of actor.machine.fieldNames.entries()) {
        const x = asNumber(context[f]);
        if (S[actor.ctxBase + k] !== x) return `${actor.name}.${f}: ${S[actor.ctxBase + k]} in the engine, ${String(x)} in xstate`;
      }
      if (actor.budgetSlot >= 0 && S[actor.budgetSlot] !== shadow.budget) {
        return `${actor.name}'s budget: ${S[actor.budgetSlot]} in the engine, ${shadow.budget} in xstate`;
      }
    }
    const view = stepper.world;
    for (const [name, f] of Object.entries(this.system.spec.world)) {
      const plain = this.world[name];
      if (f.kind === 'scalar') {
        if (view[name] !== asNumber(plain)) return `world.${name}: ${String(view[name])} in the engine, ${String(plain)} in xstate`;
        continue;
      }
      if (f.kind === 'chan') {
        const engine = view[name] as Channel;
        if (!(plain instanceof Channel)) return `world.${name} is no longer a channel in xstate (an effect replaced it)`;
        if (engine.slots().some((v, i) => v !== plain.slots()[i])) return `world.${name}: ${engine.toString()} in the engine, ${plain.toString()} in xstate`;
        continue;
      }
      if (!Array.isArray(plain) || plain.length !== f.length) return `world.${name} is no longer an array of ${f.length} in xstate (an effect replaced it)`;
      const engine = Array.from(view[name] as Int32Array);
      const xs = plain.map(asNumber);
      if (engine.some((v, i) => v !== xs[i])) return `world.${name}: [${engine.join(', ')}] in the engine, [${xs.join(', ')}] in xstate`;
    }
    return null;
  }
}
