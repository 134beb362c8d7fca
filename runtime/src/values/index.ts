export * from './types.js';
export * from './decimal.js';
export * from './transit.js';
export * from './json.js';
export * from './compare.js';
export * from './numeric.js';
export * from './path.js';
