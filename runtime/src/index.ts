export * from './values/index.js';
