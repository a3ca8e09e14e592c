import { Testing, TerraformStack } from "cdktf";
import { production } from "../../environments/production";
import { homeRegionOf } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { KmsKey } from "../../modules/kms-key";
import { ApplicationSecrets, replicatedSecretReference, secretName } from "../../modules/security/secrets";
import { listOf, type SynthesizedStack } from "../support/synth";
import { standbyRegion } from "./modes";

const primaryNaming = new Naming(production.name, homeRegionOf(production), production.accountId);
const standbyNaming = primaryNaming.inRegion(standbyRegion);
const secretNames = [...new Set(production.services.flatMap((service) => service.secrets ?? []))];

function synthSecrets(replicaRegions?: readonly string[]): SynthesizedStack {
  const stack = new TerraformStack(Testing.app(), "secrets");
  const kmsKey = new KmsKey(stack, "secrets-key", { naming: primaryNaming, alias: "secrets", description: "application secrets" });
  new ApplicationSecrets(stack, "secrets", { naming: primaryNaming, services: production.services, kmsKey, replicaRegions });
  return JSON.parse(Testing.synth(stack)) as SynthesizedStack;
}

describe("application secrets replicated to the standby region", () => {
  const secrets = listOf(synthSecrets([standbyRegion]), "aws_secretsmanager_secret");

  it("every secret the services read has one replica in the standby, under the standby's namesake key by alias ARN", () => {
    expect(secrets.map((secret) => secret.name).sort()).toEqual(secretNames.map((name) => secretName(primaryNaming, name)).sort());
    for (const secret of secrets) {
      expect(secret.replica).toEqual([{ region: standbyRegion, kms_key_id: `arn:aws:kms:${standbyRegion}:${production.accountId}:alias/lma-${production.name}-secrets` }]);
    }
  });

  it("without replica regions, declares no replica", () => {
    for (const secret of listOf(synthSecrets(), "aws_secretsmanager_secret")) expect(secret.replica).toBeUndefined();
  });

  it("standby tasks read a replica by its name and IAM matches its generated suffix", () => {
    const [first] = secretNames;
    expect(replicatedSecretReference(standbyNaming, first!)).toEqual({
      valueFrom: `lma-${production.name}/${first}`,
      iamResource: `arn:aws:secretsmanager:${standbyRegion}:${production.accountId}:secret:lma-${production.name}/${first}-??????`,
    });
  });
});
