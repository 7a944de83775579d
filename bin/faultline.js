#!/usr/bin/env node
// The installed executable runs the compiled CLI (dist/, built by `npm run build`, which `npm install` in a
// clone and `npm pack` run through `prepare`). `npm run faultline` runs the TypeScript sources instead.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('faultline: the compiled CLI (dist/) is missing: run `npm run build` in the faultline folder\n');
  process.exit(2);
}
await import(main.href);
