// The entry of checkInWorker's thread when faultline runs from its TypeScript sources (through tsx):
// make TypeScript loadable in this thread too, for import and for require (a CommonJS scenario file
// requires faultline's TypeScript sources), then run the thread (cli/checkWorker.ts).
import { register as registerRequire } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerRequire();
register();
await import('./checkWorker.ts');
