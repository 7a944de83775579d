/**
 * Resolving what the user named: a built-in scenario id, or a path to a scenario file of their own
 * (`./my.scenario.ts` exporting a scenario as default or as `scenario`).
 */
import { existsSync, statSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findScenario, parseTarget, scenarioDefinitionProblem, scenarios, type AnyScenario } from '../scenarios/index.js';
import { UsageError } from './errors.js';
import { typeChecking, typeErrors } from './typecheck.js';

const FILE = /\.([mc]?[jt]s)$/;

export function looksLikeFile(target: string): boolean {
  return FILE.test(target.split(':')[0] ?? '') || target.startsWith('.') || target.startsWith('/');
}

/** Splits a target into scenario and variant: `ID[:VARIANT]` or `path/to/file.ts[:VARIANT]`. */
export async function loadTarget(target: string, cwd: string): Promise<{ scenario: AnyScenario; variant: string | undefined }> {
  const { id, variant } = parseTarget(target);
  if (looksLikeFile(id)) return { scenario: await loadScenarioFile(id, cwd), variant };
  const s = findScenario(id);
  // Not a built-in id but something on disk (`probes/`, `package.json`): say what it is, not "unknown scenario".
  if (!s && existsSync(resolve(cwd, id))) return { scenario: await loadScenarioFile(id, cwd), variant };
  if (!s) throw new UsageError(`unknown scenario '${id}' (scenarios: ${scenarios.map((x) => x.id).join(', ')}; or a path to a .ts/.js scenario file)`);
  return { scenario: checkedScenario(s), variant };
}

/** A built-in scenario whose definition is sound; a broken one is reported, never checked. */
export function checkedScenario(s: AnyScenario): AnyScenario {
  const problem = scenarioDefinitionProblem(s);
  if (problem) throw new UsageError(`scenario '${s.id}': ${problem}`);
  return s;
}

/** A definition's own problem; a definition too malformed to inspect (a TypeError on the way) is one too. */
function definitionProblem(s: AnyScenario): string | null {
  try {
    return scenarioDefinitionProblem(s);
  } catch (e) {
    return `the scenario definition is malformed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** The fields isScenario() lets through as `object` must be records (not null, not arrays) of records. */
function shapeProblem(s: AnyScenario): string | null {
  const record = (x: unknown): boolean => typeof x === 'object' && x !== null && !Array.isArray(x);
  for (const field of ['params', 'variants'] as const) {
    const value: unknown = s[field];
    if (!record(value)) return `'${field}' must be an object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
    for (const [k, v] of Object.entries(value as object)) if (!record(v)) return `${field === 'params' ? 'parameter' : 'variant'} '${k}' must be an object`;
  }
  if (s.validate !== undefined && typeof s.validate !== 'function') return `'validate' must be a function, not ${typeof s.validate}`;
  return null;
}

function isScenario(x: unknown): x is AnyScenario {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return (
    typeof s.id === 'string' &&
    typeof s.build === 'function' &&
    typeof s.variants === 'object' &&
    typeof s.params === 'object' &&
    typeof s.defaultVariant === 'string'
  );
}

/**
 * faultline's own copy, whichever way it runs: compiled (dist/cli/load.js, the package) or from the
 * TypeScript sources through tsx (dev and tests). `faultline` and `faultline/models` in a user's files
 * resolve here when their folder has no faultline of its own.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const JS = FROM_SOURCES ? 'ts' : 'js';
export const OWN = {
  root: new URL(FROM_SOURCES ? '../' : '../../', import.meta.url).href,
  faultline: new URL(`../index.${JS}`, import.meta.url).href,
  models: new URL(`../models/index.${JS}`, import.meta.url).href,
} as const;

let hooked = false;

/**
 * Once per thread: lets a scenario file load from any folder (cli/scenarioHooks.mjs): a .ts file is an ES
 * module whatever its package.json says (tsx compiles it: registered here, only when a scenario file is
 * loaded, so a run of built-in scenarios never pays for it), and `faultline` / `faultline/models` /
 * `xstate` fall back to faultline's own copies.
 */
