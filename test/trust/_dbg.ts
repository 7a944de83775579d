import { check } from '../../checker/index.js';
import { pathToFileURL } from 'node:url';
const mod = await import(pathToFileURL(process.argv[2]!).href);
const sc = mod.default;
const spec = sc.build({}, process.argv[3]);
try {
  const r = check(spec, { strategy: (process.argv[4] ?? 'bfs') as 'bfs' });
  console.log(r.verdict, JSON.stringify(r.violations.map((v) => v.message)), r.verdict === 'model-error' ? r.modelError.message : '');
} catch (e) {
  console.log('THROWN', (e as Error).stack);
}
