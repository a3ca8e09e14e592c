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
  it("opens the ALB to the internet on 443 and 80 only", () => {
    expect(rules.filter((rule) => rule.includes("0.0.0.0/0") && rule.includes(" from "))).toEqual([
      "alb from 0.0.0.0/0 443",
      "alb from 0.0.0.0/0 80",
    ]);
  });

  it("lets the ALB reach each service on its container port, and nothing else", () => {
    expect(rulesOfGroup("alb").filter((rule) => rule.includes(" to "))).toEqual(
      ["analytics", "auth", "document", "loan", "notification", "trade"].map((service) => `alb to svc-${service} 8080`),
    );
  });

  it.each([
    ["loan", ["cache 6379", "database 5432", "messaging 443", "messaging 5671", "search 443"], true],
    ["document", ["database 5432", "messaging 443", "messaging 5671"], true],
    ["trade", ["cache 6379", "database 5432", "messaging 443", "messaging 5671"], true],
    ["analytics", ["database 5432", "search 443"], false],
    ["auth", ["cache 6379", "database 5432"], true],
    ["notification", ["messaging 443", "messaging 5671"], true],
  ])("%s: from the ALB on 8080; to exactly the stores it uses %j; to the internet: %s", (service, stores, internet) => {
    const group = `svc-${service}`;
    expect(rulesOfGroup(group)).toEqual(
      [
        `${group} from alb 8080`,
        ...stores.map((store) => `${group} to ${store}`),
        ...awsApis(group),
        ...(internet ? [`${group} to 0.0.0.0/0 443`] : []),
      ].sort(),
    );
  });

  it("lets into each data store only its users, on its port, and gives data stores no egress", () => {
    expect(rulesOfGroup("database")).toEqual(["analytics", "auth", "document", "loan", "trade"].map((s) => `database from svc-${s} 5432`));
    expect(rulesOfGroup("cache")).toEqual(["auth", "loan", "trade"].map((s) => `cache from svc-${s} 6379`));
    expect(rulesOfGroup("search")).toEqual(["analytics", "loan"].map((s) => `search from svc-${s} 443`));
    expect(rulesOfGroup("messaging")).toEqual(
      ["document", "loan", "notification", "trade"].flatMap((s) => [`messaging from svc-${s} 443`, `messaging from svc-${s} 5671`]),
    );
  });

  it("gives Lambda functions AWS APIs and partner HTTPS, and no ingress", () => {
    expect(rulesOfGroup("functions")).toEqual([...awsApis("functions"), "functions to 0.0.0.0/0 443"].sort());
  });

  it("lets each service and function into the interface endpoints", () => {
    expect(rulesOfGroup("vpc-endpoints")).toEqual(
      ["functions", ...["analytics", "auth", "document", "loan", "notification", "trade"].map((s) => `svc-${s}`)].map(
        (group) => `vpc-endpoints from ${group} 443`,
      ),
    );
  });

  it("sends to 0.0.0.0/0 only from the documented groups, on 443", () => {
    const naming = new Naming("production", "us-east-1", production.accountId);
    const documented = internetEgressGroupNames(naming, production.services).map((name) => name.replace("lma-production-", ""));
    expect(documented).toEqual(["svc-loan", "svc-document", "svc-trade", "svc-auth", "svc-notification", "functions"]);
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
