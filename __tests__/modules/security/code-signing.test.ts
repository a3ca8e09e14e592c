import { makeUniqueId } from "cdktf/lib/private/unique";
import { LAMBDA_SIGNING_PLATFORM, PLATFORM_FUNCTIONS_ADDRESSES } from "../../../modules/security";
import { ENVIRONMENTS, synthRegional } from "../../support/synth";
import { matching, only, ref } from "../s3/support";

/** What Lambda does with a package the profile did not sign, per `security.lambdaCodeSigning`. */
const UNTRUSTED_ARTIFACT = { enforce: "Enforce", warn: "Warn" } as const;

const regionalStacks = Object.values(ENVIRONMENTS).flatMap((environment) =>
  environment.regions.map((region, index) => ({ name: `lma-${environment.name}-${region.region}`, environment, region, json: synthRegional(environment, index).json })),
);

describe.each(regionalStacks.map((stack) => [stack.name, stack] as const))("%s", (_, { environment, region, json }) => {
  const [config, body] = only(json, "aws_lambda_code_signing_config");
  const [profile, profileBody] = only(json, "aws_signer_signing_profile");

  it("has one code-signing configuration, allowing only the stack's own Signer profile, as strict as the environment says", () => {
    expect(body.policies).toEqual({ untrusted_artifact_on_deployment: UNTRUSTED_ARTIFACT[environment.security.lambdaCodeSigning] });
    expect(body.allowed_publishers).toEqual({ signing_profile_version_arns: [ref("aws_signer_signing_profile", profile, "version_arn")] });
    expect(profileBody).toMatchObject({ name: `lma_${environment.name}_lambda`, platform_id: LAMBDA_SIGNING_PLATFORM });
  });

  it("checks every function of the stack against it (the platform's and the stores' rotation functions)", () => {
    const functions = matching(json, "aws_lambda_function");
    expect(functions.length).toBeGreaterThan(0);
    for (const [name, fn] of functions) expect([name, fn.code_signing_config_arn]).toEqual([name, ref("aws_lambda_code_signing_config", config, "arn")]);
  });

  it(region.role === "primary" ? "moves the profile and configuration from where PlatformFunctions declared them" : "moves nothing: its functions never had a profile elsewhere", () => {
    const moved = (json as { moved?: { from: string; to: string }[] }).moved ?? [];
    const expected =
      region.role === "primary"
        ? [
            { from: PLATFORM_FUNCTIONS_ADDRESSES.signingProfile, to: `aws_signer_signing_profile.${profile}` },
            { from: PLATFORM_FUNCTIONS_ADDRESSES.codeSigningConfig, to: `aws_lambda_code_signing_config.${config}` },
          ]
        : [];
    expect(moved.filter((block) => /^aws_(signer_signing_profile|lambda_code_signing_config)\./.test(block.from))).toEqual(expected);
  });
});

describe("the addresses moved from", () => {
  it("are those cdktf gave PlatformFunctions' constructs functions/signing-profile and functions/code-signing", () => {
    expect(PLATFORM_FUNCTIONS_ADDRESSES).toEqual({
      signingProfile: `aws_signer_signing_profile.${makeUniqueId(["functions", "signing-profile"])}`,
      codeSigningConfig: `aws_lambda_code_signing_config.${makeUniqueId(["functions", "code-signing"])}`,
    });
  });
});

describe("outside the development tier", () => {
  it.each(Object.values(ENVIRONMENTS).filter((environment) => environment.tier !== "development").map((environment) => [environment.name, environment] as const))(
    "%s refuses every unsigned function package",
    (_, environment) => {
      for (const index of environment.regions.keys()) {
        const { json } = synthRegional(environment, index);
        expect(matching(json, "aws_lambda_code_signing_config").map(([, config]) => config.policies.untrusted_artifact_on_deployment)).toEqual(["Enforce"]);
      }
    },
  );
});
