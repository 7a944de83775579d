/** fork() / COW fragments: a COW-shared anonymous page and a bio that DMAs into GUP'd pages (anonCow.ts). */
export * from './anonCow.js';
export * from './forkPin.js';
