/**
 * Compiles an xstate v5 machine into a flat step table the engine runs without calling xstate: per
 * control state, the events it accepts in machine order, and per event the candidate transitions in
 * order (the first whose guard passes is taken, as xstate does). Guards, assign actions and named effect
 * actions are resolved once to plain functions; at run time they read the slot buffer through views.
 *
 * Supported: flat machines (atomic and final top-level states), guarded transitions with or without a
 * target, `reenter`, entry/exit actions, named and inline guards with params and the `and`/`or`/`not`
 * combinators, `assign` (object and function form) and named or inline effect actions. Anything else
 * (nested or parallel states, `always`, `after`, `invoke`, `raise`, `sendTo`, wildcard events) is refused
 * with a message naming the machine and state, because its meaning under atomic interleaving steps
 * would be a guess.
 */
import { initialTransition, type AnyStateMachine } from 'xstate';
import { guardResult } from './assign.js';

/** Arguments a guard or action receives: xstate's `{ context, event }`. */
export interface Args {
  context: Record<string, number>;
  event: { type: string; choice: number; world: unknown };
}

export type GuardFn = (args: Args) => boolean;

/** `label`: the action's name in the machine, or `inline assign` / `inline action` (generated code's comments). */
export type CompiledAction =
  | {
      readonly kind: 'assign';
      readonly label: string;
      readonly slots: Int32Array;
      readonly keys: readonly string[];
      readonly values: readonly unknown[];
      readonly params: unknown;
    }
  | { readonly kind: 'assignFn'; readonly label: string; readonly fn: (args: Args, params: unknown) => Record<string, unknown>; readonly params: unknown }
  | { readonly kind: 'effect'; readonly label: string; readonly name: string; readonly fn: (args: Args, params: unknown) => void; readonly params: unknown };

export interface CompiledTransition {
  readonly guard: GuardFn | null;
  /** What the guard is, for generated code's comments: see `guardLabel`. Null when there is no guard. */
  readonly guardLabel: string | null;
  /** Target control-state index, or -1 to stay (a targetless transition). */
  readonly target: number;
  readonly actions: readonly CompiledAction[];
  readonly description: string | undefined;
}

export interface CompiledEvent {
  /** Index of the event type within the actor (stable across states). */
  readonly index: number;
  readonly type: string;
  readonly transitions: readonly CompiledTransition[];
}

export interface CompiledState {
  readonly name: string;
  readonly final: boolean;
  readonly events: readonly CompiledEvent[];
  /** What an actor blocked here waits for, from the state's `meta.waitsFor` (a string or a function). */
  readonly waitsFor: unknown;
}

export interface CompiledMachine {
  readonly id: string;
  readonly states: readonly CompiledState[];
  readonly eventTypes: readonly string[];
  readonly initialState: number;
  readonly initialContext: Readonly<Record<string, unknown>>;
  readonly fieldNames: readonly string[];
}

/**
 * An `async` function (or async generator) where model code must be synchronous. A step is atomic and
 * nothing awaits what it returns: an async action's writes land after the step (outside any state), an
 * async guard's promise is always truthy, an async assign function stores a promise. Told by its
 * constructor, at no cost per step; a plain function that returns a promise is not caught here.
 */
export function isAsyncFunction(f: unknown): boolean {
  const name = typeof f === 'function' ? (f as { constructor?: { name?: unknown } }).constructor?.name : undefined;
  return name === 'AsyncFunction' || name === 'AsyncGeneratorFunction';
}

/** The sentence a refused async function ends with. */
export const ASYNC_REFUSED =
  'is an async function: model code is called synchronously and never awaited (nor is it by xstate), so what it returns is a promise; make it synchronous';

export class ModelCompileError extends Error {
  override name = 'ModelCompileError';
}

type AnyFn = (...a: unknown[]) => unknown;
interface MachineImpl {
  guards: Record<string, unknown>;
  actions: Record<string, unknown>;
}

/**
 * Which of xstate's guard combinators (`and`, `or`, `not`) a `check` function is, told by what it does
 * with two constant guards rather than by its `Function.name` (which bundlers and minifiers rename):
 * `and` is false for both orders, `or` true for both, `not` negates the first. Anything else (`stateIn`,
 * a future combinator) is undefined.
 */
export function combinatorKind(check: unknown): 'and' | 'or' | 'not' | undefined {
  if (typeof check !== 'function') return undefined;
  const yes = (): boolean => true;
  const no = (): boolean => false;
  const probe = (guards: unknown[]): unknown => {
    try {
      return (check as AnyFn)({ machine: { implementations: { guards: {} } } }, { context: {}, event: { type: '' } }, { guards });
    } catch {
      return undefined;
    }
  };
  const first = probe([yes, no]);
  const second = probe([no, yes]);
  if (first === false && second === false) return 'and';
  if (first === true && second === true) return 'or';
  if (first === false && second === true) return 'not';
  return undefined;
}

