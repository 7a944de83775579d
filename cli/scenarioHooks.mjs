// Module hooks for user scenario files (registered by cli/load.ts, after tsx, so they run first):
// - a .ts file is an ES module whatever the nearest package.json says (scenario files use `import`,
//   and tsx would otherwise compile a .ts file under a CommonJS package.json as CommonJS);
// - `faultline` and `xstate` (and their subpaths) that cannot be resolved from the importing file's
//   folder resolve to faultline's own copies, so a scenario file works from any folder.
/** @type {string} faultline's index.ts, the parent to resolve the fallbacks from. */
let fallbackParent = '';

export function initialize(data) {
  fallbackParent = data.parent;
}

const OWN = /^(faultline|xstate)(\/|$)/;

export async function resolve(specifier, context, nextResolve) {
  let r;
  try {
    r = await nextResolve(specifier, context);
  } catch (e) {
    if (!OWN.test(specifier) || fallbackParent === '' || e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    r = await nextResolve(specifier, { ...context, parentURL: fallbackParent });
  }
  if (r.url.startsWith('file:') && /\.ts$/.test(new URL(r.url).pathname) && !r.url.includes('/node_modules/')) return { ...r, format: 'module' };
  return r;
}
