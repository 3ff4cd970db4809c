export * from './codes.js';
export * from './q-error.js';
export * from './tls-verify.js';
