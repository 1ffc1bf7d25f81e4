import type { BusinessHours, Weekday } from '../ports/store.js';

const WEEKDAYS: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** `HH:MM` -> minutes since midnight (`24:00` is 1440). */
export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The local date, weekday and minute of the day at `ms` in `timeZone` (daylight saving included, by Intl). */
export function localTime(ms: number, timeZone: string): { date: string; weekday: Weekday; minutes: number } {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: WEEKDAYS[parts.weekday!]!, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Open at `ms`: not a holiday, and inside one of the day's intervals (open inclusive, close exclusive). */
export function isOpenAt(hours: Pick<BusinessHours, 'timeZone' | 'weekly' | 'holidays'>, ms: number): boolean {
  const local = localTime(ms, hours.timeZone);
  if (hours.holidays.includes(local.date)) return false;
  return (hours.weekly[local.weekday] ?? []).some((i) => minutesOf(i.open) <= local.minutes && local.minutes < minutesOf(i.close));
}
