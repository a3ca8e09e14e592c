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

/**
 * ALB rule limits (Elastic Load Balancing, "Listener rules" and "Condition types"): at most 3
 * match evaluations per condition, 5 per rule, 5 wildcards per rule; priorities 1–50000. Every
 * forwarding rule spends one evaluation on the origin header, so a rule's path condition holds
 * at most 3 patterns (the per-condition limit is the tighter one: 3 + 1 ≤ 5).
 */
export const MAX_EVALUATIONS_PER_CONDITION = 3;
export const MAX_EVALUATIONS_PER_RULE = 5;
export const MAX_WILDCARDS_PER_RULE = 5;
const PRIORITY_BLOCK = 10;
const PRIORITY_BLOCKS = 4_999;
/**
 * The last priority ALB allows, after every service's block (the highest block ends at 49,999):
 * requests from CloudFront for a path no service owns get a 404 here, the rest the listener's 403.
 */
export const KNOWN_CLIENT_FALLBACK_PRIORITY = 50_000;

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

/** `*` and `?` are wildcards in path patterns and header values; each counts towards the rule's 5. */
export function wildcardCount(pattern: string): number {
  return [...pattern].filter((char) => char === "*" || char === "?").length;
}

/**
 * Splits path patterns, in order, into groups that fit one forwarding rule beside `reserved`
 * (the origin-header condition): at most 3 patterns per group, and the group's wildcards plus the
 * reserved ones within 5. Order-preserving, so a service's rules keep their priorities until its
 * own paths change; at most 10 groups, the service's block of priorities.
 */
export function pathGroups(paths: readonly string[], reserved: { readonly evaluations: number; readonly wildcards: number }): string[][] {
  const perGroup = Math.min(MAX_EVALUATIONS_PER_CONDITION, MAX_EVALUATIONS_PER_RULE - reserved.evaluations);
  const wildcardBudget = MAX_WILDCARDS_PER_RULE - reserved.wildcards;
  const groups: string[][] = [];
  let wildcards = 0;
  for (const path of paths) {
    const own = wildcardCount(path);
    if (own > wildcardBudget) throw new Error(`path pattern "${path}" has ${own} wildcards; a rule allows ${wildcardBudget} beside the origin header`);
    const current = groups.at(-1);
    if (current && current.length < perGroup && wildcards + own <= wildcardBudget) {
      current.push(path);
      wildcards += own;
    } else {
      groups.push([path]);
      wildcards = own;
    }
  }
  if (groups.length > PRIORITY_BLOCK) {
    throw new Error(`${paths.length} path patterns need ${groups.length} listener rules; a service has ${PRIORITY_BLOCK} (at most ${perGroup} patterns per rule)`);
  }
  return groups;
}
