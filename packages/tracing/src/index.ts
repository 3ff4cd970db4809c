/** `@q/tracing`. */
export {};
