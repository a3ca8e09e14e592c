import { createHash } from "node:crypto";
import type { Naming } from "../../lib/naming";

/**
 * Names AWS limits in length (ALB and target groups: 32 characters). A name that fits is used as
 * is; a longer one is cut and suffixed with a hash of the full name, so it stays unique and stable.
 */
export function boundedName(name: string, maxLength: number): string {
  if (name.length <= maxLength) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  return `${name.slice(0, maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/**
 * The names of one service's resources, derived from the naming convention only, so other stacks
 * (observability, pipelines) can address them without reading this stack's state.
 */
export function serviceNames(naming: Naming, service: string) {
  return {
    /** ECS service, task-definition family, CodeDeploy deployment group: `lma-<env>-<service>`. */
    service: naming.name(service),
    /** ECR repository: `lma-<env>/<service>`. */
    repository: `${naming.prefix}/${service}`,
    /** Container logs: `/lma/<env>/ecs/<service>`. */
    logGroup: naming.logGroupName("ecs", service),
    /** The target group live traffic starts on (≤ 32 characters). */
    targetGroup: boundedName(naming.name(service), 32),
    /** Blue/green: the target group the replacement task set registers in (≤ 32 characters). */
    alternateTargetGroup: boundedName(`${naming.name(service)}-alt`, 32),
  } as const;
}

/** Names of the environment-wide compute resources in one region. */
export function platformNames(naming: Naming) {
  return {
    cluster: naming.name("services"),
    loadBalancer: boundedName(naming.name("api"), 32),
    codeDeployApplication: naming.name("services"),
    execLogGroup: naming.logGroupName("ecs", "exec"),
  } as const;
}

/** ALB rules: at most 5 condition values per rule, and priorities 1–50000. */
const MAX_VALUES_PER_RULE = 5;
const PRIORITY_BLOCK = 10;
const PRIORITY_BLOCKS = 4_999;

/** FNV-1a, 32 bit: small, dependency-free and stable across Node versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Listener-rule priorities per service: each service owns a block of 10 priorities chosen by a
 * hash of its name, so adding, removing or reordering services never renumbers another service's
 * rules (a renumbering replaces rules and drops traffic for a moment). Collisions, rare with 4,999
 * blocks, move the later name (alphabetically) to the next free block.
 */
export function listenerPriorities(services: readonly string[]): ReadonlyMap<string, number> {
  const taken = new Set<number>();
  const priorities = new Map<string, number>();
  for (const service of [...services].sort()) {
    let block = fnv1a(service) % PRIORITY_BLOCKS;
    while (taken.has(block)) block = (block + 1) % PRIORITY_BLOCKS;
    taken.add(block);
    priorities.set(service, (block + 1) * PRIORITY_BLOCK);
  }
  return priorities;
}

/** Splits path patterns into groups that fit one listener rule; 10 rules per service at most. */
export function pathGroups(paths: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (let index = 0; index < paths.length; index += MAX_VALUES_PER_RULE) {
    groups.push(paths.slice(index, index + MAX_VALUES_PER_RULE));
  }
  if (groups.length > PRIORITY_BLOCK) {
    throw new Error(`at most ${PRIORITY_BLOCK * MAX_VALUES_PER_RULE} path patterns per service (${paths.length})`);
  }
  return groups;
}
