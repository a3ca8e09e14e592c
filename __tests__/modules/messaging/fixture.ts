import { type BrokerCredentialRotationProps, RabbitMqBroker } from "../../../modules/messaging";
import type { Fixture } from "../s3/data-store-fixture";

export const AMQPS_PORT = 5671;
export const MANAGEMENT_API_PORT = 443;

/** A single-instance broker on the fixture's keys and groups; the secrets key is exposed as `secrets_key`. */
export function fixtureBroker(
  fixture: Fixture,
  options: { clientManagementApiAccess?: boolean; credentialRotation?: BrokerCredentialRotationProps } = {},
): RabbitMqBroker {
  const secretsKey = fixture.key("secrets");
  fixture.expose("secrets_key", secretsKey.arn);
  return new RabbitMqBroker(fixture.scope, "messaging", {
    naming: fixture.naming,
    engineVersion: "3.13",
    instanceType: "mq.t3.micro",
    deploymentMode: "SINGLE_INSTANCE",
    subnetIds: ["subnet-a"],
    securityGroup: fixture.securityGroup("messaging", AMQPS_PORT),
    secretsKey,
    maintenanceWindow: { dayOfWeek: "SUNDAY", timeOfDay: "02:00", timeZone: "America/New_York" },
    ...options,
  });
}
