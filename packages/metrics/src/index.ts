/** `@q/metrics`. */
export {};
