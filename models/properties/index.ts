/** The domain property library: iterator progress and direction, fault-in contracts, stable pages, memory. */
export * from './iterator.js';
export * from './faultIn.js';
export * from './folio.js';
export * from './memory.js';
