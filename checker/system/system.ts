/**
 * A system: an ordered list of actors over a shared world, plus properties. `compileSystem` turns the
 * declarative spec into the layout and the flat per-actor step tables the engine runs.
 *
 * Slot order (and so the packed layout): world fields in declaration order (arrays element by element),
 * then per actor in order: its control state, its budget (environment actors), its context fields.
 */
import type { ActorKind, ActorSpec, ChoiceCount, Fairness } from './actor.js';
import { chanSlotSpecs } from './channel.js';
import { ASYNC_REFUSED, compileMachine, isAsyncFunction, ModelCompileError, type Args, type CompiledMachine } from './compile.js';
import { fieldKeysProblem, int, rangeProblem, type FieldSpecs, type ScalarField } from './fields.js';
import { closestWord, shapeProblem, type Shape } from '../keys.js';
import { Layout, type SlotSpec } from './layout.js';
import { validateSymmetry } from '../reduce/symmetry.js';
import { contextViewFactory, worldViewFactory, type ContextViewFactory, type WorldViewFactory } from './views.js';
import { propertyKeysProblem, type Property } from '../properties/property.js';

export interface SystemSpec<W = any> {
  readonly name: string;
  /** The shared world: small integers, fixed arrays of them, and FIFO channels of them. */
  readonly world: FieldSpecs;
  readonly actors: readonly ActorSpec<any, W>[];
  readonly properties: readonly Property<W>[];
  /**
   * Groups of interchangeable actors, by name: `{ readers: ['R0', 'R1', 'R2'] }` (Murphi's scalarset).
   * World arrays `indexedBy` a group and fields holding its `actorId`s are renamed with its members
   * (checker/reduce/symmetry.ts). Checked here: members share machine, fields, kind, fairness and budget.
   */
  readonly symmetric?: Readonly<Record<string, readonly string[]>>;
}

export interface CompiledActor {
  readonly index: number;
  readonly name: string;
  readonly kind: ActorKind;
  readonly fairness: Fairness;
  readonly machine: CompiledMachine;
  readonly spec: ActorSpec;
  readonly stateSlot: number;
  /** -1 for thread actors. */
  readonly budgetSlot: number;
  readonly ctxBase: number;
  /** Per event index: number of choices (constant or function of the pre-state). */
  readonly choices: readonly ChoiceCount[];
  /** Per event index: budget units a step costs (environment actors). */
  readonly cost: Int32Array;
}

export interface CompiledSystem<W = any> {
  readonly name: string;
  readonly spec: SystemSpec<W>;
  readonly layout: Layout;
  readonly actors: readonly CompiledActor[];
  readonly properties: readonly Property<W>[];
  /** The initial state, unpacked. */
  readonly initial: Int32Array;
  readonly worldView: WorldViewFactory;
  readonly contextView: readonly ContextViewFactory[];
  /** Slot index of each world field's first slot. */
  readonly worldOffsets: ReadonlyMap<string, number>;
}

export class SystemDefinitionError extends Error {
  override name = 'SystemDefinitionError';
}

/** Identity function that gives a spec its types. */
export function defineSystem<W>(spec: SystemSpec<W>): SystemSpec<W> {
  return spec;
}

/** A system's keys: a key not listed (`propertes`, `symetric`) is a typo, refused. The values are checked below. */
const SYSTEM_SPEC: Shape<SystemSpec> = { name: 'string', world: 'checked', actors: 'checked', properties: 'checked', symmetric: 'object' };

/**
 * An actor's keys (`fairnes`, `lable`, `choice` are typos, refused). The machine is xstate's: its own
 * config is xstate's business, checked by xstate and compile.ts, not here; `input` is passed to the
 * machine's context factory as it is, so it may be anything.
 */
const ACTOR_SPEC: Shape<ActorSpec> = {
  name: 'string',
  machine: 'checked',
  input: 'checked',
  kind: 'checked',
  fairness: 'checked',
  budget: 'checked',
  fields: 'checked',
  choices: 'object',
  cost: 'object',
  label: 'checked',
};

