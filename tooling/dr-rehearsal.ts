/**
 * `npm run dr:rehearse`: a failover rehearsal that needs no AWS account.
 *
 * 1. Synthesizes the standby region's stack of an environment (production by default) twice: as
 *    configured (warm standby) and with `disasterRecovery.activeRegion` set to the standby region
 *    (failover), the one edit docs/disaster-recovery.md makes.
 * 2. Plans both offline (tooling/terraform-harness.ts), so each mode is valid on its own.
 * 3. Writes a state holding every resource of the standby plan as if applied (its planned values,
 *    plus placeholder ids and ARNs), then plans against it the standby configuration (the baseline:
 *    what a state made from plan values differs in by itself) and the failover configuration.
 *    What failover changes = the failover plan's changes that the baseline does not have.
 * 4. Prints them (created, updated in place, resized, replaced, destroyed) and fails when a
 *    stateful resource (lib/stateful-resources.ts) would be replaced or destroyed, or any
 *    aws_iam_* / aws_route53_* resource would change: IAM's and Route 53's control planes are in
 *    us-east-1, which a failover must not need.
 *
 * Every Terraform run is cached by the exact bytes it sees (the harness's cache for plain plans, a
 * cache keyed the same way for the plans against the built state), so a rerun costs seconds.
 */
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { production } from "../environments/production";
import type { EnvironmentConfig } from "../environments/types";
import { parseEnvironment } from "../environments/validate";
import { standbyRegionOf } from "../lib/disaster-recovery";
import { statefulKind } from "../lib/stateful-resources";
import { RegionalStack } from "../stacks/regional-stack";
import {
  findTerraform,
  offlineEnv,
  offlineTransform,
  type PlanJson,
  type PlannedModule,
  planCacheDir,
  type ResourceChange,
  runStack,
  writeCliConfig,
} from "./terraform-harness";

/** Resource types whose control plane is in us-east-1: failover must not touch them. */
export const CONTROL_PLANE_PREFIXES = ["aws_iam_", "aws_route53_"] as const;

/** Attributes whose change is a resize: capacity, not identity. */
const SIZE_ATTRIBUTES = new Set([
  "instance_class",
  "node_type",
  "host_instance_type",
  "instance_type",
  "instance_count",
  "dedicated_master_count",
  "dedicated_master_type",
  "replicas_per_node_group",
  "num_node_groups",
  "num_cache_clusters",
  "desired_count",
  "min_capacity",
  "max_capacity",
  "reserved_concurrent_executions",
  "memory_size",
  "multi_az",
  "allocated_storage",
]);

export type ChangeKind = "create" | "update" | "resize" | "replace" | "delete";

export interface FailoverChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** Top-level attributes whose planned value differs from the state (update, resize, replace). */
  readonly attributes: readonly string[];
  /** What the resource is, when losing it loses data (lib/stateful-resources.ts). */
  readonly stateful?: string;
}

export interface RehearsalReport {
  readonly environment: string;
  readonly stack: string;
  readonly changes: readonly FailoverChange[];
  /** Why the rehearsal fails; empty when failover is a resize. */
  readonly violations: readonly string[];
  /** Resource counts of the two offline plans from nothing. */
  readonly planned: { readonly standby: number; readonly failover: number };
}

export interface RehearsalOptions {
  /** @default production (environments/production.ts) */
  readonly environment?: EnvironmentConfig;
  /** Where stacks are synthesized and planned. @default a temporary directory, removed afterwards */
  readonly workRoot?: string;
  readonly terraform?: string;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
}

/** The environment with its standby region active: the failover edit, validated like the file. */
export function failoverConfiguration(environment: EnvironmentConfig): EnvironmentConfig {
  const standby = standbyRegionOf(environment);
  if (!standby) throw new Error(`environments/${environment.name}.ts: regions: ${environment.name} has no standby region to fail over to`);
  return parseEnvironment({
    file: `environments/${environment.name}.ts`,
    config: { ...environment, disasterRecovery: { ...environment.disasterRecovery, activeRegion: standby as EnvironmentConfig["disasterRecovery"]["activeRegion"] } },
  });
}

