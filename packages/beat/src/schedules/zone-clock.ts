/**
 * Wall-clock arithmetic in an IANA time zone, fast enough for schedules: luxon answers a zone's UTC offset at an
 * instant (~8 µs through `Intl`), and this caches it per local day, so converting between an instant and its wall
 * time costs a map lookup. A wall time is written as a "wall timestamp": the milliseconds `Date.UTC` gives for the
 * local fields (`2027-03-14T02:30` in New York → `Date.UTC(2027, 2, 14, 2, 30)`).
 */
import { ConfigError } from '@q/core';
import { Info } from 'luxon';
import type { Zone } from 'luxon';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Day buckets kept per zone before the cache starts over (about 270 years of days). */
const MAX_CACHED_DAYS = 100_000;

/** A zone's offsets, cached per UTC day when the offset is the same over the whole day. */
export class ZoneClock {
  /** The zone's IANA name (or `UTC`). */
  readonly name: string;
  readonly #zone: Zone;
  readonly #fixed: number | undefined;
  readonly #days = new Map<number, number>();

  private constructor(name: string, zone: Zone) {
    this.name = name;
    this.#zone = zone;
    this.#fixed = zone.isUniversal ? zone.offset(0) * MINUTE_MS : undefined;
  }

  static readonly #clocks = new Map<string, ZoneClock>();

  /**
   * The clock of an IANA zone name (`Europe/London`, `UTC`), shared by every schedule in that zone.
   * @throws ConfigError when the zone is unknown
   */
  static of(name: string): ZoneClock {
    const known = ZoneClock.#clocks.get(name);
    if (known) return known;
    const zone = Info.normalizeZone(name);
    if (!zone.isValid || name.trim() === '') {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `timezone: unknown time zone "${name}" (an IANA name such as "Europe/London", or "UTC")`);
    }
    const clock = new ZoneClock(zone.isUniversal && zone.offset(0) === 0 ? 'UTC' : name, zone);
    ZoneClock.#clocks.set(name, clock);
    return clock;
  }

  /** The zone's offset from UTC at `instant`, in milliseconds (New York in winter: −18,000,000). */
  offsetAt(instant: number): number {
    if (this.#fixed !== undefined) return this.#fixed;
    const day = Math.floor(instant / DAY_MS);
    const cached = this.#days.get(day);
    if (cached !== undefined) return cached;
    const start = this.#zone.offset(day * DAY_MS) * MINUTE_MS;
    const end = this.#zone.offset(day * DAY_MS + DAY_MS - 1) * MINUTE_MS;
    if (start !== end) return this.#zone.offset(instant) * MINUTE_MS; // a transition day: not cached
    if (this.#days.size >= MAX_CACHED_DAYS) this.#days.clear();
    this.#days.set(day, start);
    return start;
  }

  /** The wall timestamp of `instant` in this zone. */
  wallOf(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /**
   * The instant a wall time names, by the schedules' DST rules: in a fold (the wall time happens twice) its first
   * occurrence; in a gap (it does not happen) the first instant after the gap.
   */
  instantOf(wall: number): number {
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    const a = wall - before;
    const aValid = this.offsetAt(a) === before;
    if (before === after && aValid) return a;
    const b = wall - after;
    const bValid = this.offsetAt(b) === after;
    if (aValid && bValid) return Math.min(a, b);
    if (aValid) return a;
    if (bValid) return b;
    return this.#transitionBetween(Math.min(a, b), Math.max(a, b), after);
  }

  /** The first instant in (lo, hi] whose offset is `to` (binary search over a gap, at most a few hours wide). */
  #transitionBetween(lo: number, hi: number, to: number): number {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid) === to) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}
