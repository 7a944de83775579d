/**
 * Type errors in a user's TypeScript scenario file, found by TypeScript's own checker before a verdict is
 * given (tsx, which loads the file, only strips types). The file and the files it imports are checked
 * with faultline's own types: `faultline` and `faultline/models` resolve as the scenario's imports do
 * (cli/scenarioHooks.mjs), to the shipped .d.ts when faultline runs compiled. Only diagnostics in the
 * user's files are reported; faultline's and node_modules' files are not checked for their own sake.
 * The compiler options are the nearest tsconfig.json's when there is one, else faultline's own strict ones.
 * TypeScript loads only here, so built-in scenarios never pay for it; `--no-typecheck` skips it.
 */
import { realpathSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type TS from 'typescript';

export interface TypeCheckPaths {
  /** faultline's package root and its two entry points, as file URLs (cli/load.ts OWN). */
  readonly root: string;
  readonly faultline: string;
  readonly models: string;
}

/** Whether scenario files are type-checked in this run (`--no-typecheck` turns it off; cli/program.ts). */
export const typeChecking = { enabled: true };

/** At most this many errors are listed; the rest are counted. */
const SHOWN = 10;

const require = createRequire(import.meta.url);
let previous: TS.Program | undefined;
const libraryFiles = new Map<string, TS.SourceFile>();

/**
 * The type errors in `file` and the user files it imports, one `FILE:LINE:COL: MESSAGE` line each (paths
 * relative to `cwd`), or [] when it type-checks.
 */
export async function typeErrors(file: string, cwd: string, own: TypeCheckPaths): Promise<string[]> {
  // Required, not imported: as an ES module import, Node's lexer and the scenario loader's hooks
  // (cli/scenarioHooks.mjs, tsx) would read all of typescript.js's 9 MB to find its exports.
  const ts = require('typescript') as typeof TS;
  // The real path, as Node loads it (relative imports in a symlinked file resolve from where it really is).
  const real = realpathSync(file);
  const options = compilerOptions(ts, file);
  const root = fileURLToPath(own.root);
  const isUsers = (f: string): boolean => !f.startsWith(root) && !f.includes('/node_modules/');
  // A file clean under the lean options is clean under the full ones (they only add declarations); one
  // that is not is checked again with the full options, so the errors shown are always theirs.
  const lean = leanOptions(ts, options);
  const found = lean ? diagnose(ts, real, lean, isUsers, own, root) : undefined;
  // An import of one of Node's own modules that no @types/node declares: unchecked (its names are `any`),
  // as a scenario run by Node needs no declarations for them. With @types/node installed it is checked.
  const diagnostics = (found?.length === 0 ? found : diagnose(ts, real, options, isUsers, own, root)).filter((d) => !undeclaredBuiltin(d));
  const lines = diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    const where = relative(cwd, d.file.fileName === real ? file : d.file.fileName);
    return `${where.startsWith('.') ? where : `./${where}`}:${line + 1}:${character + 1}: ${text}`;
  });
  if (lines.length <= SHOWN) return lines;
  return [...lines.slice(0, SHOWN), `(and ${lines.length - SHOWN} more)`];
}

/**
 * The options without what a scenario file almost never uses and that costs most of the time: the DOM
 * declarations of the default lib (lib.dom.d.ts alone is 1.9 MB of the 2.7 MB a tiny scenario pulls in)
 * and every @types package found in node_modules. Only defaults are dropped: a `lib` or `types` the
 * tsconfig.json names is kept. Undefined when there is nothing to drop.
 */
function leanOptions(ts: typeof TS, options: TS.CompilerOptions): TS.CompilerOptions | undefined {
  const defaultLib = ts.getDefaultLibFileName(options);
  const dropLib = options.lib === undefined && !options.noLib && defaultLib.endsWith('.full.d.ts');
  const dropTypes = options.types === undefined;
  if (!dropLib && !dropTypes) return undefined;
  return {
    ...options,
    ...(dropLib ? { lib: [defaultLib.replace(/\.full\.d\.ts$/, '.d.ts')] } : {}),
    ...(dropTypes ? { types: [] } : {}),
  };
}

