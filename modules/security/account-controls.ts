import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { S3AccountPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-account-public-access-block";
import { Construct } from "constructs";
import { policyDocument, policyVariable } from "../../lib/iam";
import type { Naming } from "../../lib/naming";

/** The account password policy for IAM users (humans without SSO, break-glass users). */
export interface PasswordPolicy {
  /** @default 14 (CIS 1.8, PCI DSS 8.3.6 asks ≥ 12) */
  readonly minimumLength: number;
  /** @default 24 (CIS 1.9; PCI DSS 8.3.7 asks ≥ 4) */
  readonly reusePrevention: number;
  /** @default 90 (PCI DSS 8.3.9) */
  readonly maxAgeDays: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minimumLength: 14, reusePrevention: 24, maxAgeDays: 90 };

export interface AccountControlsProps {
  readonly naming: Naming;
  /** @default DEFAULT_PASSWORD_POLICY */
  readonly passwordPolicy?: PasswordPolicy;
}

/** The IAM actions a user without MFA may still call: exactly what it takes to set up MFA. */
const MFA_SETUP_ACTIONS = [
  "iam:CreateVirtualMFADevice",
  "iam:EnableMFADevice",
  "iam:GetUser",
  "iam:ChangePassword",
  "iam:ListMFADevices",
  "iam:ListVirtualMFADevices",
  "iam:ResyncMFADevice",
  "sts:GetSessionToken",
];

/**
 * Account-wide controls, created once per account (in the environment's primary region stack):
 * the IAM password policy, the MFA-enforcement policy and the group every human IAM user joins,
 * and the account-level S3 public access block.
 */
export class AccountControls extends Construct {
  readonly passwordPolicy: IamAccountPasswordPolicy;
  readonly requireMfaPolicy: IamPolicy;
  readonly humansGroup: IamGroup;

  constructor(scope: Construct, id: string, props: AccountControlsProps) {
    super(scope, id);
    const { naming } = props;
    const password = props.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
    this.passwordPolicy = new IamAccountPasswordPolicy(this, "password-policy", {
      minimumPasswordLength: password.minimumLength,
      requireLowercaseCharacters: true,
      requireUppercaseCharacters: true,
      requireNumbers: true,
      requireSymbols: true,
      allowUsersToChangePassword: true,
      passwordReusePrevention: password.reusePrevention,
      maxPasswordAge: password.maxAgeDays,
      hardExpiry: false,
    });

    const self = `arn:aws:iam::${naming.accountId}:user/${policyVariable("aws:username")}`;
    this.requireMfaPolicy = new IamPolicy(this, "require-mfa", {
      name: naming.name("require-mfa"),
      description: "Humans: nothing but MFA self-service until signed in with MFA (CIS 1.10, PCI DSS 8.4)",
      policy: policyDocument([
        {
          Sid: "ViewAccountPasswordPolicyAndMfaDevices",
          Effect: "Allow",
          Action: ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
          Resource: "*",
        },
        { Sid: "ManageOwnPassword", Effect: "Allow", Action: ["iam:ChangePassword", "iam:GetUser"], Resource: self },
        {
          Sid: "CreateOwnVirtualMfaDevice",
          Effect: "Allow",
          Action: "iam:CreateVirtualMFADevice",
          Resource: `arn:aws:iam::${naming.accountId}:mfa/*`,
        },
        {
          Sid: "ManageOwnMfa",
          Effect: "Allow",
          Action: ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
          Resource: self,
        },
        {
          Sid: "DenyEverythingElseWithoutMfa",
          Effect: "Deny",
          NotAction: MFA_SETUP_ACTIONS,
          Resource: "*",
          Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        },
      ]),
    });
    this.humansGroup = new IamGroup(this, "humans", { name: naming.name("humans") });
    new IamGroupPolicyAttachment(this, "humans-require-mfa", {
      group: this.humansGroup.name,
      policyArn: this.requireMfaPolicy.arn,
    });

    new S3AccountPublicAccessBlock(this, "s3-account-public-access-block", {
      accountId: naming.accountId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  }
}
