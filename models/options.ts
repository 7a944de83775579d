/**
 * What the model factories share to check their options once, when a model is built (never per state):
 * the shapes of the property constructors' options and `oneOf` for an option that names one of a few
 * variants. Each factory's own keys are a `Shape` beside its options interface, checked by `assertShape`
 * (checker/keys.ts) at the top of the factory: a misspelt key is refused, never left at its default.
 */
import { shown, type Shape } from '../checker/index.js';

/** The options of a factory that takes only a name (most property constructors, forkPinParentActor). */
export const NAME_OPTIONS: Shape<{ readonly name?: string }> = { name: 'string' };

/** The options of a property about one actor. */
export const ACTOR_PROPERTY_OPTIONS: Shape<{ readonly actor: string; readonly name?: string }> = { actor: 'string', name: 'string' };

/**
 * `value` when it is one of `names`, `fallback` when it is absent and a fallback is given; otherwise a
 * RangeError naming the factory, the option and the names there are (`readKcoreIter: kcoreLoop 'bounc'
 * (a string) is not one of shipped, bounce`). For an option whose type is a union of names: a value
 * outside it would otherwise select a variant silently.
 */
export function oneOf<T extends string>(who: string, key: string, value: T | undefined, names: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!names.includes(value as T)) throw new RangeError(`${who}: ${key} ${shown(value)} is not one of ${names.join(', ')}`);
  return value as T;
}
