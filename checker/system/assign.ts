/**
 * What an `assign` may write into a context slot, shared by the interpreter (step.ts) and the generated
 * expand function (codegen.ts): an integer as is, a boolean as 0/1, anything else is a model error.
 */
import type { CompiledActor } from './system.js';

/**
 * An assign wrote what a context slot cannot hold (a non-integer, an undeclared field, no object at all):
 * the engine's stricter check, which xstate's plain context lacks - replay's xstate witness does not count
 * it as a disagreement (search/replay.ts), as it does not a WorldAccessError.
 */
export class AssignError extends Error {
  override name = 'AssignError';
}

export function coerceAssigned(v: unknown, actor: string, key: string): number {
  if (typeof v === 'number' && (v | 0) === v) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new AssignError(`actor '${actor}': assign ${key} = ${shownValue(v)}, which is not an integer`);
}

/**
 * A guard returned something other than a boolean or a number: `undefined` (a block body without `return`),
 * a promise, an object. xstate reads it for truthiness, so such a guard is quietly false or true; the engine
 * refuses it, as it refuses an assign of a non-integer (replay's xstate witness does not count it either).
 */
export class GuardResultError extends Error {
  override name = 'GuardResultError';
}

/** A guard's result other than `true`/`false` (those are tested before this is called): a number's truth, or a model error. */
export function guardResult(v: unknown, guard: string): boolean {
  if (typeof v === 'number') return v !== 0 && v === v;
  throw new GuardResultError(`${guard} returned ${shownValue(v)}, not a boolean${v === undefined ? ' (a missing return?)' : ''}`);
}

/** A written value as a reader tells it apart: '2' (a string) from 2, a promise from an object. */
export function shownValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}' (a string)`;
  if (typeof v === 'bigint') return `${v}n (a bigint)`;
  if (typeof v === 'object' && v !== null)
    return typeof (v as { then?: unknown }).then === 'function' ? 'a promise' : Array.isArray(v) ? 'an array' : 'an object';
  return typeof v === 'function' ? 'a function' : String(v);
}

/** Applies a function-form `assign`'s result (a partial context) to the actor's slots. */
export function applyPartialAssign(S: Int32Array, actor: CompiledActor, partial: Record<string, unknown>): void {
  if (typeof partial !== 'object' || partial === null) {
    throw new AssignError(`actor '${actor.name}': an assign function returned ${shownValue(partial)}, not an object of context fields`);
  }
  for (const key of Object.keys(partial)) {
    const k = actor.machine.fieldNames.indexOf(key);
    if (k < 0) throw new AssignError(`actor '${actor.name}': assign to '${key}', which is not a declared field`);
    S[actor.ctxBase + k] = coerceAssigned(partial[key], actor.name, key);
  }
}
