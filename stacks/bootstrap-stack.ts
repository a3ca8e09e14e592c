import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import type { Construct } from "constructs";
import type { AwsRegion, EnvironmentConfig } from "../environments/types";
import { Naming } from "../lib/naming";
import { useProvider } from "../lib/providers";
import { ArtifactStore } from "../modules/artifact-store";
import { StateBackend } from "../modules/state-backend";
import { AwsStack } from "./aws-stack";

/**
 * `lma-<environment>-bootstrap`: what the account needs before any regional stack is applied —
 * per region the environment uses, the remote state (bucket and lock table) and the release
 * artifact bucket; once per account, the service-linked roles the regional stacks rely on (IAM is
 * global, so a regional stack creating them would collide with its sibling). It keeps local state
 * (it creates the remote one); the README says where that state file goes after the first apply.
 */
export class BootstrapStack extends AwsStack {
  readonly backends: StateBackend[];
  readonly artifactStores: ArtifactStore[];

  constructor(scope: Construct, environment: EnvironmentConfig) {
    const primary = environment.regions[0]!.region;
    super(scope, `lma-${environment.name}-bootstrap`, { environment, region: primary, backend: "local" });
    const inEachRegion = <T extends Construct>(create: (naming: Naming, region: AwsRegion) => T): T[] =>
      environment.regions.map(({ region }) => {
        const construct = create(new Naming(environment.name, region, environment.accountId), region);
        if (region !== primary) useProvider(construct, this.providerFor(region));
        return construct;
      });
    this.backends = inEachRegion((naming, region) => new StateBackend(this, `state-${region}`, { naming }));
    this.artifactStores = inEachRegion((naming, region) => new ArtifactStore(this, `artifacts-${region}`, { naming }));
    // VPC domains need it; OpenSearch would create it on first use, but only with broad rights.
    new IamServiceLinkedRole(this, "opensearch-service-linked-role", {
      awsServiceName: "opensearchservice.amazonaws.com",
      description: "OpenSearch Service manages VPC domain network interfaces",
    });
  }
}
