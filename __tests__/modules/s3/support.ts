/** Lookups shared by the data-tier tests: resources by what they are, not by logical id. */
import { type SynthesizedStack, resourcesOf } from "../../support/synth";

export type Resource = Record<string, any>;

/** The resources of a type that satisfy `predicate`, as [logical name, body]. */
export function matching(json: SynthesizedStack, type: string, predicate: (body: Resource) => boolean = () => true): [string, Resource][] {
  return Object.entries(resourcesOf(json, type)).filter(([, body]) => predicate(body));
}

/** The single resource of a type that satisfies `predicate`; fails when there are none or several. */
export function only(json: SynthesizedStack, type: string, predicate: (body: Resource) => boolean = () => true): [string, Resource] {
  const found = matching(json, type, predicate);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map(([name]) => name).join(", ")}`);
  return found[0]!;
}

/** `${<type>.<name>.<attribute>}`: how a reference to another resource's attribute is synthesized. */
export function ref(type: string, name: string, attribute: string): string {
  return `\${${type}.${name}.${attribute}}`;
}

/** The logical name of the KMS key behind `alias/<alias>`. */
export function keyNamed(json: SynthesizedStack, alias: string): string {
  const [, body] = only(json, "aws_kms_alias", (candidate) => candidate.name === `alias/${alias}`);
  const match = /^\$\{aws_kms_key\.([^.]+)\.key_id\}$/.exec(body.target_key_id);
  if (!match) throw new Error(`alias ${alias} targets ${body.target_key_id}`);
  return match[1]!;
}

/** `${aws_kms_key.<key behind alias>.arn}`. */
export function keyArnRef(json: SynthesizedStack, alias: string): string {
  return ref("aws_kms_key", keyNamed(json, alias), "arn");
}

/** The logical name of the bucket with this exact name. */
export function bucketNamed(json: SynthesizedStack, name: string): string {
  return only(json, "aws_s3_bucket", (body) => body.bucket === name)[0];
}

/** The one resource of `type` attached to the bucket called `name` (through its `bucket` argument). */
export function ofBucket(json: SynthesizedStack, type: string, name: string): Resource {
  const logical = bucketNamed(json, name);
  return only(json, type, (body) => body.bucket === ref("aws_s3_bucket", logical, "id"))[1];
}

/** Parses a JSON document rendered into the synthesized output. */
export function statementsOf(policy: unknown): Resource[] {
  if (typeof policy !== "string") throw new Error(`expected a policy string, got ${JSON.stringify(policy)}`);
  return JSON.parse(policy).Statement;
}

/** The statement with this Sid. */
export function statement(policy: unknown, sid: string): Resource {
  const found = statementsOf(policy).filter((candidate) => candidate.Sid === sid);
  if (found.length !== 1) throw new Error(`expected one statement ${sid}, found ${found.length}`);
  return found[0]!;
}