function synthesize(environment: EnvironmentConfig, region: string, outdir: string): string {
  const app = new App({ outdir });
  const stack = new RegionalStack(app, environment, environment.regions.find((candidate) => candidate.region === region)!);
  app.synth();
  return stack.node.id;
}

function plannedResources(module: PlannedModule | undefined): NonNullable<PlannedModule["resources"]> {
  if (!module) return [];
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(plannedResources)];
}

/** The parts of `terraform providers schema -json` the state builder reads. */
interface SchemaBlock {
  attributes?: Record<string, { type?: unknown }>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}
export type ResourceSchemas = Record<string, { version?: number; block: SchemaBlock }>;

/** Where the placeholders of one resource instance point: ARNs must parse, so they carry a region and account. */
interface Placeholder {
  readonly base: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * The value another resource's attribute has in the built state, for a configuration value that
   * is exactly one reference (`${aws_vpc.x.id}`): the same placeholder on both ends, as after apply.
   */
  readonly resolve: (reference: string) => unknown;
}

const REFERENCE = /^\$\{[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z0-9_]+\}$/;

/** The state's value for an unknown attribute: the referenced value when the configuration is one reference, else a placeholder. */
function unknownValue(type: unknown, attribute: string, config: unknown, at: Placeholder): unknown {
  if (typeof config === "string" && REFERENCE.test(config)) {
    const resolved = at.resolve(config);
    if (resolved !== undefined) return resolved;
  }
  if (Array.isArray(config) && config.every((item) => typeof item === "string" && REFERENCE.test(item))) {
    const resolved = config.map((item) => at.resolve(item as string));
    if (resolved.every((item) => item !== undefined)) return resolved;
  }
  return placeholderValue(type, attribute, at);
}

/**
 * Attributes AWS assigns that other resources refer to (ids, ARNs, names, endpoints): these get a
 * placeholder when unknown at plan time. Other unknown attributes stay null, as an optional value
 * the provider fills in would be; a placeholder there could break the provider's own validation.
 */
const ASSIGNED = /(^|_)(id|arn|name|endpoint|address|suffix|url|fqdn|resource_id|zone_id|dns_name|value|type)$/;

/** A short, valid-looking value: provider validations bound lengths (a hosted zone id is at most 32). */
const token = (at: Placeholder, attribute: string) => `r${createHash("sha256").update(`${at.base}/${attribute}`).digest("hex").slice(0, 15)}`;

/** A value of a cty type that AWS would have assigned, for an attribute unknown at plan time. */
function placeholderValue(type: unknown, attribute: string, at: Placeholder): unknown {
  const kind = Array.isArray(type) ? String(type[0]) : String(type);
  // One element: configurations index computed lists (`instances[0].endpoints`).
  if (kind === "list") {
    const element = placeholderValue((type as unknown[])[1], attribute, at);
    return element === null ? [] : [element];
  }
  if (kind === "set" || kind === "tuple") return [];
  if (kind === "map") return {};
  if (kind === "object") return completeTyped(type, {}, true, attribute, undefined, at);
  if (kind !== "string" || !ASSIGNED.test(attribute)) return kind === "string" && /s$/.test(attribute) ? token(at, attribute) : null;
  if (/(^|_)arn$/.test(attribute)) return `arn:aws:rehearsal:${at.region}:${at.accountId}:${token(at, attribute)}`;
  if (attribute.endsWith("record_type")) return "CNAME";
  return token(at, attribute);
}

/** Completes a value of an object-typed attribute (or a collection of them) against its cty type. */
function completeTyped(type: unknown, value: unknown, unknown: unknown, attribute: string, config: unknown, at: Placeholder): unknown {
  if (value === undefined && unknown === true) return unknownValue(type, attribute, config, at);
  if (!Array.isArray(type)) return value ?? null;
  const [kind, element] = type as [string, unknown];
  if ((kind === "list" || kind === "set") && Array.isArray(value)) {
    return value.map((item, index) =>
      completeTyped(element, item, Array.isArray(unknown) ? unknown[index] : undefined, attribute, Array.isArray(config) ? config[index] : undefined, at),
    );
  }
  if (kind === "object" && value && typeof value === "object" && !Array.isArray(value)) {
    const fields = element as Record<string, unknown>;
    const given = value as Record<string, unknown>;
    const unknownOf = (key: string) => (unknown === true ? true : unknown && typeof unknown === "object" ? (unknown as Record<string, unknown>)[key] : undefined);
    return Object.fromEntries(
      Object.entries(fields).map(([key, fieldType]) => [
        key,
        key in given ? completeTyped(fieldType, given[key], unknownOf(key), key, undefined, at) : unknownOf(key) === true ? placeholderValue(fieldType, key, at) : null,
      ]),
    );
  }
  return value ?? null;
}

