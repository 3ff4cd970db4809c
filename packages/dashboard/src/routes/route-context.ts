/** What the API's routes read and act through; built once by `createDashboard`. */
import type { ClusterState } from '@q/events';
import type { ClusterControl } from '../cluster-control.js';
import type { RateRing } from '../rate-ring.js';
import type { WorkerStatsCache } from '../worker-stats-cache.js';
import type { ActionDenial } from '../bearer-auth.js';

/** The state, caches and control the routes share. */
export interface RouteContext {
  readonly state: ClusterState;
  readonly rates: RateRing;
  readonly cache: WorkerStatsCache;
  readonly control: ClusterControl;
  /** Whether a token is configured (the page shows the action buttons). */
  readonly actionsEnabled: boolean;
  /** Checks an `Authorization` header; `null` when the request may act. */
  readonly authorize: (authorization: string | undefined) => ActionDenial | null;
  /** Epoch milliseconds. */
  readonly now: () => number;
}
