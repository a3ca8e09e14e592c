import { SearchDomain } from "../../../modules/search";
import { exposeBinding, FIXTURE_ACCOUNT, ingressFromClient, output, policyOf, synthDataStore } from "../s3/data-store-fixture";

const HTTPS_PORT = 443;

describe("SearchDomain.bind", () => {
  const { json, built } = synthDataStore((fixture) => {
    const store = new SearchDomain(fixture.scope, "search", {
      naming: fixture.naming,
      engineVersion: "OpenSearch_2.13",
      instanceType: "t3.small.search",
      instanceCount: 1,
      volumeSizeGiB: 20,
      zoneAwarenessAzs: 1,
      dedicatedMasterCount: 0,
      subnetIds: ["subnet-a"],
      securityGroup: fixture.securityGroup("search", HTTPS_PORT),
      storageKey: fixture.key("data"),
      logsKey: fixture.key("logs"),
      logRetentionDays: 30,
      offPeakStartUtc: { hours: 7, minutes: 0 },
      breakGlassRoleArn: "arn:aws:iam::111111111111:role/lma-test-break-glass",
    });
    const client = fixture.client("analytics");
    exposeBinding(fixture, store, client, store.bind(client));
    fixture.expose("endpoint", store.endpoint);
    return { domainName: store.domain.domainNameInput };
  });

  it("admits the client's group on HTTPS", () => {
    expect(ingressFromClient(json)).toEqual([expect.objectContaining({ from_port: HTTPS_PORT, to_port: HTTPS_PORT })]);
  });

  it("tells the client the domain's endpoint", () => {
    expect(output(json, "environment")).toEqual({ SEARCH_ENDPOINT: output(json, "endpoint") });
    expect(output(json, "secrets")).toEqual({});
  });

  it("grants HTTP read and write on the domain's indices, never its configuration API", () => {
    const granted = output(json, "granted");
    expect(granted).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Resource: `arn:aws:es:us-east-1:${FIXTURE_ACCOUNT}:domain/${built.domainName}/*`,
      }),
    ]);
    expect(granted[0].Action.every((action: string) => action.startsWith("es:ESHttp"))).toBe(true);
    expect(policyOf(json, "task_role")).toEqual(granted);
  });
});
