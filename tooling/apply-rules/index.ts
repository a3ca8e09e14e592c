import type { EnvironmentConfig } from "../../environments/types";
import { readStackJson, synthesizedStackNames } from "../stack-json";
import { MANAGED_SERVICE_RULES } from "./rules/managed-services";
import { CONTAINER_RULES } from "./rules/containers";
import { EDGE_RULES } from "./rules/edge";
import { KEY_AND_LOG_RULES } from "./rules/keys-and-logs";
import { NAME_RULES } from "./rules/names";
import { RDS_RULES } from "./rules/rds";
import { STATE_BACKEND_RULES } from "./rules/state-backend";
import { STATEFUL_RULES } from "./rules/stateful";
import type { Finding, Rule, RuleContext, StackJson } from "./types";

export type { Finding, Rule, RuleContext, RuleInput, StackJson } from "./types";
export { DELETION_PROTECTION } from "./rules/stateful";

export const RULES: readonly Rule[] = [
  ...NAME_RULES,
  ...RDS_RULES,
  ...MANAGED_SERVICE_RULES,
  ...CONTAINER_RULES,
  ...KEY_AND_LOG_RULES,
  ...EDGE_RULES,
  ...STATEFUL_RULES,
  ...STATE_BACKEND_RULES,
];

/** Every image tag a release pin references: each environment's release version and image overrides. */
export function pinnedImageTags(environments: readonly Pick<EnvironmentConfig, "release">[]): string[] {
  return [...new Set(environments.flatMap(({ release }) => [release.version, ...Object.values(release.images ?? {})]))];
}

/** The environment a stack belongs to, by the stack naming `lma-<environment>-…` (stacks/*.ts). */
export function environmentOfStack<T extends Pick<EnvironmentConfig, "name">>(stackName: string, environments: readonly T[]): T | undefined {
  return environments.find(({ name }) => stackName.startsWith(`lma-${name}-`));
}

/** Runs every rule on every stack of one synthesis; findings carry the stack they were found in. */
export function runRules(
  stacks: ReadonlyMap<string, StackJson>,
  environments: readonly EnvironmentConfig[],
  rules: readonly Rule[] = RULES,
): (Finding & { stack: string })[] {
  const pins = pinnedImageTags(environments);
  return [...stacks].flatMap(([stackName, json]) => {
    const context: RuleContext = { environment: environmentOfStack(stackName, environments), pinnedImageTags: pins, stacks };
    return rules.flatMap((rule) => rule.check({ stackName, json, context }).map((finding) => ({ ...finding, stack: stackName })));
  });
}

/** Every stack a synthesis wrote to `outdir` (its manifest.json), by name. */
export function readSynthesizedStacks(outdir: string): Map<string, StackJson> {
  return new Map(synthesizedStackNames(outdir).map((name) => [name, readStackJson(outdir, name)]));
}
