/** Page-cache folios of one file: uptodate, content identity, ->write_begin / ->write_end, ->read_folio. */
export * from './folio.js';
export * from './truncate.js';
