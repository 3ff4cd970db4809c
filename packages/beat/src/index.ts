/**
 * `@q/beat`: periodic tasks (Celery beat).
 */
export {};
