/**
 * `@q/dashboard`: a web dashboard of a q (or Python Celery) cluster, built from its events (workers, tasks, rates,
 * queue lengths), with actions through remote control when a token is configured. `q dashboard` runs it.
 */
export { CONTENT_SECURITY_POLICY, DEFAULT_DASHBOARD_PORT, createDashboard } from './dashboard.js';
export type { Dashboard, DashboardOptions } from './dashboard.js';
export { appControl } from './cluster-control.js';
export type { ActionTarget, AppControlOptions, ClusterControl } from './cluster-control.js';
export { WorkerStatsCache } from './worker-stats-cache.js';
export type { QueueLength, WorkerStatsCacheOptions } from './worker-stats-cache.js';
export { RateRing } from './rate-ring.js';
export type { RatePoint, RateRingOptions } from './rate-ring.js';
export { SUMMARY_TEXT_MAX, taskDetail, taskSummary } from './task-views.js';
export type { TaskDetail, TaskRelative, TaskSummary } from './task-views.js';
export type { WorkerView } from './routes/read-routes.js';
export { bearerCheck } from './bearer-auth.js';
export type { ActionDenial } from './bearer-auth.js';
export { publicDir, uplotDir } from './static-files.js';