/**
 * A guard as generated code names it: a named guard by its name (`pagePresent`), a combinator by its kind
 * over its parts (`not pagePresent`, `(ready and hasRoom)`, told apart by `combinatorKind`), and a
 * function written inline as `inline guard` (its `Function.name` is only the property key it was written at).
 */
export function guardLabel(g: unknown): string {
  if (typeof g === 'string') return g;
  if (g !== null && typeof g === 'object' && 'type' in g) return String((g as { type: unknown }).type);
  if (typeof g !== 'function') return 'unrecognised guard';
  const f = g as { check?: unknown; guards?: unknown[] };
  if (f.check === undefined) return 'inline guard';
  const parts = (f.guards ?? []).map(guardLabel);
  const kind = combinatorKind(f.check) ?? 'combinator';
  return kind === 'not' ? `not ${parts[0] ?? '?'}` : `(${parts.join(` ${kind} `)})`;
}

/** A guard's result as a boolean: true and false as they are, anything else through guardResult (assign.ts). */
function truth(r: unknown, guard: string): boolean {
  return r === true || (r !== false && guardResult(r, guard));
}

/**
 * @param slotOf maps a context field name to its absolute slot index (for assign targets).
 */
export function compileMachine(
  machine: AnyStateMachine,
  input: unknown,
  fieldNames: readonly string[],
  slotOf: (field: string) => number,
  where: string,
): CompiledMachine {
  const impl = machine.implementations as unknown as MachineImpl;
  const root = machine.root;
  const fail = (msg: string): never => {
    throw new ModelCompileError(`${where}: ${msg}`);
  };
  if (root.type !== 'compound') fail(`the machine must have top-level states (found a ${root.type} root)`);
  for (const k of ['entry', 'exit'] as const) if (root[k].length) fail(`root ${k} actions are not supported`);
  if (root.transitions.size) fail('root-level `on` transitions are not supported; put them on each state');
  const nodes = Object.values(root.states);
  const index = new Map(nodes.map((n, i) => [n, i]));
  const eventIndex = new Map<string, number>();
  const eventTypes: string[] = [];

  const compileGuard = (g: unknown, at: string): GuardFn => {
    if (typeof g === 'string') {
      const resolved = impl.guards[g];
      if (resolved === undefined) fail(`${at}: guard '${g}' is not implemented (known: ${Object.keys(impl.guards).join(', ') || 'none'})`);
      if (isAsyncFunction(resolved)) fail(`${at}: guard '${g}' ${ASYNC_REFUSED}`);
      return compileGuard(resolved, at);
    }
    if (typeof g === 'function') {
      const builtin = g as { check?: unknown; guards?: unknown[] };
      if (builtin.check !== undefined) {
        // A part's result is read as the generated code reads a guard's (assign.ts guardResult).
        const parts = (builtin.guards ?? []).map((x): GuardFn => {
          const p = compileGuard(x, at);
          const name = `guard [${guardLabel(x)}] of machine '${machine.id}'`;
          return (a) => truth(p(a), name);
        });
        const kind = combinatorKind(builtin.check);
        if (kind === 'not' && parts.length === 1) {
          const p = parts[0]!;
          return (a) => !p(a);
        }
        if (kind === 'and') return (a) => parts.every((p) => p(a));
        if (kind === 'or') return (a) => parts.some((p) => p(a));
        fail(`${at}: guard combinator ${kind === undefined ? '' : `'${kind}' `}is not supported (and, or, not are)`);
      }
      // A plain guard is called as is, no wrapper in the hot path: its caller reads the result (guardResult).
      if (isAsyncFunction(g)) fail(`${at}: guard '${guardLabel(g)}' ${ASYNC_REFUSED}`);
      return g as GuardFn;
    }
    if (g !== null && typeof g === 'object' && 'type' in g) {
      const { type, params } = g as { type: string; params?: unknown };
      const resolved = impl.guards[type];
      if (typeof resolved !== 'function') fail(`${at}: guard '${type}' is not implemented`);
      const fn = resolved as AnyFn;
      if (isAsyncFunction(fn)) fail(`${at}: guard '${type}' ${ASYNC_REFUSED}`);
      const name = `guard [${type}] of machine '${machine.id}'`;
      if (typeof params === 'function') {
        const pf = params as AnyFn;
        return (a) => truth(fn(a, pf(a)), name);
      }
      return (a) => truth(fn(a, params), name);
    }
    return fail(`${at}: unrecognised guard ${String(g)}`);
  };

  const compileAssign = (assignment: unknown, params: unknown, label: string, at: string): CompiledAction => {
    if (typeof assignment === 'function') {
      if (isAsyncFunction(assignment)) fail(`${at}: assign '${label}' ${ASYNC_REFUSED}`);
      return { kind: 'assignFn', label, fn: assignment as (args: Args, p: unknown) => Record<string, unknown>, params };
    }
    const obj = assignment as Record<string, unknown>;
    const keys = Object.keys(obj);
    for (const k of keys) if (!fieldNames.includes(k)) fail(`${at}: assign to '${k}', which is not a declared field (${fieldNames.join(', ')})`);
    for (const k of keys) if (isAsyncFunction(obj[k])) fail(`${at}: assign '${label}' of '${k}' ${ASYNC_REFUSED}`);
    return { kind: 'assign', label, slots: Int32Array.from(keys.map(slotOf)), keys, values: keys.map((k) => obj[k]), params };
  };

  const compileAction = (a: unknown, at: string): CompiledAction => {
    let name: string | undefined;
    let params: unknown;
    let resolved: unknown = a;
    if (typeof a === 'string') {
      name = a;
      resolved = impl.actions[a];
    } else if (a !== null && typeof a === 'object' && 'type' in a) {
      name = (a as { type: string }).type;
      params = (a as { params?: unknown }).params;
      resolved = impl.actions[name];
    }
    if (typeof params === 'function') fail(`${at}: action '${name}' has a params function; pass constant params or read the context inside the action`);
    if (typeof resolved !== 'function') return fail(`${at}: action '${name ?? String(a)}' is not implemented`);
    const builtin = resolved as { type?: string; assignment?: unknown; resolve?: unknown; name: string };
    if (builtin.type === 'xstate.assign') return compileAssign(builtin.assignment, params, name ?? 'inline assign', at);
    if (builtin.resolve !== undefined)
      fail(`${at}: built-in action '${builtin.type ?? builtin.name}' is not supported (only assign and plain effect functions are)`);
    if (isAsyncFunction(resolved)) fail(`${at}: action '${name ?? 'inline action'}' ${ASYNC_REFUSED}`);
    return {
      kind: 'effect',
      label: name ?? 'inline action',
      name: name ?? (builtin.name || 'effect'),
      fn: resolved as (args: Args, p: unknown) => void,
      params,
    };
  };

  const states: CompiledState[] = nodes.map((node) => {
    const at = `state '${node.key}'`;
    if (node.type !== 'atomic' && node.type !== 'final') fail(`${at} is ${node.type}; only flat machines (atomic and final states) are supported`);
    if (node.always?.length) fail(`${at}: 'always' transitions are not supported`);
    if (node.after.length) fail(`${at}: delayed ('after') transitions are not supported`);
    if (node.invoke.length) fail(`${at}: 'invoke' is not supported`);
    const events: CompiledEvent[] = [];
    for (const [type, defs] of node.transitions) {
      if (type === '*' || type.includes('*')) fail(`${at}: wildcard event '${type}' is not supported`);
      if (type.startsWith('xstate.')) fail(`${at}: event '${type}' is internal to xstate`);
      let ei = eventIndex.get(type);
      if (ei === undefined) {
        ei = eventTypes.length;
        eventIndex.set(type, ei);
        eventTypes.push(type);
      }
      const transitions = defs.map((def, ti): CompiledTransition => {
        const tat = `${at}, event '${type}' transition ${ti}`;
        if (def.target && def.target.length !== 1) fail(`${tat}: exactly one target is supported`);
        const targetNode = def.target?.[0];
        if (targetNode && targetNode.parent !== root) fail(`${tat}: the target must be a top-level state`);
        const target = targetNode ? index.get(targetNode)! : -1;
        const leaves = targetNode !== undefined && (targetNode !== node || def.reenter);
        const raw = [...(leaves ? node.exit : []), ...def.actions, ...(leaves ? targetNode.entry : [])];
        return {
          guard: def.guard === undefined ? null : compileGuard(def.guard, tat),
          guardLabel: def.guard === undefined ? null : guardLabel(def.guard),
          target,
          actions: raw.map((a) => compileAction(a, tat)),
          description: def.description,
        };
      });
      events.push({ index: ei, type, transitions });
    }
    if (node.type === 'final' && events.length) fail(`${at} is final but has transitions`);
    const meta = node.meta as { waitsFor?: unknown } | undefined;
    return { name: node.key, final: node.type === 'final', events, waitsFor: meta?.waitsFor };
  });

  let snapshot: { value: unknown; context: Record<string, unknown> };
  try {
    [snapshot] = initialTransition(machine, input) as unknown as [typeof snapshot, unknown[]];
  } catch (e) {
    return fail(`the machine's initial context could not be computed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof snapshot.value !== 'string') fail('the initial state must be a top-level state');
  const initialState = nodes.findIndex((n) => n.key === snapshot.value);
  const initialContext = snapshot.context ?? {};
  const ctxKeys = Object.keys(initialContext);
  const missing = fieldNames.filter((f) => !ctxKeys.includes(f));
  const extra = ctxKeys.filter((k) => !fieldNames.includes(k));
  if (missing.length || extra.length) {
    fail(`the context keys (${ctxKeys.join(', ') || 'none'}) must match the declared fields (${fieldNames.join(', ') || 'none'})`);
  }
  const entry = nodes[initialState]!.entry;
  if (entry.length)
    fail(`the initial state '${nodes[initialState]!.key}' has entry actions; the engine starts from the machine's initial context and does not run them`);
  return { id: machine.id, states, eventTypes, initialState, initialContext, fieldNames };
}
