import { dev } from "../../environments/dev";
import { MAINTENANCE_BY_TIER } from "../../environments/maintenance";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import {
  MAINTENANCE_TIME_ZONES,
  type MaintenanceWindow,
  WEEKDAYS,
  minutesOfDay,
  mqMaintenanceStart,
  offPeakStartUtc,
  weeklyWindowUtc,
  weeklyWindowsUtc,
} from "../../lib/maintenance";

const MINUTES_PER_WEEK = 7 * 24 * 60;

/** `ddd:hh:mm` → minutes after Sunday 00:00. */
function minuteOfWeek(text: string): number {
  const [day, hours, minutes] = text.split(":");
  return WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]) * 24 * 60 + Number(hours) * 60 + Number(minutes);
}

const everyWindow = Object.entries(MAINTENANCE_BY_TIER).flatMap(([tier, table]) =>
  table.windows.flatMap((window) => window.days.map((day) => ({ tier, timeZone: table.timeZone, window, day }))),
);

describe("maintenance windows in AWS's formats", () => {
  it("each environment reads its tier's table unless it overrides it", () => {
    for (const config of [dev, staging, production]) expect(config.maintenance).toEqual(MAINTENANCE_BY_TIER[config.tier]);
  });

  it.each(everyWindow)("$tier $day $window.start–$window.end: the UTC range is the local one shifted by the standard offset", ({ timeZone, window, day }) => {
    const [start, end] = weeklyWindowUtc(window, timeZone, day).split("-") as [string, string];
    expect(start).toMatch(/^(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):[0-5]\d$/);
    const offset = MAINTENANCE_TIME_ZONES[timeZone] * 60;
    const localStart = WEEKDAYS.indexOf(day) * 24 * 60 + minutesOfDay(window.start);
    expect(minuteOfWeek(start)).toBe((localStart - offset + MINUTES_PER_WEEK) % MINUTES_PER_WEEK);
    const length = (minuteOfWeek(end) - minuteOfWeek(start) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
    expect(length).toBe(minutesOfDay(window.end) - minutesOfDay(window.start));
  });

  it("wraps to the next day when the local evening is past midnight in UTC", () => {
    const evening: MaintenanceWindow = { days: ["sat"], start: "21:00", end: "23:00" };
    // New York is UTC−5: 21:00 Saturday is 02:00 Sunday, the first day of the week again.
    expect(weeklyWindowUtc(evening, "America/New_York")).toBe("sun:02:00-sun:04:00");
    const straddling: MaintenanceWindow = { days: ["tue"], start: "18:00", end: "20:00" };
    expect(weeklyWindowUtc(straddling, "America/New_York")).toBe("tue:23:00-wed:01:00");
  });

  it("gives one RDS/ElastiCache range per day of a window", () => {
    const [weekdays] = MAINTENANCE_BY_TIER.development.windows;
    expect(weeklyWindowsUtc(weekdays!, "America/New_York")).toHaveLength(weekdays!.days.length);
  });

  it("gives OpenSearch the UTC start hour and minute of the main window", () => {
    for (const { timeZone, windows } of Object.values(MAINTENANCE_BY_TIER)) {
      const main = windows[0]!;
      const [start] = weeklyWindowUtc(main, timeZone).split("-");
      const [, hours, minutes] = start!.split(":").map(Number);
      expect(offPeakStartUtc(main, timeZone)).toEqual({ hours, minutes });
    }
  });

  it("gives Amazon MQ the local day and time with the zone, which MQ converts itself", () => {
    for (const { timeZone, windows } of Object.values(MAINTENANCE_BY_TIER)) {
      const main = windows[0]!;
      expect(mqMaintenanceStart(main, timeZone)).toEqual({
        dayOfWeek: expect.stringMatching(new RegExp(`^${main.days[0]}`, "i")),
        timeOfDay: main.start,
        timeZone,
      });
    }
  });
});
