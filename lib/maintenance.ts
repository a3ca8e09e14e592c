/**
 * Maintenance windows: when managed services (RDS, ElastiCache, OpenSearch, Amazon MQ) may patch
 * and restart. Windows are written in the operations team's local time; AWS takes most of them in
 * UTC, converted here with the zone's fixed standard-time offset. In summer (daylight saving
 * time) a converted window therefore runs one hour later in local time: a 02:00–06:00 window in
 * New York runs 03:00–07:00 EDT. Amazon MQ takes a time zone itself and follows the local clock.
 */

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Zones a maintenance table may be read in, with their standard-time offset from UTC in hours. */
export const MAINTENANCE_TIME_ZONES = {
  "America/New_York": -5,
} as const;
export type MaintenanceTimeZone = keyof typeof MAINTENANCE_TIME_ZONES;

/** One weekly window, repeated on each of `days`, from `start` to `end` (`HH:MM`, local time, same day). */
export interface MaintenanceWindow {
  readonly days: readonly Weekday[];
  readonly start: string;
  readonly end: string;
}

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** `HH:MM` → minutes after midnight. */
export function minutesOfDay(time: string): number {
  const [hours, minutes] = time.split(":").map(Number);
  return hours! * 60 + minutes!;
}

/** Minutes after Sunday 00:00 UTC of a local weekday and time. */
function utcMinuteOfWeek(day: Weekday, time: string, timeZone: MaintenanceTimeZone): number {
  const local = WEEKDAYS.indexOf(day) * MINUTES_PER_DAY + minutesOfDay(time);
  const utc = local - MAINTENANCE_TIME_ZONES[timeZone] * 60;
  return ((utc % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
}

function formatMinuteOfWeek(minuteOfWeek: number): string {
  const day = WEEKDAYS[Math.floor(minuteOfWeek / MINUTES_PER_DAY)]!;
  const ofDay = minuteOfWeek % MINUTES_PER_DAY;
  return `${day}:${pad(Math.floor(ofDay / 60))}:${pad(ofDay % 60)}`;
}

const pad = (value: number) => String(value).padStart(2, "0");

/**
 * RDS and ElastiCache `maintenance_window`: `ddd:hh24:mi-ddd:hh24:mi` in UTC, for one day of the
 * window (the first by default). Both services take a single weekly range, so a window over
 * several days gives one string per day (`weeklyWindowsUtc`) and the caller picks.
 */
export function weeklyWindowUtc(window: MaintenanceWindow, timeZone: MaintenanceTimeZone, day = window.days[0]!): string {
  const start = utcMinuteOfWeek(day, window.start, timeZone);
  const end = utcMinuteOfWeek(day, window.end, timeZone);
  return `${formatMinuteOfWeek(start)}-${formatMinuteOfWeek(end)}`;
}

export function weeklyWindowsUtc(window: MaintenanceWindow, timeZone: MaintenanceTimeZone): string[] {
  return window.days.map((day) => weeklyWindowUtc(window, timeZone, day));
}

/**
 * OpenSearch's daily off-peak window (`off_peak_window_options.window_start_time`): the UTC hour
 * and minute the window starts. OpenSearch runs it every day for ten hours; the weekday is not
 * part of it.
 */
export function offPeakStartUtc(window: MaintenanceWindow, timeZone: MaintenanceTimeZone): { hours: number; minutes: number } {
  const ofDay = utcMinuteOfWeek(window.days[0]!, window.start, timeZone) % MINUTES_PER_DAY;
  return { hours: Math.floor(ofDay / 60), minutes: ofDay % 60 };
}

const MQ_DAYS: Record<Weekday, string> = {
  sun: "SUNDAY",
  mon: "MONDAY",
  tue: "TUESDAY",
  wed: "WEDNESDAY",
  thu: "THURSDAY",
  fri: "FRIDAY",
  sat: "SATURDAY",
};

/**
 * Amazon MQ's `maintenance_window_start_time`: the broker takes the day, the local time and the
 * zone, so no conversion and no summer shift. MQ needs only the start (its window lasts two hours).
 */
export function mqMaintenanceStart(
  window: MaintenanceWindow,
  timeZone: MaintenanceTimeZone,
  day = window.days[0]!,
): { dayOfWeek: string; timeOfDay: string; timeZone: string } {
  return { dayOfWeek: MQ_DAYS[day], timeOfDay: window.start, timeZone };
}
