// Module hooks for user scenario files and the files they import (registered by cli/load.ts, after tsx,
// so they run first):
// - a .ts file is an ES module whatever the nearest package.json says (scenario files use `import`,
//   and tsx would otherwise compile a .ts file under a CommonJS package.json as CommonJS), and so is a
//   helper it imports (tsx routes those through its CommonJS loader, where the fallbacks below never apply);
// - a .js file loads as Node itself would load it, whatever tsx says: ESM under "type": "module", CommonJS
//   under "type": "commonjs", and with no "type" ESM when it has ESM syntax (tsx would load it as CommonJS,
//   which fails with "Cannot require() ES Module ... in a cycle");
// - `faultline` and `faultline/models` resolve to the running faultline (compiled or sources) when the
//   importing file's folder has none of its own, or when what it finds is this same package (a file inside
//   the faultline clone); `xstate` (and subpaths) that cannot be resolved from the importing file resolve
//   from faultline's own folder. This holds for every importer, so a helper file beside a scenario
//   resolves them exactly as the scenario does.
/** @type {{ root: string, faultline: string, models: string }} */
let own = { root: '', faultline: '', models: '' };

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileFunction } from 'node:vm';

export function initialize(data) {
  own = data;
}

const OWN = /^(faultline|xstate)(\/|$)/;

function ownCopy(specifier) {
  if (specifier === 'faultline') return own.faultline;
  if (specifier === 'faultline/models') return own.models;
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  let r;
  try {
    r = await nextResolve(specifier, context);
  } catch (e) {
    if (!OWN.test(specifier) || own.root === '' || e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    const mine = ownCopy(specifier);
    if (mine) return { url: mine, format: 'module', shortCircuit: true };
    r = await nextResolve(specifier, { ...context, parentURL: own.faultline });
  }
  // This package found through itself (a scenario inside the clone): the running copy, never a stale build.
  const mine = ownCopy(specifier);
  if (mine && own.root !== '' && r.url.startsWith(own.root) && !r.url.slice(own.root.length).includes('node_modules/')) {
    return { url: mine, format: 'module', shortCircuit: true };
  }
  const file = userFile(r.url);
  if (file?.endsWith('.ts')) return { url: pathToFileURL(file).href, format: 'module' };
  if (file?.endsWith('.js')) return { url: pathToFileURL(file).href, format: jsFormat(file) };
  return r;
}

// A .js file's format as Node decides it: these are settled here, never handed to tsx's loader.
export async function load(url, context, nextLoad) {
  const file = userFile(url);
  if (file?.endsWith('.js') && context.format === 'module') return { format: 'module', source: readFileSync(file), shortCircuit: true };
  if (file?.endsWith('.js') && context.format === 'commonjs') return { format: 'commonjs', source: null, shortCircuit: true };
  return nextLoad(url, context);
}

/** The path of a file of the user's own (not in node_modules), without tsx's query suffixes. */
function userFile(url) {
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return undefined;
  return fileURLToPath(url.replace(/(%3F|\?).*$/, ''));
}

/** "module" or "commonjs": the nearest package.json's "type", or with none, whether the source has ESM syntax. */
function jsFormat(file) {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      pkg = undefined;
    }
    if (pkg?.type === 'module' || pkg?.type === 'commonjs') return pkg.type;
    if (pkg !== undefined || dirname(dir) === dir) break;
  }
  return hasModuleSyntax(readFileSync(file, 'utf8')) ? 'module' : 'commonjs';
}

/** Node's own test (--experimental-detect-module): the source does not compile as CommonJS for an ESM reason. */
function hasModuleSyntax(source) {
  try {
    compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname']);
    return false;
  } catch (e) {
    return /import statement|import\.meta|Unexpected token 'export'|await is only valid/.test(String(e?.message));
  }
}
