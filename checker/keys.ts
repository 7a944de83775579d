/**
 * The keys of the objects faultline's API takes: options (`check()`, `replay()`, the trace formatters),
 * specs (a system, an actor, a field) and the options of the property constructors. A key the API does
 * not know is a typo until shown otherwise: `check(system, { maxState: 100 })` would otherwise run with
 * the default bound and let the user believe they set one. So an unknown key is refused, named with the
 * keys there are and the one most likely meant, and a known key's value of the wrong type is named with
 * the value. Checked once, when a thing is defined or a check starts - never per state.
 */

/** What a key's value must be: `checked` when the code that reads the key checks the value itself (a range, a list of names). */
export type KeyType = 'boolean' | 'function' | 'string' | 'number' | 'object' | 'array' | 'checked';

/** Every key an object may have, with the type of its value: `Record<keyof T, ...>` so a key added to T must be added here. */
export type Shape<T> = { readonly [K in keyof Required<T>]: KeyType };

/**
 * Edit distance between two words, case ignored: insertions, deletions, substitutions and swaps of
 * neighbours (optimal string alignment), so `explian` is one edit from `explain`.
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // d[i][j]: the distance between x's first i characters and y's first j.
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

/**
 * The known word `word` most likely stands for, or undefined: the nearest within a few edits (one for a
 * word of up to 3 characters, two up to 6, three beyond), else the only known word it abbreviates
 * (`descr` for `description`). Ties go to the word listed first.
 */
export function closestWord(word: string, known: readonly string[]): string | undefined {
  const limit = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const dist = distance(word, k);
    if (dist < bestDistance) [best, bestDistance] = [k, dist];
  }
  if (best !== undefined) return best;
  const abbreviated = word.length >= 3 ? known.filter((k) => k.toLowerCase().startsWith(word.toLowerCase())) : [];
  return abbreviated.length === 1 ? abbreviated[0] : undefined;
}

/** ` (did you mean 'maxStates'?)`, or nothing when no known word is close. */
export function didYouMean(word: string, known: readonly string[]): string {
  const close = closestWord(word, known);
  return close === undefined ? '' : ` (did you mean '${close}'?)`;
}

/** A value as a message shows it: `'100' (a string)`, `null`, `an array`, `an object`, `a function`, `5`. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  return String(value);
}

const TYPE_NAMES: Record<Exclude<KeyType, 'checked'>, string> = {
  boolean: 'true or false',
  function: 'a function',
  string: 'a string',
  number: 'a number',
  object: 'an object',
  array: 'an array',
};

function hasType(value: unknown, type: KeyType): boolean {
  switch (type) {
    case 'checked':
      return true;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

/**
 * What is wrong with `value` as an object of `shape`'s keys, or null: not an object at all, a key the
 * shape does not list (with the keys it lists and the closest of them), or a known key whose value is of
 * the wrong type (with the value). A key set to `undefined` counts as absent, as an optional key is.
 * `what` names the object: `check() options`, `actor 'CPU0'`.
 */
export function shapeProblem<T>(value: unknown, shape: Shape<T>, what: string): string | null {
  const known = Object.keys(shape);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${what} must be an object ({ ${known.join(', ')} }), not ${shown(value)}`;
  const types = shape as Readonly<Record<string, KeyType>>;
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(types, key)) return `${what}: unknown key '${key}'${didYouMean(key, known)}; the keys are ${known.join(', ')}`;
    const v = (value as Record<string, unknown>)[key];
    const type = types[key]!;
    if (v !== undefined && type !== 'checked' && !hasType(v, type)) return `${what}: ${key} must be ${TYPE_NAMES[type]}, not ${shown(v)}`;
  }
  return null;
}

/** Throws `shapeProblem` as a RangeError (or the module's own error class). */
export function assertShape<T>(value: unknown, shape: Shape<T>, what: string, error: new (message: string) => Error = RangeError): void {
  const problem = shapeProblem(value, shape, what);
  if (problem) throw new error(problem);
}
