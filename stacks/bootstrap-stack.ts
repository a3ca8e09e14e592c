import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { ShieldSubscription } from "@cdktf/provider-aws/lib/shield-subscription";
import type { Construct } from "constructs";
import type { AwsRegion, EnvironmentConfig } from "../environments/types";
import { Naming } from "../lib/naming";
import { useProvider } from "../lib/providers";
import { ArtifactStore } from "../modules/artifact-store";
import { declareOwned } from "../modules/security/ownership";
import { BootstrapAccessLogs, StateBackend } from "../modules/state-backend";
import { AwsStack } from "./aws-stack";

const OPENSEARCH_SERVICE = "opensearchservice.amazonaws.com";

/** One region's bootstrap: the access-log bucket, the remote state and the artifact bucket. */
export interface RegionBootstrap {
  readonly region: AwsRegion;
  readonly accessLogs: BootstrapAccessLogs;
  readonly state: StateBackend;
  readonly artifacts: ArtifactStore;
}

/**
 * `lma-<environment>-bootstrap`: what the account needs before any regional stack is applied —
 * per region the environment uses, the remote state (bucket and lock table), the release artifact
 * bucket and the access-log bucket both log to; once per account, what is account-wide and the
 * regional stacks rely on: the OpenSearch service-linked role and the Shield Advanced
 * subscription, each as `environment.accountServices` says (create, adopt by import, or leave to
 * the organisation). It keeps local state (it creates the remote one); the README says where that
 * state file goes after the first apply.
 */
export class BootstrapStack extends AwsStack {
  readonly regions: readonly RegionBootstrap[];
  readonly openSearchServiceLinkedRole?: IamServiceLinkedRole;
  readonly shieldSubscription?: ShieldSubscription;

  /** The stack of an environment's state backend: `lma-<environment>-bootstrap`. */
  static stackName(environment: string): string {
    return `lma-${environment}-bootstrap`;
  }

  constructor(scope: Construct, environment: EnvironmentConfig) {
    const primary = environment.regions[0]!.region;
    super(scope, BootstrapStack.stackName(environment.name), { environment, region: primary, backend: "local" });
    this.regions = environment.regions.map(({ region }) => {
      const naming = new Naming(environment.name, region, environment.accountId);
      const accessLogs = new BootstrapAccessLogs(this, `access-logs-${region}`, { naming });
      const bootstrap: RegionBootstrap = {
        region,
        accessLogs,
        state: new StateBackend(this, `state-${region}`, { naming, stateRoleArns: [this.deployRoleArn], accessLogsBucket: accessLogs.bucket }),
        artifacts: new ArtifactStore(this, `artifacts-${region}`, { naming, keyUserRoleArns: [this.deployRoleArn], accessLogsBucket: accessLogs.bucket }),
      };
      if (region !== primary) {
        for (const construct of [bootstrap.accessLogs, bootstrap.state, bootstrap.artifacts]) useProvider(construct, this.providerFor(region));
      }
      return bootstrap;
    });

    const services = environment.accountServices;
    // VPC domains need it; OpenSearch would create it on first use, but only with broad rights.
    // IAM gives service-linked roles a fixed path and name, so the import id is known.
    this.openSearchServiceLinkedRole = declareOwned(
      services.openSearchServiceLinkedRole,
      `arn:aws:iam::${environment.accountId}:role/aws-service-role/${OPENSEARCH_SERVICE}/AWSServiceRoleForAmazonOpenSearchService`,
      "the OpenSearch service-linked role",
      () => new IamServiceLinkedRole(this, "opensearch-service-linked-role", {
        awsServiceName: OPENSEARCH_SERVICE,
        description: "OpenSearch Service manages VPC domain network interfaces",
      }),
    );
    // A one-year commitment: destroying the resource must not try to turn renewal off (AWS allows
    // that only in the last 30 days), so `skip_destroy`. Imported by the account id.
    this.shieldSubscription = declareOwned(services.shieldAdvanced, environment.accountId, "the Shield Advanced subscription", () =>
      new ShieldSubscription(this, "shield-advanced-subscription", { autoRenew: "ENABLED", skipDestroy: true }),
    );
  }
}
