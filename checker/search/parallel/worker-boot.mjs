// A parallel search's worker thread, run from the TypeScript sources: register tsx in this thread first,
// then load the worker (worker.ts). Compiled, pool.ts starts worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
