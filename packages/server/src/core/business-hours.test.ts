import { describe, expect, it } from 'vitest';
import { isOpenAt, isTimeZone, localTime } from './business-hours.js';

const paris = {
  timeZone: 'Europe/Paris',
  weekly: {
    mon: [
      { open: '09:00', close: '12:00' },
      { open: '13:00', close: '24:00' },
    ],
    sat: [],
  },
  holidays: ['2025-12-29'],
};

describe('business hours', () => {
  it('reads the local weekday, date and minute in the zone, daylight saving included', () => {
    // 2025-07-07 is a Monday; Paris is UTC+2 in summer, UTC+1 in winter.
    expect(localTime(Date.UTC(2025, 6, 7, 7, 30), 'Europe/Paris')).toEqual({ date: '2025-07-07', weekday: 'mon', minutes: 9 * 60 + 30 });
    expect(localTime(Date.UTC(2025, 0, 6, 7, 30), 'Europe/Paris')).toEqual({ date: '2025-01-06', weekday: 'mon', minutes: 8 * 60 + 30 });
    expect(localTime(Date.UTC(2025, 6, 6, 23, 30), 'Asia/Tokyo')).toEqual({ date: '2025-07-07', weekday: 'mon', minutes: 8 * 60 + 30 });
  });

  it('is open inside an interval (open inclusive, close exclusive), closed between, on other days and on holidays', () => {
    const at = (d: number, h: number, m = 0) => isOpenAt(paris, Date.UTC(2025, 0, d, h - 1, m)); // winter: local = UTC+1
    expect(at(6, 8, 59)).toBe(false);
    expect(at(6, 9)).toBe(true);
    expect(at(6, 11, 59)).toBe(true);
    expect(at(6, 12)).toBe(false);
    expect(at(6, 13)).toBe(true);
    expect(at(6, 23, 59)).toBe(true); // until 24:00
    expect(at(7, 10)).toBe(false); // Tuesday: not listed
    expect(at(4, 10)).toBe(false); // Saturday: listed empty
    expect(isOpenAt(paris, Date.UTC(2025, 11, 29, 9))).toBe(false); // a Monday, but a holiday
    expect(isOpenAt(paris, Date.UTC(2025, 11, 22, 9))).toBe(true); // the Monday before
  });

  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
