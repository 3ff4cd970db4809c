/**
 * `@q/serializer-yaml`.
 */
export {};
