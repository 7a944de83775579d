// The entry of checkInWorker's thread when faultline runs from its TypeScript sources (through tsx):
// make TypeScript loadable in this thread too, then run the thread (cli/checkWorker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./checkWorker.ts');
