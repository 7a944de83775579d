/**
 * struct iov_iter over the simulated MMU: UBUF, IOVEC (empty segments allowed), BVEC, KVEC and DISCARD
 * iterators, their direction checks, advance and revert, copies, fault-in, and page extraction. See
 * models/README.md.
 */
export * from './iter.js';
export * from './advance.js';
export * from './copy.js';
export * from './faultIn.js';
export * from './pages.js';
