import { LambdaCodeSigningConfig } from "@cdktf/provider-aws/lib/lambda-code-signing-config";
import { SignerSigningProfile } from "@cdktf/provider-aws/lib/signer-signing-profile";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";

/** AWS Signer's platform for Lambda deployment packages. */
export const LAMBDA_SIGNING_PLATFORM = "AWSLambda-SHA384-ECDSA";

/**
 * Where modules/serverless `PlatformFunctions` declared the profile and configuration (construct
 * path `functions/signing-profile` and `functions/code-signing` of a regional stack) before the
 * security baseline owned them. A cancelled Signer profile's name can never be used again, so the
 * stacks that had them move them instead of destroying and recreating them.
 */
export const PLATFORM_FUNCTIONS_ADDRESSES = {
  signingProfile: "aws_signer_signing_profile.functions_signing-profile_CD448F86",
  codeSigningConfig: "aws_lambda_code_signing_config.functions_code-signing_D96BFC88",
} as const;

export interface LambdaCodeSigningProps {
  readonly naming: Naming;
  /**
   * The environment's `security.lambdaCodeSigning`: `enforce` refuses a deployment whose package
   * the release pipeline did not sign with this profile; `warn` deploys it and records a warning.
   */
  readonly mode: "enforce" | "warn";
  /** Move the profile and configuration from their `PLATFORM_FUNCTIONS_ADDRESSES` in this stack's state. @default false */
  readonly movedFromPlatformFunctions?: boolean;
}

/**
 * The profile the release pipeline signs every Lambda package of the stack with, and the one
 * code-signing configuration every function names (`arn`), allowing only that profile.
 */
export class LambdaCodeSigning extends Construct {
  readonly signingProfile: SignerSigningProfile;
  readonly config: LambdaCodeSigningConfig;

  constructor(scope: Construct, id: string, props: LambdaCodeSigningProps) {
    super(scope, id);
    const { naming } = props;
    this.signingProfile = new SignerSigningProfile(this, "signing-profile", {
      // Signer names allow letters, digits and underscores only.
      name: `${naming.prefix.replace(/-/g, "_")}_lambda`,
      platformId: LAMBDA_SIGNING_PLATFORM,
      // Longer than any release stays pinned; a signature past it no longer deploys.
      signatureValidityPeriod: { type: "MONTHS", value: 135 },
    });
    this.config = new LambdaCodeSigningConfig(this, "config", {
      description: `${naming.prefix} functions: packages signed by the release pipeline (${props.mode})`,
      allowedPublishers: { signingProfileVersionArns: [this.signingProfile.versionArn] },
      policies: { untrustedArtifactOnDeployment: props.mode === "enforce" ? "Enforce" : "Warn" },
    });
    if (props.movedFromPlatformFunctions) {
      this.signingProfile.moveFromId(PLATFORM_FUNCTIONS_ADDRESSES.signingProfile);
      this.config.moveFromId(PLATFORM_FUNCTIONS_ADDRESSES.codeSigningConfig);
    }
  }

  get arn(): string {
    return this.config.arn;
  }
}
