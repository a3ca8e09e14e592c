/**
 * The stacks the workflows plan and apply, read from a synthesis (`<outdir>/manifest.json`) and
 * the environments' configuration, so a new stack or environment needs no workflow edit.
 *
 *   tsx .github/scripts/delivery-stacks.ts --phase plan|drift [--environment <env>] [--outdir cdktf.out]
 *   tsx .github/scripts/delivery-stacks.ts --phase apply --environment <env> [--format lines]
 *
 * Prints a GitHub Actions matrix `{"include":[{stack, environment, region, role, directory, kind,
 * observabilityDirectory, observability, remoteState}]}`. `plan` and `drift` (stacks with remote state only) use each
 * environment's `ci.planRoleArn`; `apply` its `ci.applyRoleArn`, with the stacks in apply order
 * (see {@link applyOrder}). `--format lines`
 * prints the stack names only, one per line.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironments } from "../../environments";
import type { EnvironmentConfig } from "../../environments/types";
import { type ConfigIssue, ConfigValidationError, type SourcedEnvironment } from "../../environments/validate";
import { type AppContext, readAppContext } from "../../lib/app-context";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { ObservabilityStack } from "../../stacks/observability-stack";
import { RegionalStack } from "../../stacks/regional-stack";
import { environmentOfStack } from "../../tooling/plan-guard";
import { DEFAULT_OUTDIR, isAwsOnlyStack, listStacks, REPO_ROOT } from "../../tooling/terraform-harness";

/** The GitHub OIDC roles of an environment (environments/<env>.ts `ci`). */
export interface CiRoles {
  /** Read-only role PR plans and the drift check assume. */
  readonly planRoleArn: string;
  /** Role the apply jobs assume, behind the environment's protection rules. */
  readonly applyRoleArn: string;
}

/**
 * What a stack is, which decides the Terraform variables the workflows supply to it: `regional`
 * stacks take the origin header secret and the observability stack's PagerDuty outputs,
 * `observability` the synthetics credentials.
 */
export type StackKind = "bootstrap" | "observability" | "regional" | "other";

/** `plan`: every stack, for review; `drift`: those with remote state; `apply`: one environment's, in order. */
export type Phase = "plan" | "drift" | "apply";
const PHASES: readonly Phase[] = ["plan", "drift", "apply"];

export interface DeliveryStack {
  readonly stack: string;
  readonly environment: string;
  /** The stack's home region: its backend's and the credentials' region. */
  readonly region: string;
  /** The synthesized stack's directory, relative to the repository root. */
  readonly directory: string;
  readonly kind: StackKind;
  /**
   * The directory of the environment's observability stack when it was synthesized, else "": the
   * plan action reads that stack's outputs for the variables of the same name.
   */
  readonly observabilityDirectory: string;
  /** Declares providers beyond AWS (Datadog, PagerDuty): their keys come from environment secrets. */
  readonly observability: boolean;
  /**
   * State in S3 or HCP Terraform. A stack with local state (a bootstrap before its state is
   * migrated into the bucket it creates) is planned for review but never applied or drift-checked
   * by a workflow: a runner's empty local state would plan to create everything again.
   */
  readonly remoteState: boolean;
  /** Stacks cdktf's `addDependency` says must be applied first (manifest.json `dependencies`). */
  readonly dependencies: readonly string[];
  readonly roles: CiRoles;
}

export interface MatrixEntry {
  readonly stack: string;
  readonly environment: string;
  readonly region: string;
  readonly role: string;
  readonly directory: string;
  readonly kind: StackKind;
  readonly observabilityDirectory: string;
  readonly observability: boolean;
  readonly remoteState: boolean;
}

const ROLE_FIELDS: readonly (keyof CiRoles)[] = ["planRoleArn", "applyRoleArn"];
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function ciRoles({ file, config }: SourcedEnvironment, issues: ConfigIssue[]): CiRoles {
  const ci = (config as EnvironmentConfig & { ci?: Partial<CiRoles> }).ci;
  for (const field of ROLE_FIELDS) {
    const value = ci?.[field];
    if (typeof value !== "string" || !ROLE_ARN.test(value)) {
      issues.push({ file, path: `${config.name}.ci.${field}`, message: `must be an IAM role ARN for the GitHub workflows (got ${JSON.stringify(value)})` });
    }
  }
  return { planRoleArn: ci?.planRoleArn ?? "", applyRoleArn: ci?.applyRoleArn ?? "" };
}

/** The region a stack belongs to: a regional stack's (or a part of it, `<regional stack>-<part>`), else none. */
function regionOf(stack: string, config: EnvironmentConfig): EnvironmentConfig["regions"][number] | undefined {
  return config.regions.find(({ region }) => {
    const regional = RegionalStack.stackName(config.name, region);
    return stack === regional || stack.startsWith(`${regional}-`);
  });
}

/** A regional stack's region; the primary region for the stacks that span regions. */
function homeRegion(stack: string, config: EnvironmentConfig): string {
  return (regionOf(stack, config) ?? config.regions.find(({ role }) => role === "primary") ?? config.regions[0]!).region;
}

export function stackKind(stack: string, config: EnvironmentConfig): StackKind {
  if (stack === BootstrapStack.stackName(config.name)) return "bootstrap";
  if (stack === ObservabilityStack.stackName(config.name)) return "observability";
  return regionOf(stack, config) ? "regional" : "other";
}

function hasRemoteState(synthesizedStackPath: string): boolean {
  const terraform = (JSON.parse(readFileSync(synthesizedStackPath, "utf8")) as { terraform?: { backend?: Record<string, unknown>; cloud?: unknown } }).terraform;
  return Boolean(terraform?.cloud) || Object.keys(terraform?.backend ?? {}).some((type) => type !== "local");
}

