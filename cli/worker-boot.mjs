// The worker thread's entry: make TypeScript loadable in this thread too, then run the CLI (cli/worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
