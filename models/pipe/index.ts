/** The pipe ring (fs/pipe.c) as a world fragment, pipe write atomicity, and buffers with page identity (splice). */
export * from './ring.js';
export * from './atomicity.js';
export * from './buffers.js';
