import { dirname, join } from "node:path";
import type { z } from "zod";
import { cidrsOverlap, parseCidr } from "../lib/cidr";
import { PRODUCTION_SERVICES } from "./catalogue";
import { SERVICE_NAME, catalogueSchema, environmentSchema } from "./schema";
import { APPLICATION_SECRETS } from "./secrets";
import type { EnvironmentConfig, ServiceConfig } from "./types";

/** One problem in a configuration: where it is and what is wrong. */
export interface ConfigIssue {
  /** The file that holds the value, e.g. `environments/production.ts`. */
  readonly file: string;
  /** Dotted path from the environment (or the exported constant), e.g. `production.services.trade.autoscaling.max`. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}: ${issue.path}: ${issue.message}`;
}

/** Thrown before anything is synthesized; lists every problem, one per line. */
export class ConfigValidationError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}); nothing was synthesized:\n` +
        issues.map((issue) => `  - ${formatIssue(issue)}`).join("\n"),
    );
    this.name = "ConfigValidationError";
  }
}

/** An environment configuration and the file it came from. */
export interface SourcedEnvironment {
  readonly file: string;
  readonly config: EnvironmentConfig;
}

/** The service catalogue and the file that declares it; a service of the catalogue is reported there. */
export interface SourcedCatalogue {
  readonly file: string;
  readonly services: readonly ServiceConfig[];
}

/** The exported constants issues in catalogue.ts and secrets.ts are reported under. */
const CATALOGUE_CONSTANT = "PRODUCTION_SERVICES";
const SECRETS_CONSTANT = "APPLICATION_SECRETS";

const sibling = (file: string, name: string) => join(dirname(file), name);

/**
 * A zod issue path as people read it: `services.loan.autoscaling.max` (services by name),
 * `regions[0].vpcCidr` (other lists by index), `functions.email-notifier` (records by key).
 */
function readablePath(root: unknown, path: readonly PropertyKey[], listName?: string): string {
  let text = "";
  let node: unknown = root;
  let parent = listName;
  for (const segment of path) {
    const child = (node as Record<PropertyKey, unknown> | undefined)?.[segment as string];
    if (typeof segment === "number") {
      const name = (child as { name?: unknown } | undefined)?.name;
      text += parent === "services" && typeof name === "string" && SERVICE_NAME.test(name) ? `.${name}` : `[${segment}]`;
    } else {
      text += `.${String(segment)}`;
    }
    node = child;
    parent = String(segment);
  }
  return text;
}

/** One issue per zod issue; an unknown field is named in the path, so a typo points at itself. */
function flatten(error: z.ZodError): { path: readonly PropertyKey[]; message: string }[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: "unknown field (a typo, or a field that does not exist)" }))
      : [{ path: issue.path, message: issue.message }],
  );
}

/** The catalogue's own problems, against catalogue.ts (`PRODUCTION_SERVICES.<service>.<field>`). */
export function validateCatalogue(catalogue: SourcedCatalogue): ConfigIssue[] {
  const result = catalogueSchema.safeParse(catalogue.services);
  if (result.success) return [];
  return flatten(result.error).map(({ path, message }) => ({
    file: catalogue.file,
    path: CATALOGUE_CONSTANT + readablePath(catalogue.services, path, "services"),
    message,
  }));
}

const defaultCatalogue = (file: string): SourcedCatalogue => ({ file: sibling(file, "catalogue.ts"), services: PRODUCTION_SERVICES });

/**
 * Parses one environment: the parsed configuration (defaults filled), or every problem. Pins are
 * reported against releases.json beside the file; a problem of a catalogue service (same field,
 * same message in the catalogue on its own) against catalogue.ts, where it has to be fixed.
 */
function parse(
  { file, config }: SourcedEnvironment,
  catalogue: SourcedCatalogue,
): { config: EnvironmentConfig; issues: [] } | { config?: undefined; issues: ConfigIssue[] } {
  const result = environmentSchema.safeParse(config);
  if (result.success) return { config: result.data, issues: [] };
  const name = typeof config.name === "string" ? config.name : "environment";
  const fromCatalogue = new Map(validateCatalogue(catalogue).map((issue) => [`${issue.path}\n${issue.message}`, issue]));
  const issues = flatten(result.error).map(({ path, message }): ConfigIssue => {
    if (path[0] === "release") {
      return { file: sibling(file, "releases.json"), path: name + readablePath(config.release, path.slice(1)), message };
    }
    const readable = readablePath(config, path);
    if (path[0] === "services") {
      const inCatalogue = fromCatalogue.get(`${CATALOGUE_CONSTANT}${readable.slice(".services".length)}\n${message}`);
      if (inCatalogue) return inCatalogue;
    }
    return { file, path: name + readable, message };
  });
  return { issues: uniqueIssues(issues) };
}

/** Each problem once: a catalogue or secrets problem is found through every environment that uses it. */
export function uniqueIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...new Map(issues.map((issue) => [formatIssue(issue), issue])).values()];
}

/** Validates one environment; returns every problem found (empty when valid). */
export function validateEnvironment(environment: SourcedEnvironment, catalogue = defaultCatalogue(environment.file)): ConfigIssue[] {
  return parse(environment, catalogue).issues;
}

/** The parsed configuration (defaults filled); throws `ConfigValidationError` with every problem. */
export function parseEnvironment(environment: SourcedEnvironment, catalogue = defaultCatalogue(environment.file)): EnvironmentConfig {
  const { config, issues } = parse(environment, catalogue);
  if (!config) throw new ConfigValidationError(issues);
  return config;
}

/** What the rules between files read: the catalogue and the declared secrets. */
export interface SharedDeclarations {
  readonly catalogue: SourcedCatalogue;
  readonly secrets: { readonly file: string; readonly names: readonly string[] };
}

const defaultDeclarations = (environments: readonly SourcedEnvironment[]): SharedDeclarations => {
  const file = environments[0]?.file ?? "environments/dev.ts";
  return {
    catalogue: defaultCatalogue(file),
    secrets: { file: sibling(file, "secrets.ts"), names: Object.keys(APPLICATION_SECRETS) },
  };
};

/**
 * Validates every environment, the catalogue, and the rules between files: no two VPCs anywhere
 * overlap (so environments can later be peered or joined by a transit gateway), a production-tier
 * environment shares its AWS account with no other environment, and every
 * declared secret is read by some service (a secret nobody reads is usually the other half of a
 * misspelt reference). Throws with every problem, each once.
 */
export function validateEnvironments(
  environments: readonly SourcedEnvironment[],
  shared: SharedDeclarations = defaultDeclarations(environments),
): void {
  const issues = [
    ...validateCatalogue(shared.catalogue),
    ...environments.flatMap((environment) => validateEnvironment(environment, shared.catalogue)),
  ];
  const vpcs: { file: string; path: string; cidr: NonNullable<ReturnType<typeof parseCidr>> }[] = [];
  for (const { file, config } of environments) {
    config.regions.forEach((region, index) => {
      const cidr = parseCidr(region.vpcCidr);
      if (!cidr) return;
      const path = `${config.name}.regions[${index}].vpcCidr`;
      for (const other of vpcs) {
        if (other.file !== file && cidrsOverlap(cidr, other.cidr)) {
          issues.push({ file, path, message: `${region.vpcCidr} overlaps ${other.path} (${other.file})` });
        }
      }
      vpcs.push({ file, path, cidr });
    });
  }
  // The production tier's blast radius is its own account: no other environment may share it.
  for (const { file, config } of environments) {
    if (config.tier !== "production") continue;
    for (const other of environments) {
      if (other.config !== config && other.config.accountId === config.accountId) {
        issues.push({ file, path: `${config.name}.accountId`, message: `${config.accountId} is also ${other.config.name}'s account (${other.file}); production runs in an account of its own` });
      }
    }
  }
  const read = new Set(
    [shared.catalogue.services, ...environments.map(({ config }) => config.services)].flat().flatMap((service) => service.secrets ?? []),
  );
  for (const name of shared.secrets.names) {
    if (!read.has(name)) {
      issues.push({
        file: shared.secrets.file,
        path: `${SECRETS_CONSTANT}.${name}`,
        message: "no service reads it: remove it, or name it in the secrets of the service that needs it",
      });
    }
  }
  if (issues.length > 0) throw new ConfigValidationError(uniqueIssues(issues));
}
