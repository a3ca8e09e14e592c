import { SyntheticsGlobalVariable } from "@cdktf/provider-datadog/lib/synthetics-global-variable";
import { SyntheticsTest } from "@cdktf/provider-datadog/lib/synthetics-test";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { type AlertRouting, severitySettings, tagList } from "./alerting";

/** One critical user journey, checked by an HTTP request against the public API. */
export interface Journey {
  readonly key: string;
  readonly description: string;
  readonly method: string;
  readonly path: string;
  readonly service: string;
  readonly expectStatus: number;
  readonly body?: string;
  readonly maxResponseMs: number;
}

export interface JourneySyntheticsProps {
  readonly environment: string;
  /**
   * The host the journeys call: CloudFront's name (`app.<zone>`), which routes `/api/*` to the
   * API. The regional load balancers answer only CloudFront (its prefix list, its secret header),
   * so a journey measures what users get, edge and web ACL included.
   */
  readonly apiHost: string;
  readonly journeys: readonly Journey[];
  /** Managed locations, at least two. */
  readonly locations: readonly string[];
  readonly intervalSeconds: number;
  readonly routing: AlertRouting;
  readonly runbookBaseUrl: string;
}

/** Global variables a journey body may use: the synthetic user's credentials. */
export const SYNTHETICS_USER_VARIABLE = "LMA_SYNTHETICS_USER";
export const SYNTHETICS_PASSWORD_VARIABLE = "LMA_SYNTHETICS_PASSWORD";
/** The sensitive Terraform variables feeding them, set at apply time as `TF_VAR_<name>`. */
export const SYNTHETICS_CREDENTIAL_INPUTS = ["synthetics_user", "synthetics_password"] as const;

/**
 * API tests of the critical journeys from several locations. A test alerts only when at least
 * two locations fail for two minutes, so one location's network trouble pages no one. The
 * synthetic user's credentials are Datadog secure global variables fed by sensitive Terraform
 * variables (`TF_VAR_synthetics_user`, `TF_VAR_synthetics_password`): never in cdk.tf.json.
 */
export class JourneySynthetics extends Construct {
  readonly tests: ReadonlyMap<string, SyntheticsTest>;

  constructor(scope: Construct, id: string, props: JourneySyntheticsProps) {
    super(scope, id);
    if (props.locations.length < 2) throw new Error("synthetic journeys need at least two locations");
    const [userInput, passwordInput] = SYNTHETICS_CREDENTIAL_INPUTS;
    const credentials = [
      { name: SYNTHETICS_USER_VARIABLE, variable: userInput, description: "the synthetic user's login" },
      { name: SYNTHETICS_PASSWORD_VARIABLE, variable: passwordInput, description: "the synthetic user's password" },
    ].map(({ name, variable, description }) => {
      const input = new TerraformVariable(this, variable, { type: "string", sensitive: true, nullable: false, description: `Datadog synthetics: ${description}` });
      // The name people set (TF_VAR_<name>), not one derived from the construct path.
      input.overrideLogicalId(variable);
      return new SyntheticsGlobalVariable(this, `variable-${variable}`, {
        name: `${name}_${props.environment.toUpperCase()}`,
        description: `${description} (${props.environment})`,
        value: input.stringValue,
        secure: true,
        tags: tagList({ environment: props.environment }),
      });
    });
    const [userVariable, passwordVariable] = credentials as [SyntheticsGlobalVariable, SyntheticsGlobalVariable];

    const tests = new Map<string, SyntheticsTest>();
    for (const journey of props.journeys) {
      const usesCredentials = journey.body?.includes("{{ LMA_SYNTHETICS_") ?? false;
      const settings = severitySettings(props.routing, "critical", "edge", {
        description: `The "${journey.description}" journey fails from at least two locations (${journey.method} ${journey.path}).`,
        runbookUrl: `${props.runbookBaseUrl}/synthetics-${journey.key}`,
      });
      tests.set(
        journey.key,
        new SyntheticsTest(this, journey.key, {
          name: `${props.environment}: ${journey.description}`,
          type: "api",
          subtype: "http",
          status: "live",
          locations: [...props.locations],
          message: settings.message,
          tags: tagList({ environment: props.environment, service: journey.service, journey: journey.key, severity: "critical", tier: "edge" }),
          requestDefinition: {
            method: journey.method,
            url: `https://${props.apiHost}${journey.path}`,
            body: journey.body,
            timeout: 30,
          },
          requestHeaders: journey.body ? { "Content-Type": "application/json" } : undefined,
          assertion: [
            { type: "statusCode", operator: "is", target: String(journey.expectStatus) },
            { type: "responseTime", operator: "lessThan", target: String(journey.maxResponseMs) },
          ],
          configVariable: usesCredentials
            ? [
                { type: "global", name: SYNTHETICS_USER_VARIABLE, id: userVariable.id },
                { type: "global", name: SYNTHETICS_PASSWORD_VARIABLE, id: passwordVariable.id },
              ]
            : undefined,
          optionsList: {
            tickEvery: props.intervalSeconds,
            minLocationFailed: 2,
            minFailureDuration: 120,
            retry: { count: 2, interval: 1000 },
            monitorPriority: Number(settings.priority),
            monitorOptions: { renotifyInterval: settings.renotifyInterval },
          },
        }),
      );
    }
    this.tests = tests;
  }
}
