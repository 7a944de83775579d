/** The actor library: one xstate machine factory per kernel path or environment agent (models/README.md). */
export * from './reclaim.js';
export * from './munmap.js';
export * from './mprotect.js';
export * from './signal.js';
export * from './folioLockHolder.js';
export * from './uffdHandler.js';
export * from './archPageFault.js';
export * from './btrfsSearchIoctl.js';
export * from './mteRetag.js';
export * from './gfs2Read.js';
export * from './glockContender.js';
export * from './migration.js';
export * from './dioReader.js';
export * from './pipeWriter.js';
export * from './pipeReader.js';
export * from './dma.js';
