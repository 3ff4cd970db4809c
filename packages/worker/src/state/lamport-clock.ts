/** The worker's logical clock is core's {@link LamportClock} (moved there so the client, `app.clock`, has one too). */
export { LamportClock } from '@q/core';
