/** btrfs protocol fragments: the tree search ioctl's static world (search.ts). */
export * from './search.js';
