export * from './codes.js';
export * from './q-error.js';
