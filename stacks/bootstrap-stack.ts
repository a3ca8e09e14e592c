import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../environments/types";
import { Naming } from "../lib/naming";
import { useProvider } from "../lib/providers";
import { StateBackend } from "../modules/state-backend";
import { AwsStack } from "./aws-stack";

/**
 * `lma-<environment>-bootstrap`: the remote state of the environment's account, one bucket and
 * lock table per region it deploys to. It keeps local state (it creates the remote one); after
 * the first apply its state file is stored as the runbook in the README says.
 */
export class BootstrapStack extends AwsStack {
  readonly backends: StateBackend[];

  constructor(scope: Construct, environment: EnvironmentConfig) {
    const primary = environment.regions[0]!.region;
    super(scope, `lma-${environment.name}-bootstrap`, { environment, region: primary, backend: "local" });
    this.backends = environment.regions.map(({ region }) => {
      const backend = new StateBackend(this, `state-${region}`, {
        naming: new Naming(environment.name, region, environment.accountId),
      });
      if (region !== primary) useProvider(backend, this.providerFor(region));
      return backend;
    });
  }
}
