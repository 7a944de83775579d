/**
 * The simulated MMU: user pages (VMA permission, PTE state, MTE tags, poison), folios (references, pins in
 * both encodings, lock, dirty, writeback, buffers, data version), mmap_lock, and a resident set with a
 * deterministic LRU; and the kernel operations over them as plain functions of the world. See
 * models/README.md for how an actor uses it.
 */
export * from './constants.js';
export { defineMmu, mmuFields } from './config.js';
export type { Mmu, MmuOptions } from './config.js';
export type { Ints, MmuWorld } from './world.js';
export { checkRange, folioOf, folioOfUnit, offsetInPage, pageAlignDown, pageAlignUp, pageOf } from './world.js';
export { Shadow } from './shadow.js';
export * from './access.js';
export * from './copy.js';
export * from './env.js';
export * from './fault.js';
export * from './faultIn.js';
export * from './folio.js';
export * from './gup.js';
export * from './lru.js';
export * from './mmapLock.js';
export * from './pins.js';
