/** `@q/dashboard`. */
export {};