function manifestDependencies(outdir: string): Map<string, string[]> {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { name?: string; dependencies?: string[] }> };
  return new Map(Object.entries(manifest.stacks).map(([key, entry]) => [entry.name ?? key, entry.dependencies ?? []]));
}

/**
 * Every synthesized stack with what the workflows need to run it. Throws one
 * ConfigValidationError listing every environment without CI roles, and every stack whose
 * environment is not in cdktf.json.
 */
export function deliveryStacks(outdir: string, environments: readonly SourcedEnvironment[], context: AppContext): DeliveryStack[] {
  const issues: ConfigIssue[] = [];
  const byName = new Map(environments.map((sourced) => [sourced.config.name as string, { config: sourced.config, roles: ciRoles(sourced, issues) }]));
  const dependencies = manifestDependencies(outdir);
  const synthesized = listStacks(outdir);
  const directoryOf = (info: (typeof synthesized)[number]) => relative(REPO_ROOT, info.workingDirectory).split("\\").join("/");
  const stacks = synthesized.flatMap((info): DeliveryStack[] => {
    const environment = environmentOfStack(info.name, context.environments);
    const env = environment ? byName.get(environment) : undefined;
    if (!environment || !env) {
      issues.push({ file: "cdktf.json", path: "context.environments", message: `no environment for synthesized stack ${info.name} (stacks are named lma-<environment>-…)` });
      return [];
    }
    const observabilityStack = synthesized.find((other) => other.name === ObservabilityStack.stackName(env.config.name));
    return [
      {
        stack: info.name,
        environment,
        region: homeRegion(info.name, env.config),
        directory: directoryOf(info),
        kind: stackKind(info.name, env.config),
        observabilityDirectory: observabilityStack ? directoryOf(observabilityStack) : "",
        observability: !isAwsOnlyStack(info),
        remoteState: hasRemoteState(info.synthesizedStackPath),
        dependencies: dependencies.get(info.name) ?? [],
        roles: env.roles,
      },
    ];
  });
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return stacks;
}

/**
 * Where a stack falls in the apply order when no dependency decides: the state backend first;
 * then observability, whose PagerDuty CloudWatch endpoints the regional stacks take as variables
 * (PAGERDUTY_CLOUDWATCH_OUTPUTS in stacks/observability-stack.ts); then the standby region, whose
 * buckets and repositories the primary replicates into; then the primary; then anything else.
 * Ties keep name order.
 */
function applyRank(stack: DeliveryStack, config: EnvironmentConfig): number {
  const kind = stackKind(stack.stack, config);
  if (kind === "bootstrap") return 0;
  if (kind === "observability") return 1;
  const role = regionOf(stack.stack, config)?.role;
  if (role === "standby") return 2;
  if (role === "primary") return 3;
  return 4;
}

/**
 * The stacks of one environment in the order they must be applied: every manifest dependency
 * before its dependant, and otherwise by {@link applyRank}. A dependency cycle is an error.
 */
export function applyOrder(stacks: readonly DeliveryStack[], config: EnvironmentConfig): DeliveryStack[] {
  const pending = new Map(stacks.map((s) => [s.stack, s]));
  const ordered: DeliveryStack[] = [];
  const byRank = (a: DeliveryStack, b: DeliveryStack) => applyRank(a, config) - applyRank(b, config) || a.stack.localeCompare(b.stack);
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((s) => s.dependencies.every((dep) => !pending.has(dep))).sort(byRank);
    if (ready.length === 0) throw new Error(`dependency cycle among stacks ${[...pending.keys()].join(", ")} (manifest.json dependencies)`);
    ordered.push(ready[0]!);
    pending.delete(ready[0]!.stack);
  }
  return ordered;
}

export function matrixEntry(stack: DeliveryStack, phase: Phase): MatrixEntry {
  const { environment, region, directory, kind, observabilityDirectory, observability, remoteState } = stack;
  const role = phase === "apply" ? stack.roles.applyRoleArn : stack.roles.planRoleArn;
  return { stack: stack.stack, environment, region, role, directory, kind, observabilityDirectory, observability, remoteState };
}

/** The matrix of a phase: every stack (of one environment, when given), apply order for `apply`. */
export function deliveryMatrix(stacks: readonly DeliveryStack[], environments: readonly SourcedEnvironment[], phase: Phase, environment?: string): { include: MatrixEntry[] } {
  const selected = stacks.filter((s) => (!environment || s.environment === environment) && (phase !== "drift" || s.remoteState));
  if (phase !== "apply") return { include: selected.map((s) => matrixEntry(s, phase)) };
  const config = environments.find((e) => e.config.name === environment)?.config;
  if (!config) throw new Error(`--phase apply needs --environment, one of: ${environments.map((e) => e.config.name).join(", ")}`);
  return { include: applyOrder(selected, config).map((s) => matrixEntry(s, phase)) };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      phase: { type: "string", default: "plan" },
      environment: { type: "string" },
      outdir: { type: "string", default: DEFAULT_OUTDIR },
      format: { type: "string", default: "matrix" },
    },
  });
  const phase = values.phase as Phase;
  if (!PHASES.includes(phase)) throw new Error(`--phase must be one of ${PHASES.join(", ")} (got ${values.phase})`);
  const { context, issues } = readAppContext();
  const environments = loadEnvironments(context, undefined, issues);
  const stacks = deliveryStacks(values.outdir!, environments, context);
  const matrix = deliveryMatrix(stacks, environments, phase, values.environment);
  console.log(values.format === "lines" ? matrix.include.map((entry) => entry.stack).join("\n") : JSON.stringify(matrix));
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
