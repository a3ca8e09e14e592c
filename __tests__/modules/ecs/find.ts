import { listOf, resourcesOf, type SynthesizedStack } from "../../support/synth";

type Resource = Record<string, unknown>;

/** The one resource of `type` whose `key` equals `value`; fails the test when there is not exactly one. */
export function one(json: SynthesizedStack, type: string, key: string, value: unknown): Resource {
  const found = listOf(json, type).filter((resource) => resource[key] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key}=${JSON.stringify(value)}, found ${found.length}`);
  return found[0]!;
}

/** Resources of `type` whose `key` equals `value`. */
export function all(json: SynthesizedStack, type: string, key: string, value: unknown): Resource[] {
  return listOf(json, type).filter((resource) => resource[key] === value);
}

/** `${aws_x.name.attr}` → the referenced resource's body. */
export function referenced(json: SynthesizedStack, reference: unknown): Resource {
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(String(reference));
  if (!match) throw new Error(`not a resource reference: ${String(reference)}`);
  const resource = resourcesOf(json, match[1]!)[match[2]!];
  if (!resource) throw new Error(`no ${match[1]}.${match[2]}`);
  return resource;
}

/** The logical name of a resource body within its type. */
export function logicalName(json: SynthesizedStack, type: string, body: Resource): string {
  const entry = Object.entries(resourcesOf(json, type)).find(([, candidate]) => candidate === body);
  if (!entry) throw new Error(`resource not in ${type}`);
  return entry[0];
}

/** Parsed container definitions of a task definition. */
export function containersOf(taskDefinition: Resource): Record<string, any>[] {
  return JSON.parse(String(taskDefinition.container_definitions));
}

/** Listener rules whose path-pattern values include `path`. */
export function rulesRouting(json: SynthesizedStack, path: string): Resource[] {
  return listOf(json, "aws_lb_listener_rule").filter((rule) =>
    (rule.condition as { path_pattern?: { values: string[] } }[]).some((condition) => condition.path_pattern?.values.includes(path)),
  );
}
