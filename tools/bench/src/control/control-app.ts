/** The app of the remote-control benchmark: a no-op task whose result is not stored; Redis db 15 by default. */
import { createApp } from '@q/core';

const url = process.env['CONTROL_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379/15';

export const app = createApp({ name: 'control-bench', broker: url, backend: url });

app.task({ name: 'cb.noop', ignoreResult: true }, () => null);