async function hookScenarioImports(): Promise<void> {
  if (hooked) return;
  hooked = true;
  // From the sources tsx is already registered (it runs faultline itself); the hooks go after it so they run first.
  if (!FROM_SOURCES) (await import('tsx/esm/api')).register();
  register('./scenarioHooks.mjs', import.meta.url, { data: OWN });
  fallBackInRequire();
  strictCommonJs();
}

/**
 * A user's CommonJS files (a `.cjs` scenario, a `.js` one under `"type": "commonjs"`, a helper either
 * requires) run in strict mode, as ES modules and `.ts` files always do: in sloppy mode a write into one of
 * the frozen world arrays a guard reads is dropped without a word (and read later as nondeterminism), an
 * assignment to an undeclared name makes a global that outlives the state. The directive goes in front of
 * the first line (after a `#!` line), so line numbers stay; files under node_modules are left as they are.
 * CommonJS is compiled at one entry point, Module.prototype._compile (module hooks do not see it on Node 20).
 */
const STRICT = "'use strict';";
/** The files made strict, and the line (1, or 2 after a `#!` line) that starts with STRICT: a column on it is STRICT.length too far right. */
const madeStrict = new Map<string, number>();

function strictCommonJs(): void {
  type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
  const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
  const compile = proto._compile;
  proto._compile = function (this: unknown, content: string, filename: string, ...rest: unknown[]): unknown {
    if (typeof content !== 'string' || /[\\/]node_modules[\\/]/.test(filename)) return compile.call(this, content, filename, ...rest);
    const shebang = content.startsWith('#!') ? content.indexOf('\n') + 1 : 0;
    // A file that is one `#!` line and nothing else has no code to make strict.
    if (content.startsWith('#!') && shebang === 0) return compile.call(this, content, filename, ...rest);
    madeStrict.set(filename, shebang === 0 ? 1 : 2);
    return compile.call(this, `${content.slice(0, shebang)}${STRICT}${content.slice(shebang)}`, filename, ...rest);
  };
}

/**
 * The same fallbacks for `require()` in a CommonJS scenario file (or helper), which module hooks do not
 * see on Node 20: CommonJS resolution is patched at its one entry point, Module._resolveFilename.
 */
function fallBackInRequire(): void {
  type Resolve = (request: string, ...rest: unknown[]) => string;
  const cjs = Module as unknown as { _resolveFilename: Resolve };
  const resolveFilename = cjs._resolveFilename;
  const ownRequire = createRequire(OWN.faultline);
  cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return resolveFilename.call(this, request, ...rest);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND' || !/^(faultline|xstate)(\/|$)/.test(request)) throw e;
      if (request === 'faultline') return fileURLToPath(OWN.faultline);
      if (request === 'faultline/models') return fileURLToPath(OWN.models);
      return ownRequire.resolve(request);
    }
  };
}

/** The scenario file being imported, if one is: named if the thread ends during its import (cli/worker.ts). */
export let loading: string | undefined;

