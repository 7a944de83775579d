/**
 * gfs2 (fs/gfs2/): the glock (glock.ts) and a contender for it (glockContender.ts), and the buffered read
 * and write (read.ts, write.ts) with what they share - the fault-in window (window.ts), the glock use and
 * actor shape (syscall.ts) and the page fault under a glock (fault.ts). Imports point one way:
 * window, glock <- syscall <- fault <- read, write (test/models/gfs2/imports.test.ts checks models/ has no cycle).
 */
export * from './glock.js';
export * from './glockContender.js';
export * from './window.js';
// The fault sub-machine and the glock states are building blocks of read.ts and write.ts, not public.
export { gfs2SyscallActor, type Gfs2GlockUse } from './syscall.js';
export * from './read.js';
export * from './write.js';
