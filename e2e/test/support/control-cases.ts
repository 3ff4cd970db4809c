/**
 * Remote control between q and Python Celery 5.2.6, whatever the broker: the cases every
 * `*-interop-control` suite runs. A suite calls {@link controlInteropCases} inside its `describe`; each group
 * below starts the processes it needs in its own `beforeAll` and stops them in its `afterAll`:
 *
 * - Python's `celery inspect` / `celery control` (the real CLI, `--json`) and Celery's `app.control`
 *   (`e2e/python/control_client.py`) against a q worker;
 * - `q inspect` / `q control` / `q status` (the real CLI, `-j`) and the test's own `app.control` against a
 *   Python worker;
 * - a mixed cluster, one q and one Python worker, that one broadcast reaches;
 * - five q workers that all answer one `q inspect ping` within the default 1 s.
 *
 * A Python command that cannot read a q reply raises and exits non-zero, so every `ok` below also means
 * "Python decoded the q worker's replies".
 */
import { pythonControlsQ } from './control-python-to-q.js';
import { qControlsPython } from './control-q-to-python.js';
import { fiveQWorkers, mixedCluster } from './control-cluster.js';
import type { ControlInteropSuite } from './control-support.js';

export type { ControlInteropSuite } from './control-support.js';

/** Registers the groups (call inside the suite's `describe`). */
export function controlInteropCases(s: ControlInteropSuite): void {
  pythonControlsQ(s);
  qControlsPython(s);
  mixedCluster(s);
  fiveQWorkers(s);
}
