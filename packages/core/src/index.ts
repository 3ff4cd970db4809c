export * from './errors/index.js';
export * from './contracts/index.js';
