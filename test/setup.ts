/**
 * Loaded into every test process by scripts/test.js (`--import`). Property-based tests run from a fixed
 * fast-check seed so `npm test` explores the same cases on every machine and a CI failure reproduces
 * locally; set FC_SEED to another integer to explore elsewhere (a failure prints the seed and path).
 */
import fc from 'fast-check';

const seed = Number.parseInt(process.env.FC_SEED ?? '20261122', 10);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${process.env.FC_SEED}`);
fc.configureGlobal({ seed });
