/**
 * Reading what `cdktf synth` wrote: the stacks of an output directory and their Terraform JSON.
 * Shared by the tests, tooling/compare-synth.ts and the benchmark.
 */
import * as fs from "node:fs";
import * as path from "node:path";

type Body = Record<string, unknown>;

/** The synthesized Terraform JSON of a stack (`cdk.tf.json`). */
export interface SynthesizedStack {
  readonly resource: Record<string, Record<string, Body>>;
  readonly provider?: Record<string, Body[]>;
  readonly terraform: Record<string, unknown>;
  readonly output?: Record<string, { value: unknown }>;
  readonly data?: Record<string, Record<string, Body>>;
  readonly variable?: Record<string, Body>;
  readonly locals?: Body;
  readonly module?: Record<string, Body>;
}

interface Manifest {
  stacks: Record<string, { name?: string; synthesizedStackPath: string }>;
}

function manifestOf(outdir: string): Manifest {
  const file = path.join(outdir, "manifest.json");
  if (!fs.existsSync(file)) throw new Error(`${file} not found: synthesize first`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
}

/** The stacks listed in `<outdir>/manifest.json`, sorted. */
export function synthesizedStackNames(outdir: string): string[] {
  return Object.entries(manifestOf(outdir).stacks).map(([key, entry]) => entry.name ?? key).sort();
}

/** The `cdk.tf.json` of one stack of an output directory. */
export function readStackJson(outdir: string, stack: string): SynthesizedStack {
  const entry = Object.entries(manifestOf(outdir).stacks).find(([key, candidate]) => (candidate.name ?? key) === stack);
  if (!entry) throw new Error(`no stack ${stack} in ${outdir} (stacks: ${synthesizedStackNames(outdir).join(", ")})`);
  return JSON.parse(fs.readFileSync(path.join(outdir, entry[1].synthesizedStackPath), "utf8")) as SynthesizedStack;
}

/** All resources of one Terraform type, by logical name ({} when there are none). */
export function resourcesOf(json: SynthesizedStack, type: string): Record<string, Body> {
  return json.resource?.[type] ?? {};
}

/** The resources of one type as a list. */
export function listOf(json: SynthesizedStack, type: string): Body[] {
  return Object.values(resourcesOf(json, type));
}

/** Every resource in the stack as [type, name, body]. */
export function allResources(json: SynthesizedStack): [string, string, Body][] {
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => [type, name, body] as [string, string, Body]),
  );
}

/** Parses an IAM policy rendered as a JSON string in the synthesized output. */
export function policyOf(value: unknown): { Statement: Record<string, unknown>[] } {
  if (typeof value !== "string") throw new Error(`expected a policy JSON string, got ${JSON.stringify(value)}`);
  return JSON.parse(value);
}

/** Names a Terraform expression can start with that are not a managed resource type. */
const NOT_RESOURCE_TYPES = new Set(["var", "local", "module", "data", "each", "count", "self", "path", "terraform"]);

/**
 * Every reference in the stack's `${…}` expressions to a resource, data source, variable, local or
 * module that the stack does not declare, as `<where>: <reference>`. cdktf turns a reference to
 * another stack's resource into a remote-state lookup in its prepare pass, which AwsStack skips:
 * such a reference would be left pointing at nothing, and this finds it before Terraform does.
 * `$${…}` is an escaped literal (an IAM policy variable), not an expression.
 */
export function undeclaredReferences(json: SynthesizedStack): string[] {
  const declared = (block: Record<string, unknown> | undefined, name: string) => block !== undefined && Object.hasOwn(block, name);
  const problems: string[] = [];
  const check = (where: string, expression: string) => {
    // An address starts an operand: not after a dot, a word character or a closing bracket.
    const addresses = expression.matchAll(/(?<![\w.\]"])([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g);
    for (const [address, first, second, third] of addresses) {
      const known =
        first === "var" ? declared(json.variable, second!)
        : first === "local" ? declared(json.locals, second!)
        : first === "module" ? declared(json.module, second!)
        : first === "data" ? third !== undefined && declared(json.data?.[second!], third)
        : NOT_RESOURCE_TYPES.has(first!) || !first!.includes("_") || declared(json.resource?.[first!], second!);
      if (!known) problems.push(`${where}: ${address}`);
    }
  };
  const walk = (value: unknown, where: string) => {
    if (typeof value === "string") {
      for (const [, expression] of value.matchAll(/(?<!\$)\$\{((?:[^{}]|\{[^{}]*\})*)\}/g)) check(where, withoutStringLiterals(expression!));
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${where}[${index}]`));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) if (key !== "//") walk(item, where ? `${where}.${key}` : key);
    }
  };
  walk(json, "");
  return problems;
}

/** `"a.b"` inside an expression is text, not an address. */
function withoutStringLiterals(expression: string): string {
  return expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}
