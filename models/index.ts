/**
 * faultline's models: the simulated kernel substrate (mmu/, iov-iter/) that actors and scenarios are built
 * on, and the domain property library (properties/). Models import the engine only through
 * checker/index.ts. Start with models/README.md.
 */
export * from './mmu/index.js';
export * from './iov-iter/index.js';
export * from './properties/index.js';
export * from './actors/index.js';
export * from './btrfs/index.js';
export * from './gfs2/index.js';
export * from './fs/dio.js';
export * from './pipe/index.js';
export * from './kcore/index.js';
export * from './cow/index.js';
export * from './block/dma.js';
export * from './gup/longterm.js';
export * from './mm/populate.js';
export * from './mm/vmaLock.js';
export * from './pagecache/index.js';
