// Module hooks for user scenario files and the files they import (registered by cli/load.ts, after tsx,
// so they run first):
// - a .ts file is an ES module whatever the nearest package.json says (scenario files use `import`,
//   and tsx would otherwise compile a .ts file under a CommonJS package.json as CommonJS);
// - `faultline` and `faultline/models` resolve to the running faultline (compiled or sources) when the
//   importing file's folder has none of its own, or when what it finds is this same package (a file inside
//   the faultline clone); `xstate` (and subpaths) that cannot be resolved from the importing file resolve
//   from faultline's own folder. This holds for every importer, so a helper file beside a scenario
//   resolves them exactly as the scenario does.
/** @type {{ root: string, faultline: string, models: string }} */
let own = { root: '', faultline: '', models: '' };

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
  if (r.url.startsWith('file:') && /\.ts$/.test(new URL(r.url).pathname) && !r.url.includes('/node_modules/')) return { ...r, format: 'module' };
  return r;
}
