/**
 * `@q/serializer-msgpack`.
 */
export {};
