/** Weekly and daily maintenance windows, as minute intervals of the week (UTC), for overlap checks. */

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const WEEK = 7 * 24 * 60;

export type Interval = readonly [start: number, end: number];

function minutes(clock: string): number | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(clock);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Splits an interval that wraps past the end of the week into two. */
function unwrap(start: number, end: number): Interval[] {
  return end > start ? [[start, end]] : [[start, WEEK], [0, end]];
}

/** `ddd:hh24:mi-ddd:hh24:mi` → intervals, or undefined when malformed. */
export function weeklyWindow(text: string): Interval[] | undefined {
  const match = /^([a-z]{3}):(\d{2}:\d{2})-([a-z]{3}):(\d{2}:\d{2})$/i.exec(text);
  if (!match) return undefined;
  const [, startDay, startClock, endDay, endClock] = match as unknown as [string, string, string, string, string];
  const startIndex = DAYS.indexOf(startDay.toLowerCase() as (typeof DAYS)[number]);
  const endIndex = DAYS.indexOf(endDay.toLowerCase() as (typeof DAYS)[number]);
  const startMinute = minutes(startClock);
  const endMinute = minutes(endClock);
  if (startIndex < 0 || endIndex < 0 || startMinute === undefined || endMinute === undefined) return undefined;
  return unwrap(startIndex * 1440 + startMinute, endIndex * 1440 + endMinute);
}

/** `hh24:mi-hh24:mi`, every day of the week → intervals, or undefined when malformed. */
export function dailyWindow(text: string): Interval[] | undefined {
  const match = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text);
  const start = match ? minutes(match[1]!) : undefined;
  const end = match ? minutes(match[2]!) : undefined;
  if (start === undefined || end === undefined) return undefined;
  const length = (end - start + 1440) % 1440;
  return DAYS.flatMap((_, day) => unwrap(day * 1440 + start, (day * 1440 + start + length) % WEEK));
}

export function durationMinutes(intervals: readonly Interval[], perDay = false): number {
  const total = intervals.reduce((sum, [start, end]) => sum + (end - start), 0);
  return perDay ? total / 7 : total;
}

export function overlaps(first: readonly Interval[], second: readonly Interval[]): boolean {
  return first.some(([a, b]) => second.some(([c, d]) => a < d && c < b));
}
