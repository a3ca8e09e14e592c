import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { Naming } from "../../../lib/naming";
import { internetEgressGroupNames } from "../../../modules/security";
import { ref, synthFixture } from "./fixture";

const { json } = synthFixture(production, 0);
const devJson = synthFixture(dev, 0).json;
type Rule = Record<string, unknown>;

/** A readable form of every rule of the chain: `<group> <direction> <peer> <port>`. */
function rulesOf(source: typeof json): string[] {
  const groups = new Map(Object.entries(source.resource.aws_security_group!).map(([logical, group]) => [`\${aws_security_group.${logical}.id}`, String(group.name)]));
  const prefixLists = new Map([
    [production.regions[0]!.cloudfrontOriginPrefixListId, "cloudfront"],
    [`\${aws_vpc_endpoint.${Object.keys(source.resource.aws_vpc_endpoint!).find((name) => name.includes("endpoint-s3"))}.prefix_list_id}`, "pl-s3"],
  ]);
  const describe = (direction: string) => (rule: Rule) => {
    const group = groups.get(String(rule.security_group_id)) ?? String(rule.security_group_id);
    const peer =
      (rule.referenced_security_group_id && groups.get(String(rule.referenced_security_group_id))) ??
      rule.cidr_ipv4 ??
      prefixLists.get(String(rule.prefix_list_id)) ??
      "?";
    expect(rule.ip_protocol).toBe("tcp");
    expect(rule.from_port).toBe(rule.to_port);
    expect(String(rule.description).length).toBeGreaterThan(10);
    return `${group.replace(/^lma-\w+-/, "")} ${direction} ${String(peer).replace(/^lma-\w+-/, "")} ${String(rule.from_port)}`;
  };
  return [
    ...Object.values(source.resource.aws_vpc_security_group_ingress_rule!).map(describe("from")),
    ...Object.values(source.resource.aws_vpc_security_group_egress_rule!).map(describe("to")),
  ].filter((rule) => !rule.startsWith("vpc-endpoints from 10.")); // the VPC module's own rule
}

const rules = rulesOf(json);
const rulesOfGroup = (group: string) => rules.filter((rule) => rule.startsWith(`${group} `)).sort();

/** What every service and function reaches in AWS: endpoints, S3, and the VPC (GuardDuty's agent endpoint). */
const awsApis = (group: string) => [`${group} to 10.0.0.0/16 443`, `${group} to pl-s3 443`, `${group} to vpc-endpoints 443`];

describe("security-group chain", () => {
  it("admits nothing from the internet: the ALB only from CloudFront's origin-facing prefix list, on 443", () => {
    expect(rules.filter((rule) => rule.includes(" from 0.0.0.0/0"))).toEqual([]);
    expect(rulesOfGroup("alb").filter((rule) => rule.includes(" from "))).toEqual(["alb from cloudfront 443"]);
  });

  it("lets the ALB reach each service on its container port, and nothing else", () => {
    expect(rulesOfGroup("alb").filter((rule) => rule.includes(" to "))).toEqual(
      production.services.map((service) => `alb to svc-${service.name} ${service.containerPort ?? 8080}`).sort(),
    );
  });

  it.each(production.services.map((service) => [service.name, service] as const))(
    "%s: from the ALB on its port; AWS APIs; the internet only with partner credentials; no data store (bind opens those)",
    (name, service) => {
      const group = `svc-${name}`;
      const partnerApis = (service.secrets ?? []).length > 0;
      expect(rulesOfGroup(group)).toEqual(
        [`${group} from alb ${service.containerPort ?? 8080}`, ...awsApis(group), ...(partnerApis ? [`${group} to 0.0.0.0/0 443`] : [])].sort(),
      );
    },
  );

  it("has the data-store groups, with no rule at all until a store binds a client", () => {
    for (const store of ["database", "cache", "search", "messaging"]) {
      expect(Object.values(json.resource.aws_security_group!).map((group) => group.name)).toContain(`lma-production-${store}`);
      expect(rulesOfGroup(store)).toEqual([]);
    }
  });

  it("gives Lambda functions AWS APIs and partner HTTPS, and no ingress", () => {
    expect(rulesOfGroup("functions")).toEqual([...awsApis("functions"), "functions to 0.0.0.0/0 443"].sort());
  });

  it("lets each service and function into the interface endpoints", () => {
    expect(rulesOfGroup("vpc-endpoints")).toEqual(
      ["functions", ...production.services.map((service) => `svc-${service.name}`).sort()].map(
        (group) => `vpc-endpoints from ${group} 443`,
      ),
    );
  });

  it("sends to 0.0.0.0/0 only from the documented groups, on 443", () => {
    const naming = new Naming("production", "us-east-1", production.accountId);
    const documented = internetEgressGroupNames(naming, production.services).map((name) => name.replace("lma-production-", ""));
    expect(documented).toEqual([
      ...production.services.filter((service) => (service.secrets ?? []).length > 0).map((service) => `svc-${service.name}`),
      "functions",
    ]);
    expect(rules.filter((rule) => rule.includes(" to 0.0.0.0/0")).sort()).toEqual(documented.map((group) => `${group} to 0.0.0.0/0 443`).sort());
  });

  it("has no inline rules on any group and names groups lma-<env>-<name> in the VPC", () => {
    const vpcId = ref(json, "aws_vpc", "network/vpc", "id");
    for (const group of Object.values(json.resource.aws_security_group!)) {
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
      expect(group.vpc_id).toBe(vpcId);
      expect(group.revoke_rules_on_delete).toBe(true);
    }
    expect(Object.values(devJson.resource.aws_security_group!).map((group) => group.name)).toContain("lma-dev-svc-loan");
  });

  it("is the same chain in every environment (dev's VPC CIDR)", () => {
    expect(rulesOf(devJson).filter((rule) => rule.startsWith("svc-loan ")).sort()).toContain("svc-loan to 10.20.0.0/16 443");
  });
});