/**
 * Completes a planned value against its schema: unknown attributes get placeholders, absent ones
 * null, absent nested blocks empty, so the provider reads a whole object as it would after apply.
 */
function completeValue(block: SchemaBlock, value: Record<string, unknown>, unknown: unknown, config: unknown, at: Placeholder): Record<string, unknown> {
  const unknownOf = (key: string) => (unknown !== null && typeof unknown === "object" ? (unknown as Record<string, unknown>)[key] : undefined);
  const configOf = (key: string) => (config !== null && typeof config === "object" && !Array.isArray(config) ? (config as Record<string, unknown>)[key] : undefined);
  const out: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    out[name] = completeTyped(attribute.type, value[name], unknownOf(name), name, configOf(name), at);
  }
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    const given = value[name];
    const single = nested.nesting_mode === "single" || nested.nesting_mode === "group";
    if (Array.isArray(given)) {
      const unknowns = unknownOf(name);
      const configs = configOf(name);
      const configAt = (index: number) => (Array.isArray(configs) ? configs[index] : index === 0 ? configs : undefined);
      out[name] = given.map((item, index) =>
        completeValue(nested.block, (item ?? {}) as Record<string, unknown>, Array.isArray(unknowns) ? unknowns[index] : undefined, configAt(index), at),
      );
    } else if (given && typeof given === "object") {
      out[name] = completeValue(nested.block, given as Record<string, unknown>, unknownOf(name), configOf(name), at);
    } else {
      out[name] = single ? null : [];
    }
  }
  return out;
}

function required<T>(schema: T | undefined, type: string): T {
  if (!schema) throw new Error(`the AWS provider has no schema for ${type}`);
  return schema;
}

/** cty's JSON type of a planned value (the state stores dynamically typed values with their type). */
function ctyTypeOf(value: unknown): unknown {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return ["tuple", value.map(ctyTypeOf)];
  if (value && typeof value === "object") return ["object", Object.fromEntries(Object.entries(value).map(([key, item]) => [key, ctyTypeOf(item)]))];
  return "string";
}

/** Terraform's built-in `terraform_data`: its dynamic `input` and `output` carry their type in state. */
function terraformDataAttributes(values: Record<string, unknown>, at: Placeholder): Record<string, unknown> {
  const dynamic = (value: unknown) => (value === undefined || value === null ? null : { value, type: ctyTypeOf(value) });
  return { id: at.base, input: dynamic(values.input), output: dynamic(values.input), triggers_replace: dynamic(values.triggers_replace) };
}

/**
 * A version-4 state holding every managed resource of `plan` as if applied: its planned values,
 * completed against the provider's schema with what AWS would assign (ids, ARNs and other values
 * unknown at plan time), grouped into instances by index.
 */
