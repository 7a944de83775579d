/** The pipe ring (fs/pipe.c) as a world fragment, and pipe write atomicity (P-J1). */
export * from './ring.js';
export * from './atomicity.js';