/** What is wrong with the spec's outline (a build() that returned nothing, actors that are not an array), or null. */
function specShapeProblem(spec: unknown): string | null {
  const expected = 'a system is { name, world, actors: [...], properties: [...] }';
  const what = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : typeof x);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    return `the system is ${spec === undefined ? 'undefined' : what(spec)} (does the scenario's build() return it?): ${expected}`;
  const s = spec as Record<string, unknown>;
  if (typeof s.then === 'function') return `the system is a promise (is build() async?): build() returns the system itself: ${expected}`;
  const name = typeof s.name === 'string' ? `system '${s.name}'` : 'the system';
  if (typeof s.name !== 'string') return `the system's name is ${what(s.name)}, not a string: ${expected}`;
  const keys = shapeProblem(s, SYSTEM_SPEC, name);
  if (keys) return keys;
  if (typeof s.world !== 'object' || s.world === null || Array.isArray(s.world)) return `${name}: its world is ${what(s.world)}: ${expected}`;
  const proto = Object.getPrototypeOf(s.world) as unknown;
  if (proto !== Object.prototype && proto !== null)
    return `${name}: its world is a ${(s.world as object).constructor?.name ?? 'class instance'}, not a plain object of fields ({ n: int(0, 3), ... })`;
  for (const k of ['actors', 'properties'] as const) if (!Array.isArray(s[k])) return `${name}: its ${k} is ${what(s[k])}, not an array: ${expected}`;
  const actors = s.actors as unknown[];
  const bad = actors.findIndex((a) => typeof a !== 'object' || a === null);
  if (bad >= 0) return `${name}: actor #${bad} is ${what(actors[bad])}, not { name, machine, fields }`;
  for (const [k, a] of (actors as Record<string, unknown>[]).entries()) {
    const actor = typeof a.name === 'string' ? `actor '${a.name}'` : `actor #${k}`;
    if (typeof a.name !== 'string') return `${name}: ${actor}'s name is ${what(a.name)}, not a string`;
    const actorKeys = shapeProblem(a, ACTOR_SPEC, `${name}: ${actor}`);
    if (actorKeys) return actorKeys;
    const m = a.machine as { root?: unknown; getInitialSnapshot?: unknown } | null | undefined;
    if (typeof m !== 'object' || m === null || typeof m.root !== 'object' || typeof m.getInitialSnapshot !== 'function')
      return `${name}: ${actor}: its machine is ${what(m)}, not an xstate machine (setup({...}).createMachine({...}) or createMachine({...}))`;
    if (typeof a.fields !== 'object' || a.fields === null || Array.isArray(a.fields))
      return `${name}: ${actor}: its fields are ${what(a.fields)}: give the domain of each context field ({ pos: int(0, 3) }, or {} for none)`;
  }
  const props = s.properties as unknown[];
  const badProp = props.findIndex((p) => typeof p !== 'object' || p === null || typeof (p as { name?: unknown }).name !== 'string');
  if (badProp >= 0) return `${name}: property #${badProp} is not a property (use invariant(), progress(), bound(), ...)`;
  const unnamed = props.findIndex((p) => (p as { name: string }).name.trim() === '');
  if (unnamed >= 0) return `${name}: property #${unnamed} has an empty name (every report names the property)`;
  return null;
}

/**
 * Names the world and context views have of their own (a view's class `constructor`, the `toJSON` that
 * prints it, the object's `__proto__`): a field by one of them would be shadowed by, or shadow, the view's
 * own member, and its writes read back as something else.
 */
const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set(['constructor', 'toJSON', '__proto__']);
const reservedName = (name: string): string =>
  `'${name}' is a name the world and context objects use themselves (${[...RESERVED_FIELD_NAMES].join(', ')}); rename the field`;

/** ` (events: a, b; did you mean 'a'?)` for an event name no state accepts. */
const unknownEvent = (name: string, events: readonly string[]): string => {
  const close = closestWord(name, events);
  return ` (events: ${events.join(', ')}${close === undefined ? '' : `; did you mean '${close}'?`})`;
};

const MAX_ACTORS = 255;
const MAX_EVENTS = 255;
/** Choices per step are encoded in 16 bits of the step id. */
export const MAX_CHOICES = 0xffff;

