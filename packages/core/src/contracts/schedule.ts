/** A periodic schedule (interval, crontab, solar). Pure: the clock is passed in, no timers inside. */
export interface Schedule {
  /** Whether the entry is due now, and when to check again. */
  isDue(lastRunAt: Date, now: Date): { due: boolean; nextCheckInMs: number };
  /** Human-readable form for logs (`<crontab: 0 4 * * *>`). */
  describe(): string;
}
