#!/usr/bin/env node
// faultline is written in TypeScript and runs through tsx (a dependency), so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
