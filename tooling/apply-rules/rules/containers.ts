import { ignoredChanges, literal, numeric, reporter, resources, wildcardMatches } from "../terraform-json";
import type { Rule } from "../types";

/** Memory (MiB) Fargate accepts per task CPU value. */
const FARGATE_MEMORY: Readonly<Record<number, (memory: number) => boolean>> = {
  256: (memory) => [512, 1024, 2048].includes(memory),
  512: (memory) => memory >= 1024 && memory <= 4096 && memory % 1024 === 0,
  1024: (memory) => memory >= 2048 && memory <= 8192 && memory % 1024 === 0,
  2048: (memory) => memory >= 4096 && memory <= 16384 && memory % 1024 === 0,
  4096: (memory) => memory >= 8192 && memory <= 30720 && memory % 1024 === 0,
  8192: (memory) => memory >= 16384 && memory <= 61440 && memory % 4096 === 0,
  16384: (memory) => memory >= 32768 && memory <= 122880 && memory % 8192 === 0,
};

const fargateCpuMemory: Rule = {
  id: "ecs-fargate-cpu-memory",
  description: "A Fargate task definition uses one of the task CPU/memory combinations Fargate supports.",
  source:
    "Amazon ECS Developer Guide, Troubleshoot Amazon ECS task definition invalid CPU or memory errors (Fargate table): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_ecs_task_definition").flatMap(({ address, body }) => {
      const compatibilities = Array.isArray(body.requires_compatibilities) ? body.requires_compatibilities : [];
      if (!compatibilities.includes("FARGATE")) return [];
      const cpu = numeric(body.cpu);
      const memory = numeric(body.memory);
      if (cpu === undefined || memory === undefined) return [report(address, "a Fargate task definition needs task-level cpu and memory")];
      const accepts = FARGATE_MEMORY[cpu];
      if (!accepts) return [report(address, `cpu ${cpu} is not a Fargate task size (${Object.keys(FARGATE_MEMORY).join(", ")})`)];
      return accepts(memory) ? [] : [report(address, `memory ${memory} MiB is not offered with cpu ${cpu} on Fargate`)];
    });
  },
};

/**
 * Service attributes UpdateService accepts under the CODE_DEPLOY controller (the desired count, the
 * deployment configuration, the health check grace period, placement, managed tags and tag
 * propagation), plus what Terraform changes through other calls or not at all.
 */
const UPDATABLE_UNDER_CODE_DEPLOY = new Set([
  "desired_count",
  "deployment_maximum_percent",
  "deployment_minimum_healthy_percent",
  "deployment_circuit_breaker",
  "alarms",
  "health_check_grace_period_seconds",
  "ordered_placement_strategy",
  "placement_constraints",
  "enable_ecs_managed_tags",
  "propagate_tags",
  // TagResource, provider-side settings and meta-arguments
  "tags",
  "tags_all",
  "wait_for_steady_state",
  "timeouts",
  "lifecycle",
  "depends_on",
  "provider",
  "count",
  "for_each",
  "//",
  // Changing these replaces the service (CreateService), which CODE_DEPLOY permits.
  "name",
  "cluster",
  "deployment_controller",
  "scheduling_strategy",
  "iam_role",
]);

const codeDeployIgnoresWhatUpdateServiceRefuses: Rule = {
  id: "ecs-code-deploy-ignores-refused-updates",
  description:
    "A service under the CODE_DEPLOY controller ignores changes to every attribute UpdateService refuses for it (task definition, load balancers, network configuration, platform version, capacity providers, ECS Exec, …); those reach tasks through a CodeDeploy deployment.",
  source: "Amazon ECS API Reference, UpdateService (blue/green CODE_DEPLOY controller): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_ecs_service").flatMap(({ address, body }) => {
      const controller = literal((Array.isArray(body.deployment_controller) ? body.deployment_controller[0] : body.deployment_controller)?.type);
      if (controller !== "CODE_DEPLOY") return [];
      const ignored = new Set(ignoredChanges(body));
      if (ignored.has("all")) return [];
      const refused = Object.keys(body).filter((attribute) => !UPDATABLE_UNDER_CODE_DEPLOY.has(attribute) && !ignored.has(attribute));
      return refused.length === 0
        ? []
        : [report(address, `under CODE_DEPLOY, UpdateService refuses changes to ${refused.join(", ")}; add them to lifecycle.ignore_changes`)];
    });
  },
};

interface LifecycleRule {
  rulePriority?: number;
  selection?: { tagStatus?: string; tagPrefixList?: string[]; tagPatternList?: string[]; countType?: string; countNumber?: number };
  action?: { type?: string };
}

/** Whether a lifecycle selection can pick an image whose only tag is `tag`. */
function selects(selection: NonNullable<LifecycleRule["selection"]>, tag: string): boolean {
  if (selection.tagStatus === "any") return true;
  if (selection.tagStatus !== "tagged") return false;
  // With several prefixes or patterns, ECR selects only images matching every one of them.
  const prefixes = selection.tagPrefixList ?? [];
  const patterns = selection.tagPatternList ?? [];
  return prefixes.every((prefix) => tag.startsWith(prefix)) && patterns.every((pattern) => wildcardMatches(pattern, tag));
}

const lifecycleKeepsPinnedImages: Rule = {
  id: "ecr-lifecycle-keeps-release-pins",
  description:
    "No ECR lifecycle rule expires an image a release pin references: age-based rules must not select pinned tags, and count-based rules that select them keep at least as many images as there are distinct pins.",
  source:
    "Amazon ECR User Guide, Lifecycle policy properties (tagStatus, tagPrefixList, tagPatternList, countType): https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html",
  check({ json, context }) {
    const report = reporter(this.id);
    const pins = [...new Set(context.pinnedImageTags)];
    return resources(json, "aws_ecr_lifecycle_policy").flatMap(({ address, body }) => {
      const policy = typeof body.policy === "string" ? (JSON.parse(body.policy) as { rules?: LifecycleRule[] }) : {};
      return (policy.rules ?? []).flatMap((rule) => {
        const selection = rule.selection;
        if (!selection || (rule.action?.type ?? "expire") !== "expire") return [];
        const selected = pins.filter((tag) => selects(selection, tag));
        if (selected.length === 0) return [];
        const describe = `rule ${rule.rulePriority ?? "?"} (tagStatus ${selection.tagStatus}, ${selection.countType} ${selection.countNumber})`;
        if (selection.countType === "imageCountMoreThan" && (selection.countNumber ?? 0) >= selected.length) return [];
        return [report(address, `${describe} can expire images that release pins reference: ${selected.join(", ")}`)];
      });
    });
  },
};

export const CONTAINER_RULES: readonly Rule[] = [fargateCpuMemory, codeDeployIgnoresWhatUpdateServiceRefuses, lifecycleKeepsPinnedImages];

