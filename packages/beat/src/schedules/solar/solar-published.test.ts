/**
 * solar against published sunrise, sunset, twilight and noon times (rounded to the minute by their sources; those
 * use refraction at the horizon, which Celery's −0°34′ upper-limb horizon stands for). Each row cites its source.
 */
import { describe, expect, it } from 'vitest';
import { solar } from './solar.js';

interface Published {
  readonly place: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly event: string;
  /** Local midnight before the event, as a UTC instant. */
  readonly after: string;
  /** The published time, as a UTC instant. */
  readonly at: string;
  readonly source: string;
}

const USNO_TROMSO =
  'U.S. Naval Observatory, "Sun and Moon Data for One Day", Tromsø (E19.0, N69.5), 1 April 2014, UT+1h, as quoted at ' +
  'https://www.answers.com/Q/How_many_hour_of_daylight_in_north_Norway_in_April';
const CBS_NYC =
  'CBS New York, 21 Dec 2023: https://cbsnews.com/newyork/news/winter-solstice-2023-sunrise-and-sunset-times-for-nyc-as-days-start-to-get-longer';
const AMNH_NYC = 'AMNH Hayden Planetarium, "The Winter Sun": http://www.amnh.org/our-research/hayden-planetarium/blog/the-winter-sun';
const LONDON = 'diamond geezer, 4 Nov 2018: http://diamondgeezer.blogspot.com/2018/11/nearer-5pm.html';
const SYDNEY =
  'Sydney Travel Guide, winter solstice 2025: https://www.sydneytravelguide.com.au/sydney-winter-solstice-shortest-day-of-the-year';
const HOBART = 'Daily8 (AAP), winter solstice 2025: https://www.daily8.com/en/article/731f02eac4b18268470d5a7d6c197da5';

const tromso = { place: 'Tromsø', latitude: 69.5, longitude: 19.0, after: '2014-03-31T23:00:00Z', source: USNO_TROMSO };
const newYork = { place: 'New York', latitude: 40.71, longitude: -74.01 };
const london = { place: 'London', latitude: 51.5, longitude: -0.13, source: LONDON };
const sydney = { place: 'Sydney', latitude: -33.87, longitude: 151.21, after: '2025-06-20T14:00:00Z', source: SYDNEY };
const hobart = { place: 'Hobart', latitude: -42.88, longitude: 147.33, after: '2025-06-20T14:00:00Z', source: HOBART };

const PUBLISHED: readonly Published[] = [
  // 03:46, 04:50, 11:48, 18:49, 19:53 at UT+1
  { ...tromso, event: 'dawn_civil', at: '2014-04-01T02:46:00Z' },
  { ...tromso, event: 'sunrise', at: '2014-04-01T03:50:00Z' },
  { ...tromso, event: 'solar_noon', at: '2014-04-01T10:48:00Z' },
  { ...tromso, event: 'sunset', at: '2014-04-01T17:49:00Z' },
  { ...tromso, event: 'dusk_civil', at: '2014-04-01T18:53:00Z' },
  // 7:16 a.m. and 4:31 p.m. EST
  { ...newYork, event: 'sunrise', after: '2023-12-21T05:00:00Z', at: '2023-12-21T12:16:00Z', source: CBS_NYC },
  { ...newYork, event: 'sunset', after: '2023-12-21T05:00:00Z', at: '2023-12-21T21:31:00Z', source: CBS_NYC },
  // 31 Dec 2016: 7:20 a.m. and 4:38 p.m. EST
  { ...newYork, event: 'sunrise', after: '2016-12-31T05:00:00Z', at: '2016-12-31T12:20:00Z', source: AMNH_NYC },
  { ...newYork, event: 'sunset', after: '2016-12-31T05:00:00Z', at: '2016-12-31T21:38:00Z', source: AMNH_NYC },
  // 3 and 4 Nov 2018: 4.31pm and 4.29pm GMT
  { ...london, event: 'sunset', after: '2018-11-03T00:00:00Z', at: '2018-11-03T16:31:00Z' },
  { ...london, event: 'sunset', after: '2018-11-04T00:00:00Z', at: '2018-11-04T16:29:00Z' },
  // 21 June 2025: 7:00am and 4:54pm AEST
  { ...sydney, event: 'sunrise', at: '2025-06-20T21:00:00Z' },
  { ...sydney, event: 'sunset', at: '2025-06-21T06:54:00Z' },
  // 21 June 2025: 7.42am and 4.43pm AEST
  { ...hobart, event: 'sunrise', at: '2025-06-20T21:42:00Z' },
  { ...hobart, event: 'sunset', at: '2025-06-21T06:43:00Z' },
];

const TOLERANCE_MS = 2 * 60_000;

describe('solar against published times', () => {
  it.each(PUBLISHED.map((p) => [`${p.place} ${p.event} ${p.at}`, p] as const))('%s', (_, p) => {
    const next = solar(p.event, p.latitude, p.longitude).nextAfter(new Date(p.after));
    expect(Math.abs(next.getTime() - Date.parse(p.at))).toBeLessThanOrEqual(TOLERANCE_MS);
  });
});

describe('solar in polar day and night (Tromsø)', () => {
  it('skips the midnight sun: the first sunset after 19 May 2014 is the one of 25 July', () => {
    // USNO (source above): on 18 May 2014 "the Sun rises at 0013, and sets again 69 days later, at 2320 on July 25" (UT+1)
    const next = solar('sunset', 69.5, 19.0).nextAfter(new Date('2014-05-19T12:00:00Z'));
    expect(Math.abs(next.getTime() - Date.parse('2014-07-25T22:20:00Z'))).toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it('skips the polar night: no sunrise in December, the next is in mid-January', () => {
    // "the sun does not show above the horizon at all between 28 November and 15 January"; on 21 December it is
    // 1.9° below the horizon at noon: http://ishavsbloggen.blogspot.com/2011/11 (Tromsø)
    const next = solar('sunrise', 69.65, 18.96).nextAfter(new Date('2014-12-01T00:00:00Z'));
    expect(next.getTime()).toBeGreaterThan(Date.parse('2015-01-13T00:00:00Z'));
    expect(next.getTime()).toBeLessThan(Date.parse('2015-01-16T00:00:00Z'));
  });

  it('still has civil dawn in the polar night, when the Sun stays above −6°', () => {
    const after = new Date('2014-12-20T23:00:00Z');
    const next = solar('dawn_civil', 69.65, 18.96).nextAfter(after);
    expect(next.getTime() - after.getTime()).toBeLessThan(24 * 3_600_000);
  });
});
