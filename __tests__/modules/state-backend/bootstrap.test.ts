import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { STATEFUL_RESOURCE_TYPES } from "../../../lib/stateful-resources";
import { runRules, type StackJson } from "../../../tooling/apply-rules";
import { STATE_BACKEND_RULES } from "../../../tooling/apply-rules/rules/state-backend";
import { allResources, policyOf, resourcesOf, stackJson } from "../../support/synth";

const bootstrap = stackJson("lma-production-bootstrap");
const deployRole = `arn:aws:iam::${production.accountId}:role/${production.deployRoleName}`;
const byPath = (type: string, pathPart: string) =>
  Object.entries(resourcesOf(bootstrap, type)).filter(([, body]) => String((body["//"] as { metadata: { path: string } }).metadata.path).includes(pathPart));
/** The one resource of `type` whose construct path contains `pathPart`. */
const oneAt = (type: string, pathPart: string) => {
  const found = byPath(type, pathPart);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe("lma-production-bootstrap", () => {
  it.each(production.regions.map((region) => region.region))("%s: the state and artifact buckets log access to the region's access-log bucket", (region) => {
    const [accessLogsId] = oneAt("aws_s3_bucket", `access-logs-${region}/`);
    for (const component of ["state", "artifacts"]) {
      expect(oneAt("aws_s3_bucket_logging", `${component}-${region}/`)[1].target_bucket).toBe(`\${aws_s3_bucket.${accessLogsId}.id}`);
    }
    // S3 delivers server access logs only to SSE-S3 buckets.
    const encryption = oneAt("aws_s3_bucket_server_side_encryption_configuration", `access-logs-${region}/`)[1] as { rule: { apply_server_side_encryption_by_default: unknown }[] };
    expect(encryption.rule[0]!.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    expect(policyOf(oneAt("aws_s3_bucket_policy", `access-logs-${region}/`)[1].policy).Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: "logging.s3.amazonaws.com" }, Condition: expect.objectContaining({ StringEquals: { "aws:SourceAccount": production.accountId } }) }),
    );
  });

  it("the state keys let only the deploy role use them, through S3 and DynamoDB; the root only administers", () => {
    const keys = byPath("aws_kms_key", "/state-");
    expect(keys).toHaveLength(production.regions.length);
    for (const [, key] of keys) {
      const statements = policyOf(key.policy).Statement;
      const users = statements.filter((statement) => [statement.Action].flat().some((action) => /^kms:(Decrypt|Encrypt|GenerateDataKey)/.test(String(action))));
      expect(users).toEqual([expect.objectContaining({ Principal: { AWS: [deployRole] } })]);
      const via = (users[0]!.Condition as { StringEquals: Record<string, string[]> }).StringEquals["kms:ViaService"];
      expect(via.map((service) => service.split(".")[0]).sort()).toEqual(["dynamodb", "s3"]);
    }
  });

  it("every stateful resource is protected from destroy in an environment with deletion protection", () => {
    const stateful = allResources(bootstrap).filter(([type]) => type in STATEFUL_RESOURCE_TYPES);
    expect(stateful.length).toBeGreaterThan(0);
    for (const [type, name, body] of stateful) expect({ resource: `${type}.${name}`, lifecycle: body.lifecycle }).toEqual({ resource: `${type}.${name}`, lifecycle: { prevent_destroy: true } });
  });

  it("without deletion protection (dev), keys are not pinned by prevent_destroy", () => {
    expect(dev.deletionProtection).toBe(false);
    for (const key of Object.values(resourcesOf(stackJson("lma-dev-bootstrap"), "aws_kms_key"))) expect(key.lifecycle).toBeUndefined();
  });
});

describe("the state buckets admit what the backends send", () => {
  it.each(["lma-dev-us-east-1", "lma-production-us-east-1", "lma-production-eu-west-1"])("%s writes state its bootstrap's bucket policy accepts", (stack) => {
    const environment = [dev, production].find((candidate) => stack.startsWith(`lma-${candidate.name}-`))!;
    const stacks = new Map<string, StackJson>([
      [stack, stackJson(stack) as StackJson],
      [`lma-${environment.name}-bootstrap`, stackJson(`lma-${environment.name}-bootstrap`) as StackJson],
    ]);
    expect(runRules(stacks, [environment], STATE_BACKEND_RULES)).toEqual([]);
  });
});
