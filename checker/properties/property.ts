/**
 * Properties and the views they read. A property is data (its kind, name and predicate); the engine
 * runs one monitor per property over the states and steps it explores.
 */
import type { CompiledSystem } from '../system/system.js';
import { worldControl, type WorldControl } from '../system/views.js';
import type { ProgressProperty } from './progress.js';
import { assertShape, closestWord, shapeProblem, shown, type Shape } from '../keys.js';

/** One actor as a property sees it. */
export interface ActorView<C = Record<string, number>> {
  readonly name: string;
  readonly index: number;
  /** The control state's name. */
  readonly state: string;
  readonly final: boolean;
  /** Remaining budget (environment actors); -1 for threads. */
  readonly budget: number;
  readonly context: C;
}

/** A global state as a property sees it. Views are reused: do not keep them past the call. */
export interface StateView<W = any> {
  readonly world: W;
  readonly actors: readonly ActorView<any>[];
  /** The actor called `name`; throws if there is none. */
  actor(name: string): ActorView<any>;
}

/** The step a transition property is judging. */
export interface StepInfo {
  readonly actor: string;
  readonly actorIndex: number;
  readonly event: string;
  readonly choice: number;
}

export type PropertyKind = 'invariant' | 'transition' | 'deadlock' | 'bound' | 'progress' | 'assertion';

interface Base {
  readonly name: string;
  /** One line for `faultline show` and reports. */
  readonly description?: string;
}

export interface InvariantProperty<W = any> extends Base {
  readonly kind: 'invariant';
  readonly holds: (s: StateView<W>) => boolean;
  /** A sentence for the violation report, computed on the bad state. */
  readonly explain?: (s: StateView<W>) => string;
}

export interface TransitionProperty<W = any> extends Base {
  readonly kind: 'transition';
  readonly holds: (before: StateView<W>, after: StateView<W>, step: StepInfo) => boolean;
  readonly explain?: (before: StateView<W>, after: StateView<W>, step: StepInfo) => string;
}

export interface DeadlockProperty extends Base {
  readonly kind: 'deadlock';
}

export interface BoundProperty<W = any> extends Base {
  readonly kind: 'bound';
  readonly value: (s: StateView<W>) => number;
  readonly limit: number;
}

export type Property<W = any> = InvariantProperty<W> | TransitionProperty<W> | DeadlockProperty | BoundProperty<W> | ProgressProperty<W>;

/** Every key of each kind of property (`holds` and the other predicates are checked as the run calls them: propertyShapeProblem). */
const PROPERTY_SHAPES: { readonly [K in Property['kind']]: Shape<Extract<Property, { kind: K }>> } = {
  invariant: { kind: 'string', name: 'string', description: 'string', holds: 'checked', explain: 'function' },
  transition: { kind: 'string', name: 'string', description: 'string', holds: 'checked', explain: 'function' },
  deadlock: { kind: 'string', name: 'string', description: 'string' },
  bound: { kind: 'string', name: 'string', description: 'string', value: 'checked', limit: 'number' },
  progress: { kind: 'string', name: 'string', description: 'string', inFlight: 'checked', progress: 'checked' },
};

/**
 * What is wrong with a property's kind or keys, or null: a kind there is none of, or a key its kind
 * does not have (`descripton`, in a property written by hand), or a value of the wrong type (a bound's
 * limit that is not a number). Checked when the system is compiled.
 */
export function propertyKeysProblem(p: Property): string | null {
  const what = `property '${p.name}'`;
  const kinds = Object.keys(PROPERTY_SHAPES);
  if (typeof p.kind !== 'string' || !Object.hasOwn(PROPERTY_SHAPES, p.kind)) {
    const close = typeof p.kind === 'string' ? closestWord(p.kind, kinds) : undefined;
    return `${what}: its kind is ${shown(p.kind)}, not one of ${kinds.join(', ')}${close === undefined ? '' : ` (did you mean '${close}'?)`}`;
  }
  return shapeProblem<object>(p, PROPERTY_SHAPES[p.kind], what);
}

/**
 * A property constructor's arguments checked when it is called: its name a string, its options an
 * object of `shape`'s keys (`invariant(name, holds, { descripton })` is refused, not dropped).
 */
export function checkPropertyArgs<T>(constructor: string, name: unknown, options: unknown, shape: Shape<T>, first = "the property's name"): void {
  if (typeof name !== 'string') throw new RangeError(`${constructor}(): ${first} must be a string, not ${shown(name)}`);
  if (options !== undefined) assertShape(options, shape, `${constructor}('${name}') options`);
}

/**
 * What is wrong with a property's shape, or null: a predicate that is not a function, as when
 * `invariant(name, { holds })` is written for `invariant(name, holds)`. Said instead of "x is not a function".
 */
export function propertyShapeProblem(p: Property): string | null {
  const fns: Record<Property['kind'], readonly string[]> = {
    invariant: ['holds'],
    transition: ['holds'],
    bound: ['value'],
    progress: ['inFlight', 'progress'],
    deadlock: [],
  };
  for (const f of fns[p.kind] ?? []) {
    const v = (p as unknown as Record<string, unknown>)[f];
    if (typeof v !== 'function') {
      const what = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
      const hint = p.kind === 'invariant' && typeof v === 'object' ? ': write invariant(name, (s) => ..., { explain }), the predicate itself second' : '';
      return `its ${f} is ${what}, not a function${hint}`;
    }
  }
  return null;
}

/** One actor's view over a slot buffer: a class, so every property's `s.actors[i].x` sees one shape. */
class SlotActorView implements ActorView {
  constructor(
    readonly name: string,
    readonly index: number,
    readonly context: Record<string, number>,
    private readonly S: Int32Array,
    private readonly stateSlot: number,
    private readonly budgetSlot: number,
    private readonly states: readonly { readonly name: string; readonly final: boolean }[],
  ) {}
  get state(): string {
    return this.states[this.S[this.stateSlot]!]!.name;
  }
  get final(): boolean {
    return this.states[this.S[this.stateSlot]!]!.final;
  }
  get budget(): number {
    return this.budgetSlot >= 0 ? this.S[this.budgetSlot]! : -1;
  }
}

/** A StateView over a slot buffer, built from the system's generated views. */
export class SlotStateView implements StateView {
  readonly world: any;
  readonly actors: readonly ActorView[];
  private readonly byName: ReadonlyMap<string, ActorView>;
  private readonly control: WorldControl | null;

  constructor(system: CompiledSystem, S: Int32Array, world?: unknown) {
    this.world = world ?? system.worldView(S);
    this.control = worldControl(this.world as Record<string, unknown>);
    this.actors = system.actors.map(
      (a, i) => new SlotActorView(a.name, i, system.contextView[i]!(S, a.ctxBase), S, a.stateSlot, a.budgetSlot, a.machine.states),
    );
    this.byName = new Map(this.actors.map((a) => [a.name, a]));
  }

  /**
   * A property just read this view: throws (a WorldAccessError) if it wrote one of the world's arrays, which
   * only actions may write (checker/system/views.ts); the array is put back. A scalar write throws at once.
   */
  readOnly(): void {
    const wrote = this.control?.$check() ?? null;
    if (wrote !== null) throw wrote;
  }

  actor(name: string): ActorView {
    const a = this.byName.get(name);
    if (!a) throw new Error(`no actor named '${name}' (actors: ${[...this.byName.keys()].join(', ')})`);
    return a;
  }
}