export function stateFromPlan(
  plan: PlanJson,
  schemas: ResourceSchemas,
  where: { region: string; accountId: string; stack: { resource?: Record<string, Record<string, unknown>> } },
): Record<string, unknown> {
  const unknowns = new Map((plan.resource_changes ?? []).map((change) => [change.address, change.change.after_unknown]));
  const planned = plannedResources(plan.planned_values?.root_module).filter((resource) => resource.mode === "managed");
  const byAddress = new Map(planned.map((resource) => [resource.address, resource]));
  const completed = new Map<string, Record<string, unknown>>();
  const inProgress = new Set<string>();

  const attributesOf = (resource: (typeof planned)[number]): Record<string, unknown> => {
    const done = completed.get(resource.address);
    if (done) return done;
    inProgress.add(resource.address);
    const base = `${resource.type}-${resource.name}${resource.index === undefined ? "" : `-${String(resource.index)}`}`;
    const resolve = (reference: string) => {
      const [type, name, attribute] = reference.slice(2, -1).split(".") as [string, string, string];
      const target = byAddress.get(`${type}.${name}`);
      if (!target || inProgress.has(target.address)) return undefined;
      return attributesOf(target)[attribute] ?? undefined;
    };
    const at: Placeholder = { region: where.region, accountId: where.accountId, base, resolve };
    const values = resource.values ?? {};
    const config = resource.index === undefined ? where.stack.resource?.[resource.type]?.[resource.name] : undefined;
    const attributes =
      resource.type === "terraform_data"
        ? terraformDataAttributes(values, at)
        : completeValue(
            required(schemas[resource.type], resource.type).block,
            values,
            { ...(unknowns.get(resource.address) ?? {}), id: true, arn: true },
            config,
            at,
          );
    inProgress.delete(resource.address);
    completed.set(resource.address, attributes);
    return attributes;
  };

  const resources = new Map<string, { mode: string; type: string; name: string; provider: string; module?: string; each?: string; instances: unknown[] }>();
  for (const resource of planned) {
    const base = resource.address.replace(/\[[^\]]*\]$/, "");
    const modulePath = base.startsWith("module.") ? base.slice(0, base.lastIndexOf(`.${resource.type}.`)) : undefined;
    let entry = resources.get(base);
    if (!entry) {
      entry = { mode: "managed", type: resource.type, name: resource.name, provider: `provider["${resource.provider_name}"]`, instances: [] };
      if (modulePath) entry.module = modulePath;
      if (resource.index !== undefined) entry.each = typeof resource.index === "number" ? "list" : "map";
      resources.set(base, entry);
    }
    entry.instances.push({
      ...(resource.index === undefined ? {} : { index_key: resource.index }),
      schema_version: resource.schema_version ?? schemas[resource.type]?.version ?? 0,
      attributes: attributesOf(resource),
      sensitive_attributes: [],
    });
  }
  return { version: 4, terraform_version: plan.terraform_version, serial: 1, lineage: randomUUID(), outputs: {}, resources: [...resources.values()] };
}

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/**
 * `plan -refresh=false` of a synthesized stack against `state`, cached under the bytes Terraform
 * sees (transformed stack, state, Terraform binary).
 */
