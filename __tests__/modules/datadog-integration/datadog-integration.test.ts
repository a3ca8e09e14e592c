import { Testing, TerraformStack } from "cdktf";
import { Naming } from "../../../lib/naming";
import {
  DATADOG_AWS_ACCOUNT_ID,
  DATADOG_READ_ACTIONS,
  DATADOG_UNSCOPED_READS,
  DatadogIntegrationRole,
  datadogIntegrationRoleName,
} from "../../../modules/datadog-integration";
import { WILDCARD_RESOURCE_ACTIONS } from "../../../tooling/policy-checks";

type Body = Record<string, any>;
const externalId = "0123456789abcdef0123456789abcdef";
const stack = new TerraformStack(Testing.app(), "test");
new DatadogIntegrationRole(stack, "datadog", { naming: new Naming("staging", "us-east-1", "400000000002"), externalId });
const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Body>> };
const role = Object.values(json.resource.aws_iam_role!)[0]!;

test("named by the convention the observability stack links to", () => {
  expect(role.name).toBe(datadogIntegrationRoleName("staging"));
});

test("only Datadog's account, presenting the external id, may assume it", () => {
  expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${DATADOG_AWS_ACCOUNT_ID}:root` },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": externalId } },
    },
  ]);
});

test("its policy only reads, every action named exactly, nothing attached", () => {
  const statements = Object.values(json.resource.aws_iam_role_policy!).flatMap((policy) => JSON.parse(policy.policy).Statement as Body[]);
  expect([...new Set(statements.flatMap((statement) => statement.Action))].sort()).toEqual([...DATADOG_READ_ACTIONS].sort());
  for (const action of DATADOG_READ_ACTIONS) expect(action).toMatch(/^[a-z0-9-]+:(Describe|Get|List|BatchGet|Filter)[A-Za-z]+$/);
  expect(role.managed_policy_arns).toBeUndefined();
});

test("only actions without a resource type are granted on *; the others on this account's resources", () => {
  const statements = Object.values(json.resource.aws_iam_role_policy!).flatMap((policy) => JSON.parse(policy.policy).Statement as Body[]);
  expect(statements.filter((statement) => statement.Resource === "*").flatMap((statement) => statement.Action)).toEqual([...DATADOG_UNSCOPED_READS]);
  for (const statement of statements.filter((candidate) => candidate.Resource !== "*")) {
    expect(statement.Resource).toMatch(/^arn:aws:[a-z0-9-]+:[a-z0-9*-]*:(400000000002)?:/);
  }
  // Every unscoped read is in the policy checks' documented allow-list.
  for (const action of DATADOG_UNSCOPED_READS) expect(WILDCARD_RESOURCE_ACTIONS).toContain(action);
});
