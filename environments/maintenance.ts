import type { MaintenanceTimeZone, MaintenanceWindow } from "../lib/maintenance";

/**
 * The platform's maintenance table, read in New York time (the lender's operations are in the
 * US). Production patches in the quietest hours of the week; staging in the evening, after the
 * day's testing; development during working hours, when someone is there to notice.
 * An environment's `maintenance` overrides its tier's row.
 */
export const MAINTENANCE_BY_TIER: Readonly<
  Record<"development" | "staging" | "production", { timeZone: MaintenanceTimeZone; windows: MaintenanceWindow[] }>
> = {
  production: {
    timeZone: "America/New_York",
    windows: [
      { days: ["sun"], start: "02:00", end: "06:00" },
      { days: ["wed"], start: "02:00", end: "04:00" },
    ],
  },
  staging: {
    timeZone: "America/New_York",
    windows: [
      { days: ["tue", "thu"], start: "19:00", end: "22:00" },
      { days: ["sat"], start: "09:00", end: "12:00" },
    ],
  },
  development: {
    timeZone: "America/New_York",
    windows: [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:00", end: "17:00" }],
  },
};