async function planAgainstState(stackFile: string, state: Record<string, unknown>, workDir: string, terraform: string): Promise<PlanJson> {
  const { json } = offlineTransform(JSON.parse(fs.readFileSync(stackFile, "utf8")) as Record<string, unknown>);
  // prevent_destroy would stop the plan at the first replacement; the rehearsal wants to see them all and judge them itself.
  for (const byName of Object.values((json.resource ?? {}) as Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>)) {
    for (const resource of Object.values(byName)) delete resource.lifecycle?.prevent_destroy;
  }
  const stackText = JSON.stringify(json, null, 2);
  const stateText = JSON.stringify({ ...state, lineage: "rehearsal" }, null, 2);
  const key = createHash("sha256").update(`${fs.statSync(terraform).size}:${terraform}\0${stackText}\0${stateText}`).digest("hex");
  const cached = path.join(planCacheDir(), `dr-rehearsal-${key}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, "utf8")) as PlanJson;

  fs.mkdirSync(workDir, { recursive: true });
  fs.writeFileSync(path.join(workDir, "cdk.tf.json"), stackText);
  fs.writeFileSync(path.join(workDir, "terraform.tfstate"), stateText);
  const env = offlineEnv(writeCliConfig(path.dirname(workDir)));
  const step = async (args: string[]) => {
    const result = await run(terraform, args, workDir, env);
    if (result.code !== 0) throw new Error(`terraform ${args[0]} failed in ${workDir}:\n${result.stderr || result.stdout}`);
    return result.stdout;
  };
  await step(["init", "-input=false", "-no-color"]);
  await step(["plan", "-input=false", "-refresh=false", "-lock=false", "-no-color", "-out=plan.tfplan"]);
  const text = await step(["show", "-json", "-no-color", "plan.tfplan"]);
  fs.mkdirSync(planCacheDir(), { recursive: true });
  fs.writeFileSync(`${cached}.${process.pid}.tmp`, text);
  fs.renameSync(`${cached}.${process.pid}.tmp`, cached);
  return JSON.parse(text) as PlanJson;
}

function changedAttributes(change: ResourceChange): string[] {
  const before = (change.change.before ?? {}) as Record<string, unknown>;
  const after = change.change.after ?? {};
  const unknown = change.change.after_unknown ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((key) => unknown[key] === true || JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)).sort();
}

function kindOf(change: ResourceChange, attributes: readonly string[]): ChangeKind | undefined {
  const { actions } = change.change;
  if (actions.includes("create") && actions.includes("delete")) return "replace";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("create")) return "create";
  if (actions.includes("update")) return attributes.length > 0 && attributes.every((attribute) => SIZE_ATTRIBUTES.has(attribute)) ? "resize" : "update";
  return undefined;
}

/** A change's fingerprint: the baseline has the same one when failover did not cause it. */
const fingerprint = (change: ResourceChange) => JSON.stringify([change.change.actions, change.change.after, change.change.after_unknown]);

/** The AWS provider's resource schemas, cached beside the plans under the Terraform binary and the stack's provider requirements. */
async function resourceSchemas(workDir: string, terraform: string): Promise<ResourceSchemas> {
  const stack = JSON.parse(fs.readFileSync(path.join(workDir, "cdk.tf.json"), "utf8")) as { terraform?: { required_providers?: unknown } };
  const identity = `${terraform}:${fs.statSync(terraform).size}\0${JSON.stringify(stack.terraform?.required_providers ?? null)}`;
  const cached = path.join(planCacheDir(), `dr-rehearsal-schema-${createHash("sha256").update(identity).digest("hex")}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, "utf8")) as ResourceSchemas;
  const env = offlineEnv(writeCliConfig(path.dirname(workDir)));
  // A plan served from the harness's cache left the work dir uninitialised.
  const init = await run(terraform, ["init", "-input=false", "-no-color", "-reconfigure"], workDir, env);
  if (init.code !== 0) throw new Error(`terraform init failed in ${workDir}:\n${init.stderr}`);
  const result = await run(terraform, ["providers", "schema", "-json"], workDir, env);
  if (result.code !== 0) throw new Error(`terraform providers schema failed in ${workDir}:\n${result.stderr}`);
  const all = JSON.parse(result.stdout) as { provider_schemas: Record<string, { resource_schemas: ResourceSchemas }> };
  const schemas = Object.values(all.provider_schemas)[0]!.resource_schemas;
  fs.mkdirSync(planCacheDir(), { recursive: true });
  fs.writeFileSync(`${cached}.${process.pid}.tmp`, JSON.stringify(schemas));
  fs.renameSync(`${cached}.${process.pid}.tmp`, cached);
  return schemas;
}

/** What failover changes: the failover plan's changes against the built state that the baseline plan does not also make. */
export function failoverChanges(baseline: PlanJson, failover: PlanJson): FailoverChange[] {
  const noise = new Map((baseline.resource_changes ?? []).map((change) => [change.address, fingerprint(change)]));
  return (failover.resource_changes ?? [])
    .filter((change) => change.mode === "managed" && noise.get(change.address) !== fingerprint(change))
    .flatMap((change) => {
      const attributes = change.change.actions.includes("create") && !change.change.actions.includes("delete") ? [] : changedAttributes(change);
      const kind = kindOf(change, attributes);
      if (!kind) return [];
      const stateful = statefulKind(change.type, (change.change.before ?? change.change.after) as Record<string, unknown> | null);
      return [{ address: change.address, type: change.type, kind, attributes, ...(stateful ? { stateful } : {}) }];
    });
}

