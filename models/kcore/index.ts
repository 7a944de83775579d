/** /proc/kcore protocol fragments: the vmalloc source range of read_kcore_iter() (vmalloc.ts). */
export * from './vmalloc.js';
