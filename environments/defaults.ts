import releases from "./releases.json";
import type { EnvironmentConfig, EnvironmentInput } from "./types";
import { parseEnvironment } from "./validate";

/**
 * The scheduled jobs of `scheduled-jobs`, the same everywhere (UTC). The function runs one job at
 * a time (reserved concurrency 1): a slow run never overlaps the next and double-posts.
 */
export const SCHEDULED_JOBS = {
  "loan-interest-accrual": "cron(0 1 * * ? *)",
  "covenant-reminders": "cron(0 7 ? * MON-FRI *)",
} as const;

/**
 * An environment from what its file states: the schema fills every default (documented on
 * environments/schema.ts) and the pins come from releases.json under the environment's name.
 * Throws `ConfigValidationError` naming `environments/<name>.ts` (and releases.json or
 * catalogue.ts where the problem is there); `loadEnvironments` collects those of every file.
 */
export function defineEnvironment(input: EnvironmentInput): EnvironmentConfig {
  const release = (releases as Record<string, unknown>)[input.name];
  return parseEnvironment({ file: `environments/${input.name}.ts`, config: { ...input, release } as EnvironmentConfig });
}