/** The errors TypeScript finds in the user's files of the program rooted at `real`, under `options`. */
function diagnose(
  ts: typeof TS,
  real: string,
  options: TS.CompilerOptions,
  isUsers: (f: string) => boolean,
  own: TypeCheckPaths,
  root: string,
): TS.Diagnostic[] {
  const host = ts.createCompilerHost(options, true);
  // faultline's, xstate's and TypeScript's own declarations do not change while faultline runs: parsed
  // and bound once per thread (a gate of several scenario files, the tests' in-process runs).
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) => {
    if (isUsers(name)) return getSourceFile(name, version, ...rest);
    const key = `${name}\0${JSON.stringify(version)}`;
    let sf = libraryFiles.get(key);
    if (!sf) {
      sf = getSourceFile(name, version, ...rest);
      if (sf) libraryFiles.set(key, sf);
    }
    return sf;
  };
  const entry = (url: string): string => {
    const path = fileURLToPath(url);
    // Compiled, the types are the .d.ts beside the .js; from the sources, the .ts itself.
    return path.endsWith('.js') ? path.replace(/\.js$/, '.d.ts') : path;
  };
  const ownEntries: Record<string, string> = { faultline: entry(own.faultline), 'faultline/models': entry(own.models) };
  const resolveFrom = (name: string, from: string, mode: TS.ResolutionMode, redirected?: TS.ResolvedProjectReference) =>
    ts.resolveModuleName(name, from, options, host, undefined, redirected, mode).resolvedModule;
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, _opts, containingSourceFile) =>
    literals.map((literal) => {
      const name = literal.text;
      const mode = ts.getModeForUsageLocation(containingSourceFile, literal, options);
      let found = resolveFrom(name, containingFile, mode, redirected);
      const mine = ownEntries[name];
      // As at run time: this faultline when the file's folder has none, or finds this same package.
      if (mine && (!found || (found.resolvedFileName.startsWith(root) && !found.resolvedFileName.slice(root.length).includes('node_modules/')))) {
        found = { resolvedFileName: mine, extension: mine.endsWith('.d.ts') ? ts.Extension.Dts : ts.Extension.Ts, isExternalLibraryImport: true };
      } else if (!found && /^xstate(\/|$)/.test(name)) {
        found = resolveFrom(name, entry(own.faultline), mode);
      }
      return { resolvedModule: found };
    });
  const program = ts.createProgram({ rootNames: [real], options, host, ...(previous ? { oldProgram: previous } : {}) });
  previous = program;
  return [
    ...program.getOptionsDiagnostics(),
    ...program.getSourceFiles().flatMap((sf) => (isUsers(sf.fileName) ? [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)] : [])),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error);
}

/** The nearest tsconfig.json's options (never emitting), or strict defaults for a file with none. */
function compilerOptions(ts: typeof TS, file: string): TS.CompilerOptions {
  // faultline's own strictness (its types are written for exactOptionalPropertyTypes: without it, an
  // actors array whose elements declare different fields does not type-check).
  const defaults: TS.CompilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    // No `types`: the lean pass drops the @types packages; a file that needs one (@types/node for an
    // import of node:fs) is checked again with those found from the current folder up (typeErrors).
  };
  const config = ts.findConfigFile(dirname(file), ts.sys.fileExists);
  let options = defaults;
  if (config) {
    const read = ts.readConfigFile(config, ts.sys.readFile);
    if (!read.error) options = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(config), undefined, config).options;
  }
  return { ...options, noEmit: true, allowImportingTsExtensions: true };
}

/** TS2307 "Cannot find module 'node:fs'" (or 'fs'): one of Node's built-in modules without declarations. */
function undeclaredBuiltin(d: TS.Diagnostic): boolean {
  if (d.code !== 2307) return false;
  const text = typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText;
  const name = /^Cannot find module '([^']+)'/.exec(text)?.[1];
  return name !== undefined && (name.startsWith('node:') || isBuiltin(name));
}
