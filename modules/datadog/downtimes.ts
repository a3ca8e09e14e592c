import { DowntimeSchedule } from "@cdktf/provider-datadog/lib/downtime-schedule";
import { Construct } from "constructs";
import { type MaintenanceWindow, WEEKDAYS, type Weekday, minutesOfDay } from "../../lib/maintenance";

export interface MaintenanceDowntimesProps {
  readonly environment: string;
  /** IANA zone the windows are written in: the schedules follow its daylight-saving changes. */
  readonly timeZone: string;
  /** Weekly windows, local time, each within one day (as lib/maintenance.ts reads them). */
  readonly windows: readonly MaintenanceWindow[];
  /**
   * Minutes each downtime runs past its window's end. The AWS stacks convert windows to UTC with
   * the zone's standard-time offset (lib/maintenance.ts), so in summer RDS, ElastiCache and
   * OpenSearch patch an hour later on the local clock while Amazon MQ keeps it: a downtime that
   * follows the local clock must reach that much further to cover both.
   * @default 0
   */
  readonly trailingMinutes?: number;
  /**
   * The first day the schedules may start (YYYY-MM-DD); each starts on its first matching weekday.
   * @default "2025-01-01"
   */
  readonly effectiveFrom?: string;
}

/** RRULE's weekday names, in lib/maintenance.ts's order (Sunday first). */
const RRULE_DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;

/** `["sun", "wed"]` → `SU,WE`. */
export function rruleDays(days: readonly Weekday[]): string {
  return days.map((day) => RRULE_DAYS[WEEKDAYS.indexOf(day)]).join(",");
}

/** A window's key, from what it is: `sun-0200`, `tue-thu-1900`. */
export function windowKey(window: MaintenanceWindow): string {
  return `${window.days.join("-")}-${window.start.replace(":", "")}`;
}

/** The first date on or after `from` that falls on one of `days`. */
export function firstOccurrence(from: string, days: readonly Weekday[]): string {
  const date = new Date(`${from}T00:00:00Z`);
  for (let offset = 0; offset < 7; offset += 1) {
    const candidate = new Date(date.getTime() + offset * 86_400_000);
    if (days.includes(WEEKDAYS[candidate.getUTCDay()]!)) return candidate.toISOString().slice(0, 10);
  }
  throw new Error(`no weekday in ${days.join(",")}`);
}

/**
 * One recurring downtime per maintenance window, muting every monitor of the environment (its
 * `environment` tag) in a time-zone-aware schedule. Recoveries during the window are not announced.
 */
export class MaintenanceDowntimes extends Construct {
  /** By window key (`windowKey`). */
  readonly schedules: ReadonlyMap<string, DowntimeSchedule>;

  constructor(scope: Construct, id: string, props: MaintenanceDowntimesProps) {
    super(scope, id);
    const environmentScope = `environment:${props.environment}`;
    const schedules = new Map<string, DowntimeSchedule>();
    for (const window of props.windows) {
      const key = windowKey(window);
      const length = minutesOfDay(window.end) - minutesOfDay(window.start);
      if (length <= 0) throw new Error(`maintenance window ${key} must end after it starts, the same day (${window.start}–${window.end})`);
      if (schedules.has(key)) throw new Error(`two maintenance windows start on ${window.days.join(",")} at ${window.start}`);
      const day = firstOccurrence(props.effectiveFrom ?? "2025-01-01", window.days);
      schedules.set(
        key,
        new DowntimeSchedule(this, key, {
          scope: environmentScope,
          monitorIdentifier: { monitorTags: [environmentScope] },
          message: `Maintenance window of ${props.environment}: ${window.days.join(",")} ${window.start}–${window.end} ${props.timeZone}.`,
          displayTimezone: props.timeZone,
          muteFirstRecoveryNotification: true,
          notifyEndStates: ["alert", "warn", "no data"],
          notifyEndTypes: ["expired"],
          recurringSchedule: {
            timezone: props.timeZone,
            recurrence: [{ rrule: `FREQ=WEEKLY;BYDAY=${rruleDays(window.days)}`, duration: `${length + (props.trailingMinutes ?? 0)}m`, start: `${day}T${window.start}:00` }],
          },
        }),
      );
    }
    this.schedules = schedules;
  }
}
