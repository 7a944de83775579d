// A parallel search's worker thread, run from the TypeScript sources: register tsx in this thread first
// (for import and for require: a CommonJS scenario file requires faultline's TypeScript sources), then load
// the worker (worker.ts). Compiled, pool.ts starts worker.js directly.
import { register as registerRequire } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerRequire();
register();
await import('./worker.ts');
