import type { Finding, RuleInput, StackJson } from "./types";

export type Body = Record<string, unknown>;

export interface ResourceRef {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly body: Body;
}

/** The resources of one Terraform type, with their addresses. */
export function resources(json: StackJson, type: string): ResourceRef[] {
  return Object.entries(json.resource?.[type] ?? {}).map(([name, body]) => ({ type, name, address: `${type}.${name}`, body }));
}

/** The resource a `${type.name.attribute}` reference points at, when the whole value is one reference. */
export function referenced(json: StackJson, value: unknown): (ResourceRef & { attribute: string }) | undefined {
  const match = typeof value === "string" ? /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$/.exec(value) : null;
  if (!match) return undefined;
  const [, type, name, attribute] = match as unknown as [string, string, string, string];
  const body = json.resource?.[type]?.[name];
  return body ? { type, name, address: `${type}.${name}`, body, attribute } : undefined;
}

/** True when Terraform only knows the value at apply time (it contains an interpolation). */
export function isUnknown(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** A literal string, or undefined for absent or apply-time values. */
export function literal(value: unknown): string | undefined {
  return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

/** Numbers arrive as numbers or, from some cdktf attributes, as numeric strings. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

export function truthy(value: unknown): boolean {
  return value === true || value === "true";
}

/** cdktf writes single nested blocks as objects and repeated ones as lists; read both as lists. */
export function blocks(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter((item): item is Body => typeof item === "object" && item !== null);
  return typeof value === "object" && value !== null ? [value as Body] : [];
}

export function block(value: unknown): Body | undefined {
  return blocks(value)[0];
}

/** The region a resource is created in: its provider alias's region, else the default provider's. */
export function regionOf(json: StackJson, body: Body): string | undefined {
  const alias = typeof body.provider === "string" ? body.provider.replace(/^aws\./, "") : undefined;
  const configurations = json.provider?.aws ?? [];
  const provider = configurations.find((candidate) => (alias ? candidate.alias === alias : candidate.alias === undefined));
  return literal(provider?.region);
}

export function ignoredChanges(body: Body): string[] {
  const lifecycle = block(body.lifecycle);
  const ignore = lifecycle?.ignore_changes;
  if (ignore === "all") return ["all"];
  return Array.isArray(ignore) ? ignore.filter((item): item is string => typeof item === "string") : [];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Record<string, string | string[]>;
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy rendered as a JSON string (empty when it is not literal JSON). */
export function statementsOf(policy: unknown): PolicyStatement[] {
  if (typeof policy !== "string") return [];
  try {
    const statement = (JSON.parse(policy) as { Statement?: PolicyStatement | PolicyStatement[] }).Statement;
    return statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
  } catch {
    return [];
  }
}

export function asList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM's wildcard match (`*` and `?`), as ArnLike and StringLike evaluate it. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${expression}$`).test(value);
}

/** Builds findings for one rule, so each rule states its id once. */
export function reporter(rule: string): (address: string, message: string) => Finding {
  return (address, message) => ({ rule, address, message });
}

/** The account the stack's default provider is restricted to, when it names exactly one. */
export function providerAccount(json: StackJson): string | undefined {
  const allowed = json.provider?.aws?.[0]?.allowed_account_ids;
  return Array.isArray(allowed) && allowed.length === 1 ? literal(allowed[0]) : undefined;
}

/** The account a stack deploys into: the environment's, else the provider's only allowed account. */
export function accountOf(input: RuleInput): string | undefined {
  return input.context.environment?.accountId ?? providerAccount(input.json);
}
