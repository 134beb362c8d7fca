/**
 * The file-backed dataset store: see dataset.ts for the on-disk format and guarantees.
 */
export { Store, type StoreOptions } from './store.js';
export { Dataset, type WriteResult, type WriteOptions, type ReadOptions } from './dataset.js';
export type { JoinIndex } from './join-index.js';
export { atomicWriteJson, readJsonFile } from './files.js';
