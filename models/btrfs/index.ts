/** btrfs protocol fragments: the tree search ioctl's static world (search.ts), the inode of a direct append write (inode.ts). */
export * from './search.js';
export * from './inode.js';