export function compileSystem<W>(spec: SystemSpec<W>): CompiledSystem<W> {
  const shape = specShapeProblem(spec);
  if (shape) throw new SystemDefinitionError(shape);
  const fail = (msg: string): never => {
    throw new SystemDefinitionError(`system '${spec.name}': ${msg}`);
  };
  if (spec.actors.length === 0) fail('it has no actors');
  if (spec.actors.length > MAX_ACTORS) fail(`it has ${spec.actors.length} actors; at most ${MAX_ACTORS} are supported`);
  const slots: SlotSpec[] = [];
  const worldOffsets = new Map<string, number>();
  // Field specs may be written by hand rather than by int()/array(): their domains are checked here too.
  const domain = (what: string, f: unknown): void => {
    const s = f as Partial<ScalarField> | undefined;
    const problem = s?.kind !== 'scalar' ? 'is not a field (use int(), bool(), enumOf())' : rangeProblem(s.min!, s.max!);
    if (problem) fail(`${what}: ${problem}`);
    const keys = fieldKeysProblem(f, what);
    if (keys) fail(keys);
  };
  for (const [name, field] of Object.entries(spec.world)) {
    if (RESERVED_FIELD_NAMES.has(name)) fail(`world field ${reservedName(name)}`);
    const keys = fieldKeysProblem(field, `world field '${name}'`);
    if (keys) fail(keys);
    if (field?.kind === 'array') domain(`world field '${name}'`, field.element);
    else if (field?.kind === 'chan') field.element.forEach((f, k) => domain(`world channel '${name}' message field ${k}`, f));
    else domain(`world field '${name}'`, field);
    worldOffsets.set(name, slots.length);
    if (field.kind === 'scalar') slots.push({ name, field });
    else if (field.kind === 'chan') slots.push(...chanSlotSpecs(name, field));
    else for (let i = 0; i < field.length; i++) slots.push({ name: `${name}[${i}]`, field: { ...field.element, init: field.init[i]! } });
  }
  const names = new Set<string>();
  const contextViews = new Map<unknown, Map<string, ContextViewFactory>>();
  const actors: CompiledActor[] = [];
  const contextView: ContextViewFactory[] = [];
  const initialValues: number[] = slots.map((s) => s.field.init);

  for (const [index, a] of spec.actors.entries()) {
    if (names.has(a.name)) fail(`two actors are named '${a.name}'`);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(a.name)) fail(`actor name '${a.name}' must be letters, digits, '_', '.', '-'`);
    names.add(a.name);
    const kind = a.kind ?? 'thread';
    const fairness = a.fairness ?? (kind === 'thread' ? 'weak' : 'none');
    if (kind !== 'thread' && kind !== 'environment') fail(`actor '${a.name}': kind ${JSON.stringify(kind)} is neither 'thread' nor 'environment'`);
    if (!['weak', 'strong', 'none'].includes(fairness)) fail(`actor '${a.name}': fairness ${JSON.stringify(fairness)} is not 'weak', 'strong' or 'none'`);
    if (a.label !== undefined && typeof a.label !== 'function') fail(`actor '${a.name}': its label is ${typeof a.label}, not a function of the step`);
    if (kind === 'environment' && fairness !== 'none') fail(`environment actor '${a.name}' cannot be fair; its budget bounds it`);
    if (kind === 'environment' && (a.budget === undefined || !Number.isInteger(a.budget) || a.budget < 0)) {
      fail(`environment actor '${a.name}' needs a budget (a whole number of steps, 0 or more)`);
    }
    if (kind === 'thread' && a.budget !== undefined) fail(`thread actor '${a.name}' cannot have a budget; make it an environment actor`);
    const fieldNames = Object.keys(a.fields);
    for (const f of fieldNames) {
      if (RESERVED_FIELD_NAMES.has(f)) fail(`actor '${a.name}' field ${reservedName(f)}`);
      domain(`actor '${a.name}' field '${f}'`, a.fields[f]);
    }
    const stateSlot = slots.length;
    // The state slot's domain is filled in once the machine is compiled; reserve it now.
    slots.push({ name: `${a.name}@state`, field: int(0, 0) });
    initialValues.push(0);
    let budgetSlot = -1;
    if (kind === 'environment') {
      budgetSlot = slots.length;
      slots.push({ name: `${a.name}@budget`, field: int(0, a.budget!, a.budget!) });
      initialValues.push(a.budget!);
    }
    const ctxBase = slots.length;
    for (const f of fieldNames) {
      slots.push({ name: `${a.name}.${f}`, field: a.fields[f]! });
      initialValues.push(a.fields[f]!.init);
    }
    let machine: CompiledMachine;
    try {
      machine = compileMachine(a.machine, a.input, fieldNames, (f) => ctxBase + fieldNames.indexOf(f), `actor '${a.name}' (machine '${a.machine.id}')`);
    } catch (e) {
      if (e instanceof ModelCompileError || e instanceof TypeError) throw new SystemDefinitionError(`system '${spec.name}': ${e.message}`);
      throw e;
    }
    if (machine.eventTypes.length > MAX_EVENTS) fail(`actor '${a.name}' has more than ${MAX_EVENTS} event types`);
    const stateNames = machine.states.map((s) => s.name);
    slots[stateSlot] = {
      name: `${a.name}@state`,
      field: { kind: 'scalar', min: 0, max: stateNames.length - 1, init: machine.initialState, names: stateNames },
    };
    initialValues[stateSlot] = machine.initialState;
    for (const [k, f] of fieldNames.entries()) {
      const v = machine.initialContext[f];
      const dom = a.fields[f]!;
      const n = typeof v === 'boolean' ? Number(v) : v;
      if (typeof v === 'string' && dom.names?.includes(v)) {
        fail(
          `actor '${a.name}': initial ${f} = '${v}' is a name; context fields hold integers (an enumOf() value is its index: ${dom.names.indexOf(v)} for '${v}')`,
        );
      }
      if (typeof n !== 'number' || !Number.isInteger(n) || n < dom.min || n > dom.max) {
        fail(`actor '${a.name}': initial ${f} = ${String(v)} is outside its declared domain ${dom.min}..${dom.max}`);
      }
      initialValues[ctxBase + k] = n as number;
    }
    for (const key of Object.keys(a.choices ?? {})) {
      if (!machine.eventTypes.includes(key))
        fail(`actor '${a.name}': choices given for '${key}', which no state of the machine accepts${unknownEvent(key, machine.eventTypes)}`);
    }
    for (const [key, c] of Object.entries(a.cost ?? {})) {
      if (!machine.eventTypes.includes(key))
        fail(`actor '${a.name}': a cost given for '${key}', which no state of the machine accepts${unknownEvent(key, machine.eventTypes)}`);
      if (!Number.isInteger(c) || c < 0) fail(`actor '${a.name}': the cost of '${key}' must be a whole number, 0 or more, not ${String(c)}`);
    }
    for (const [key, c] of Object.entries(a.choices ?? {}))
      if (isAsyncFunction(c)) fail(`actor '${a.name}': the choices function of '${key}' ${ASYNC_REFUSED}`);
    if (isAsyncFunction(a.label)) fail(`actor '${a.name}': its label function ${ASYNC_REFUSED}`);
    const choices = machine.eventTypes.map((t) => a.choices?.[t] ?? 1);
    for (const c of choices)
      if (typeof c === 'number' && (!Number.isInteger(c) || c < 0 || c > MAX_CHOICES))
        fail(`actor '${a.name}': a choice count must be a whole number up to ${MAX_CHOICES}`);
    const cost = Int32Array.from(machine.eventTypes.map((t) => a.cost?.[t] ?? (kind === 'environment' ? 1 : 0)));
    // One view class per machine and field order: actors sharing both share the class (one shape
    // for the machine's guards), and a different declaration order gets its own offsets.
    const viewKey = `${fieldNames.join(',')}`;
    let byFields = contextViews.get(a.machine);
    if (!byFields) contextViews.set(a.machine, (byFields = new Map()));
    let view = byFields.get(viewKey);
    if (!view) {
      // Named after the machine (`context-<machine id>.js`), numbered when one machine has two field orders.
      const what = `context-${a.machine.id}${byFields.size ? `-${byFields.size + 1}` : ''}`;
      view = contextViewFactory(fieldNames, spec.name, what, `machine '${a.machine.id}'`);
      byFields.set(viewKey, view);
    }
    contextView.push(view);
    actors.push({ index, name: a.name, kind, fairness, machine, spec: a as ActorSpec, stateSlot, budgetSlot, ctxBase, choices, cost });
  }
  const layout = new Layout(
    slots.map((s, i) => ({ name: s.name, field: { ...s.field, init: initialValues[i]! } as ScalarField })),
    spec.name,
  );
  validateSymmetry(spec, { actors, layout });
  const propertyNames = new Set<string>();
  for (const p of spec.properties) {
    if (propertyNames.has(p.name)) fail(`two properties are named '${p.name}'`);
    const keys = propertyKeysProblem(p);
    if (keys) fail(keys);
    for (const [k, f] of Object.entries(p)) if (isAsyncFunction(f)) fail(`property '${p.name}': its ${k} ${ASYNC_REFUSED}`);
    propertyNames.add(p.name);
  }
  return {
    name: spec.name,
    spec,
    layout,
    actors,
    properties: spec.properties,
    initial: Int32Array.from(initialValues),
    worldView: worldViewFactory(spec.world, worldOffsets, spec.name),
    contextView,
    worldOffsets,
  };
}

/** Re-export for the step code: the argument shape guards and actions receive. */
export type { Args };