export async function loadScenarioFile(path: string, cwd: string): Promise<AnyScenario> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  if (!existsSync(full)) throw new UsageError(`scenario file '${path}' does not exist`);
  if (statSync(full).isDirectory())
    throw new UsageError(
      `'${path}' is a folder, not a scenario file: name a .ts, .js, .mjs or .cjs file in it ('faultline gate FOLDER' checks every scenario file in a folder)`,
    );
  if (!FILE.test(full)) throw new UsageError(`'${path}' is not a scenario file (a scenario file is a .ts, .mts, .js, .mjs or .cjs module)`);
  let mod: Record<string, unknown>;
  await hookScenarioImports();
  loading = path;
  try {
    mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`scenario file '${path}' failed to load: ${loadErrorText(e, full, path)}`);
  } finally {
    loading = undefined;
  }
  if (typeChecking.enabled && /\.[mc]?ts$/.test(full)) {
    const errors = await typeErrors(full, cwd, OWN);
    if (errors.length) {
      throw new UsageError(`scenario file '${path}' has type errors (--no-typecheck skips this check):\n${errors.join('\n')}`);
    }
  }
  const named = Object.entries(mod).filter((e): e is [string, AnyScenario] => isScenario(e[1]));
  // Two named exports and no default: checking the first would leave the other unchecked without a word.
  if (!isScenario(mod.default) && !isScenario(mod.scenario) && named.length > 1) {
    const names = named.map(([k, v]) => `${k} (id '${v.id}')`).join(', ');
    throw new UsageError(
      `scenario file '${path}' exports ${named.length} scenarios (${names}) and no default: export default the one to check, or put each in its own file`,
    );
  }
  const candidate = isScenario(mod.default) ? mod.default : isScenario(mod.scenario) ? mod.scenario : named[0]?.[1];
  if (!candidate) {
    throw new UsageError(`scenario file '${path}' exports no scenario (export default defineScenario({ id, params, variants, defaultVariant, build, ... }))`);
  }
  const problem = shapeProblem(candidate) ?? definitionProblem(candidate);
  if (problem) throw new UsageError(`scenario file '${path}': ${problem}`);
  return candidate;
}

/**
 * One line for an error thrown while importing a scenario file. A syntax error comes from esbuild (through
 * tsx) as "Transform failed with N error(s):" and then `FILE:LINE:COL: ERROR: TEXT` per error: show the
 * first as `FILE:LINE:COL: TEXT`, the file as the user named it.
 */
export function loadErrorText(e: unknown, full: string, path: string): string {
  const lines = ((e as Error)?.message ?? String(e)).split('\n');
  const head = /^Transform failed with (\d+) errors?:$/.exec(lines[0] ?? '');
  const first = lines.slice(1).find((l) => /:\d+:\d+: (ERROR: )?/.test(l));
  if (!head || !first) return strictModeText(e, lines[0] ?? '', full, path);
  const more = Number(head[1]) - 1;
  const where = first.startsWith(`${full}:`) ? path + first.slice(full.length) : first;
  return where.replace(/^(.*?:\d+:\d+): ERROR: /, '$1: ') + (more > 0 ? ` (and ${more} more error${more === 1 ? '' : 's'})` : '');
}

/**
 * An error a file threw while it loaded, with where (`FILE:LINE[:COL]: `, from its stack: the first frame
 * in a file of the user's own) and, for what only sloppy mode allows, why: CommonJS files run in strict
 * mode here (strictCommonJs), so an assignment to an undeclared name or a `with` statement stops the load.
 */
function strictModeText(e: unknown, message: string, full: string, path: string): string {
  const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
  const shown = (file: string): string => (file === full ? path : file);
  // A SyntaxError from CommonJS starts its stack with `FILE:LINE`, then the line and a caret.
  const syntax = /^(\/[^\n]*?|[A-Za-z]:\\[^\n]*?):(\d+)\n/.exec(stack);
  const frame = stack
    .split('\n')
    .map((l) => /^\s+at (?:.*\()?(?:file:\/\/)?(\/[^()]*?|[A-Za-z]:\\[^()]*?):(\d+):(\d+)\)?$/.exec(l))
    .find((m) => m !== null && !/[\\/]node_modules[\\/]/.test(m[1]!) && !m[1]!.startsWith(fileURLToPath(OWN.root)));
  const column = (file: string, line: string, col: string): number => Number(col) - (madeStrict.get(file) === Number(line) ? STRICT.length : 0);
  const where = syntax ? `${shown(syntax[1]!)}:${syntax[2]}: ` : frame ? `${shown(frame[1]!)}:${frame[2]}:${column(frame[1]!, frame[2]!, frame[3]!)}: ` : '';
  const strict = 'scenario files and the files they require run in strict mode, as ES modules do';
  let why = '';
  if (e instanceof ReferenceError && / is not defined$/.test(message)) why = ` (${strict}: declare it with const, let or var)`;
  else if (e instanceof SyntaxError && /strict mode/i.test(message)) why = ` (${strict})`;
  return `${where}${message}${why}`;
}
