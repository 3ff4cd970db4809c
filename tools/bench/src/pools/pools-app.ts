/** The app of the pool benchmarks: a ~5 ms CPU-bound task, a no-op, an endless loop; Redis db 7 for both. */
import { createApp } from '@q/core';

const url = process.env['POOLS_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379/7';

export const app = createApp({ name: 'pools-bench', broker: url, backend: url });

app.task({ name: 'pb.cpu', params: ['ms'] }, (ms: number) => {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n += 1;
  return n > 0;
});
app.task({ name: 'pb.noop' }, () => null);
app.task({ name: 'pb.spin' }, () => {
  for (;;) {
    // an endless synchronous loop
  }
});