/** Why the changes are not a safe failover: stateful losses and control-plane changes. */
export function violationsOf(changes: readonly FailoverChange[]): string[] {
  return changes.flatMap((change) => [
    ...((change.kind === "replace" || change.kind === "delete") && change.stateful
      ? [`${change.kind} ${change.address}: ${change.stateful} (${change.attributes.join(", ") || "removed"}) — failover must not lose data`]
      : []),
    ...(CONTROL_PLANE_PREFIXES.some((prefix) => change.type.startsWith(prefix))
      ? [`${change.kind} ${change.address}: its control plane is in us-east-1, which failover must not need`]
      : []),
  ]);
}

/** Runs the rehearsal (see the file comment). */
export async function rehearseFailover(options: RehearsalOptions = {}): Promise<RehearsalReport> {
  const environment = options.environment ?? production;
  const log = options.log ?? (() => {});
  const terraform = options.terraform ?? findTerraform();
  if (!terraform) throw new Error("No terraform binary found (TERRAFORM_BINARY_NAME, PATH, /usr/local/bin/terraform)");
  const standbyRegion = standbyRegionOf(environment);
  const failover = failoverConfiguration(environment);
  const root = options.workRoot ?? fs.mkdtempSync(path.join(os.tmpdir(), "lma-dr-rehearsal-"));
  try {
    const outdirs = { standby: path.join(root, "synth-standby"), failover: path.join(root, "synth-failover") };
    const stack = synthesize(environment, standbyRegion!, outdirs.standby);
    synthesize(failover, standbyRegion!, outdirs.failover);
    log(`synthesized ${stack} in warm standby and with disasterRecovery.activeRegion = ${standbyRegion}`);

    const [standbyRun, failoverRun] = await Promise.all(
      (["standby", "failover"] as const).map((mode) => runStack(stack, { outdir: outdirs[mode], workRoot: path.join(root, `plan-${mode}`), terraform })),
    );
    const planned = { standby: standbyRun!.plan!.resource_changes?.length ?? 0, failover: failoverRun!.plan!.resource_changes?.length ?? 0 };
    log(`planned both offline from nothing: ${planned.standby} resources in warm standby, ${planned.failover} after failover`);

    const schemas = await resourceSchemas(standbyRun!.workDir, terraform);
    const stackFile = (mode: "standby" | "failover") => path.join(outdirs[mode], "stacks", stack, "cdk.tf.json");
    const state = stateFromPlan(standbyRun!.plan!, schemas, {
      region: standbyRegion!,
      accountId: environment.accountId,
      stack: JSON.parse(fs.readFileSync(stackFile("standby"), "utf8")),
    });
    const [baseline, failoverPlan] = await Promise.all(
      (["standby", "failover"] as const).map((mode) => planAgainstState(stackFile(mode), state, path.join(root, `against-state-${mode}`), terraform)),
    );
    const changes = failoverChanges(baseline!, failoverPlan!);
    return { environment: environment.name, stack, changes, violations: violationsOf(changes), planned };
  } finally {
    if (!options.workRoot) fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The report as people read it: changes grouped by kind, then the verdict. */
export function formatReport(report: RehearsalReport): string {
  const order: ChangeKind[] = ["resize", "update", "create", "replace", "delete"];
  const titles: Record<ChangeKind, string> = {
    resize: "resized (in place)",
    update: "updated in place",
    create: "created",
    replace: "REPLACED",
    delete: "DESTROYED",
  };
  const lines = [`Failover rehearsal: ${report.stack} (${report.environment}), warm standby → active`];
  for (const kind of order) {
    const of = report.changes.filter((change) => change.kind === kind);
    if (of.length === 0) continue;
    lines.push("", `${titles[kind]} (${of.length}):`);
    for (const change of of) lines.push(`  ${change.address}${change.attributes.length ? `  [${change.attributes.join(", ")}]` : ""}`);
  }
  lines.push(
    "",
    report.violations.length === 0
      ? "OK: nothing stateful replaced or destroyed, no IAM or Route 53 change."
      : `FAILED (${report.violations.length}):\n${report.violations.map((violation) => `  ${violation}`).join("\n")}`,
  );
  return lines.join("\n");
}

if (require.main === module) {
  rehearseFailover({ log: (line) => process.stderr.write(`${line}\n`) })
    .then((report) => {
      process.stdout.write(`${formatReport(report)}\n`);
      process.exitCode = report.violations.length === 0 ? 0 : 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    });
}
