import { DowntimeSchedule } from "@cdktf/provider-datadog/lib/downtime-schedule";
import { Construct } from "constructs";

/** A weekly window, in the schedule's time zone. */
export interface MaintenanceWindow {
  readonly name: string;
  /** RRULE weekdays: MO, TU, WE, TH, FR, SA, SU. */
  readonly days: readonly string[];
  /** `HH:MM`. */
  readonly start: string;
  /** `HH:MM`; earlier than `start` means the next day. */
  readonly end: string;
}

export interface MaintenanceDowntimesProps {
  readonly environment: string;
  /** IANA zone: the windows follow its daylight-saving changes. */
  readonly timeZone: string;
  readonly windows: readonly MaintenanceWindow[];
  /**
   * The first day the schedules may start (YYYY-MM-DD); each starts on its first matching weekday.
   * @default "2025-01-01"
   */
  readonly effectiveFrom?: string;
}

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

/** Minutes from `start` to `end`, wrapping past midnight. */
export function windowDurationMinutes(start: string, end: string): number {
  const minutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
  return (minutes(end) - minutes(start) + 24 * 60) % (24 * 60);
}

/** The first date on or after `from` that falls on one of `days`. */
export function firstOccurrence(from: string, days: readonly string[]): string {
  const date = new Date(`${from}T00:00:00Z`);
  for (let offset = 0; offset < 7; offset += 1) {
    const candidate = new Date(date.getTime() + offset * 86_400_000);
    if (days.includes(WEEKDAYS[candidate.getUTCDay()]!)) return candidate.toISOString().slice(0, 10);
  }
  throw new Error(`no weekday in ${days.join(",")}`);
}

/**
 * One recurring downtime per maintenance window, muting every monitor of the environment (its
 * `environment` tag) in a time-zone-aware schedule, so the windows stay at the same local hour
 * across daylight-saving changes. Recoveries during the window are not announced.
 */
export class MaintenanceDowntimes extends Construct {
  readonly schedules: ReadonlyMap<string, DowntimeSchedule>;

  constructor(scope: Construct, id: string, props: MaintenanceDowntimesProps) {
    super(scope, id);
    const scope_ = `environment:${props.environment}`;
    this.schedules = new Map(
      props.windows.map((window) => {
        const duration = windowDurationMinutes(window.start, window.end);
        if (duration === 0) throw new Error(`maintenance window ${window.name} has no length`);
        const day = firstOccurrence(props.effectiveFrom ?? "2025-01-01", window.days);
        return [
          window.name,
          new DowntimeSchedule(this, window.name, {
            scope: scope_,
            monitorIdentifier: { monitorTags: [scope_] },
            message: `Maintenance window ${window.name} of ${props.environment}: ${window.days.join(",")} ${window.start}–${window.end} ${props.timeZone}.`,
            displayTimezone: props.timeZone,
            muteFirstRecoveryNotification: true,
            notifyEndStates: ["alert", "warn", "no data"],
            notifyEndTypes: ["expired"],
            recurringSchedule: {
              timezone: props.timeZone,
              recurrence: [{ rrule: `FREQ=WEEKLY;BYDAY=${window.days.join(",")}`, duration: `${duration}m`, start: `${day}T${window.start}:00` }],
            },
          }),
        ] as const;
      }),
    );
  }
}
